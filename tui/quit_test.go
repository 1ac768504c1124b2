package tui

import (
	"context"
	"strings"
	"testing"
)

// Issue 23 §2: a connect to a hanging Amplication server: the first quit waits for the
// answer and says so, a second ctrl+c quits at once, and the quit message says the
// connect was under way.
func TestQuitDuringAHangingConnect(t *testing.T) {
	fb := newFake()
	gate := make(chan struct{})
	fb.amp.connHook = func(ctx context.Context) error { return fb.wait(ctx, gate) }
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpTarget()
	hs.untilText("› orders")
	hs.press("enter")
	hs.wantStep(stepAmpConnect)
	hs.press("enter")
	hs.press("q")
	hs.untilText("Quitting once the server answers", "ctrl+c again to quit now")
	if hs.quit {
		t.Fatal("quit before the connect's answer")
	}
	hs.press("ctrl+c")
	if !hs.quit {
		t.Fatal("a second ctrl+c did not quit")
	}
	v := flat(hs.m.View())
	if !strings.Contains(v, "in Amplication was under way") || !strings.Contains(v, "bbsetup amplication status") {
		t.Fatalf("the quit message does not say the connect was under way:\n%s", v)
	}
}

// Issue 23 §3: after the connect, a quit does not send the operator to authorize and pick
// a repository again.
func TestQuitAfterTheConnectSaysNothingIsLeftToDo(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpTarget()
	hs.untilText("› orders")
	hs.press("enter", "enter")
	hs.untilText("✓ orders (project Shop)")
	hs.press("ctrl+c")
	v := flat(hs.m.View())
	if strings.Contains(v, "to authorize and pick a repository") {
		t.Fatalf("the quit after the connect says to authorize and pick a repository:\n%s", v)
	}
	if !strings.Contains(v, "Stored in Amplication:") {
		t.Fatalf("the quit after the connect does not say what was stored:\n%s", v)
	}
}
