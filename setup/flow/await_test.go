package flow

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/checkout"
)

func TestAwaitPasteAndEnds(t *testing.T) {
	cb := freeCallback(t)
	s, err := StartBitbucket("https://bitbucket.example", checkout.Credentials{ClientID: "key", ClientSecret: "secret"}, cb, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.URL)
	state := u.Query().Get("state")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Not listening (Listen not called) and no input: nothing can answer.
	if _, err := s.Await(ctx, ctx, nil, nil, AwaitEvents{}); !errors.Is(err, ErrNothingCanAnswer) {
		t.Fatalf("no input: %v", err)
	}

	// A blank line is skipped, another state is said and waited past, then the answer.
	lines := make(chan string, 3)
	lines <- "  "
	lines <- cb + "?code=x&state=other"
	lines <- cb + "?code=abc&state=" + state
	var bad []error
	code, err := s.Await(ctx, ctx, lines, nil, AwaitEvents{BadPaste: func(err error) { bad = append(bad, err) }})
	if err != nil || code != "abc" || len(bad) != 1 {
		t.Fatalf("paste: %q, %v, bad pastes %v", code, err, bad)
	}

	// The input ends before an answer.
	ended := make(chan string)
	close(ended)
	if _, err := s.Await(ctx, ctx, ended, nil, AwaitEvents{}); !errors.Is(err, ErrInputEnded) {
		t.Fatalf("input ended: %v", err)
	}

	// The browser fails, then the time given runs out.
	wait, waitCancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer waitCancel()
	browser := make(chan error, 1)
	browser <- errors.New("no browser")
	failed := false
	_, err = s.Await(wait, ctx, make(chan string), browser, AwaitEvents{BrowserFailed: func() { failed = true }})
	var to *WaitTimedOutError
	if !errors.As(err, &to) || !failed {
		t.Fatalf("timed out: %v, browser failure said %v", err, failed)
	}

	// An interrupt ends the wait with its own error.
	intr, intrCancel := context.WithCancel(ctx)
	intrCancel()
	if _, err := s.Await(intr, intr, make(chan string), nil, AwaitEvents{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupt: %v", err)
	}
}
