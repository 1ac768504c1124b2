package amplication

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// The password goes to the server named, only: an answer redirecting the POST elsewhere
// (307 and 308 keep the body) is not followed, and the redirect is an error that names
// the status.
func TestLoginDoesNotFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), "hunter2") {
			elsewhere.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{"login":{"token":"t"}}}`)
	}))
	defer other.Close()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/graphql", status)
		}))
		c, err := New(front.URL, front.Client(), Options{MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Login(context.Background(), "a@example.com", "hunter2")
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != status {
			t.Errorf("%d: Login error %v, want an HTTPError with the redirect's status", status, err)
		}
		front.Close()
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the password reached another server %d times", n)
	}
}
