package bitbucket

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHungAPINamesTheTries: when every try of a GET times out before the call's deadline,
// the message names the try's limit, how many tries there were and the time since the
// first, not only the one try's limit.
func TestHungAPINamesTheTries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	tr := &http.Transport{}
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	c := New(srv.URL+"/2.0", &http.Client{Transport: tr}, Options{RequestTimeout: 40 * time.Millisecond, MaxRetries: 2,
		BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Deadline: 10 * time.Second})
	_, err := c.CurrentUser(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not answer GET /user within 40ms (try 3 of 3, ") ||
		!strings.Contains(err.Error(), "after the first began)") {
		t.Errorf("err = %v, want it to name the 40ms limit, try 3 of 3 and the time since the first", err)
	}
}
