package tui

import (
	"errors"
	"testing"
)

// Issue 23 §3: the wizard's words.

func TestEnvErrorNamesRNotRunAgain(t *testing.T) {
	fb := newFake()
	fb.planErr = errors.New("/home/op/amplication/packages/amplication-server/.env.local is a directory, not a file; move it out of the way and run again")
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toVerify()
	hs.untilText("Bitbucket accepted the key and secret")
	hs.press("enter")
	hs.untilText("is a directory, not a file; move it out of the way", "press r to read them again")
	hs.wantNoText("run again")
}

func TestCreateSlugOfASymbolOnlyName(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toChoice()
	hs.press("down", "enter")
	hs.wantStep(stepCreate)
	hs.typeText("!!!")
	hs.untilText("Slug: ")
	hs.wantNoText("Slug :")
}
