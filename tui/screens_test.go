package tui

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestWelcomeShowsCheckoutAndGoesToConsumer(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.untilText("Callback URL to register")
	hs.wantText("/home/op/amplication", "older (server + amplication-git-pull-request-service)",
		"Will set BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET (and BILLING_ENABLED=false for the server) in: packages/amplication-server/.env.local packages/amplication-git-pull-request-service/.env.local",
		"http://localhost:3001/bitbucket-auth-app/callback", "1/15")
	hs.press("enter")
	hs.wantStep(stepConsumer)
}

func TestWelcomeNotFoundAsksForPath(t *testing.T) {
	fb := newFake()
	fb.findErr = errors.New("no Amplication checkout at or above /tmp/x: run bbsetup inside it or pass --repo")
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.untilText("No usable Amplication checkout", "run bbsetup inside it or pass --repo", "Type the path")
	// q types into the path field instead of quitting.
	hs.typeText("/nowhere")
	if hs.quit {
		t.Fatal("typing q quit the wizard")
	}
	hs.press("enter")
	hs.untilText("no Amplication checkout at or above /nowhere")
	hs.wantStep(stepWelcome)
	hs.press("ctrl+u")
	hs.typeText("/srv/amp")
	hs.press("enter")
	hs.untilText("Checkout /srv/amp")
	if got := fb.findCalls; len(got) != 3 || got[1] != "/nowhere" || got[2] != "/srv/amp" {
		t.Fatalf("FindCheckout calls = %q", got)
	}
}

// Keeping the configured key and secret checks them first (issue 16 item 2: this test
// used to expect Authorize right after the welcome screen), then authorizes.
func TestWelcomeConfiguredKeepVerifiesThenAuthorizes(t *testing.T) {
	fb := newFake()
	fb.checkout.Configured, fb.checkout.ClientID, fb.checkout.SecretMasked = true, "abKEYyz", "••••9876"
	fb.waitGate = make(chan struct{})
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.untilText("already configured (key abKEYyz)", "Keep them: check them with Bitbucket, then authorize", "Replace them")
	hs.press("enter")
	hs.wantStep(stepVerify)
	hs.untilText("Key abKEYyz", "Secret ••••9876", "Bitbucket accepted the key and secret", "nothing needs writing")
	if n := len(fb.configuredCalls); n != 1 || len(fb.checkCalls) != 0 || len(fb.startCalls) != 0 {
		t.Fatalf("CheckConfigured %d, CheckCredentials %d, StartAuth %d calls: want one check of the configured ones, no authorization yet",
			n, len(fb.checkCalls), len(fb.startCalls))
	}
	hs.press("enter")
	hs.skipAmp()
	hs.wantStep(stepAuthorize)
	hs.untilText("Waiting for Bitbucket…", "Using the key and secret already configured")
	if len(fb.startCalls) != 1 || !fb.startCalls[0].IsZero() {
		t.Fatalf("StartAuth calls = %+v, want one with zero credentials", fb.startCalls)
	}
	if co := fb.startCOs[0]; co.Root != fb.checkout.Root || co.CallbackURL != fb.checkout.CallbackURL {
		t.Fatalf("StartAuth got checkout %+v, want the one found", co)
	}
	// Esc cancels the wait, a second esc goes back to the Amplication server screen (the
	// operator may change their mind about skipping it), a third to the welcome screen.
	hs.press("esc")
	hs.untilText("Cancelled")
	hs.press("esc")
	hs.wantStep(stepAmpServer)
	hs.press("esc")
	hs.wantStep(stepWelcome)
	hs.press("down", "enter")
	hs.wantStep(stepConsumer)
}

func TestConsumerScreen(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toConsumer()
	hs.wantText("https://bitbucket.org/<workspace>/workspace/settings/api", "Add consumer",
		// While the slug is typed, letters are letters: ctrl+y copies (issue 16 item 7).
		"Callback URL (ctrl+y copies it): http://localhost:3001/bitbucket-auth-app/callback", "This is a private consumer", "Save")
	hs.typeText("Not A Slug!")
	hs.press("enter")
	hs.wantText("is not a workspace slug")
	hs.press("ctrl+u")
	hs.typeText("acme")
	hs.wantText("https://bitbucket.org/acme/workspace/settings/api")
	hs.press("enter")
	hs.wantText("Callback URL (c copies it)")
	hs.press("o")
	hs.untilText("Opened the settings page")
	if len(fb.opened) != 1 || fb.opened[0] != "https://bitbucket.org/acme/workspace/settings/api" {
		t.Fatalf("opened %q", fb.opened)
	}
	hs.press("c")
	hs.untilText("Callback URL sent to the clipboard")
	want := base64.StdEncoding.EncodeToString([]byte("http://localhost:3001/bitbucket-auth-app/callback"))
	if !strings.Contains(hs.clip.String(), "\x1b]52;c;"+want) {
		t.Fatalf("no OSC 52 sequence with the callback URL written: %q", hs.clip.String())
	}
	hs.press("enter")
	hs.wantStep(stepPermissions)
	hs.press("esc")
	hs.wantStep(stepConsumer)
	hs.wantText("acme")
}

func TestPermissionsChecklist(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toPermissions()
	hs.wantText("Account", "Workspace membership", "Read, Write", "Repositories", "Read, Write, Admin", "Webhooks", "Read and write", "0 of 6 rows ticked")
	hs.press("space")
	hs.wantText("1 of 6 rows ticked")
	hs.press("enter")
	hs.wantText("Not every row is ticked")
	hs.press("n")
	hs.wantNoText("Not every row is ticked")
	hs.wantStep(stepPermissions)
	hs.press("a")
	hs.wantText("6 of 6 rows ticked")
	hs.press("a")
	hs.wantText("0 of 6 rows ticked")
	hs.press("enter", "y")
	hs.wantStep(stepCredentials)
	hs.press("esc")
	hs.press("a", "enter")
	hs.wantStep(stepCredentials)
}

func TestCredentialsFormatAndTrim(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toCredentials()
	hs.press("enter", "enter")
	hs.wantText("the key is empty")
	hs.typeText("KEY 123")
	hs.press("tab")
	hs.paste("  \n" + testSecret + "\r\n")
	hs.press("enter")
	hs.wantText("the key contains a space")
	hs.wantStep(stepCredentials)
	// The secret field shows bullets only.
	hs.wantText(strings.Repeat("•", len(testSecret)))
	hs.press("ctrl+u")
	hs.paste(" KEY123 \n")
	hs.press("enter")
	hs.wantStep(stepCredentials) // focus moved to the secret
	hs.press("enter")
	hs.wantStep(stepVerify)
	if len(fb.checkCalls) != 1 {
		t.Fatalf("CheckCredentials calls: %d", len(fb.checkCalls))
	}
	if c := fb.checkCalls[0]; c.ID != "KEY123" || c.Secret != testSecret {
		t.Fatalf("credentials = %q/%q, want trimmed", c.ID, c.Secret)
	}
	hs.untilText("Secret ••••9876")
}

func TestCredentialsPrefill(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{Prefill: Credentials{ID: "DEMOKEY", Secret: testSecret}}, 80, 24)
	hs.toCredentials()
	hs.wantText("DEMOKEY", strings.Repeat("•", len(testSecret)))
	hs.press("enter")
	hs.wantStep(stepVerify)
	if c := fb.checkCalls[0]; c.ID != "DEMOKEY" || c.Secret != testSecret {
		t.Fatalf("checked %q", c.ID)
	}
}

func TestVerifyVerdictsLeadToTheFixingScreen(t *testing.T) {
	cases := []struct {
		v        Verdict
		title    string
		want     step
		wantText []string
	}{
		{Verdict{Kind: VerdictBadCredentials, Message: "Invalid OAuth client credentials."}, "The key or the secret is wrong",
			stepCredentials, []string{"The key or secret did not work", "Invalid OAuth client credentials."}},
		{Verdict{Kind: VerdictNotPrivate, Message: "Tick This is a private consumer."}, "\"This is a private consumer\" is not ticked",
			stepConsumer, []string{"The consumer is not private"}},
		{Verdict{Kind: VerdictNoCallback, Message: "No callback URL."}, "The consumer has no callback URL",
			stepConsumer, []string{"The consumer has no callback URL"}},
		{Verdict{Kind: VerdictMissingScopes, Message: "", Missing: []string{"Webhooks: Read and write", "Projects: Admin"}},
			"Some permission boxes are not ticked", stepPermissions, []string{"4 of 6 rows ticked", "← missing"}},
	}
	for _, tc := range cases {
		t.Run(tc.v.Kind.String(), func(t *testing.T) {
			fb := newFake()
			fb.verdicts = []Verdict{tc.v, {Kind: VerdictOK}}
			hs := newHarness(t, fb, Options{}, 80, 24)
			hs.toVerify()
			hs.untilText(tc.title, tc.v.Message)
			hs.press("u") // not offered: nothing happens
			hs.wantStep(stepVerify)
			hs.press("enter")
			hs.wantStep(tc.want)
			hs.wantText(tc.wantText...)
			if tc.v.Kind == VerdictMissingScopes {
				hs.wantText("Webhooks Read and write ← missing", "Bitbucket says the rows marked missing are not ticked")
				hs.wantNoText("Account Read ← missing")
			}
		})
	}
}

func TestVerifyNetworkOffersUnverified(t *testing.T) {
	fb := newFake()
	fb.verdicts = []Verdict{{Kind: VerdictNetwork, Message: "dial tcp: connection refused"}, {Kind: VerdictNetwork, Message: "still down"}}
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toVerify()
	hs.untilText("Bitbucket could not be reached", "connection refused", "continue UNVERIFIED")
	hs.press("r")
	hs.untilText("still down")
	hs.press("u")
	hs.wantStep(stepEnv)
	if sum := hs.m.Summary(); sum.Verified {
		t.Fatal("Summary.Verified after continuing unverified")
	}
}

func TestVerifyUnexpectedHasNoUnverified(t *testing.T) {
	fb := newFake()
	fb.verdicts = []Verdict{{Kind: VerdictUnexpected, Message: "HTTP 500 from Bitbucket"}}
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toVerify()
	hs.untilText("The check failed", "HTTP 500")
	hs.wantNoText("UNVERIFIED")
	hs.press("u", "enter")
	hs.wantStep(stepVerify)
	hs.press("esc")
	hs.wantStep(stepCredentials)
}

func TestVerifyEscCancelsTheCheck(t *testing.T) {
	fb := newFake()
	fb.checkGate = make(chan struct{})
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toVerify()
	hs.wantText("Asking Bitbucket for a token")
	hs.press("esc")
	hs.wantStep(stepCredentials)
	hs.until("the check's context cancelled", func(string) bool {
		return fb.get(func() int {
			if fb.checkCtxErr != nil {
				return 1
			}
			return 0
		}) == 1
	})
}

func TestEnvNothingWrittenBeforeConfirm(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toEnv()
	hs.wantText("packages/amplication-server/.env.local (will change)", "+BITBUCKET_CLIENT_SECRET=••••9876",
		"packages/amplication-git-pull-request-service/.env.local (new file)")
	if cos := fb.planCOs; len(cos) != 1 || cos[0].Root != fb.checkout.Root || cos[0].ServerEnv != fb.checkout.ServerEnv {
		t.Fatalf("PlanEnv got checkouts %+v, want the one found", cos)
	}
	hs.press("down", "up", "pgdown")
	if n := fb.get(func() int { return fb.applyCalls }); n != 0 {
		t.Fatalf("Apply called %d times before the confirm", n)
	}
	hs.press("q")
	if !hs.quit {
		t.Fatal("q did not quit")
	}
	hs.wantText("Nothing was written")
	if n := fb.get(func() int { return fb.applyCalls }); n != 0 {
		t.Fatalf("Apply called %d times", n)
	}
	if len(hs.m.Summary().Files) != 0 {
		t.Fatal("Summary lists files although nothing was written")
	}
}

func TestEnvConfirmWritesThenQuitSaysWhat(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toEnv()
	hs.press("enter")
	hs.untilText("✓ written packages/amplication-server/.env.local", "backup packages/amplication-server/.env.local.bak",
		"Press enter to check the server", "npx nx serve amplication-git-pull-request-service")
	if n := fb.get(func() int { return fb.applyCalls }); n != 1 {
		t.Fatalf("Apply calls = %d", n)
	}
	hs.press("esc") // not safe any more: stays
	hs.wantStep(stepEnv)
	hs.press("ctrl+c")
	hs.wantText("These files were already written", "/home/op/amplication/packages/amplication-server/.env.local")
	if got := hs.m.Summary().Files; len(got) != 2 {
		t.Fatalf("Summary.Files = %+v", got)
	}
}

func TestEnvPlanErrorAndNoChange(t *testing.T) {
	fb := newFake()
	fb.planErr = errors.New("packages/amplication-server/.env.local is not writable: fix its permissions")
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toVerify()
	hs.untilText("Bitbucket accepted")
	hs.press("enter")
	hs.untilText("The env files cannot be written", "is not writable")
	fb.mu.Lock()
	fb.planErr = nil
	for i := range fb.plan.Files {
		fb.plan.Files[i].Changed = false
	}
	fb.mu.Unlock()
	hs.press("r")
	hs.untilText("nothing to write")
	hs.press("enter")
	hs.skipAmp()
	hs.wantStep(stepAuthorize)
	if fb.applyCalls != 0 {
		t.Fatal("Apply called with nothing to change")
	}
}

func TestAuthorizeWaitPasteAndBrowser(t *testing.T) {
	fb := newFake()
	fb.waitGate = make(chan struct{})
	hs := newHarness(t, fb, Options{Remote: true}, 80, 40)
	hs.toEnv()
	hs.press("enter")
	hs.untilText("written")
	hs.press("enter")
	hs.skipAmp()
	hs.untilText("Waiting for Bitbucket…", "https://bitbucket.org/site/oauth2/authorize?client_id=KEY123",
		"ssh -L 3001:localhost:3001", "Opened in your browser")
	if len(fb.opened) != 1 || fb.opened[0] != fb.sess.URL {
		t.Fatalf("opened %q", fb.opened)
	}
	if c := fb.startCalls[0]; c.ID != "KEY123" || c.Secret != testSecret {
		t.Fatalf("StartAuth got %q", c.ID)
	}
	hs.press("p")
	hs.wantText("Paste the URL from the browser's address bar")
	hs.paste("not a url")
	hs.press("enter")
	hs.untilText("the pasted text has no code")
	hs.press("ctrl+u")
	hs.paste("  http://localhost:3001/bitbucket-auth-app/callback?code=abc&state=xyz\n")
	hs.press("enter")
	hs.untilText("Connected as Demo Operator (demo)", "Account: Read")
	if got := fb.pasted[len(fb.pasted)-1]; got != "http://localhost:3001/bitbucket-auth-app/callback?code=abc&state=xyz" {
		t.Fatalf("pasted %q", got)
	}
	hs.until("the wait cancelled", func(string) bool {
		return fb.get(func() int {
			if fb.waitCtxErr != nil {
				return 1
			}
			return 0
		}) == 1
	})
	hs.press("enter")
	hs.wantStep(stepWorkspaces)
}

func TestAuthorizeNoBrowserAndPortInUse(t *testing.T) {
	fb := newFake()
	fb.sess.PortInUse = true
	fb.sess.PortMessage = "Port 3001 is in use (the Amplication client?): stop it or paste the URL."
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAuthorize()
	hs.untilText("The callback port is taken", "Port 3001 is in use", "Paste the URL")
	hs.wantText("https://bitbucket.org/site/oauth2/authorize")
	hs.wantNoText("ssh -L")
	if len(fb.opened) != 0 {
		t.Fatalf("browser opened with NoBrowser: %q", fb.opened)
	}
	hs.paste("http://localhost:3001/bitbucket-auth-app/callback?code=abc")
	hs.press("enter")
	hs.untilText("Connected as Demo Operator (demo)")
}

func TestAuthorizeFailureRetries(t *testing.T) {
	fb := newFake()
	fb.waitErr = errors.New("Bitbucket refused the code: invalid_grant")
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toAuthorize()
	hs.untilText("Authorization failed", "invalid_grant")
	fb.mu.Lock()
	fb.waitErr = nil
	fb.mu.Unlock()
	hs.press("r")
	hs.untilText("Connected as Demo Operator (demo)")
	if len(fb.startCalls) != 2 {
		t.Fatalf("StartAuth calls = %d", len(fb.startCalls))
	}
}

func TestWorkspacesPicker(t *testing.T) {
	fb := newFake()
	fb.wsGate = make(chan struct{})
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toAuthorize()
	hs.untilText("Connected as")
	hs.press("enter")
	hs.wantText("Loading your workspaces…")
	close(fb.wsGate)
	hs.untilText("acme", "Acme Inc", "[admin]", "acme-labs", "playground")
	// Filter with the list's own filtering, q included.
	hs.press("/")
	hs.typeText("play")
	if hs.quit {
		t.Fatal("typing in the filter quit")
	}
	hs.until("filtered", func(v string) bool { return !strings.Contains(flat(v), "acme-labs") })
	hs.press("enter", "enter")
	hs.wantStep(stepChoice)
	hs.wantText("Workspace: playground")
}

func TestWorkspacesEscCancelsLoading(t *testing.T) {
	fb := newFake()
	fb.wsGate = make(chan struct{})
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toAuthorize()
	hs.untilText("Connected as")
	hs.press("enter")
	hs.wantText("Loading your workspaces…", "esc cancel")
	hs.press("esc")
	hs.wantText("Could not list your workspaces", "cancelled", "Press r to try again")
	close(fb.wsGate)
	hs.press("r")
	hs.untilText("acme-labs")
	if fb.wsCalls != 2 {
		t.Fatalf("Workspaces calls = %d", fb.wsCalls)
	}
}

func TestWorkspacesEmptyAndError(t *testing.T) {
	fb := newFake()
	fb.wsErr = errors.New("Bitbucket answered 500: try again in a minute")
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toAuthorize()
	hs.untilText("Connected as")
	hs.press("enter")
	hs.untilText("Could not list your workspaces", "try again in a minute")
	fb.mu.Lock()
	fb.wsErr, fb.workspaces = nil, nil
	fb.mu.Unlock()
	hs.press("r")
	hs.untilText("not in any workspace", "https://bitbucket.org/workspace/create", "press r to reload")
	fb.mu.Lock()
	fb.workspaces = []Workspace{{Slug: "acme", Name: "Acme"}}
	fb.mu.Unlock()
	hs.press("r")
	hs.untilText("Acme")
	hs.wantNoText("[admin]")
}

func TestCreateRepository(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toChoice()
	hs.press("down", "enter")
	hs.wantStep(stepCreate)
	hs.untilText("Bitbucket's default project (the workspace's oldest)", "1 of 3")
	hs.wantText("Slug: (type a name)", "Private [x]")
	hs.press("enter")
	hs.wantNoText("Create this repository?")
	hs.typeText("My New Service!")
	hs.wantText("Slug: acme/my-new-service")
	hs.typeText("q") // typing, not quitting
	hs.press("backspace")
	// Issue 16 item 18: the Description field comes after the name (tab reaches it).
	hs.press("tab")
	hs.typeText("Orders and payments")
	hs.press("tab", "space")
	hs.wantText("Private [ ]")
	hs.press("space", "tab", "right")
	hs.wantText("Project (PROJ)", "2 of 3")
	hs.press("left")
	hs.press("enter")
	hs.wantText("Create this repository?", "A private repository acme/my-new-service in Bitbucket's default project")
	hs.press("enter")
	hs.untilText("Created acme/my-new-service", "https://bitbucket.org/acme/my-new-service", "git@bitbucket.org:acme/my-new-service.git")
	if len(fb.created) != 1 {
		t.Fatalf("CreateRepo calls %d", len(fb.created))
	}
	if r := fb.created[0]; r.Name != "My New Service!" || r.Slug != "my-new-service" || !r.Private || r.ProjectKey != "" ||
		r.Description != "Orders and payments" {
		t.Fatalf("CreateRepo got %+v", r)
	}
	hs.press("enter")
	hs.wantStep(stepSummary)
	hs.wantText("acme/my-new-service (created)", "https://bitbucket.org/acme/my-new-service.git")
}

func TestCreateInvalidAndExists(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toChoice()
	hs.press("down", "enter")
	hs.typeText("!!!")
	hs.wantText("the name has no letters or digits")
	hs.press("enter")
	hs.wantNoText("Create this repository?")
	hs.press("backspace", "backspace", "backspace")
	hs.typeText("service 00001")
	// Issue 16 item 18: the slug is looked up while typing, so enter goes straight to
	// "already exists" (this test used to press enter twice: review, then create).
	hs.untilText("Already taken")
	hs.press("enter")
	hs.untilText("acme/service-00001 already exists", "connect to it instead")
	if n := len(fb.created); n != 0 {
		t.Fatalf("CreateRepo called %d times for a slug known to be taken", n)
	}
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.untilText("service-00001", "1 match")
	hs.press("enter")
	hs.wantStep(stepSummary)
	hs.wantText("acme/service-00001 (chosen)")
}

func TestCreateOtherError(t *testing.T) {
	fb := newFake()
	fb.createErr = errors.New("Bitbucket answered 403: your account cannot create repositories in acme")
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toChoice()
	hs.press("down", "enter")
	hs.typeText("x")
	hs.press("enter", "enter")
	hs.untilText("The repository was not created", "cannot create repositories")
}

// The screens after Authorize use the API the authorization returned, not the backend:
// no call can reach Bitbucket before an account has authorized.
func TestScreensUseTheAuthorizedAPI(t *testing.T) {
	fb := newFake()
	api := newFake()
	api.workspaces = []Workspace{{Slug: "granted-ws", Name: "Granted", Admin: true}, {Slug: "acme-labs"}}
	api.repos = map[string][]Repo{"granted-ws": genRepos("granted-ws", 3)}
	fb.authAPI = api
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toWorkspaces()
	hs.wantText("granted-ws")
	hs.press("enter") // granted-ws
	hs.wantStep(stepChoice)
	hs.press("enter") // connect
	hs.untilText("3 repositories", "service-00001")
	hs.press("esc", "down", "enter") // create
	hs.wantStep(stepCreate)
	hs.untilText("Project")
	if fb.get(func() int { return fb.wsCalls }) != 0 || len(fb.listFilters()) != 0 {
		t.Fatalf("the backend was asked for workspaces (%d) or repositories (%q)", fb.wsCalls, fb.listFilters())
	}
	if api.get(func() int { return api.wsCalls }) != 1 || len(api.listFilters()) == 0 {
		t.Fatalf("the authorized API: %d workspace calls, listings %q", api.wsCalls, api.listFilters())
	}
}

// Keys typed right after the key that leaves a screen reach the next screen, even before
// any command has run (a fast typist, a paste, tmux send-keys under load): the root handles
// a screen's report within the same update.
func TestKeysRightAfterLeavingReachTheNextScreen(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.untilText("Callback URL to register")
	for _, k := range []string{"enter", "a", "c", "m", "e", "enter", "enter"} {
		hs.d.Send(keyMsg(k)) // no settling in between: nothing else runs
	}
	hs.settle()
	hs.wantStep(stepPermissions)
	hs.press("esc")
	hs.wantStep(stepConsumer)
	hs.wantText("acme/workspace/settings/api")
}
