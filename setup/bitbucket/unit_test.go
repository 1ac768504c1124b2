package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/oauth"
)

func TestSlugify(t *testing.T) {
	long := strings.Repeat("abcdefghij", 7) // 70
	tests := []struct{ in, want string }{
		{"My Repo", "my-repo"},
		{"my-repo", "my-repo"},
		{"  Leading and trailing  ", "leading-and-trailing"},
		{"a--b", "a-b"},
		{"a - b", "a-b"},
		{"a_b.c", "a_b.c"},
		{"Hello, World!", "hello-world"},
		{"Ünïcödé Çafé", "unicode-cafe"},
		{"Straße", "strasse"},
		{"Æsir Øl", "aesir-ol"},
		{"Łódź", "lodz"},
		{"日本", ""},
		{"日本 repo", "repo"},
		{"a日b", "ab"},
		{"🚀 launch", "launch"},
		{"v1.2.3", "v1.2.3"},
		{"---", ""},
		{"", ""},
		{"Tab\tand\nnewline", "tab-and-newline"},
		{long, long[:62]},
		{strings.Repeat("a", 61) + " b", strings.Repeat("a", 61)}, // cut leaves "aaa-": trimmed
		{"ＦＵＬＬ", ""},              // full-width letters are not trivially transliterable
		{"e\u0301t\u00e9", "ete"}, // already-decomposed accents
	}
	for _, tt := range tests {
		if got := Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateSlug(t *testing.T) {
	tests := []struct {
		slug    string
		wantErr string // substring; "" = valid
	}{
		{"my-repo", ""},
		{"a_b.c-1", ""},
		{strings.Repeat("a", 62), ""},
		{"", "empty"},
		{".", "reserved"},
		{strings.Repeat("a", 63), "at most 62"},
		{"My-Repo", "use lowercase"},
		{"my repo", `contains " "`},
		{"café", `contains "é"`},
		{"a--b", `"--"`},
		{"a/b", `contains "/"`},
	}
	for _, tt := range tests {
		err := ValidateSlug(tt.slug)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ValidateSlug(%q) = %v, want nil", tt.slug, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ValidateSlug(%q) = %v, want an error containing %q", tt.slug, err, tt.wantErr)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"My Repo", "Straße", "日本 repo", "a--b", "", "-._-", strings.Repeat("é", 80)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s := Slugify(name)
		if s == "" {
			return
		}
		if err := ValidateSlug(s); err != nil && s != "." && s != ".." {
			t.Fatalf("Slugify(%q) = %q, which ValidateSlug rejects: %v", name, s, err)
		}
		if again := Slugify(s); again != s {
			t.Fatalf("Slugify is not idempotent: %q -> %q -> %q", name, s, again)
		}
		if strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") {
			t.Fatalf("Slugify(%q) = %q has a leading or trailing -", name, s)
		}
	})
}

func TestBBQLString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"foo", `"foo"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `"a\\b"`},
		{`\"`, `"\\\""`},
		{"x\ny", `"x y"`},
		{"café", `"café"`},
	}
	for _, tt := range tests {
		if got := bbqlString(tt.in); got != tt.want {
			t.Errorf("bbqlString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseError(t *testing.T) {
	scope := `{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["repository:admin"],"granted":["account","repository"]}}}`
	err := parseError(403, []byte(scope), "POST /repositories/acme/x")
	var se *ScopeError
	if !errors.As(err, &se) {
		t.Fatalf("403 with detail.required: got %T %v, want *ScopeError", err, err)
	}
	if strings.Join(se.Required, ",") != "repository:admin" || strings.Join(se.Granted, ",") != "account,repository" {
		t.Errorf("ScopeError = %+v", se)
	}
	if !strings.Contains(se.Error(), `"Repositories: Admin"`) {
		t.Errorf("ScopeError message does not name the checkbox: %s", se)
	}

	gone := `{"type":"error","error":{"message":"CHANGE-2770 - Functionality has been deprecated"}}`
	var re *RemovedError
	if err := parseError(410, []byte(gone), "GET /workspaces"); !errors.As(err, &re) || !strings.Contains(err.Error(), "CHANGE-2770") {
		t.Errorf("410: got %T %v", err, err)
	}

	var ae *AuthError
	expired := `{"type":"error","error":{"message":"Access token expired. Use your refresh token to obtain a new access token."}}`
	if err := parseError(401, []byte(expired), "GET /user"); !errors.As(err, &ae) || !ae.Expired {
		t.Errorf("401 expired: got %T %+v", err, err)
	}
	if err := parseError(401, []byte(`{"type":"error","error":{"message":"Invalid token"}}`), "GET /user"); !errors.As(err, &ae) || ae.Expired {
		t.Errorf("401 invalid: got %T %+v", err, err)
	}
	if err := parseError(401, []byte(`{"error":"invalid_token","error_description":"The access token expired"}`), "GET /user"); !errors.As(err, &ae) || !ae.Expired {
		t.Errorf("401 OAuth-style expired: got %T %+v", err, err)
	}
	if err := parseError(401, []byte(`{"type":"error","error":{"message":"Token is invalid, expired, or not supported for this endpoint."}}`), "GET /user"); !errors.As(err, &ae) || ae.Expired {
		t.Errorf("401 generic invalid token: got %T %+v, want not expired", err, err)
	}

	var api *APIError
	if err := parseError(403, []byte(`{"type":"error","error":{"message":"Access denied","detail":"You do not have access."}}`), "GET /repositories/x"); !errors.As(err, &api) || api.Status != 403 || !strings.Contains(api.Message, "You do not have access.") {
		t.Errorf("403 without scopes: got %T %+v", err, err)
	}
	if err := parseError(502, []byte("<html>bad gateway</html>"), "GET /user"); !errors.As(err, &api) || api.Status != 502 || api.Message != "" {
		t.Errorf("502 html: got %T %+v", err, err)
	} else if !strings.Contains(err.Error(), "GET /user") || !strings.Contains(err.Error(), "try again") {
		t.Errorf("502 message: %s", err)
	}
	huge := `{"type":"error","error":{"message":"` + strings.Repeat("x ", 5000) + `"}}`
	if err := parseError(400, []byte(huge), "POST /x"); len(err.Error()) > 600 {
		t.Errorf("a huge server message is not clipped: %d bytes", len(err.Error()))
	}
}

func TestDefaults(t *testing.T) {
	o := New("https://api.bitbucket.org/2.0/", nil, Options{}).Options()
	if o.Concurrency != 8 || o.NameConcurrency != 32 || o.RequestTimeout != 30*time.Second || o.MaxRetries != 4 ||
		o.BaseBackoff != 250*time.Millisecond || o.MaxBackoff != 8*time.Second {
		t.Errorf("defaults: %+v", o)
	}
	if o := New("x", nil, Options{MaxRetries: -1}).Options(); o.MaxRetries != 0 {
		t.Errorf("MaxRetries -1 -> %d, want 0", o.MaxRetries)
	}
}

func TestEndpointEscapes(t *testing.T) {
	c := New("http://127.0.0.1:9/2.0/", nil, Options{})
	got := c.endpoint(url.Values{"q": {`name ~ "a b"`}}, "repositories", "my ws", "a/b")
	want := `http://127.0.0.1:9/2.0/repositories/my%20ws/a%2Fb?q=name+~+%22a+b%22`
	if got != want {
		t.Errorf("endpoint = %s, want %s", got, want)
	}
	if op := c.op("GET", got); op != "GET /repositories/my%20ws/a%2Fb" {
		t.Errorf("op = %q", op)
	}
}

// fakeServer is a tiny Bitbucket stand-in for what the emulator cannot do on demand.
func fakeServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *Client) {
	t.Helper()
	srv := httptest.NewServer(h) // 127.0.0.1:0
	tr := &http.Transport{}
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	c := New(srv.URL+"/2.0", &http.Client{Transport: tr}, Options{
		BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, RequestTimeout: 5 * time.Second,
	})
	return srv, c
}

func TestNoRetryOn4xx(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 410, 422} {
		var calls atomic.Int32
		_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(status)
			fmt.Fprint(w, `{"type":"error","error":{"message":"no"}}`)
		})
		if _, err := c.CurrentUser(context.Background()); err == nil {
			t.Fatalf("%d: no error", status)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("%d: %d requests, want 1 (4xx is never retried)", status, n)
		}
	}
}

func TestRequestTimeoutPerAttempt(t *testing.T) {
	release := make(chan struct{})
	_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c.opts.RequestTimeout = 20 * time.Millisecond
	c.opts.MaxRetries = 1
	_, err := c.CurrentUser(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not answer GET /user within 20ms") {
		t.Fatalf("err = %v, want a per-request timeout", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err does not wrap context.DeadlineExceeded: %v", err)
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	var calls atomic.Int32
	_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(503)
	})
	c.opts.BaseBackoff, c.opts.MaxBackoff, c.opts.MaxRetries = time.Hour, time.Hour, 4
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for calls.Load() == 0 { // the first request is in; cancel during the backoff
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.CurrentUser(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := New(addr+"/2.0", &http.Client{Transport: tr}, Options{MaxRetries: 1, BaseBackoff: time.Millisecond})
	_, err := c.Workspaces(context.Background())
	if err == nil || !strings.Contains(err.Error(), "could not reach Bitbucket") || !strings.Contains(err.Error(), "check your network") {
		t.Fatalf("err = %v", err)
	}
}

func TestNotJSONBody(t *testing.T) {
	for name, body := range map[string]string{
		"html":      "<html><body>Log in</body></html>",
		"truncated": `{"values":[{"slug":"a"`,
		"empty":     "",
		"wrongtype": `{"values":"nope"}`,
	} {
		_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		})
		err := c.ListRepositories(context.Background(), "acme", ListOptions{}, nil)
		if err == nil || !strings.Contains(err.Error(), "is not the JSON the API sends") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestCreateRepositorySendsBody(t *testing.T) {
	var mu sync.Mutex
	var got, method, path string
	_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		method, path, got = r.Method, r.URL.EscapedPath(), string(body)
		mu.Unlock()
		w.WriteHeader(201)
		fmt.Fprint(w, `{"slug":"new-repo","name":"New Repo","full_name":"acme/new-repo","is_private":true,
			"project":{"key":"PRJ"},"links":{"html":{"href":"https://bitbucket.org/acme/new-repo"},
			"clone":[{"name":"https","href":"https://bitbucket.org/acme/new-repo.git"},{"name":"ssh","href":"git@bitbucket.org:acme/new-repo.git"}]},
			"updated_on":"2026-01-02T03:04:05.123456+00:00"}`)
	})
	r, err := c.CreateRepository(context.Background(), "acme", CreateRepo{Name: "New Repo", ProjectKey: "PRJ", Description: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if method != "POST" || path != "/2.0/repositories/acme/new-repo" {
		t.Errorf("request %s %s", method, path)
	}
	want := `{"description":"d","is_private":true,"name":"New Repo","project":{"key":"PRJ","type":"project"},"scm":"git","type":"repository"}`
	if got != want {
		t.Errorf("body %s\nwant %s", got, want)
	}
	if r.Slug != "new-repo" || r.ProjectKey != "PRJ" || r.CloneSSH != "git@bitbucket.org:acme/new-repo.git" ||
		r.CloneHTTPS == "" || r.HTMLURL == "" || r.UpdatedOn.IsZero() || !r.IsPrivate {
		t.Errorf("mapped %+v", r)
	}

	// Public, no project: no "project" key at all.
	if _, err := c.CreateRepository(context.Background(), "acme", CreateRepo{Name: "x", Public: true}); err != nil {
		t.Fatal(err)
	}
	if want := `{"description":"","is_private":false,"name":"x","scm":"git","type":"repository"}`; got != want {
		t.Errorf("body %s\nwant %s", got, want)
	}

	// An invalid slug never reaches the server.
	method = ""
	if _, err := c.CreateRepository(context.Background(), "acme", CreateRepo{Name: "x", Slug: "Bad Slug"}); err == nil || method != "" {
		t.Errorf("invalid slug: err=%v, request=%q", err, method)
	}
}

func TestTruncatedBodyIsRetried(t *testing.T) {
	var calls atomic.Int32
	_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Content-Length", "4096") // promise more than is sent
			fmt.Fprint(w, `{"uuid":"{u}","display_na`)
			return
		}
		fmt.Fprint(w, `{"uuid":"{u}","display_name":"Ada"}`)
	})
	u, err := c.CurrentUser(context.Background())
	if err != nil || u.DisplayName != "Ada" || calls.Load() != 2 {
		t.Fatalf("user %+v, err %v, %d requests; want a retry after the broken body", u, err, calls.Load())
	}
}

// tokenFailure stands in for the oauth transport's token error.
type tokenFailure struct{}

func (tokenFailure) Error() string { return "Bitbucket rejected the key and secret. Check them." }

type failingTransport struct{ calls atomic.Int32 }

func (f *failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return nil, tokenFailure{}
}

func TestTransportErrorPassesThrough(t *testing.T) {
	ft := &failingTransport{}
	c := New("http://127.0.0.1:9/2.0", &http.Client{Transport: ft}, Options{BaseBackoff: time.Millisecond})
	_, err := c.CurrentUser(context.Background())
	var tf tokenFailure
	if !errors.As(err, &tf) || err.Error() != tf.Error() {
		t.Fatalf("err = %v (%T), want the transport's own error unchanged", err, err)
	}
	if n := ft.calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestPageKey(t *testing.T) {
	a := pageKey("http://H/2.0/repositories/acme?pagelen=100&q=x")
	b := pageKey("http://h/2.0/repositories/acme?q=x&page=1&pagelen=100")
	if a != b {
		t.Errorf("%s != %s", a, b)
	}
	if pageKey("http://h/r?page=2") == pageKey("http://h/r?page=3") {
		t.Errorf("different pages share a key")
	}
}

func TestInvalidAPIURL(t *testing.T) {
	c := New("api.bitbucket.org", nil, Options{})
	_, err := c.CurrentUser(context.Background())
	if err == nil || !strings.Contains(err.Error(), "is not a valid URL") || !errors.Is(err, ErrCheckAPIURL) {
		t.Fatalf("err = %v", err)
	}
}

// A create whose connection drops before any answer: Bitbucket may have created the
// repository, so it is not sent again and the error says how to check, not "try again".
func TestCreateConnectionDropped(t *testing.T) {
	var calls atomic.Int32
	_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	})
	_, err := c.CreateRepository(context.Background(), "acme", CreateRepo{Name: "My Service"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"broke before it answered POST /repositories/acme/my-service",
		"may have created the repository acme/my-service", "list the repositories of acme", "before you try again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "then try again") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q tells to try again without checking, or is not one line", err)
	}
	var ue *CreateUncertainError
	if !errors.As(err, &ue) || ue.Workspace != "acme" || ue.Slug != "my-service" || ue.Name != "My Service" || ue.Created {
		t.Errorf("error %T is not a *CreateUncertainError for acme/my-service (My Service), not known created: %+v", err, ue)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1 (never sent twice)", n)
	}
	// Refused: nothing was sent, so the usual unreachable message.
	c2 := New("http://"+closedPort(t)+"/2.0", nil, Options{})
	_, err = c2.CreateRepository(context.Background(), "acme", CreateRepo{Name: "x"})
	if err == nil || !strings.Contains(err.Error(), "could not reach Bitbucket") || strings.Contains(err.Error(), "may have created") {
		t.Errorf("refused: %v", err)
	}
}

func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// A token request that fails (nothing listens on the token endpoint) is the oauth
// transport's *oauth.TokenError, passed through as it is: not blamed on the API host or
// --api-url, and not retried as if the API were unreachable.
func TestTokenEndpointFailurePassesThrough(t *testing.T) {
	var apiCalls atomic.Int32
	srv, _ := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		apiCalls.Add(1)
		fmt.Fprint(w, `{"uuid":"{u}","display_name":"Ada"}`)
	})
	ct := &countingTransport{base: &http.Transport{}}
	t.Cleanup(ct.base.CloseIdleConnections)
	ep := oauth.Endpoints{AuthURL: srv.URL + "/site/oauth2/authorize", TokenURL: "http://" + closedPort(t) + "/site/oauth2/access_token"}
	hc := oauth.ClientCredentialsClient(context.Background(), ep, "key", "secret-not-shown", &http.Client{Transport: ct})
	c := New(srv.URL+"/2.0", hc, Options{BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	_, err := c.CurrentUser(context.Background())
	var te *oauth.TokenError
	if !errors.As(err, &te) || err.Error() != te.Error() {
		t.Fatalf("err = %v (%T), want the *oauth.TokenError unchanged", err, err)
	}
	if errors.Is(err, ErrCheckAPIURL) || strings.Contains(err.Error(), "the API URL") || strings.Contains(err.Error(), "could not reach Bitbucket at") {
		t.Errorf("error %q blames the API host", err)
	}
	if n := ct.token.Load(); n != 1 {
		t.Errorf("%d token requests, want 1 (not retried)", n)
	}
	if n := apiCalls.Load(); n != 0 {
		t.Errorf("%d API requests without a token", n)
	}
}

// countingTransport counts the token requests that pass through it.
type countingTransport struct {
	base  *http.Transport
	token atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/site/oauth2/") {
		c.token.Add(1)
	}
	return c.base.RoundTrip(r)
}
