package tui

import (
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// Issue 23 §1: when a step's credential stops working later, the screen where that shows
// offers ctrl+l (named in its help line) to redo that step in place, keeps what was chosen
// after it and comes back.

func sessionEnded() error { return &amplication.UnauthorizedError{Message: "Unauthorized"} }

func renewRefused() error {
	return &oauth.TokenError{Code: "invalid_grant", Status: 400, RenewRefused: true,
		Message: "The access token expired and Bitbucket refused to renew it (invalid_grant). Authorize again."}
}

// wantAgain checks the screen offers ctrl+l in its help line and names no key it lacks.
func (hs *harness) wantAgain(what string) {
	hs.t.Helper()
	hs.wantAgainSaid(what, "Press ctrl+l to "+what)
}

func (hs *harness) wantAgainSaid(what, said string) {
	hs.t.Helper()
	hs.untilText(said)
	help := flat(strings.Join(hs.m.w.frame.help, " "))
	if !strings.Contains(help, "ctrl+l") || !strings.Contains(help, what) {
		hs.t.Fatalf("the help line does not name ctrl+l %s: %q", what, help)
	}
	if strings.Contains(hs.view(), "ctrl+t") {
		hs.t.Fatalf("the screen names ctrl+t, which does not work here:\n%s", hs.view())
	}
}

func (hs *harness) signInAgain() {
	hs.t.Helper()
	hs.press("ctrl+l")
	hs.wantStep(stepAmpSignIn)
	// The email and password typed before are still there: enter signs in with them.
	hs.press("enter")
}

func TestAgainSignInFromTargetKeepsTheChoiceAndComesBack(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpTarget()
	hs.untilText("› orders")
	hs.press("down", "enter") // payments
	hs.wantStep(stepAmpConnect)
	hs.untilText("payments (project Shop)")
	// The server restarts: the session is refused on the connect.
	fb.amp.mu.Lock()
	fb.amp.connErr = sessionEnded()
	fb.amp.mu.Unlock()
	hs.press("enter")
	hs.wantAgain("sign in again")
	fb.amp.mu.Lock()
	fb.amp.connErr = nil
	fb.amp.mu.Unlock()
	hs.signInAgain()
	hs.wantStep(stepAmpConnect) // back where the operator was, with the same target and repository
	hs.untilText("payments (project Shop)", "Nothing is stored in Amplication until you press enter")
	// And on the target screen: the same, with the chosen target selected again.
	hs.press("esc")
	hs.wantStep(stepAmpTarget)
	hs.untilText("› payments")
	fb.amp.mu.Lock()
	fb.amp.projErr = sessionEnded()
	fb.amp.mu.Unlock()
	hs.press("esc")
	hs.wantStep(stepChoice)
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.untilText("30 repositories")
	hs.press("enter")
	hs.wantStep(stepAmpTarget)
	hs.wantAgain("sign in again")
	fb.amp.mu.Lock()
	fb.amp.projErr = nil
	fb.amp.mu.Unlock()
	hs.signInAgain()
	hs.wantStep(stepAmpTarget)
	hs.untilText("› payments")
	hs.press("enter")
	hs.wantStep(stepAmpConnect)
	hs.press("enter")
	hs.untilText("✓ payments (project Shop)")
}

func TestAgainSignInFromAuthorizeAndServer(t *testing.T) {
	fb := newFake()
	fb.amp.startErr = sessionEnded()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpSignedIn()
	hs.wantAgain("sign in again")
	fb.amp.mu.Lock()
	fb.amp.startErr = nil
	fb.amp.mu.Unlock()
	hs.signInAgain()
	hs.wantStep(stepAmpAuthorize)
	hs.untilText("Amplication is connected to Bitbucket as demo")

	// The server screen, signed in, when the key check is refused.
	fb2 := newFake()
	fb2.amp.keys = []AmpKey{{Stale: true, Message: "It still has the placeholder key."}, {Stale: true, Message: "It still has the placeholder key."}, {Message: "refused", Err: sessionEnded()}}
	hs2 := newHarness(t, fb2, Options{NoBrowser: true}, 80, 30)
	hs2.toAmpServer()
	hs2.untilText("The Amplication server answers")
	hs2.press("enter")
	hs2.typeText("demo@amplication.local")
	hs2.press("enter")
	hs2.typeText("pw-not-shown-1234")
	hs2.press("enter")
	hs2.wantStep(stepAmpServer)
	hs2.untilText("The server must be restarted")
	hs2.press("r")
	hs2.wantAgain("sign in again")
	fb2.amp.mu.Lock()
	fb2.amp.keys = []AmpKey{{OK: true, Message: "Its authorize URL has BITBUCKET_CLIENT_ID KEY123."}}
	fb2.amp.mu.Unlock()
	hs2.signInAgain()
	hs2.wantStep(stepAmpAuthorize)
}

func TestAgainAuthorizeFromWorkspaceCreateAndConnect(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toWorkspaces()
	hs.press("down", "enter")
	hs.wantStep(stepChoice)
	ws := hs.m.w.s.Workspace.Slug
	hs.press("down", "enter")
	hs.wantStep(stepCreate)
	hs.typeText("Kept Name")
	fb.mu.Lock()
	fb.createErr = renewRefused()
	fb.mu.Unlock()
	hs.press("enter", "enter")
	hs.wantAgain("authorize again")
	fb.mu.Lock()
	fb.createErr = nil
	fb.mu.Unlock()
	hs.press("ctrl+l")
	hs.wantStep(stepAuthorize)
	hs.untilText("Connected as Demo Operator (demo)")
	hs.press("enter")
	hs.wantStep(stepCreate)
	if hs.m.w.s.Workspace.Slug != ws {
		t.Fatalf("workspace %q after authorizing again, want %q", hs.m.w.s.Workspace.Slug, ws)
	}
	hs.untilText("Kept Name")

	// Workspace: the list refused; esc leads back too (to Authorize).
	hs.press("esc")
	hs.wantStep(stepChoice)
	hs.press("esc")
	hs.wantStep(stepWorkspaces)
	fb.mu.Lock()
	fb.wsErr = renewRefused()
	fb.mu.Unlock()
	hs.press("r")
	hs.wantAgain("authorize again")
	fb.mu.Lock()
	fb.wsErr = nil
	fb.mu.Unlock()
	hs.press("ctrl+l")
	hs.wantStep(stepAuthorize)
	hs.untilText("Connected as Demo Operator (demo)")
	hs.press("enter")
	hs.wantStep(stepWorkspaces)
	hs.untilText("acme-labs")
	hs.press("esc")
	hs.wantStep(stepAuthorize)
}

func TestAgainAuthorizeFromConnectListsAgain(t *testing.T) {
	fb := newFake()
	fb.listErr = renewRefused()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toChoice()
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.wantAgainSaid("authorize again", "ctrl+l authorizes again")
	fb.mu.Lock()
	fb.listErr = nil
	fb.mu.Unlock()
	hs.press("ctrl+l")
	hs.wantStep(stepAuthorize)
	hs.untilText("Connected as Demo Operator (demo)")
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.untilText("30 repositories")
}

// Skip Amplication has a way back in the same session: Workspace → Authorize → server.
func TestSkipAmplicationHasAWayBack(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toWorkspaces()
	hs.wantText("esc back")
	hs.press("esc")
	hs.wantStep(stepAuthorize)
	hs.untilText("Connected as Demo Operator (demo)", "esc back")
	hs.press("esc")
	hs.wantStep(stepAmpServer)
	hs.untilText("The Amplication server answers")
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
}
