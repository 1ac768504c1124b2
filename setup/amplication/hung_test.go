package amplication

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHungServerNamesTheTotalWait: a server that accepts the request and never answers
// fails after every try has timed out, and the message names the whole wait and the
// number of tries, not only one try's limit (which, at 30s a try and 3 retries, told an
// operator who had waited about two minutes that bbsetup waited 30s).
func TestHungServerNamesTheTotalWait(t *testing.T) {
	const perTry = 100 * time.Millisecond
	c, f := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) { <-r.Context().Done() },
		Options{RequestTimeout: perTry, MaxRetries: 2, BaseBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Overview(ctx)
	took := time.Since(start)
	var ue *UnreachableError
	if !errors.As(err, &ue) || !ue.Timeout {
		t.Fatalf("err = %v, want an *UnreachableError that timed out", err)
	}
	// Tries counts what the client sent; the server may see fewer when a loaded machine
	// spends a try's whole limit before the request arrives, never more.
	if n := f.n.Load(); ue.Tries != 3 || n < 1 || n > 3 {
		t.Errorf("%d requests, Tries = %d; want 3 tries (1 + 2 retries), at most 3 requests", n, ue.Tries)
	}
	if ue.Waited < 3*perTry || ue.Waited > took {
		t.Errorf("Waited = %v, want between 3 tries (%v) and the call's duration (%v)", ue.Waited, 3*perTry, took)
	}
	msg := err.Error()
	if !strings.Contains(msg, "3 tries of up to 100ms each") || !strings.Contains(msg, "did not answer in ") {
		t.Errorf("message %q does not name the tries and the total wait", msg)
	}
	if strings.Contains(msg, "within 100ms") {
		t.Errorf("message %q names one try's limit as the wait", msg)
	}

	// One try only: its limit is the whole wait.
	c, _ = fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) { <-r.Context().Done() },
		Options{RequestTimeout: perTry, MaxRetries: -1})
	_, err = c.Overview(ctx)
	if err == nil || !strings.Contains(err.Error(), "did not answer within 100ms") {
		t.Errorf("one try: %v, want it to name its 100ms", err)
	}
}
