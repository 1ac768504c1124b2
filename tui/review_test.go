package tui

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// wantVisible checks the screen as the operator sees it (not the part scrolled away).
func (hs *harness) wantVisible(subs ...string) {
	hs.t.Helper()
	v := flat(hs.m.View())
	for _, s := range subs {
		if !strings.Contains(v, s) {
			hs.t.Fatalf("the visible screen (step %v) lacks %q:\n%s", hs.m.w.cur, s, hs.m.View())
		}
	}
}

// helpLine is the help at the bottom of the screen (all its lines), plain.
func (hs *harness) helpLine() string {
	lines := strings.Split(hs.m.View(), "\n")
	return flat(strings.Join(lines[len(lines)-len(hs.m.w.helpLines()):], "\n"))
}

// allPermissions are the labels of every box of the consumer form.
var allPermissions = []string{
	"Account: Read", "Workspace membership: Read", "Workspace membership: Write",
	"Projects: Read", "Projects: Admin", "Repositories: Read", "Repositories: Write",
	"Repositories: Admin", "Pull requests: Read", "Pull requests: Write", "Webhooks: Read and write",
}

// A realistic authorize URL: long enough to wrap over several lines.
const longAuthURL = "https://bitbucket.org/site/oauth2/authorize?client_id=KEY123&code_challenge=Qm9v0XJ3c2tqZHNrZmpza2RqZmtzamRma2pzZGtmanNrZGZqcw&code_challenge_method=S256&redirect_uri=http%3A%2F%2Flocalhost%3A3001%2Fbitbucket-auth-app%2Fcallback&response_type=code&state=U5Y4DXCOCBJDKR5GEYGN2MVJSI"

// The port is taken: the browser is still opened, and ctrl+o / ctrl+y open and copy the
// URL while the paste input has focus (o and c would be typed into it).
func TestAuthorizePortInUseOpensBrowserAndKeysWhilePasting(t *testing.T) {
	fb := newFake()
	fb.sess.PortInUse = true
	fb.sess.PortMessage = "Port 3001 is in use, probably by the Amplication client."
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toAuthorize()
	hs.untilText("The callback port is taken", "Opened in your browser")
	if got := fb.get(func() int { return len(fb.opened) }); got != 1 {
		t.Fatalf("browser opened %d times with the port taken, want 1", got)
	}
	help := hs.helpLine()
	for _, want := range []string{"ctrl+o open URL", "ctrl+y copy URL", "ctrl+c quit"} {
		if !strings.Contains(help, want) {
			t.Fatalf("help line %q lacks %q", help, want)
		}
	}
	hs.press("ctrl+o")
	if got := fb.get(func() int { return len(fb.opened) }); got != 2 {
		t.Fatalf("ctrl+o: browser opened %d times, want 2", got)
	}
	hs.press("ctrl+y")
	if !strings.Contains(hs.clip.String(), "\x1b]52;") {
		t.Fatalf("ctrl+y wrote no OSC 52 sequence: %q", hs.clip.String())
	}
	if v := hs.authTrip().paste.Value(); v != "" {
		t.Fatalf("the keys went into the paste input: %q", v)
	}
	hs.untilText("URL sent to the clipboard")
}

// At 80x24, the paste input stays on screen under the port-taken box and the SSH hint.
func TestAuthorizePasteInputVisibleAt80x24(t *testing.T) {
	t.Run("port taken + remote", func(t *testing.T) {
		fb := newFake()
		fb.sess = AuthSession{URL: longAuthURL, PortInUse: true,
			PortMessage: "Port 3001 is in use, probably by the Amplication client, so bbsetup cannot receive the browser's redirect itself. After granting access, paste the address your browser lands on (it starts with http://localhost:3001/bitbucket-auth-app/callback)."}
		hs := newHarness(t, fb, Options{Remote: true}, 80, 24)
		hs.toAuthorize()
		hs.untilText("The callback port is taken")
		hs.paste("ZZTYPED")
		hs.wantVisible("Paste the URL from the browser's address bar", "ZZTYPED")
	})
	t.Run("p while waiting, remote", func(t *testing.T) {
		fb := newFake()
		fb.sess = AuthSession{URL: longAuthURL}
		fb.waitGate = make(chan struct{})
		hs := newHarness(t, fb, Options{Remote: true}, 80, 24)
		hs.toAuthorize()
		hs.untilText("Waiting for Bitbucket")
		hs.press("p")
		hs.paste("ZZTYPED")
		hs.wantVisible("Paste the URL from the browser's address bar", "ZZTYPED", "Still listening")
	})
}

// The Authorize help line offers only keys that work: no p before a session exists; esc
// (after the write, on the path that skipped Amplication) leads back to the Amplication
// server screen only, never to the written env files.
func TestAuthorizeHelpOnlyOffersWorkingKeys(t *testing.T) {
	t.Run("start error", func(t *testing.T) {
		fb := newFake()
		fb.startErr = errors.New("the key is not set")
		hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
		hs.toAuthorize()
		hs.untilText("Authorization could not start")
		if h := hs.helpLine(); strings.Contains(h, "paste") {
			t.Fatalf("help line %q offers p (no session)", h)
		}
	})
	t.Run("failed after the write", func(t *testing.T) {
		fb := newFake()
		fb.waitErr = errors.New("Bitbucket refused the code")
		hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
		hs.toAuthorize()
		hs.untilText("Authorization failed")
		h := hs.helpLine()
		if !strings.Contains(h, "p paste URL") {
			t.Fatalf("help line %q lacks p (a session exists)", h)
		}
		hs.press("esc")
		hs.wantStep(stepAmpServer)
		hs.press("esc")
		hs.wantStep(stepAmpServer) // the env files are written: no way back to them
	})
	t.Run("nothing written: esc goes back", func(t *testing.T) {
		fb := newFake()
		fb.plan = EnvPlan{Files: []FilePlan{{Path: fb.checkout.ServerEnv, Exists: true}}}
		fb.waitErr = errors.New("Bitbucket refused the code")
		hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
		hs.toVerify()
		hs.untilText("Bitbucket accepted")
		hs.press("enter")
		hs.untilText("nothing to write")
		hs.press("enter")
		hs.skipAmp()
		hs.untilText("Authorization failed")
		if h := hs.helpLine(); !strings.Contains(h, "esc back") {
			t.Fatalf("help line %q lacks esc back", h)
		}
		hs.press("esc")
		hs.wantStep(stepAmpServer)
		hs.press("esc")
		hs.wantStep(stepEnv)
	})
}

// Esc while the projects load, then Create again: the projects load again and arrive.
func TestCreateProjectsReloadAfterEscDuringLoad(t *testing.T) {
	fb := newFake()
	fb.projGate = make(chan struct{})
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toChoice()
	hs.press("down", "enter")
	hs.wantStep(stepCreate)
	hs.untilText("loading projects…")
	hs.press("esc")
	hs.wantStep(stepChoice)
	hs.press("enter")
	hs.wantStep(stepCreate)
	close(fb.projGate)
	hs.untilText("1 of 3")
	hs.wantNoText("loading projects")
}

// At 40 columns the diff wraps (nothing cut off) and follows resizes; the ---/+++ lines
// with absolute paths are not shown (the file's name is above each diff).
func TestEnvDiffWrapsToTheWidth(t *testing.T) {
	fb := newFake()
	root := fb.checkout.Root
	fb.plan = EnvPlan{Files: []FilePlan{{Path: fb.checkout.ServerEnv, Changed: true, Exists: true,
		Diff: "--- " + fb.checkout.ServerEnv + "\n+++ " + fb.checkout.ServerEnv + "\n@@ -1,1 +1,3 @@\n" +
			"+# Bitbucket OAuth consumer for local Amplication development ENDMARK\n+BITBUCKET_CLIENT_ID=KEY123\n+BITBUCKET_CLIENT_SECRET=••••9876\n"}}}
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toEnv()
	hs.wantVisible("ENDMARK")
	hs.resize(40, 24)
	hs.wantVisible("ENDMARK", "BITBUCKET_CLIENT_SECRET=••••9876")
	hs.wantNoText("--- "+root, "+++ "+root)
	hs.resize(80, 24)
	hs.wantVisible("ENDMARK")
}

// The success boxes list the permissions one row per line and fit 80x24; the long URL is
// gone once authorized.
func TestSuccessBoxesFitIn80x24(t *testing.T) {
	fb := newFake()
	fb.verdicts = []Verdict{{Kind: VerdictOK, Granted: allPermissions}}
	fb.sess = AuthSession{URL: longAuthURL}
	fb.waitID.Granted = allPermissions
	hs := newHarness(t, fb, Options{Remote: true}, 80, 24)
	hs.toVerify()
	hs.untilText("Bitbucket accepted the key and secret")
	hs.wantVisible("Repositories: Read, Write, Admin", "Webhooks: Read and write", "Press enter to see what will be written")
	hs.wantNoText("more lines (pgdn)")
	hs.press("enter")
	hs.untilText("Nothing is written until you press enter")
	hs.press("enter")
	hs.untilText("written")
	hs.press("enter")
	hs.skipAmp()
	hs.untilText("Connected as Demo Operator (demo)")
	hs.wantVisible("Workspace membership: Read, Write", "Press enter to choose the workspace")
	hs.wantNoText("more lines (pgdn)", "oauth2/authorize", "ssh -L")
}

// The short help keeps "? more keys" and "q quit" however narrow, dropping screen keys
// from the end.
func TestHelpLineKeepsHelpAndQuit(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 40, 24)
	hs.toConsumer()
	hs.typeText("acme")
	hs.press("enter")
	h := hs.helpLine()
	for _, want := range []string{"enter next", "? more keys", "q quit"} {
		if !strings.Contains(h, want) {
			t.Fatalf("help line at 40 columns %q lacks %q", h, want)
		}
	}
	hs.press("?")
	hs.wantVisible("esc back", "e edit slug")
}

// A quit while the env files are being written waits for the write, then says what was
// written.
func TestQuitDuringWriteWaitsForTheResult(t *testing.T) {
	fb := newFake()
	fb.applyGate = make(chan struct{})
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toEnv()
	hs.press("enter")
	hs.untilText("Writing the env files")
	hs.press("ctrl+c")
	if hs.quit {
		t.Fatal("quit while the write was in flight")
	}
	hs.wantText("then quitting")
	hs.press("q") // ignored meanwhile
	close(fb.applyGate)
	hs.until("the quit", func(string) bool { return hs.quit })
	hs.wantText("These files were already written", "packages/amplication-server/.env.local")
	hs.wantNoText("Nothing was written")
	if sum := hs.m.Summary(); len(sum.Files) != 2 {
		t.Fatalf("Summary.Files = %+v", sum.Files)
	}
}

// The summary's client_id is the key, whole: the key is not a secret (issue 16 item 2;
// this test used to want it masked). The secret is never in it.
func TestSummaryShowsTheTypedKeyNotTheSecret(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toEnv()
	sum := hs.m.Summary()
	if sum.ClientID != "KEY123" {
		t.Fatalf("ClientID = %q, want the key", sum.ClientID)
	}
	data, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"client_id":"KEY123"`) || strings.Contains(string(data), testSecret[:8]) {
		t.Fatalf("the JSON summary: %s", data)
	}
}

// The summary says what is true: Bitbucket is ready; a connected repository was chosen.
func TestSummaryWording(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 40)
	hs.toChoice()
	hs.press("enter")
	hs.untilText("30 repositories")
	hs.press("enter")
	hs.wantStep(stepSummary)
	hs.wantText("Bitbucket is set up; Amplication itself is not connected yet", "(chosen)")
	hs.wantNoText("connected to Bitbucket", "(connected)")
}

// The settings URL shows the slug as it will be used; "." is allowed and said so; the demo
// pre-fills the workspace.
func TestConsumerSlugPreviewAndPrefill(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 30)
	hs.toConsumer()
	hs.typeText(" Acme.Labs")
	hs.wantText("https://bitbucket.org/acme.labs/workspace/settings/api")
	hs.typeText("!")
	hs.press("enter")
	hs.wantText("-, _ and . only")

	fb2 := newFake()
	hs2 := newHarness(t, fb2, Options{Workspace: "acme"}, 80, 30)
	hs2.toConsumer()
	hs2.press("enter")
	hs2.wantText("https://bitbucket.org/acme/workspace/settings/api", "enter next")
	hs2.press("enter")
	hs2.wantStep(stepPermissions)
}
