package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// markedFields are the body's lines that carry the focus marker, plain.
func (hs *harness) markedFields() []string {
	var out []string
	for _, l := range hs.m.w.bodyLines() {
		if p := strings.TrimSpace(ansi.Strip(l)); strings.HasPrefix(p, strings.TrimSpace(focusMarker)) {
			out = append(out, p)
		}
	}
	return out
}

// wantFocus checks that exactly one field is marked, and that it is label.
func (hs *harness) wantFocus(label string) {
	hs.t.Helper()
	m := hs.markedFields()
	if len(m) != 1 || !strings.HasPrefix(m[0], focusMarker+label) {
		hs.t.Fatalf("marked lines %q, want only %q; view:\n%s", m, focusMarker+label, hs.m.View())
	}
}

// The sign-in form follows the key and secret screen's conventions (issue 16 item 6): only
// the focused field is marked, under NO_COLOR too; tab and shift+tab move between the
// fields and shift+tab leaves only from the first; enter on the last field signs in; on
// re-entry the focus is on the first field to fix. The token form too.
func TestAmpSignInMarksOnlyTheFocusedField(t *testing.T) {
	fb := newFake()
	fb.amp.signErr = errors.New("the Amplication server refused the sign-in (Invalid password)")
	hs := newHarness(t, fb, Options{NoBrowser: true, NoColor: true}, 80, 30)
	hs.toAmpServer()
	hs.untilText("The Amplication server answers")
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.wantFocus("Email")
	hs.wantText("enter next field", "tab next field")
	hs.typeText("op")
	hs.press("tab")
	hs.wantFocus("Password")
	hs.wantText("enter sign in", "shift+tab previous field")
	hs.press("shift+tab")
	hs.wantFocus("Email")
	hs.wantStep(stepAmpSignIn)
	hs.press("enter") // on the first field: the next one
	hs.wantFocus("Password")
	hs.typeText("pw-not-shown-1234")
	hs.press("enter") // on the last field: signs in, but the email is not one
	hs.untilText("That is not an email address")
	hs.wantFocus("Email")
	if len(fb.amp.logins) != 0 {
		t.Fatalf("signed in with %+v", fb.amp.logins)
	}
	// Out and in again: still on the email, the wrong field.
	hs.press("shift+tab")
	hs.wantStep(stepAmpServer)
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.wantFocus("Email")
	hs.typeText("@example.com")
	hs.press("down")
	hs.wantFocus("Password")
	hs.press("enter")
	hs.untilText("The sign-in did not work", "Invalid password")
	hs.wantFocus("Password")
	if l := fb.amp.logins[0]; l.Email != "op@example.com" || l.Password != "pw-not-shown-1234" {
		t.Fatalf("login %+v", l)
	}

	// Back to the server screen and in again: the focus is on the password (refused), and
	// what is typed goes there, not into the email.
	hs.press("shift+tab", "shift+tab") // to the email, then out of the form
	hs.wantStep(stepAmpServer)
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.wantFocus("Password")
	fb.amp.mu.Lock()
	fb.amp.signErr = nil
	fb.amp.mu.Unlock()
	hs.typeText("X")
	// The token form: one field, marked; ctrl+t back marks the password only.
	hs.press("ctrl+t")
	hs.wantFocus("API token")
	hs.wantText("enter sign in")
	hs.press("tab")
	hs.wantFocus("API token")
	hs.press("ctrl+t")
	hs.wantFocus("Password")
	hs.press("enter")
	hs.wantStep(stepAuthorize)
	if l := fb.amp.logins[1]; l.Email != "op@example.com" || l.Password != "pw-not-shown-1234X" {
		t.Fatalf("login after re-entry %+v", l)
	}
}
