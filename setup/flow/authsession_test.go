package flow

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// freeCallback is a callback URL on a loopback port nobody listens on.
func freeCallback(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return "http://127.0.0.1:" + strconv.Itoa(port) + "/bitbucket-auth-app/callback"
}

func TestSessionPasteAndCallback(t *testing.T) {
	cb := freeCallback(t)
	s, err := StartBitbucket("https://bitbucket.example", checkout.Credentials{ClientID: "key", ClientSecret: "secret"}, cb, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.URL)
	state := u.Query().Get("state")
	if state == "" || s.Kind != KindBitbucket || s.CallbackURL != cb {
		t.Fatalf("session %+v", s)
	}
	// Pasting: the landed address with this state gives the code; another state is refused.
	if code, err := s.ParsePasted(cb + "?code=abc123&state=" + state); err != nil || code != "abc123" {
		t.Errorf("paste: %q, %v", code, err)
	}
	if _, err := s.ParsePasted(cb + "?code=abc123&state=other"); !errors.Is(err, oauth.ErrStateMismatch) {
		t.Errorf("another state: %v", err)
	}

	// The callback: listening, the browser's redirect gives the code and the port is freed
	// on close.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Listen(ctx)
	if !s.Listening() || s.NotListening() != "" {
		t.Fatalf("not listening: %v", s.ListenErr)
	}
	go func() {
		resp, err := http.Get(cb + "?code=fromthebrowser&state=" + state)
		if err == nil {
			resp.Body.Close()
		}
	}()
	if code, err := s.WaitCallback(ctx); err != nil || code != "fromthebrowser" {
		t.Errorf("callback: %q, %v", code, err)
	}
	s.Close()
	if s.Listening() {
		t.Error("still listening after Close")
	}

	// The port taken: not listening, said the same on every surface; waiting ends with ctx.
	l, err := net.Listen("tcp", strings.TrimPrefix(strings.TrimSuffix(cb, "/bitbucket-auth-app/callback"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s2, _ := StartBitbucket("https://bitbucket.example", checkout.Credentials{ClientID: "key", ClientSecret: "secret"}, cb, nil)
	s2.Listen(ctx)
	if s2.Listening() || !strings.Contains(s2.NotListening(), "is in use") {
		t.Errorf("port taken: listening %v, %q", s2.Listening(), s2.NotListening())
	}
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	if _, err := s2.WaitCallback(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait without a listener: %v", err)
	}
}
