package flow

// The wait of an authorization on a line-based surface: the callback or a pasted address,
// whichever comes first, within the wait's time. The surface says what happens (its words
// for the ends below, a refused paste, a browser that did not open).

import (
	"context"
	"errors"
	"strings"

	"github.com/bbsetup/bbsetup/setup/oauth"
)

// ErrNothingCanAnswer is the wait's end when the session does not listen and there is no input to paste into.
var ErrNothingCanAnswer = errors.New("cannot receive the browser's redirect and there is no input to paste into")

// ErrInputEnded is the wait's end when the input ended before an address was pasted and
// the session does not listen.
var ErrInputEnded = errors.New("the input ended before an address was pasted")

// WaitTimedOutError is the end of the wait's time with no answer. Ignored is how many
// answers with another state were refused; Cause the callback's own error, if it ended the
// wait.
type WaitTimedOutError struct {
	Ignored int
	Cause   error
}

func (e *WaitTimedOutError) Error() string { return "no answer within the time given" }

// AwaitEvents are what the surface says while the wait goes on (nil: nothing).
type AwaitEvents struct {
	// BadPaste: a pasted line is not the answer; the wait goes on.
	BadPaste func(error)
	// BrowserFailed: the browser could not be opened.
	BrowserFailed func()
}

// Await waits for the callback (when listening) or a line of lines that ParsePasted
// takes, whichever comes first, within wait (the time given); ctx is the surface's own
// (an interrupt ends the wait with ctx's error). browser says how opening the browser went
// (nil: not tried). The ends are the code, ErrNothingCanAnswer, ErrInputEnded, a
// *WaitTimedOutError, an *oauth.AuthorizeError (Bitbucket's refusal, from either), or the
// callback's error.
func (s *Session) Await(wait, ctx context.Context, lines <-chan string, browser <-chan error, ev AwaitEvents) (string, error) {
	type waited struct {
		code string
		err  error
	}
	var fromCallback chan waited
	listening := s.Listening()
	if listening {
		fromCallback = make(chan waited, 1)
		go func() {
			code, err := s.WaitCallback(wait)
			fromCallback <- waited{code, err}
		}()
	}
	if lines == nil && !listening {
		return "", ErrNothingCanAnswer
	}
	for {
		select {
		case r := <-fromCallback:
			return s.callbackEnd(ctx, r.code, r.err)
		case line, ok := <-lines:
			if !ok {
				lines = nil
				if !listening {
					return "", ErrInputEnded
				}
				continue
			}
			if code, done, err := s.pasted(line, ev); done {
				return code, err
			}
		case err := <-browser:
			browser = nil
			if err != nil && ev.BrowserFailed != nil {
				ev.BrowserFailed()
			}
		case <-wait.Done():
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", &WaitTimedOutError{Ignored: s.IgnoredWrongState()}
		}
	}
}

// callbackEnd is the wait's end when the callback answered.
func (s *Session) callbackEnd(ctx context.Context, code string, err error) (string, error) {
	switch {
	case err == nil:
		return code, nil
	case ctx.Err() != nil:
		return "", ctx.Err()
	case errors.Is(err, oauth.ErrTimeout):
		return "", &WaitTimedOutError{Ignored: s.IgnoredWrongState(), Cause: err}
	}
	return "", err
}

// pasted takes a pasted line: done with the code or Bitbucket's refusal, or not done (a
// blank line, or a refused paste, said through ev.BadPaste).
func (s *Session) pasted(line string, ev AwaitEvents) (code string, done bool, err error) {
	if strings.TrimSpace(line) == "" {
		return "", false, nil
	}
	code, err = s.ParsePasted(line)
	var ae *oauth.AuthorizeError
	switch {
	case errors.As(err, &ae):
		return "", true, err
	case err != nil:
		if ev.BadPaste != nil {
			ev.BadPaste(err)
		}
		return "", false, nil
	}
	return code, true, nil
}
