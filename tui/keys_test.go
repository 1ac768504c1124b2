package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Issue 23 §4: the keys a screen names work there: pgdn scrolls the Env files diff.
func TestEnvDiffScrollsWithPgDn(t *testing.T) {
	fb := newFake()
	long := "--- a/.env.local\n+++ b/.env.local\n@@ -1,40 +1,41 @@\n"
	for i := range 40 {
		long += " LINE_" + strings.Repeat("x", 3) + "_" + itoa(i) + "=value\n"
	}
	long += "+BITBUCKET_CLIENT_ID=KEY123\n"
	fb.plan.Files[0].Diff = long
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toEnv()
	env := hs.m.w.active().(*envScreen)
	if env.vp.YOffset != 0 {
		t.Fatalf("the diff starts at offset %d", env.vp.YOffset)
	}
	hs.wantText("pgdn")
	hs.press("pgdown")
	if env.vp.YOffset == 0 {
		t.Fatalf("pgdn did not scroll the diff (frame scroll %d):\n%s", hs.m.w.scroll, hs.view())
	}
	hs.press("pgup")
	if env.vp.YOffset != 0 {
		t.Fatalf("pgup did not scroll the diff back: offset %d", env.vp.YOffset)
	}
}

// Issue 23 §4: a word that is also a key's name, arriving as one unbracketed burst of
// runes ("end", "down", "enter"), is text in a text field, not that key.
func TestKeyNameWordsInABurstAreText(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toChoice()
	hs.press("down", "enter")
	hs.wantStep(stepCreate)
	for _, w := range []string{"down", "end", "enter", "up"} {
		hs.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(w)})
	}
	hs.wantStep(stepCreate)
	if v := hs.m.w.screens[stepCreate].(*createScreen).name.Value(); v != "downendenterup" {
		t.Fatalf("name = %q, want the words typed", v)
	}
}

// At 40x15 the sign-in's help keeps ctrl+t (its advice names it; "?" types into the field).
func TestNarrowHelpKeepsTheKeysAdviceNames(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpServer()
	hs.untilText("The Amplication server answers")
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.resize(40, 15)
	help := strings.Join(hs.m.w.frame.help, " ")
	if !strings.Contains(help, "ctrl+t") {
		t.Fatalf("the 40x15 help line drops ctrl+t: %q", help)
	}
}

// Issue 23 §4: at 40 columns a command in running text is not split across lines.
func TestWrapKeepsCommandsWhole(t *testing.T) {
	text := "Amplication itself stays unconnected: connect later with bbsetup amplication authorize and bbsetup amplication connect, after npx nx serve amplication-server."
	for _, width := range []int{38, 34, 40} { // each command fits in a line
		out := wrap(text, width)
		for _, c := range []string{"bbsetup amplication authorize", "bbsetup amplication connect", "npx nx serve amplication-server"} {
			found := false
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, c) {
					found = true
				}
			}
			if !found {
				t.Errorf("at %d columns %q is split:\n%s", width, c, out)
			}
		}
		if strings.Contains(out, nbSpace) {
			t.Errorf("a stand-in space is left in the text:\n%q", out)
		}
	}
}
