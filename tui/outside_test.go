package tui

import (
	"errors"
	"strings"
	"testing"
)

// Issue 16 item 1: quit messages list what was done outside this machine.

func createRepoNamed(hs *harness, name string) {
	hs.t.Helper()
	hs.toChoice()
	hs.press("down", "enter")
	hs.wantStep(stepCreate)
	hs.untilText("1 of 3")
	hs.typeText(name)
	hs.press("enter")
	hs.wantText("Create this repository?")
	hs.press("enter")
}

func TestQuitAfterCreatingSaysTheRepositoryExists(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	createRepoNamed(hs, "Shop API")
	hs.untilText("Created acme/shop-api")
	hs.press("q")
	if !hs.quit {
		t.Fatal("q did not quit")
	}
	v := flat(hs.m.View())
	for _, want := range []string{"These files were already written", "Done outside this machine:",
		"Created the repository acme/shop-api on Bitbucket (https://bitbucket.org/acme/shop-api)."} {
		if !strings.Contains(v, want) {
			t.Fatalf("quit message lacks %q:\n%s", want, v)
		}
	}
	if sum := hs.m.Summary(); len(sum.DoneOutside) != 1 || !strings.Contains(sum.DoneOutside[0], "acme/shop-api") {
		t.Fatalf("Summary.DoneOutside = %q", sum.DoneOutside)
	}
}

func TestQuitDuringACreateSaysHowToCheck(t *testing.T) {
	fb := newFake()
	fb.createGate = make(chan struct{})
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	createRepoNamed(hs, "Shop API")
	hs.untilText("Creating acme/shop-api…")
	hs.press("ctrl+c")
	if !hs.quit {
		t.Fatal("ctrl+c did not quit")
	}
	v := flat(hs.m.View())
	if !strings.Contains(v, "Creating the repository acme/shop-api was under way: check whether it exists with bbsetup repos list -w acme --filter 'Shop API' before you create it again.") {
		t.Fatalf("quit message:\n%s", v)
	}
	close(fb.createGate)
}

// mayHaveErr is an error for a create that may have been carried out (as setup/bitbucket's).
type mayHaveErr struct{}

func (mayHaveErr) Error() string          { return "the connection broke before Bitbucket answered" }
func (mayHaveErr) MayHaveSucceeded() bool { return true }

func TestCreateFailuresInTheQuitMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string // "" : nothing outside
	}{
		{"refused", errors.New("Bitbucket answered 403: you cannot create repositories in acme"), ""},
		{"uncertain", mayHaveErr{}, "The repository acme/shop may have been created although the request failed: check with bbsetup repos list -w acme --filter Shop."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fb := newFake()
			fb.createErr = tc.err
			hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
			createRepoNamed(hs, "Shop")
			hs.untilText("The repository was not created")
			hs.press("ctrl+c")
			v := flat(hs.m.View())
			if tc.want == "" {
				if strings.Contains(v, "Done outside") {
					t.Fatalf("a refused create is reported as done outside:\n%s", v)
				}
				return
			}
			if !strings.Contains(v, tc.want) {
				t.Fatalf("quit message lacks %q:\n%s", tc.want, v)
			}
		})
	}
}

// Issue 16 item 2: a dead configured key is found before the browser trip, and fixing it
// replaces it.
func TestKeepWithADeadKeyLeadsToReplacingIt(t *testing.T) {
	fb := newFake()
	fb.checkout.Configured, fb.checkout.ClientID, fb.checkout.SecretMasked = true, "DEADKEY", "••••0000"
	bad := Verdict{Kind: VerdictBadCredentials, Message: "Bitbucket rejected the key or secret (unauthorized_client)."}
	fb.verdicts = []Verdict{bad, bad, {Kind: VerdictOK}}
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.untilText("already configured")
	hs.press("enter")
	hs.untilText("The configured key and secret cannot be used", "they replace the configured ones")
	if len(fb.startCalls) != 0 {
		t.Fatal("the authorization started with a key Bitbucket rejected")
	}
	hs.press("esc")
	hs.wantStep(stepWelcome)
	hs.press("enter")
	hs.untilText("The configured key and secret cannot be used")
	hs.press("enter")
	hs.wantStep(stepCredentials)
	hs.typeText("NEWKEY")
	hs.press("enter")
	hs.paste(testSecret)
	hs.press("enter")
	hs.wantStep(stepVerify)
	hs.untilText("Bitbucket accepted")
	hs.press("enter")
	hs.wantStep(stepEnv) // a new key: the files are written again
	if sum := hs.m.Summary(); sum.KeptCredentials || sum.ClientID != "NEWKEY" {
		t.Fatalf("summary %+v", sum)
	}
}

// Issue 16 item 3: after the write, a listing that fails because Bitbucket rejected the
// key or secret offers the way back to them; the new ones are checked and written.
func TestRejectedKeyAfterTheWriteLeadsBackToTheKey(t *testing.T) {
	fb := newFake()
	fb.wsErr = &CredentialsError{Err: errors.New("Bitbucket rejected the key or secret (unauthorized_client).")}
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toAuthorize()
	hs.untilText("Connected as Demo Operator (demo)")
	hs.press("enter")
	hs.wantStep(stepWorkspaces)
	hs.untilText("Could not list your workspaces", "Press k to change the key and secret")
	if h := hs.helpLine(); !strings.Contains(h, "k change key and secret") {
		t.Fatalf("help line %q", h)
	}
	hs.press("k")
	hs.wantStep(stepCredentials)
	hs.wantText("Bitbucket rejected the key or secret")
	hs.press("ctrl+u")
	hs.typeText("KEY456")
	hs.press("enter", "ctrl+u")
	hs.paste(testSecret)
	fb.mu.Lock()
	fb.wsErr = nil
	fb.mu.Unlock()
	hs.press("enter")
	hs.untilText("Bitbucket accepted")
	hs.press("enter")
	hs.wantStep(stepEnv)
	hs.untilText("Nothing is written until you press enter") // planned again for the new key
	if n := fb.get(func() int { return fb.planCalls }); n != 2 {
		t.Fatalf("PlanEnv calls = %d, want 2", n)
	}
	hs.press("enter")
	hs.untilText("written")
	if n := fb.get(func() int { return fb.applyCalls }); n != 2 {
		t.Fatalf("Apply calls = %d, want 2", n)
	}
	hs.press("enter")
	hs.skipAmp()
	hs.wantStep(stepAuthorize)
	if c := fb.startCalls[len(fb.startCalls)-1]; c.ID != "KEY456" {
		t.Fatalf("authorized with %q", c.ID)
	}
}

func TestRejectedKeyDuringAuthorizeOffersTheKey(t *testing.T) {
	fb := newFake()
	fb.waitErr = &CredentialsError{Err: errors.New("Bitbucket rejected the key or secret (unauthorized_client).")}
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toAuthorize()
	hs.untilText("Authorization failed", "Press k to change the key and secret")
	hs.press("enter") // not a retry here: k or r
	hs.wantText("Authorization failed")
	hs.press("k")
	hs.wantStep(stepCredentials)
}

// Issue 16 item 4: the demo says it visited the page itself, not that a browser opened.
func TestDemoSaysItVisitedThePage(t *testing.T) {
	fb := newFake()
	fb.waitGate = make(chan struct{})
	hs := newHarness(t, fb, Options{Demo: true, DemoVisits: true, NoBrowser: true}, 80, 24)
	hs.toAuthorize()
	hs.untilText("The demo visited the page for you")
	hs.wantNoText("Opened in your browser")
}

// The same on Connect, whose letters go into the filter: ctrl+k.
func TestRejectedKeyDuringTheRepositoryListing(t *testing.T) {
	fb := newFake()
	fb.listErr = &CredentialsError{Err: errors.New("Bitbucket rejected the key or secret (unauthorized_client).")}
	fb.batchSize = 100
	fb.repos["acme"] = nil
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toChoice()
	hs.press("enter")
	hs.untilText("Could not list the repositories", "Press ctrl+k to change the key and secret")
	hs.typeText("k") // a letter: into the filter
	hs.wantStep(stepConnect)
	hs.press("ctrl+k")
	hs.wantStep(stepCredentials)
	hs.wantText("Bitbucket rejected the key or secret")
}
