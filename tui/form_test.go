package tui

import (
	"errors"
	"strings"
	"testing"
)

// Issue 16 items 5 and 6: the key and secret form follows huh's conventions and shows
// where the focus is without colour.

func TestCredentialsShiftTabAndEnterFollowTheForm(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoColor: true}, 80, 24)
	hs.toCredentials()
	// Focus starts on the empty Key: its label carries the marker; enter means next field.
	hs.wantText("› Key")
	if h := hs.helpLine(); !strings.Contains(h, "enter next field") {
		t.Fatalf("help on the Key field: %q", h)
	}
	hs.typeText("KEY123")
	hs.press("enter")
	hs.wantStep(stepCredentials)
	hs.wantText("› Secret")
	if h := hs.helpLine(); !strings.Contains(h, "enter verify") {
		t.Fatalf("help on the Secret field: %q", h)
	}
	// shift+tab on the Secret goes back to the Key, not off the screen.
	hs.press("shift+tab")
	hs.wantStep(stepCredentials)
	hs.wantText("› Key")
	hs.wantNoText("› Secret")
	// Typing goes where the marker is.
	hs.typeText("X")
	if v := hs.m.w.screens[stepCredentials].(*credentialsScreen).id.Value(); v != "KEY123X" {
		t.Fatalf("key = %q", v)
	}
	// shift+tab on the first field stays (issue 23 §4); esc leaves the form.
	hs.press("shift+tab")
	hs.wantStep(stepCredentials)
	hs.press("esc")
	hs.wantStep(stepPermissions)
}

func TestCredentialsWarnsWhenTheKeyLooksLikeASecret(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toCredentials()
	hs.paste("abcdefghijABCDEFGHIJ0123456789ab")
	hs.wantText("This looks like a secret")
	hs.press("ctrl+u")
	hs.paste("KEY123abcdefghijkl") // 18 characters: a key's shape
	hs.wantNoText("This looks like a secret")
}

func TestCredentialsFocusOnTheWrongFieldOnReentry(t *testing.T) {
	fb := newFake()
	fb.verdicts = []Verdict{{Kind: VerdictBadCredentials, Message: "Bitbucket rejected the key or secret."}, {Kind: VerdictOK}}
	hs := newHarness(t, fb, Options{NoColor: true}, 80, 24)
	hs.toVerify()
	hs.untilText("The key or the secret is wrong")
	hs.press("enter")
	hs.wantStep(stepCredentials)
	hs.wantText("› Key")
	hs.wantNoText("› Secret")
}

// Issue 16 items 5, 7 and 18 on the create form.
func TestCreateFormShiftTabPublicWarningAndDescription(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true, NoColor: true}, 80, 24)
	hs.toChoice()
	hs.press("down", "enter")
	hs.wantStep(stepCreate)
	hs.untilText("1 of 3")
	hs.wantText("› Name", "Description", "Private [x] only people with access can see it")
	hs.typeText("Shop")
	hs.press("tab")
	hs.wantText("› Description")
	hs.typeText("q") // typing into the description, not quitting
	hs.press("tab", "space")
	hs.wantText("› Private [ ] public: anyone on the internet can see and clone it")
	hs.wantNoText("only people with access")
	// shift+tab walks back field by field and leaves only from the first.
	hs.press("shift+tab")
	hs.wantText("› Description")
	hs.press("shift+tab")
	hs.wantText("› Name")
	hs.wantStep(stepCreate)
	hs.press("enter")
	hs.wantText("Create this repository?", "A PUBLIC repository acme/shop", "Anyone on the internet", "Description: q")
	hs.press("esc")
	hs.press("shift+tab", "up") // the first field: neither leaves the screen (issue 23 §4)
	hs.wantStep(stepCreate)
	hs.press("esc")
	hs.wantStep(stepChoice)
}

func TestCreateChecksTheSlugWhileTyping(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toChoice()
	hs.press("down", "enter")
	hs.typeText("service 0000")
	hs.untilText("acme/service-0000 ✓ free")
	hs.wantNoText("Already taken")
	hs.typeText("1")
	hs.untilText("Already taken: choose another name, or press enter to connect to it instead.")
	hs.press("backspace")
	hs.untilText("acme/service-0000 ✓ free")
	// Debounced: a pause that a later key superseded looks nothing up.
	cs := hs.m.w.screens[stepCreate].(*createScreen)
	if cmd := cs.update(slugPauseMsg{seq: cs.slugJob.id - 1, slug: "service-0000"}); cmd != nil {
		t.Fatal("a superseded pause still looks the slug up")
	}
}

// Issue 16 item 7: on the consumer screen letters go into the slug; ctrl+o and ctrl+y open
// and copy while it is edited.
func TestConsumerOpenAndCopyWhileEditingTheSlug(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.toConsumer()
	hs.typeText("co") // a workspace named "co": o and c are letters here
	if n := len(fb.opened); n != 0 {
		t.Fatalf("o opened a browser while typing the slug: %q", fb.opened)
	}
	hs.wantText("ctrl+o opens it", "ctrl+y copies it", "ctrl+o open in browser")
	hs.press("ctrl+o")
	hs.untilText("Opened the settings page in your browser")
	if got := fb.opened; len(got) != 1 || got[0] != "https://bitbucket.org/co/workspace/settings/api" {
		t.Fatalf("opened %q", got)
	}
	hs.press("ctrl+y")
	hs.untilText("Callback URL sent to the clipboard")
	if !strings.Contains(hs.clip.String(), "\x1b]52;") {
		t.Fatalf("no OSC 52 sequence written: %q", hs.clip.String())
	}
	hs.press("enter")
	hs.wantText("o opens it", "c copies it")
}

// Issue 16 item 7: ~ in the checkout path is the home directory.
func TestWelcomePathExpandsTilde(t *testing.T) {
	t.Setenv("HOME", "/home/op")
	fb := newFake()
	fb.findErr = errors.New("no Amplication checkout at or above /tmp/x")
	hs := newHarness(t, fb, Options{}, 80, 24)
	hs.untilText("Type the path")
	hs.typeText("~/amplication")
	hs.press("enter")
	hs.untilText("Checkout /home/op/amplication")
	if got := fb.findCalls; got[len(got)-1] != "/home/op/amplication" {
		t.Fatalf("FindCheckout calls = %q", got)
	}
}

// Issue 16 item 7: enter on an empty paste field says what to paste.
func TestAuthorizeEnterOnAnEmptyPasteSaysWhatToPaste(t *testing.T) {
	fb := newFake()
	fb.waitGate = make(chan struct{})
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toAuthorize()
	hs.untilText("Waiting for Bitbucket…")
	hs.press("p", "enter")
	hs.wantText("Nothing pasted yet", "?code=")
	if len(fb.pasted) != 0 {
		t.Fatalf("an empty paste reached the backend: %q", fb.pasted)
	}
}

// In the demo, a secret typed over the demo consumer's cannot be copied again (the
// emulated Bitbucket shows no secret): with the field emptied and the demo key, the screen
// says enter takes the demo consumer's secret, and it does.
func TestCredentialsDemoSecretAfterAWrongOne(t *testing.T) {
	fb := newFake()
	fb.verdicts = []Verdict{{Kind: VerdictBadCredentials, Message: "Bitbucket rejected the key or secret (unauthorized_client)."}, {Kind: VerdictOK}}
	demo := Credentials{ID: "KEY123abcdefghijkl", Secret: "DEMOSECRETdemosecret0123456789ab"}
	hs := newHarness(t, fb, Options{NoColor: true, Demo: true, Prefill: demo}, 80, 24)
	hs.toCredentials()
	hs.wantText("› Secret") // the key is the demo's: the cursor starts on the secret
	hs.press("ctrl+u")
	hs.typeText("wrongsecretwrongsecretwrongsecre")
	hs.wantNoText("enter takes the demo consumer's secret")
	hs.press("enter")
	hs.untilText("The key or the secret is wrong")
	hs.press("enter")
	hs.wantStep(stepCredentials)
	hs.press("tab", "ctrl+u")
	hs.wantText("Empty: enter takes the demo consumer's secret.")
	hs.press("enter")
	hs.untilText("Bitbucket accepted the key and secret")
	fb.mu.Lock()
	defer fb.mu.Unlock()
	if n := len(fb.checkCalls); n != 2 || fb.checkCalls[1] != demo {
		t.Fatalf("checked %d times, last %+v; want the demo consumer's key and secret", n, fb.checkCalls[n-1])
	}
}
