package cmd

import (
	"io"
	"strings"
	"testing"
)

// TestAmplicationAuthorizeNamesARejectedSecret: the consumer's secret is reset on Bitbucket
// after the server loaded it, so the server's code exchange fails and Amplication says no
// more than "Bitbucket request failed."; bbsetup checks the checkout's key and secret itself,
// and says Bitbucket rejects them, where, and what to do, instead of "the code was
// probably used".
func TestAmplicationAuthorizeNamesARejectedSecret(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "1m")
	authURL := ss.authorizeURL(t)
	c := w.cons
	c.Secret = "reset-secret-0000000000000000000000"
	w.bb.AddConsumer(c) // reset on Bitbucket: the server and .env.local keep the old one
	loc := ss.land(t, authURL)
	io.WriteString(ss.stdinW, loc+"\n")
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, ss.errText())
	}
	errText := ss.errText()
	for _, want := range []string{"Bitbucket request failed", "Bitbucket rejects the key and secret in", ".env.local (bbsetup checked them just now)",
		"bbsetup configure", "bbsetup amplication authorize again"} {
		if !strings.Contains(errText, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errText)
		}
	}
	if strings.Contains(errText, "already used") {
		t.Errorf("stderr still blames the code:\n%s", errText)
	}
	w.noSecrets(t, errText+ss.outText())
}
