package tui

import (
	"errors"
	"strings"
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

// Verify names the missing boxes once, counted in the form's rows (not Bitbucket's
// scopes), and does not say its title twice.
func TestVerifyMissingBoxesOnceByRow(t *testing.T) {
	fb := newFake()
	fb.verdicts = []Verdict{{Kind: VerdictMissingScopes,
		Message: "The consumer lacks 3 permissions Amplication needs: Webhooks: Read and write; Projects: Read; Projects: Admin. Edit the consumer in Bitbucket, tick the boxes and save.",
		Missing: []string{"Webhooks: Read and write", "Projects: Read", "Projects: Admin"}}}
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toVerify()
	hs.untilText("Some permission boxes are not ticked", "2 rows of the consumer's permissions form are missing boxes")
	if n := strings.Count(hs.body(), "Webhooks"); n != 1 {
		t.Fatalf("Webhooks named %d times:\n%s", n, hs.view())
	}
	hs.wantNoText("3 permissions")

	fb = newFake()
	fb.verdicts = []Verdict{{Kind: VerdictNoCallback, Message: "The consumer has no callback URL. Edit the consumer in Bitbucket and set Callback URL."}}
	hs = newHarness(t, fb, Options{}, 80, 24)
	hs.toVerify()
	hs.untilText("The consumer has no callback URL", "Edit the consumer in Bitbucket")
	if n := strings.Count(hs.body(), "has no callback URL"); n != 1 {
		t.Fatalf("the title is said %d times:\n%s", n, hs.view())
	}
}

// Kept key and secret: after Verify comes the server check, and Verify says so.
func TestVerifyKeptSaysTheServerCheckComesNext(t *testing.T) {
	fb := newFake()
	fb.checkout.Configured, fb.checkout.ClientID, fb.checkout.SecretMasked = true, "KEY123", "••••9876"
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.untilText("Keep them")
	hs.press("enter")
	hs.wantStep(stepVerify)
	hs.untilText("Bitbucket accepted the key and secret", "Press enter to check the Amplication server")
	hs.press("enter")
	hs.wantStep(stepAmpServer)
}

// The help names what a does: a second a unticks every row, and the help says so.
func TestPermissionsToggleAllSaysWhatItDoes(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toPermissions()
	hs.wantText("a tick all")
	hs.press("a")
	hs.untilText("6 of 6 rows ticked", "a untick all")
	hs.press("a")
	hs.untilText("0 of 6 rows ticked", "a tick all")
}

// The demo's note after the write is true also when the emulated server ran before it
// (--stale-server).
func TestDemoServerNoteAfterTheWrite(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{Demo: true}, 80, 30)
	hs.toEnv()
	hs.press("enter")
	hs.untilText("written", "demo: the emulated server is started or restarted for you")
	hs.wantNoText("has started by itself")
}

// demo --public-consumer / --no-callback: the screen says the demo cannot fix it, and how
// to go on.
func TestDemoConsumerMistakeSaysItCannotBeFixedThere(t *testing.T) {
	for _, v := range []Verdict{{Kind: VerdictNotPrivate, Message: "The consumer is not private."}, {Kind: VerdictNoCallback, Message: "The consumer has no callback URL."}} {
		fb := newFake()
		fb.verdicts = []Verdict{v}
		hs := newHarness(t, fb, Options{Demo: true}, 80, 30)
		hs.toVerify()
		hs.untilText("cannot be fixed here", "press q to quit, then run bbsetup demo without --")
		hs.wantNoText("press enter for the consumer steps")
	}
}

// The target screen says why it starts on a service (the command line's default is the
// project's settings).
func TestAmpTargetSaysWhyItStartsOnAService(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpTarget()
	hs.untilText("› orders", "The cursor starts on orders, the first service with no repository", "choose project Shop above it")
}
