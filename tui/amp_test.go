package tui

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Update-driven tests of the Amplication screens with the fake backend.

func notAnswering() AmpProbe {
	return AmpProbe{URL: "http://localhost:3000", Detail: "cannot reach the Amplication server at http://localhost:3000 (connection refused)",
		StartCommand: "npx nx serve amplication-server", Dir: "/home/op/amplication"}
}

// toAmpServer drives the default fake to the Amplication server screen (files written).
func (hs *harness) toAmpServer() {
	hs.t.Helper()
	hs.toEnv()
	hs.press("enter")
	hs.untilText("written")
	hs.press("enter")
	hs.wantStep(stepAmpServer)
}

// toAmpSignedIn signs in with the default fake's answers (one workspace, key OK).
func (hs *harness) toAmpSignedIn() {
	hs.t.Helper()
	hs.toAmpServer()
	hs.untilText("The Amplication server answers")
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.typeText("demo@amplication.local")
	hs.press("enter")
	hs.typeText("pw-not-shown-1234")
	hs.press("enter")
	hs.wantStep(stepAmpAuthorize)
}

// toAmpTarget goes on to the Amplication target after connecting repository 1 of acme.
func (hs *harness) toAmpTarget() {
	hs.t.Helper()
	hs.toAmpSignedIn()
	hs.untilText("Amplication is connected to Bitbucket as demo")
	hs.press("enter")
	hs.wantStep(stepWorkspaces)
	hs.untilText("acme-labs")
	hs.press("enter")
	hs.wantStep(stepChoice)
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.untilText("30 repositories")
	hs.press("enter")
	hs.wantStep(stepAmpTarget)
}

// toAmpConnected goes on to connect service orders and waits for the read-back.
func (hs *harness) toAmpConnected() {
	hs.t.Helper()
	hs.toAmpTarget()
	hs.untilText("› orders")
	hs.press("enter", "enter")
	hs.untilText("Read back from the Amplication server")
}

// toAmpSummary goes on to the summary after connecting service orders.
func (hs *harness) toAmpSummary() {
	hs.t.Helper()
	hs.toAmpConnected()
	hs.press("enter")
	hs.wantStep(stepSummary)
}

func TestAmpServerNotAnsweringShowsTheCommandAndRechecks(t *testing.T) {
	fb := newFake()
	fb.amp.probes = []AmpProbe{notAnswering(), notAnswering(), fb.amp.probes[0]}
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpServer()
	hs.untilText("The Amplication server does not answer", "connection refused", "npx nx serve amplication-server",
		"/home/op/amplication", "Checking again every few seconds", "s skips Amplication")
	hs.press("enter") // nothing to go on to yet
	hs.wantStep(stepAmpServer)
	if len(hs.ticks) != 1 {
		t.Fatalf("%d timers set, want the one re-check", len(hs.ticks))
	}
	hs.fireTicks() // the poll: still not answering
	hs.untilText("does not answer", "checked 2 times")
	hs.press("r") // the operator started it and does not wait for the poll
	hs.untilText("✓ The Amplication server answers", "v3.5.0 or later")
	if n := fb.amp.probeCalls; n != 3 {
		t.Fatalf("%d probes, want 3", n)
	}
	hs.fireTicks() // the timer set before r: stale now
	if n := fb.amp.probeCalls; n != 3 {
		t.Fatalf("it keeps polling after the server answered: %d probes", n)
	}
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.press("esc")
	hs.wantStep(stepAmpServer)
}

func TestAmpServerSkipSaysWhatStaysUndoneAndKeepsTheOldPath(t *testing.T) {
	fb := newFake()
	fb.amp.probes = []AmpProbe{notAnswering()}
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpServer()
	hs.press("s")
	hs.untilText("Skip Amplication?", "Amplication itself stays unconnected", "bbsetup amplication connect")
	hs.press("n")
	hs.wantNoText("Skip Amplication?")
	hs.press("s", "y")
	hs.wantStep(stepAuthorize)
	hs.untilText("Authorize bbsetup with your Bitbucket account")
	if len(fb.startCalls) != 1 {
		t.Fatalf("StartAuth called %d times, want the bbsetup-only authorization once", len(fb.startCalls))
	}
	if a := hs.m.Summary().Amplication; a == nil || !a.Skipped {
		t.Fatalf("summary's Amplication part %+v, want skipped", a)
	}
}

func TestAmpSignInErrorsInWordsAndTheTokenPath(t *testing.T) {
	fb := newFake()
	fb.amp.signErr = errors.New("Amplication refused the sign-in (Invalid password): check the email and password, or press ctrl+t and paste an API token")
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpServer()
	hs.untilText("answers")
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.press("enter", "enter") // empty email, empty password
	hs.untilText("Type the email you sign in to Amplication with.")
	hs.typeText("op@example.com")
	hs.press("enter", "enter")
	hs.untilText("Type your Amplication password")
	hs.typeText("hunter2-secret")
	hs.wantNoText("hunter2")
	hs.press("enter")
	hs.untilText("The sign-in did not work", "Invalid password", "ctrl+t")
	hs.wantStep(stepAmpSignIn)
	if l := fb.amp.logins[0]; l.Email != "op@example.com" || l.Password != "hunter2-secret" || l.Token != "" {
		t.Fatalf("login %+v", l)
	}
	// q types into the field instead of quitting.
	hs.press("q")
	hs.wantStep(stepAmpSignIn)

	fb.amp.mu.Lock()
	fb.amp.signErr = nil
	fb.amp.mu.Unlock()
	hs.press("ctrl+t")
	hs.untilText("API token")
	hs.paste("  tok-abcdef-123456  ")
	hs.wantNoText("tok-abcdef")
	hs.press("enter")
	hs.wantStep(stepAmpAuthorize)
	if l := fb.amp.logins[1]; l.Token != "tok-abcdef-123456" || l.Email != "" {
		t.Fatalf("token login %+v", l)
	}
}

func TestAmpSignInChoosesAmongWorkspaces(t *testing.T) {
	fb := newFake()
	fb.amp.signed.Workspaces = []AmpWorkspace{{ID: "w1", Name: "Demo"}, {ID: "w2", Name: "Platform \x1b[31mteam"}}
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpServer()
	hs.untilText("answers")
	hs.press("enter")
	hs.typeText("demo@amplication.local")
	hs.press("enter")
	hs.typeText("pw")
	hs.press("enter")
	hs.untilText("several workspaces", "Demo (current)", "Platform")
	if strings.Contains(hs.m.View(), "\x1b[31m") {
		t.Fatal("a workspace name's escape sequence reached the screen")
	}
	hs.press("down", "enter")
	hs.wantStep(stepAmpAuthorize)
	if len(fb.amp.switched) != 1 || fb.amp.switched[0] != "w2" {
		t.Fatalf("switched %q", fb.amp.switched)
	}
	hs.untilText("workspace Platform")
}

func TestAmpStaleServerMustBeRestartedAndIsRechecked(t *testing.T) {
	fb := newFake()
	stale := AmpKey{Stale: true, Message: "It still has the placeholder key [bitbucket-client-id]."}
	// The sign-in checks once, the server screen once on entering, then each re-check.
	fb.amp.keys = []AmpKey{stale, stale, stale, {OK: true, Message: "KEY123"}}
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpServer()
	hs.untilText("answers")
	hs.press("enter")
	hs.typeText("demo@amplication.local")
	hs.press("enter")
	hs.typeText("pw")
	hs.press("enter")
	hs.wantStep(stepAmpServer)
	hs.untilText("The server must be restarted", "placeholder key", "npx nx serve amplication-server", "Ctrl+C", "I restarted it")
	hs.fireTicks()
	hs.untilText("must be restarted", "checked 2 times")
	hs.press("r")
	hs.untilText("✓ The server uses the new key")
	hs.press("enter")
	hs.wantStep(stepAmpAuthorize) // signed in already: no second sign-in
	if len(fb.amp.logins) != 1 {
		t.Fatalf("%d sign-ins, want 1", len(fb.amp.logins))
	}
}

func TestAmpDemoRestartsTheEmulatedServerSayingSo(t *testing.T) {
	fb := newFake()
	fb.amp.keys = []AmpKey{{Stale: true, Message: "placeholder"}}
	hs := newHarness(t, fb, Options{NoBrowser: true, Demo: true}, 80, 30)
	hs.toAmpServer()
	hs.untilText("answers")
	hs.press("enter")
	hs.untilText("Sign in")
	hs.typeText("demo@amplication.local")
	hs.press("enter")
	hs.typeText("pw")
	hs.press("enter")
	hs.untilText("must be restarted", "(demo: restarting the emulated server for you")
	if fb.amp.restarts != 0 {
		t.Fatal("restarted before the restart command was shown")
	}
	hs.fireTicks()
	hs.untilText("✓ The server uses the new key")
	if fb.amp.restarts != 1 {
		t.Fatalf("%d restarts", fb.amp.restarts)
	}
}

func TestAmpAuthorizeOffersTheExistingConnection(t *testing.T) {
	fb := newFake()
	fb.amp.signed.Orgs = []AmpOrg{{ID: "org0", Name: "acme-bot", Own: true}}
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpSignedIn()
	hs.untilText("already connected to Bitbucket as acme-bot", "Use the connection as acme-bot (bbsetup's own account)", "Authorize again")
	hs.press("enter")
	hs.untilText("Amplication keeps its Bitbucket connection as acme-bot", "client credentials")
	hs.press("enter")
	hs.wantStep(stepWorkspaces)
	if len(fb.amp.reused) != 1 || len(fb.startCalls) != 0 {
		t.Fatalf("reused %v, bbsetup authorizations %d", fb.amp.reused, len(fb.startCalls))
	}
	// Back and "authorize again": the server's URL, one browser trip.
	hs.untilText("acme-labs")
	hs.m.w.goTo(stepAmpAuthorize)
	hs.settle()
	hs.press("down", "enter")
	hs.untilText("Amplication is connected to Bitbucket as demo")
	if s := hs.m.Summary().Amplication; s == nil || s.GitOrganization == nil {
		t.Fatalf("summary %+v", s)
	}
}

func TestAmpAuthorizeQuitSaysWhatWasStored(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpSignedIn()
	hs.untilText("Authorize Amplication with Bitbucket", "Amplication is connected to Bitbucket as demo")
	hs.press("q")
	if !hs.quit {
		t.Fatal("q did not quit")
	}
	v := flat(hs.m.View())
	for _, want := range []string{"These files were already written", "Done outside this machine:", "Stored in Amplication: workspace Demo's Bitbucket connection as demo"} {
		if !strings.Contains(v, want) {
			t.Fatalf("quit message lacks %q:\n%s", want, v)
		}
	}
}

func TestAmpTargetReplacePromptAndConnectReadBack(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpTarget()
	hs.untilText("Which Amplication project or service pushes to acme/api-gateway-00000?",
		"› orders not connected", "catalog → acme-archive/catalog-legacy (Github)", "Project Internal")
	// The project's settings list the services that inherit them.
	hs.press("up")
	hs.untilText("Services that inherit the project's repository: orders, payments.")
	// catalog is connected elsewhere: replacing it asks first, naming what it has.
	hs.press("down", "down", "down", "enter")
	hs.untilText("Replace its repository?", "catalog (project Shop) is connected to acme-archive/catalog-legacy (Github) now")
	hs.press("n")
	hs.wantStep(stepAmpTarget)
	hs.press("up", "up", "enter") // orders
	hs.wantStep(stepAmpConnect)
	hs.untilText("orders (project Shop)", "acme/api-gateway-00000", "Bitbucket account demo", "Nothing is stored in Amplication until you press enter")
	if len(fb.amp.connects) != 0 {
		t.Fatal("something was stored before the confirm")
	}
	hs.press("esc")
	hs.wantStep(stepAmpTarget)
	hs.untilText("› orders")
	hs.press("enter", "enter")
	hs.untilText("✓ orders (project Shop) → acme/api-gateway-00000", "Read back from the Amplication server")
	if c := fb.amp.connects; len(c) != 1 || c[0].Org.ID != "org1" || c[0].Workspace != "acme" || c[0].Slug != "api-gateway-00000" || c[0].Target.Replace {
		t.Fatalf("connects %+v", c)
	}
	hs.press("enter")
	hs.wantStep(stepSummary)
	hs.untilText("✓ orders (project Shop) → acme/api-gateway-00000", "Stored in Amplication and read back from its server", "Nothing is pushed yet", "opens the pull requests in acme/api-gateway-00000", "commit a change to orders")
	data, err := json.Marshal(hs.m.Summary())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"amplication":{`, `"repository":"acme/api-gateway-00000"`, `"resource":"orders"`, `"git_organization":{"id":"org1","name":"demo"}`} {
		if !strings.Contains(string(data), want) {
			t.Fatalf("--json summary lacks %s:\n%s", want, data)
		}
	}
}

func TestAmpReplaceAndQuitAfterTheConnect(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpTarget()
	hs.untilText("› orders")
	hs.press("down", "down", "enter", "y")
	hs.wantStep(stepAmpConnect)
	hs.untilText("Replaces acme-archive/catalog-legacy")
	hs.press("enter")
	hs.untilText("✓ catalog (project Shop) → acme/api-gateway-00000", "connected to acme-archive/catalog-legacy before")
	hs.press("q")
	v := flat(hs.m.View())
	if !strings.Contains(v, "Stored in Amplication:") || !strings.Contains(v, "catalog (project Shop) → acme/api-gateway-00000") {
		t.Fatalf("quit after the connect does not say what was stored:\n%s", v)
	}
}

func TestAmpTargetAndConnectErrors(t *testing.T) {
	fb := newFake()
	fb.amp.projErr = errors.New("cannot reach the Amplication server at http://localhost:3000 (connection refused)")
	fb.amp.connErr = errors.New("the Amplication server did not connect orders (project Shop) to acme/x: The resource is already connected to a Git Repository")
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpTarget()
	hs.untilText("The projects could not be read", "connection refused", "Press enter to try again")
	fb.amp.mu.Lock()
	fb.amp.projErr = nil
	fb.amp.projects[0].Name = "Shop\x1b]0;pwned\x07"
	fb.amp.mu.Unlock()
	hs.press("r")
	hs.untilText("› orders")
	if strings.Contains(hs.m.View(), "\x1b]0;") {
		t.Fatal("a project name's escape sequence reached the screen")
	}
	hs.press("enter", "enter")
	hs.untilText("The connect did not work", "already connected to a Git Repository", "Press enter to try again")
	fb.amp.mu.Lock()
	fb.amp.connErr = nil
	fb.amp.mu.Unlock()
	hs.press("r")
	hs.untilText("✓ orders (project Shop")
}

// A colleague's connection is listed with its account but never the default: with it
// first and the operator's second, enter keeps the operator's; with only the colleague's,
// enter authorizes again.
func TestAmpAuthorizeNeverDefaultsToAColleaguesConnection(t *testing.T) {
	fb := newFake()
	fb.amp.signed.Orgs = []AmpOrg{{ID: "org-casey", Name: "casey", Other: "Amplication pushes to Bitbucket as casey, but bbsetup checks and creates repositories as demo"},
		{ID: "org-demo", Name: "demo", Own: true}}
	hs := newHarness(t, fb, Options{NoBrowser: true}, 100, 30)
	hs.toAmpSignedIn()
	hs.untilText("2 Bitbucket connections", "Use the connection as casey", "Use the connection as demo (bbsetup's own account)", "Authorize again")
	if v := hs.view(); !strings.Contains(v, focusMarker+"Use the connection as demo") {
		t.Fatalf("the choice does not start on the operator's own connection:\n%s", v)
	}
	hs.press("up")
	hs.untilText("bbsetup checks and creates repositories as demo")
	hs.press("down", "enter")
	hs.untilText("Amplication keeps its Bitbucket connection as demo")
	if len(fb.amp.reused) != 1 || fb.amp.reused[0].ID != "org-demo" {
		t.Fatalf("reused %+v", fb.amp.reused)
	}

	fb2 := newFake()
	fb2.amp.signed.Orgs = []AmpOrg{{ID: "org-casey", Name: "casey", Other: "not yours"}}
	hs2 := newHarness(t, fb2, Options{NoBrowser: true}, 100, 30)
	hs2.toAmpSignedIn()
	// The only connection is a colleague's: its note shows though the cursor starts on
	// "Authorize again".
	hs2.untilText("already connected to Bitbucket as casey", "! not yours")
	if v := hs2.view(); !strings.Contains(v, focusMarker+"Authorize again") {
		t.Fatalf("the choice does not start on authorizing again:\n%s", v)
	}
	hs2.press("enter")
	hs2.untilText("Amplication is connected to Bitbucket as demo")
	if len(fb2.amp.reused) != 0 {
		t.Fatalf("reused a colleague's connection by default: %+v", fb2.amp.reused)
	}
}

// A project connect that would move a service connected elsewhere (it follows the
// project's settings) asks first, naming it; one marked "Override project settings" is
// left alone and asks nothing.
func TestAmpTargetProjectConnectAsksBeforeMovingServices(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 100, 30)
	hs.toAmpTarget()
	hs.untilText("Which Amplication project or service pushes to acme/api-gateway-00000?")
	hs.press("up", "enter")
	hs.untilText("Replace its repository?", "Connecting the project also moves catalog (from acme-archive/catalog-legacy)", "Move them too?")
	hs.press("y")
	hs.untilText("Connect in Amplication")

	fb2 := newFake()
	fb2.amp.projects[0].Resources[3].Override = true
	hs2 := newHarness(t, fb2, Options{NoBrowser: true}, 100, 30)
	hs2.toAmpTarget()
	hs2.untilText("Which Amplication project or service pushes to acme/api-gateway-00000?")
	hs2.press("up", "enter")
	hs2.untilText("Connect in Amplication")
	hs2.wantNoText("Move them too?")
}
