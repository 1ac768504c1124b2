package tui

import (
	"errors"
	"strings"
	"testing"
)

// TestHostileErrorText: an error box or an inline error line carrying a server's ESC
// sequences and bidi controls draws only their printable text.
func TestHostileErrorText(t *testing.T) {
	matrix.Record(t, "Hostile input", "error text with ESC sequences and bidi controls", "error boxes and inline errors draw printable text only")
	c := &common{b: newFake(), st: newStyles(newRenderer(nil, true), true), km: defaultKeyMap(), width: 80, height: 20}
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
