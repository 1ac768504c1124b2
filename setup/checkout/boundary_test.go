package checkout

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileValue is file text that would clear the screen, retitle the window and reverse
// the text if it reached the terminal raw: ESC sequences, C1 controls (U+0085, U+009B)
// and bidi overrides and isolates.
const hostileValue = "tr\x1b[2Jue\x1b]0;pwned\x07\u0085\u009b2J\u202e\u2066x\u2069\u202c"

// unsafeRune reports a rune the terminal would act on rather than show.
func unsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// TestFindingsQuoteFileValuesClean: values read from the env files reach the findings
// (what check prints and the wizard shows) terminal-safe, with their printable text.
func TestFindingsQuoteFileValuesClean(t *testing.T) {
	root := bareCheckout(t)
	env := "BITBUCKET_CLIENT_ID=\"key" + hostileValue + "\"\nBITBUCKET_CLIENT_SECRET=secret0123456789\nBILLING_ENABLED=\"" + hostileValue + "\"\n"
	if err := os.WriteFile(filepath.Join(root, serverDir, ".env.local"), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	co, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	var quoted bool
	for _, f := range co.CheckOffline(nil) {
		for _, s := range []string{f.Title, f.Detail, f.Hint} {
			if strings.IndexFunc(s, unsafeRune) >= 0 {
				t.Errorf("finding %s holds a control or bidi character: %q", f.ID, s)
			}
			if strings.Contains(s, "BILLING_ENABLED=true") || strings.Contains(s, "BITBUCKET_CLIENT_ID=keytrue") {
				quoted = true
			}
		}
	}
	if !quoted {
		t.Error("no finding quotes the cleaned value (BILLING_ENABLED=true… or BITBUCKET_CLIENT_ID=keytrue…)")
	}
}

// TestClientHostWithControlsIsRefused: a CLIENT_HOST holding bidi or C1 characters would
// show the operator a callback URL other than the one the server uses: Open refuses it,
// and its error is terminal-safe.
func TestClientHostWithControlsIsRefused(t *testing.T) {
	for _, v := range []string{"http://local\u202ehost:3001", "http://localhost:30\u009b01", "http://\u2066localhost\u2069:3001"} {
		root := bareCheckout(t)
		if err := os.WriteFile(filepath.Join(root, serverDir, ".env.local"), []byte("CLIENT_HOST="+v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		co, err := Open(root)
		if err == nil {
			t.Errorf("CLIENT_HOST=%q: opened, callback URL %q", v, co.CallbackURL)
			continue
		}
		if !strings.Contains(err.Error(), "CLIENT_HOST") || !strings.Contains(err.Error(), "control or bidirectional") {
			t.Errorf("CLIENT_HOST=%q: %v", v, err)
		}
		if strings.IndexFunc(err.Error(), unsafeRune) >= 0 {
			t.Errorf("the error holds a control or bidi character: %q", err)
		}
	}
}
