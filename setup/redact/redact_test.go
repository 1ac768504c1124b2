package redact

import (
	"strings"
	"sync"
	"testing"
)

func TestString(t *testing.T) {
	r := New("SeCrEt-0123456789", "", "ab", "tok-AAAA")
	r.Add("tok-AAAA-longer", "code1234")
	for _, tc := range []struct{ in, want string }{
		{"secret SeCrEt-0123456789 here", "secret [redacted] here"},
		{"tok-AAAA-longer and tok-AAAA", "[redacted] and [redacted]"},
		{"ab is too short to be a secret", "ab is too short to be a secret"},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization: [redacted]"},
		{"authorization=Bearer xyz\nnext line", "authorization=[redacted]\nnext line"},
		{"GET /cb?code=unknownCode&state=s1", "GET /cb?code=[redacted]&state=s1"},
		{"grant_type=refresh_token&refresh_token=r1&client_secret=c1", "grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]"},
		{`{"access_token": "a1", "scopes": "account"}`, `{"access_token": "[redacted]", "scopes": "account"}`},
		{"sent Bearer abc.def-123", "sent Bearer [redacted]"},
		{"GET /2.0/user: 200 after 3ms", "GET /2.0/user: 200 after 3ms"},
		{"the code was code1234", "the code was [redacted]"},
		{"barcode=5 zipcode=6", "barcode=5 zipcode=6"},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriterConcurrent(t *testing.T) {
	var b strings.Builder
	r := New("hunter2-secret")
	w := r.Writer(&b)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if n, err := w.Write([]byte("x hunter2-secret y\n")); err != nil || n != 19 {
					t.Errorf("Write = %d, %v", n, err)
				}
				r.Add("another-secret")
			}
		}()
	}
	wg.Wait()
	if strings.Contains(b.String(), "hunter2") || strings.Count(b.String(), "x [redacted] y\n") != 400 {
		t.Errorf("writer output wrong: %d bytes", b.Len())
	}
}

// TestWriterSanitises: server text in the --debug log (an error message, a scope list)
// reaches the terminal without ESC sequences, C0/C1 or bidi controls.
func TestWriterSanitises(t *testing.T) {
	var b strings.Builder
	w := New("s3cr3t-value").Writer(&b)
	w.Write([]byte("granted scopes: account\x1b]0;pwned\x07 \u202eteam s3cr3t-value\n"))
	if got, want := b.String(), "granted scopes: account team [redacted]\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
