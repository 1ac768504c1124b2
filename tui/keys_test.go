package tui

import (
	"strings"
	"testing"
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
