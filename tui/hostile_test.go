package tui

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/internal/teadrive"
)

// TestHostileErrorText: an error box or an inline error line carrying a server's ESC
// sequences and bidi controls draws only their printable text.
func TestHostileErrorText(t *testing.T) {
	matrix.Record(t, "Hostile input", "error text with ESC sequences and bidi controls", "error boxes and inline errors draw printable text only")
	c := &common{st: newStyles(newRenderer(nil, true), true), km: defaultKeyMap(), width: 80, height: 20}
	bad := "Bitbucket said \x1b]0;pwned\x07\x1b[2Jno\u202e"
	for what, s := range map[string]string{
		"errorBox": c.errorBox("Could not list", bad, "Press r to try again."),
		"errText":  errText(errors.New(bad)),
	} {
		if strings.ContainsAny(s, "\x1b\x07\u202e") || !strings.Contains(s, "Bitbucket said") {
			t.Errorf("%s draws %q", what, s)
		}
	}
}

// outsideFake is the fake backend whose plan fails for a link outside the checkout until
// the operator allows it.
type outsideFake struct {
	*fakeBackend
	allowed int
}

func (f *outsideFake) AllowOutsideCheckout() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.allowed++
	f.planErr = nil
}

// TestHostileOutsideLinkNeedsConfirm: an env file that links outside the checkout is shown
// as path -> target and written only after the operator presses a to allow it.
func TestHostileOutsideLinkNeedsConfirm(t *testing.T) {
	matrix.Record(t, "Hostile input", "env file linking outside the checkout", "shown as path -> target; re-planned only after the operator presses a; nothing written before")
	fb := &outsideFake{fakeBackend: newFake()}
	fb.planErr = &OutsideCheckoutError{Link: "/home/op/amplication/packages/amplication-server/.env.local", Target: "/home/op/.bashrc",
		Message: "/home/op/amplication/packages/amplication-server/.env.local -> /home/op/.bashrc leads outside the checkout"}
	// newHarnessR with the wrapping backend (newHarness takes the plain fake).
	hs := &harness{t: t, fb: fb.fakeBackend, clip: &bytes.Buffer{}, w: 80, h: 24}
	hs.m = newModel(fb, Options{}, hs.clip, nil)
	hs.m.w.c.noTicks = true
	hs.m.w.c.debounce = time.Millisecond
	t.Cleanup(hs.m.w.stop)
	hs.d = teadrive.New(hs.m)
	hs.d.AfterUpdate = hs.check
	hs.d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	hs.d.Init()
	hs.settle()
	hs.toVerify()
	hs.untilText("Bitbucket accepted")
	hs.press("enter")
	hs.untilText("The env files cannot be written", "-> /home/op/.bashrc", "a write there anyway")
	if fb.applyCalls != 0 || fb.allowed != 0 {
		t.Fatal("written or allowed before the operator said so")
	}
	hs.press("a")
	hs.untilText("Nothing is written until you press enter")
	if fb.allowed != 1 {
		t.Fatalf("allowed %d times", fb.allowed)
	}
}
