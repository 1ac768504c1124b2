package cmd

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// TestCLIAdvice: each error setup/ gives with advice in its own words gets the command
// line's flag or command added, once, after its own message; other errors are left alone.
// The errors are the real ones, made by calling setup/ as the commands do.
func TestCLIAdvice(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusBadGateway)
		case strings.HasSuffix(r.URL.Path, "/user"):
			w.WriteHeader(http.StatusTeapot)
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
		_, _ = w.Write([]byte(`{"type":"error","error":{"message":"no"}}`))
	}))
	defer srv.Close()
	api := bitbucket.New(srv.URL+"/2.0", nil, bitbucket.Options{MaxRetries: -1})

	_, findErr := checkout.Find(t.TempDir())
	_, badURL := bitbucket.New("api.bitbucket.org", nil, bitbucket.Options{}).CurrentUser(ctx)
	_, noCreds := oauth.NewFlow(oauth.EndpointsFor("https://bitbucket.org"), "", "", "http://localhost:3001/cb", nil)
	_, rejected := api.Projects(ctx, "acme")
	_, noWS := api.Projects(ctx, " ")
	_, teapot := api.CurrentUser(ctx)
	_, uncertain := api.CreateRepository(ctx, "acme", bitbucket.CreateRepo{Name: "My Service"})
	_, planErr := envfile.PlanFiles(map[string][]envfile.KV{t.TempDir() + "/no/such/dir/.env.local": {{Key: "A", Value: "b"}}})
	tokenErr := oauth.CheckCredentials(ctx, oauth.EndpointsFor("http://"+closedPortAddr(t)), "k", "s", nil)
	_, badWS := api.Projects(ctx, "..")
	elsewhere := httptest.NewServer(http.NotFoundHandler())
	defer elsewhere.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
	}))
	defer redirecting.Close()
	_, redirected := bitbucket.New(redirecting.URL+"/2.0", nil, bitbucket.Options{MaxRetries: -1}).CurrentUser(ctx)
	redirectVerdict := oauth.CheckCredentials(ctx, oauth.EndpointsFor(redirecting.URL), "k", "s", nil)

	cases := []struct {
		name string
		err  error
		want string // "" = nothing added
	}{
		{"no checkout", findErr, adviceCheckout},
		{"env file directory missing", planErr, adviceCheckout},
		{"invalid API URL", badURL, adviceAPIURL},
		{"no key or secret", noCreds, adviceConfigure},
		{"unknown consumer key", &oauth.AuthorizeError{Code: "invalid_client"}, adviceConfigure},
		{"token rejected", rejected, adviceCheck},
		{"token expired", &bitbucket.AuthError{Status: 401, Expired: true}, ""},
		{"no workspace", noWS, adviceWorkspaces},
		{"not a workspace slug", badWS, adviceWorkspaces},
		{"redirect to another origin", redirected, adviceBitbucketURL + " " + adviceAPIURL},
		{"redirect loop", &oauth.RedirectError{From: "https://api.bitbucket.org", Hops: 10}, adviceBitbucketURL + " " + adviceAPIURL},
		{"listing cap", &bitbucket.TooManyError{What: "repositories in workspace acme", Limit: bitbucket.MaxRepositories}, adviceFilter},
		{"link outside the checkout", &checkout.OutsideError{Link: "/c/.env.local", Target: "/home/u/.bashrc", Root: "/c"}, adviceOutside},
		{"unexpected status", teapot, adviceDebug},
		{"create may have happened", uncertain, "bbsetup repos list --workspace acme --filter 'My Service' lists them."},
		{"access denied", &oauth.AuthorizeError{Code: "access_denied"}, ""},
		{"plain", errors.New("something else."), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("setup/ gave no error")
			}
			got := withCLIAdvice(tc.err.Error(), tc.err)
			if tc.want == "" {
				if got != tc.err.Error() {
					t.Errorf("advice added to %q: %q", tc.err, got)
				}
				return
			}
			if !strings.HasPrefix(got, strings.TrimSuffix(tc.err.Error(), ".")) || !strings.HasSuffix(got, ". "+tc.want) || strings.Count(got, tc.want) != 1 {
				t.Errorf("withCLIAdvice(%q) = %q, want the message, then %q once", tc.err, got, tc.want)
			}
			if strings.Contains(tc.err.Error(), "--") || strings.Contains(tc.err.Error(), "bbsetup repos") || strings.Contains(tc.err.Error(), "bbsetup configure") {
				t.Errorf("setup/'s own message names a flag or command: %q", tc.err)
			}
		})
	}

	// The credential check's verdict says the same through CheckURL.
	if !tokenErr.CheckURL || strings.Contains(tokenErr.Message, "--bitbucket-url") {
		t.Errorf("unreachable token endpoint: CheckURL %v, message %q", tokenErr.CheckURL, tokenErr.Message)
	}
	if !redirectVerdict.CheckURL || !strings.Contains(redirectVerdict.Message, "redirect to another origin") || strings.Contains(redirectVerdict.Message, "--") {
		t.Errorf("token endpoint redirecting elsewhere: CheckURL %v, message %q", redirectVerdict.CheckURL, redirectVerdict.Message)
	}
}

// closedPortAddr is a 127.0.0.1 address nothing listens on.
func closedPortAddr(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close()
	return addr
}
