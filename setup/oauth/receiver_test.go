package oauth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestReceiver: a receiver for a foreign authorization (Amplication's server started it)
// accepts only answers carrying its state, on the callback and in a paste, and never
// exchanges a code itself.
func TestReceiver(t *testing.T) {
	f, err := NewReceiver("http://127.0.0.1:1/bitbucket-auth-app/callback", "ourState_-123")
	if err != nil {
		t.Fatal(err)
	}
	if f.AuthURL() != "" {
		t.Errorf("AuthURL = %q, want none", f.AuthURL())
	}
	if _, err := f.Exchange(context.Background(), "code"); err == nil {
		t.Errorf("Exchange worked on a receiver")
	}
	for _, tc := range []struct {
		paste string
		code  string
		err   bool
	}{
		{"http://localhost:3001/bitbucket-auth-app/callback?code=abc&state=ourState_-123", "abc", false},
		{"http://localhost:3001/bitbucket-auth-app/callback?code=abc&state=forged", "", true},
		{"http://localhost:3001/bitbucket-auth-app/callback?code=abc", "", true},
		{"abc", "", true}, // a bare code cannot be tied to this authorization
	} {
		code, err := f.ParsePasted(tc.paste)
		if code != tc.code || (err != nil) != tc.err {
			t.Errorf("ParsePasted(%q) = %q, %v", tc.paste, code, err)
		}
	}
	if _, err := f.ParsePasted("?code=abc&state=forged"); !errors.Is(err, ErrStateMismatch) {
		t.Errorf("forged state: %v, want ErrStateMismatch", err)
	}
	if _, err := NewReceiver("http://127.0.0.1:1/cb", ""); err == nil {
		t.Errorf("a receiver without a state was made")
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cb := f.Serve(l)
	defer cb.Close()
	base := "http://" + l.Addr().String() + "/bitbucket-auth-app/callback"
	hc := &http.Client{Timeout: 5 * time.Second}
	for _, q := range []string{"?code=abc&state=forged", "?code=abc"} {
		resp, err := hc.Get(base + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", q, resp.StatusCode)
		}
	}
	resp, err := hc.Get(base + "?code=good&state=ourState_-123")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code, err := cb.Wait(ctx)
	if code != "good" || err != nil {
		t.Errorf("Wait = %q, %v", code, err)
	}
	if n := cb.IgnoredWrongState(); n != 2 {
		t.Errorf("ignored %d answers, want 2", n)
	}
}
