package tui

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// squeeze renders the current step at tiny and narrow sizes (the harness checks that no line
// is wider than the terminal and nothing panics), then restores the size.
func (hs *harness) squeeze() {
	hs.t.Helper()
	w, h := hs.w, hs.h
	for _, sz := range [][2]int{{20, 8}, {40, 24}, {12, 4}, {1, 1}, {200, 60}} {
		hs.resize(sz[0], sz[1])
		if !hs.m.w.active().typing() {
			hs.press("?") // full help on and off
			hs.press("?")
		}
	}
	hs.resize(w, h)
}

// walkCreate goes through every step on the create path, squeezing at each.
func walkCreate(hs *harness) {
	hs.t.Helper()
	hs.untilText("Callback URL to register")
	hs.squeeze()
	hs.press("enter")
	hs.squeeze()
	hs.typeText("acme")
	hs.press("enter")
	hs.squeeze()
	hs.press("enter")
	hs.wantStep(stepPermissions)
	hs.squeeze()
	hs.press("a", "enter")
	hs.wantStep(stepCredentials)
	hs.typeText("KEY123")
	hs.press("enter")
	hs.paste(testSecret)
	hs.squeeze()
	hs.press("enter")
	hs.untilText("Bitbucket accepted")
	hs.squeeze()
	hs.press("enter")
	hs.untilText("Nothing is written until you press enter")
	hs.squeeze()
	hs.press("enter")
	hs.untilText("Press enter to check the server")
	hs.squeeze()
	hs.press("enter")
	hs.skipAmp()
	hs.untilText("Connected as Demo Operator (demo)")
	hs.squeeze()
	hs.press("enter")
	hs.untilText("acme-labs")
	hs.squeeze()
	hs.press("enter")
	hs.wantStep(stepChoice)
	hs.squeeze()
	hs.press("down", "enter")
	hs.untilText("1 of 3")
	hs.typeText("a-really-long-repository-name-that-goes-on-and-on")
	hs.squeeze()
	hs.press("enter")
	hs.squeeze()
	hs.press("enter")
	hs.untilText("Created acme/")
	hs.squeeze()
	hs.press("enter")
	hs.wantStep(stepSummary)
	hs.squeeze()
}

func TestLayoutsAt80And40Columns(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {40, 24}} {
		t.Run(strings.Repeat("x", 0)+string(rune('0'+sz[0]/10))+"0cols", func(t *testing.T) {
			fb := newFake()
			hs := newHarness(t, fb, Options{NoBrowser: true, Remote: true, Demo: true}, sz[0], sz[1])
			walkCreate(hs)
			if hs.views < 100 {
				t.Fatalf("only %d views checked", hs.views)
			}
		})
	}
}

func TestLayoutErrorStatesAt40Columns(t *testing.T) {
	fb := newFake()
	fb.verdicts = []Verdict{{Kind: VerdictMissingScopes, Message: "Bitbucket did not grant every permission the consumer needs.",
		Missing: []string{"Webhooks: Read and write", "Repositories: Admin", "Pull requests: Write"}}}
	hs := newHarness(t, fb, Options{}, 40, 24)
	hs.toVerify()
	hs.untilText("Some permission boxes are not ticked")
	hs.squeeze()
	hs.press("enter")
	hs.wantText("← missing")
	hs.squeeze()
}

// The body scrolls when it does not fit: pgdn reaches the bottom.
func TestScrollWhenTooTall(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 40, 14)
	hs.toConsumer()
	hs.wantText("more lines (pgdn)")
	hs.wantNoText("then click Save")
	for range 10 {
		hs.press("pgdown")
	}
	hs.wantText("then click Save", "pgup")
}

func colorRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	return r
}

func TestNoColor(t *testing.T) {
	matrix.Record(t, "NO_COLOR", "NO_COLOR in the environment, or Options.NoColor, on a true-colour terminal",
		"no colour escape on any screen; colour present without it")
	hasColor := func(v string) bool { return strings.Contains(v, "38;2;") || strings.Contains(v, "48;2;") }
	run := func(t *testing.T, opts Options) (colored int) {
		fb := newFake()
		hs := newHarnessR(t, fb, opts, 80, 24, colorRenderer())
		hs.onView = func(v string) {
			if hasColor(v) {
				colored++
			}
		}
		walkCreate(hs)
		return colored
	}
	t.Run("colour", func(t *testing.T) {
		if run(t, Options{}) == 0 {
			t.Fatal("no colour at all on a true-colour terminal: the test cannot tell NO_COLOR apart")
		}
	})
	t.Run("Options.NoColor", func(t *testing.T) {
		if n := run(t, Options{NoColor: true}); n != 0 {
			t.Fatalf("%d views with colour", n)
		}
	})
	t.Run("NO_COLOR env", func(t *testing.T) {
		t.Setenv("NO_COLOR", "1")
		if n := run(t, Options{}); n != 0 {
			t.Fatalf("%d views with colour", n)
		}
	})
}

func TestHelpToggleAndQuitKeys(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toPermissions()
	hs.wantText("space tick", "? more keys")
	hs.press("?")
	hs.wantText("tick all")
	hs.press("?")
	hs.press("q")
	if !hs.quit {
		t.Fatal("q did not quit on a screen without a text field")
	}
	hs.wantText("Quit.", "Nothing was written")
	if sum := hs.m.Summary(); sum.Completed {
		t.Fatal("Summary.Completed after quitting")
	}
}

// Screens with their own scrolling (the diff, the lists) size it to the space left, so the
// whole-screen scroll never kicks in for them, even at 40 columns.
func TestOwnScrollersFitAt40Columns(t *testing.T) {
	fb := newFake()
	fb.repos["acme"] = genRepos("acme", 300)
	hs := newHarness(t, fb, Options{NoBrowser: true}, 40, 24)
	hs.toEnv()
	hs.wantNoText("more lines (pgdn)")
	hs.wantText("↓ more (↓/pgdn)")
	hs.press("enter")
	hs.untilText("Press enter to check the server")
	hs.press("enter")
	hs.skipAmp()
	hs.untilText("Connected as")
	hs.press("enter")
	hs.untilText("acme-labs")
	hs.wantNoText("more lines (pgdn)")
	hs.press("enter", "enter")
	hs.untilText("300 repositories")
	hs.wantNoText("more lines (pgdn)")
	hs.typeText("a-very-long-filter-that-is-wider-than-forty-columns")
	hs.wantNoText("more lines (pgdn)")
}

// viewState is the state View used to change (the body's scroll position, the env diff
// viewport, the workspace list and the connect filter's sizes) and must not.
func viewState(m Model) string {
	w := m.w
	env := w.screens[stepEnv].(*envScreen)
	ws := w.screens[stepWorkspaces].(*workspacesScreen)
	cs := connectOf(m)
	return fmt.Sprintf("scroll=%d env=%dx%d(%d) list=%dx%d filter=%d",
		w.scroll, env.vp.Width, env.vp.Height, env.vpWidth, ws.list.Width(), ws.list.Height(), cs.input.Width)
}

// View changes no state: on every step, at every size the walk squeezes to, rendering
// leaves the model as it was (sizes are set on WindowSizeMsg and each update instead).
func TestViewChangesNoState(t *testing.T) {
	checks := 0
	start := func(t *testing.T) *harness {
		hs := newHarness(t, newFake(), Options{NoBrowser: true}, 40, 14)
		hs.d.AfterUpdate = func() {
			before := viewState(hs.m)
			hs.check() // renders View
			if after := viewState(hs.m); after != before {
				t.Fatalf("View changed the state on step %v: %s -> %s", hs.m.w.cur, before, after)
			}
			checks++
		}
		return hs
	}
	t.Run("create", func(t *testing.T) {
		hs := start(t)
		// Scrolled to the bottom, then the body gets room line by line: the position
		// stays within the body.
		hs.toConsumer()
		for range 10 {
			hs.press("pgdown")
		}
		for h := 15; h <= 30; h++ {
			hs.resize(40, h)
		}
		hs.resize(40, 14)
		hs.press("esc")
		hs.wantStep(stepWelcome)
		walkCreate(hs)
	})
	t.Run("connect", func(t *testing.T) {
		hs := start(t)
		hs.toChoice()
		hs.press("enter")
		hs.untilText("30 repositories")
		hs.squeeze()
		hs.typeText("api")
		hs.squeeze()
	})
	if checks < 100 {
		t.Fatalf("only %d views checked", checks)
	}
}

// The full help (?) is closed on the next step, and the body gets its lines back.
func TestFullHelpClosesOnTheNextStep(t *testing.T) {
	hs := newHarness(t, newFake(), Options{}, 80, 24)
	hs.untilText("Callback URL to register")
	full := hs.m.w.c.height
	hs.press("?")
	if hs.m.w.c.height >= full {
		t.Fatalf("the full help took no lines: body %d of %d", hs.m.w.c.height, full)
	}
	hs.press("enter")
	hs.wantStep(stepConsumer)
	// The short help may wrap onto more lines (issue 16 item 9): the body is what it leaves.
	want := 24 - 3 - len(hs.m.w.helpLines())
	if hs.m.w.help.ShowAll || hs.m.w.c.height != want {
		t.Fatalf("on the next step: full help %v, body %d lines, want %d", hs.m.w.help.ShowAll, hs.m.w.c.height, want)
	}
}
