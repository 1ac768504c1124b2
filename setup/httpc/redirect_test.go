package httpc

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type refused struct {
	from, to string
	hops     int
}

func (r *refused) Error() string { return fmt.Sprintf("refused %s -> %s (%d)", r.from, r.to, r.hops) }

// TestRedirectPolicies: SameOrigin follows a redirect within the origin, refuses one to
// another port and a chain of MaxRedirects; NoRedirects hands back the 3xx itself, and
// the other origin never gets a request either way.
func TestRedirectPolicies(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the other origin got %s %s", r.Method, r.URL)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusTemporaryRedirect)
		case r.URL.Path == "/here":
			http.Redirect(w, r, "/done", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/loop"):
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		default:
			fmt.Fprint(w, "ok")
		}
	}))
	defer srv.Close()
	same := &http.Client{CheckRedirect: SameOrigin(func(from, to string, hops int) error { return &refused{from, to, hops} })}
	if resp, err := same.Get(srv.URL + "/here"); err != nil || resp.Request.URL.Path != "/done" {
		t.Errorf("same origin: %v", err)
	} else {
		resp.Body.Close()
	}
	var re *refused
	if _, err := same.Get(srv.URL + "/away"); !errors.As(err, &re) || re.to != strings.ToLower(other.URL) || re.hops != 0 {
		t.Errorf("another origin: %v", err)
	}
	if _, err := same.Get(srv.URL + "/loop"); !errors.As(err, &re) || re.hops != MaxRedirects || re.to != "" {
		t.Errorf("a loop: %v", err)
	}
	none := NoRedirects(nil)
	resp, err := none.Post(srv.URL+"/away", "application/json", strings.NewReader(`{"password":"x"}`))
	if err != nil || resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("NoRedirects: %v %v", resp, err)
	}
	resp.Body.Close()
	if http.DefaultClient.CheckRedirect != nil {
		t.Error("NoRedirects changed http.DefaultClient")
	}
}
