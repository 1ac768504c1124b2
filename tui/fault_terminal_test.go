package tui

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The terminal rows of the fault matrix (issue 7): Ctrl+C at every step, resize storms,
// a tiny 20x8 window for a whole run, and a secret pasted with a trailing newline. The
// harness checks after every Update that the secret is not on screen and that no line is
// wider than the terminal.

// walk is how to reach one step from the start, and whether the env files have been
// written by then (the write confirm is the only thing that writes).
type walk struct {
	name    string
	to      func(hs *harness)
	written bool
}

func walks() []walk {
	return []walk{
		{"welcome", func(hs *harness) { hs.untilText("Callback URL to register") }, false},
		{"consumer", (*harness).toConsumer, false},
		{"permissions", (*harness).toPermissions, false},
		{"credentials", (*harness).toCredentials, false},
		{"verify", (*harness).toVerify, false},
		{"env files before the confirm", (*harness).toEnv, false},
		{"authorize", (*harness).toAuthorize, true},
		{"workspaces", (*harness).toWorkspaces, true},
		{"create or connect", (*harness).toChoice, true},
		{"create", func(hs *harness) { hs.toChoice(); hs.press("down", "enter"); hs.wantStep(stepCreate) }, true},
		{"connect", func(hs *harness) { hs.toChoice(); hs.press("enter"); hs.wantStep(stepConnect) }, true},
	}
}

func TestFaultTerminalCtrlCAtEveryStep(t *testing.T) {
	for _, w := range walks() {
		t.Run(w.name, func(t *testing.T) {
			expect := "quits; nothing written, and the screen says so"
			if w.written {
				expect = "quits; the screen lists the files already written"
			}
			matrix.Record(t, "Ctrl+C at every step", w.name, expect)
			fb := newFake()
			hs := newHarness(t, fb, Options{}, 80, 24)
			w.to(hs)
			hs.press("ctrl+c")
			if !hs.quit {
				t.Fatalf("Ctrl+C did not quit on %v", hs.m.w.cur)
			}
			applied := fb.get(func() int { return fb.applyCalls })
			sum := hs.m.Summary()
			if sum.Completed {
				t.Error("Summary.Completed after Ctrl+C")
			}
			if !w.written {
				if applied != 0 || len(sum.Files) != 0 {
					t.Fatalf("Ctrl+C on %s wrote files (Apply calls %d, Summary.Files %v)", w.name, applied, sum.Files)
				}
				hs.wantText("Nothing was written")
				return
			}
			if applied != 1 || len(sum.Files) == 0 {
				t.Fatalf("after the confirm: Apply calls %d, Summary.Files %v", applied, sum.Files)
			}
			hs.wantText("These files were already written")
		})
	}
}

func TestFaultTerminalResizeStorm(t *testing.T) {
	sizes := [][2]int{{1, 1}, {20, 8}, {12, 4}, {40, 24}, {80, 24}, {300, 100}, {41, 9}}
	for _, w := range walks() {
		t.Run(w.name, func(t *testing.T) {
			matrix.Record(t, "Resize storm (200 sizes from 1x1 to 300x100)", w.name,
				"no panic, no line wider than the terminal, same step, whole again at 80x24")
			fb := newFake()
			hs := newHarness(t, fb, Options{}, 80, 24)
			w.to(hs)
			at := hs.m.w.cur
			r := rand.New(rand.NewPCG(1, uint64(len(w.name))))
			for i := range 200 {
				if i < len(sizes) {
					hs.resize(sizes[i][0], sizes[i][1])
					continue
				}
				hs.resize(1+r.IntN(250), 1+r.IntN(80))
			}
			hs.resize(80, 24)
			if hs.m.w.cur != at {
				t.Fatalf("a resize storm moved the wizard from %v to %v", at, hs.m.w.cur)
			}
			// Still whole at 80x24: the step's title and the help line are back.
			if v := flat(hs.view()); !strings.Contains(v, at.String()) || !strings.Contains(v, "quit") && !strings.Contains(v, "? more keys") {
				t.Fatalf("after the storm the screen is not whole:\n%s", hs.view())
			}
		})
	}
}

// A whole run at 20x8: every screen stays within 20 columns (the harness checks each
// frame) and the flow still completes.
func TestFaultTerminalWholeRunAt20x8(t *testing.T) {
	matrix.Record(t, "Tiny terminal", "a whole run, welcome to summary, at 20x8",
		"every frame fits 20 columns, no secret on screen, the run completes")
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 20, 8)
	hs.press("enter")
	hs.wantStep(stepConsumer)
	hs.typeText("acme")
	hs.press("enter", "enter")
	hs.wantStep(stepPermissions)
	hs.press("a", "enter")
	hs.wantStep(stepCredentials)
	hs.typeText("KEY123")
	hs.press("enter")
	hs.paste(testSecret)
	hs.press("enter")
	hs.wantStep(stepVerify) // every press settles: the check has answered
	hs.press("enter")
	hs.wantStep(stepEnv)
	hs.press("enter")
	if len(hs.m.Summary().Files) == 0 {
		t.Fatal("the confirm at 20x8 wrote nothing")
	}
	hs.press("enter")
	hs.skipAmp()
	hs.wantStep(stepAuthorize)
	hs.press("enter")
	hs.wantStep(stepWorkspaces)
	hs.press("enter")
	hs.wantStep(stepChoice)
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.press("enter")
	hs.wantStep(stepSummary)
	hs.press("enter")
	if sum := hs.m.Summary(); !sum.Completed || sum.Repository == nil {
		t.Fatalf("a 20x8 run did not complete: %+v", sum)
	}
}

// Pasting the secret with a trailing newline (as copying a whole line does): the newline
// and surrounding blanks are trimmed, the secret is checked as pasted without them, and it
// never shows on screen.
func TestFaultTerminalSecretPastedWithTrailingNewline(t *testing.T) {
	for _, tail := range []string{"\n", "\r\n", " \n", "\n\n"} {
		name := strings.NewReplacer("\r", `\r`, "\n", `\n`, " ", "␠").Replace(tail)
		t.Run(name, func(t *testing.T) {
			matrix.Record(t, "Secret pasted with a trailing newline", "secret + "+name,
				"trimmed; checked once with the exact secret; never on screen")
			fb := newFake()
			hs := newHarness(t, fb, Options{}, 80, 24)
			hs.toCredentials()
			hs.paste("KEY123\n")
			hs.press("tab")
			hs.paste(testSecret + tail)
			hs.press("enter")
			hs.wantStep(stepVerify) // the press settled: the check has answered
			calls := func() []Credentials {
				fb.mu.Lock()
				defer fb.mu.Unlock()
				return append([]Credentials(nil), fb.checkCalls...)
			}()
			if len(calls) != 1 || calls[0].ID != "KEY123" || calls[0].Secret != testSecret {
				t.Fatalf("checked %d time(s); want once with the trimmed key and secret (got %+v)", len(calls), redactCalls(calls))
			}
		})
	}
}

// redactCalls keeps a failing test's message free of the secret.
func redactCalls(cs []Credentials) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID + "/" + strings.Repeat("•", len(c.Secret))
	}
	return out
}
