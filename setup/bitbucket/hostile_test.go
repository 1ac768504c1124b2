package bitbucket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/oauth"
)

// authRecorder is a loopback server on another port that records the Authorization
// headers it receives and answers like an empty Bitbucket.
type authRecorder struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
	hits  int
}

func startAuthRecorder(t *testing.T) *authRecorder {
	t.Helper()
	r := &authRecorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits++
		if a := req.Header.Get("Authorization"); a != "" {
			r.auths = append(r.auths, a)
		}
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"values":[],"size":0,"pagelen":100}`)
	}))
	t.Cleanup(r.Close)
	return r
}

// TestHostileRedirectKeepsTheToken: the API answers every call with a redirect to another
// origin; the client refuses it with a clear error (not "no workspaces"), and the other
// origin never sees the Bearer token.
func TestHostileRedirectKeepsTheToken(t *testing.T) {
	for _, st := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
		t.Run(fmt.Sprint(st), func(t *testing.T) {
			matrix.Record(t, "Hostile input", fmt.Sprintf("%d redirect to another port on every call", st),
				"workspaces, repos list, repos create and /user fail naming the redirect; the other origin never gets Authorization")
			rec := startAuthRecorder(t)
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/site/oauth2/access_token" {
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprint(w, `{"access_token":"bearer-token-123456","token_type":"bearer","expires_in":3600}`)
					return
				}
				http.Redirect(w, r, rec.URL+r.URL.RequestURI(), st)
			}))
			t.Cleanup(api.Close)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			hc := oauth.ClientCredentialsClient(ctx, oauth.EndpointsFor(api.URL), "key", "secret-value-0123456789", &http.Client{})
			c := New(api.URL+"/2.0", hc, Options{MaxRetries: -1})
			calls := map[string]func() error{
				"workspaces": func() error { _, err := c.Workspaces(ctx); return err },
				"repos list": func() error { return c.ListRepositories(ctx, "acme", ListOptions{}, nil) },
				"repos create": func() error {
					_, err := c.CreateRepository(ctx, "acme", CreateRepo{Name: "x"})
					return err
				},
				"user": func() error { _, err := c.CurrentUser(ctx); return err },
			}
			for name, call := range calls {
				err := call()
				if err == nil || !strings.Contains(err.Error(), "redirect to another origin") {
					t.Errorf("%s: err = %v, want a refused redirect", name, err)
				}
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.auths) > 0 {
				t.Errorf("the other origin received Authorization %d times: %q", len(rec.auths), rec.auths[0])
			}
		})
	}
}

// TestHostileDotSegments: "." and ".." are never a workspace, a slug from the server
// included; no request is built for them.
func TestHostileDotSegments(t *testing.T) {
	matrix.Record(t, "Hostile input", "workspace . or .. (flag or server-sent slug)", "refused before any request; no request path holds a dot segment")
	var mu sync.Mutex
	var paths []string
	_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/2.0/user/workspaces" {
			fmt.Fprint(w, `{"values":[{"administrator":true,"workspace":{"slug":".."}},{"workspace":{"slug":"acme"}}],"size":2}`)
			return
		}
		fmt.Fprint(w, `{"name":"Acme","values":[]}`)
	})
	ctx := context.Background()
	for _, ws := range []string{".", "..", " .. ", "a/../b"} {
		if err := c.ListRepositories(ctx, ws, ListOptions{}, nil); err == nil || !strings.Contains(err.Error(), "not a workspace") {
			t.Errorf("ListRepositories(%q) = %v", ws, err)
		}
		if _, err := c.CreateRepository(ctx, ws, CreateRepo{Name: "x"}); err == nil || !strings.Contains(err.Error(), "not a workspace") {
			t.Errorf("CreateRepository(%q) = %v", ws, err)
		}
		if _, err := c.Projects(ctx, ws); err == nil || !strings.Contains(err.Error(), "not a workspace") {
			t.Errorf("Projects(%q) = %v", ws, err)
		}
	}
	list, err := c.Workspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Slug != "acme" {
		t.Errorf("workspaces %+v, want only acme", list)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range paths {
		if strings.Contains(p, "/..") || strings.Contains(p, "/./") || strings.HasSuffix(p, "/.") {
			t.Errorf("a request went to %s", p)
		}
	}
}

// endless serves repositories forever: page N has 100 new ones and a next link to page
// N+1, and claims size.
func endless(size int64, n *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		page := 1
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		body := repoPage(r, page, page, page, -1)
		if size >= 0 {
			body["size"] = size
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}
}

// TestHostileListCap: a server claiming size 10^12 (or none) and serving new
// repositories forever: the listing stops at MaxRepositories with a clear error.
func TestHostileListCap(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int64
	}{{"size 10^12", 1_000_000_000_000}, {"no size, endless next links", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			matrix.Record(t, "Hostile input", "endless list, "+tc.name, fmt.Sprintf("stops at %d repositories with an error naming the cap and --filter; at most %d requests", MaxRepositories, MaxRepositories/100+1))
			var n atomic.Int64
			_, c := fakeServer(t, endless(tc.size, &n))
			loaded := 0
			err := c.ListRepositories(context.Background(), "acme", ListOptions{}, func(b []Repository, l, _ int) { loaded = l })
			var te *TooManyError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), "narrow the list with a filter") || !strings.Contains(err.Error(), "10,000") {
				t.Fatalf("err = %v, want a *TooManyError naming the cap and the filter (the command line names --filter: cmd's TestCLIAdvice)", err)
			}
			if loaded > MaxRepositories {
				t.Errorf("%d repositories delivered, cap %d", loaded, MaxRepositories)
			}
			if got := n.Load(); got > int64(MaxRepositories/100+1+DefaultConcurrency) {
				t.Errorf("%d requests", got)
			}
		})
	}
}

// TestHostileDeadline: a slow-drip body and an endless chain of slow pages end at the
// call's deadline, and the message states that deadline (not the per-request one).
func TestHostileDeadline(t *testing.T) {
	t.Run("slow-drip body", func(t *testing.T) {
		matrix.Record(t, "Hostile input", "slow-drip body on every attempt", "the call ends at its overall deadline; the message states that deadline")
		_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fl := w.(http.Flusher)
			for i := 0; ; i++ {
				if _, err := fmt.Fprint(w, " "); err != nil {
					return
				}
				fl.Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		})
		c.opts.RequestTimeout, c.opts.Deadline, c.opts.MaxRetries = 200*time.Millisecond, 700*time.Millisecond, 10
		_, err := c.CurrentUser(context.Background())
		var de *DeadlineError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "within 700ms") {
			t.Fatalf("err = %v, want a *DeadlineError stating 700ms", err)
		}
	})
	t.Run("endless next links", func(t *testing.T) {
		matrix.Record(t, "Hostile input", "endless chain of distinct next links, slow pages", "the listing ends at its overall deadline; the message states it")
		var n atomic.Int64
		h := endless(-1, &n)
		_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(30 * time.Millisecond)
			h(w, r)
		})
		c.opts.Deadline = 300 * time.Millisecond
		err := c.ListRepositories(context.Background(), "acme", ListOptions{}, nil)
		var de *DeadlineError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "within 300ms") || !strings.Contains(err.Error(), "acme") {
			t.Fatalf("err = %v, want a *DeadlineError stating 300ms", err)
		}
	})
}
