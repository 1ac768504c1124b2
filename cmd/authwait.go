package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// How `bbsetup authorize` and `bbsetup amplication authorize` wait on their
// authorization session (setup/flow): the URL, the browser, then the callback or a
// pasted address on stdin, within --timeout. They differ in their words only.

// authWait is one command's wait.
type authWait struct {
	s         *flow.Session
	command   string // "bbsetup authorize": what to run again
	urlNote   string // after "click \"Grant access\"" (the Amplication server's key)
	noBrowser bool
	timeout   time.Duration
	in        io.Reader // where the operator pastes
	// timedOut words the end of the wait (ignored: answers with another state refused;
	// cause: the callback's own error, if it ended the wait).
	timedOut func(ignored int, cause error) error
}

// announce prints the URL alone on its line (the terminal wraps it and a selection copies
// exactly the URL), starts the browser unless --no-browser, and says how the answer can
// come back. The returned channel says how opening the browser went (nil: not tried).
func (a *Factory) announce(w authWait) chan error {
	say, s := a.env.Stderr, w.s
	for _, ad := range s.Addrs() {
		a.debugf("listening for the callback on %s", ad)
	}
	fmt.Fprintf(say, "Open this URL in your browser and click \"Grant access\"%s:\n\n%s\n\n", w.urlNote, safetext.Line(s.URL))
	var browserDone chan error
	if !w.noBrowser {
		browserDone = make(chan error, 1)
		go func() { browserDone <- a.authorizeOpenBrowser(s.URL) }() // exactly as given
	}
	if why := s.NotListening(); why != "" {
		end := ":"
		if s.Kind == flow.KindAmplication {
			end = "."
		}
		fmt.Fprintln(say, why)
		fmt.Fprintf(say, "After granting access, %s, paste it here and press Enter%s\n", s.LandsOn(), end)
		return browserDone
	}
	fmt.Fprintf(say, "Waiting up to %s for your browser to come back to %s.\n", w.timeout, s.CallbackURL)
	fmt.Fprintln(say, "If it cannot reach this machine, paste the full address your browser lands on here and press Enter.")
	return browserDone
}

// awaitCode waits for the callback or a pasted address, whichever comes first, within
// wctx (the --timeout); ctx is the command's own context (interrupt).
func (a *Factory) awaitCode(wctx, ctx context.Context, w authWait, browserDone chan error) (string, error) {
	say := a.env.Stderr
	stop := make(chan struct{})
	defer close(stop)
	code, err := w.s.Await(wctx, ctx, flow.PastedLines(w.in, stop), browserDone, flow.AwaitEvents{
		BadPaste: func(err error) {
			fmt.Fprintf(say, "That did not work: %s\nPaste again and press Enter:\n", sentence(safetext.Line(err.Error())))
		},
		BrowserFailed: func() { fmt.Fprintln(say, "Could not open a browser; open the URL above yourself.") },
	})
	var to *flow.WaitTimedOutError
	switch {
	case errors.Is(err, flow.ErrNothingCanAnswer):
		return "", fmt.Errorf("cannot receive the browser's redirect and there is no input to paste into; run %s in a terminal", w.command)
	case errors.Is(err, flow.ErrInputEnded):
		return "", fmt.Errorf("the input ended before an address was pasted; run %s again and paste the address your browser lands on", w.command)
	case errors.As(err, &to):
		return "", w.timedOut(to.Ignored, to.Cause)
	}
	return code, err
}
