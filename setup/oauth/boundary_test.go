package oauth

import (
	"strings"
	"testing"
)

// TestServerTextIsCleanedWhereItEnters: an error description from Bitbucket's token
// endpoint or its authorize redirect reaches TokenError and the messages terminal-safe.
func TestServerTextIsCleanedWhereItEnters(t *testing.T) {
	hostile := "bad\x1b]0;pwned\x07 \u009b2Jcode\u202e\u2066 here\u0085\u0090x"
	got := oneLine(hostile)
	if got != "bad code here" {
		t.Errorf("oneLine(%q) = %q, want %q", hostile, got, "bad code here")
	}
	msg := (&AuthorizeError{Code: "server_error", Description: hostile}).Error()
	if strings.ContainsAny(msg, "\x1b\x07\u009b\u202e\u2066\u0085\u0090") {
		t.Errorf("AuthorizeError: %q", msg)
	}
}
