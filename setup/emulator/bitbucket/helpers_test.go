package bitbucket

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	alice = "acc-alice" // admin of acme, member of labs
	bob   = "acc-bob"   // admin of labs and secret
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is a small Bitbucket on loopback: two users, three workspaces, a few
// repositories, and consumers for every OAuth case.
type world struct {
	t     *testing.T
	s     *Server
	hc    *http.Client
	clock *clock
}

// Consumers of the test world.
var (
	full = Consumer{Key: "fullkey0123456789a", Secret: "fullsecret-0123456789abcdefghijkl", Name: "Amplication",
		CallbackURL: "http://localhost:3001/bitbucket-auth-app/callback", Private: true, Owner: alice,
		Scopes: []string{"account", "team", "project", "repository", "repository:write", "repository:admin", "pullrequest", "webhook"}}
	public = Consumer{Key: "publickey", Secret: "publicsecret", Name: "Public app",
		CallbackURL: "http://localhost:3001/cb", Scopes: []string{"account"}}
	noCallback = Consumer{Key: "nocbkey", Secret: "nocbsecret", Name: "No callback", Private: true,
		Owner: alice, Scopes: []string{"account"}}
	narrow = Consumer{Key: "narrowkey", Secret: "narrowsecret", Name: "Narrow", Private: true,
		CallbackURL: "http://localhost:9/cb", Owner: alice, Scopes: []string{"account"}}
	bobs = Consumer{Key: "bobkey", Secret: "bobsecret", Name: "Bob's", Private: true,
		CallbackURL: "http://localhost:9/cb", Owner: bob, Scopes: []string{"account", "repository", "project"}}
)

func newWorld(t *testing.T, opts Options) *world {
	t.Helper()
	c := &clock{t: t0}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	e := New(opts)
	e.AddUser(User{AccountID: alice, DisplayName: "Alice Admin", Nickname: "alice"})
	e.AddUser(User{AccountID: bob, DisplayName: "Bob Builder", Nickname: "bob", UUID: "{b0b0b0b0-0000-4000-8000-000000000001}"})
	e.AddWorkspace(Workspace{Slug: "acme", Name: "Acme Corp"}, map[string]bool{alice: true})
	e.AddWorkspace(Workspace{Slug: "labs", Name: "Labs"}, map[string]bool{alice: false, bob: true})
	e.AddWorkspace(Workspace{Slug: "secret", Name: "Secret"}, map[string]bool{bob: true})
	// NEW is added first but OLD is older: OLD is the default project.
	e.AddProject("acme", Project{Key: "NEW", Name: "Newer", IsPrivate: true, CreatedOn: t0.AddDate(0, 0, -1)})
	e.AddProject("acme", Project{Key: "OLD", Name: "Older", IsPrivate: false, CreatedOn: t0.AddDate(-1, 0, 0)})
	e.AddProject("secret", Project{Key: "SEC", Name: "Hidden", IsPrivate: true})
	e.AddRepos("acme",
		Repo{Slug: "billing-api", Name: "Billing API", ProjectKey: "NEW", IsPrivate: true,
			CreatedOn: t0.AddDate(0, -3, 0), UpdatedOn: t0.AddDate(0, 0, -2), Description: "Invoices"},
		Repo{Slug: "web", Name: "Web", ProjectKey: "OLD", IsPrivate: false,
			CreatedOn: t0.AddDate(0, -2, 0), UpdatedOn: t0.AddDate(0, 0, -1)},
		Repo{Slug: "billing-worker", Name: "billing worker", ProjectKey: "OLD", IsPrivate: true,
			CreatedOn: t0.AddDate(0, -1, 0), UpdatedOn: t0.AddDate(0, 0, -3)},
	)
	e.AddRepos("secret", Repo{Slug: "vault", ProjectKey: "SEC", IsPrivate: true})
	for _, c := range []Consumer{full, public, noCallback, narrow, bobs} {
		e.AddConsumer(c)
	}
	s, err := Start(e)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{},
	}
	t.Cleanup(func() {
		hc.CloseIdleConnections()
		s.Close()
	})
	return &world{t: t, s: s, hc: hc, clock: c}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func (w *world) do(req *http.Request) resp {
	w.t.Helper()
	res, err := w.hc.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		w.t.Fatalf("read body: %v", err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// get fetches path (relative to the server, or absolute) with a Bearer token ("" = none).
func (w *world) get(path, token string) resp {
	w.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = w.s.URL + path
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return w.do(req)
}

func (w *world) postJSON(path, token, body string) resp {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.s.URL+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return w.do(req)
}

// tokenReq posts a form to the token endpoint; basic authenticates with it when set.
func (w *world) tokenReq(basic *Consumer, form url.Values) resp {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.s.URL+"/site/oauth2/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		req.SetBasicAuth(basic.Key, basic.Secret)
	}
	return w.do(req)
}

// token gets an access token for c with the client_credentials grant.
func (w *world) token(c Consumer) string {
	w.t.Helper()
	r := w.tokenReq(&c, url.Values{"grant_type": {"client_credentials"}})
	if r.status != http.StatusOK {
		w.t.Fatalf("client_credentials for %s: %d %s", c.Key, r.status, r.body)
	}
	return r.json(w.t)["access_token"].(string)
}

// jsonEq fails unless got is the JSON value want (same keys, same values, any order).
func jsonEq(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, x any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &x); err != nil {
		t.Fatalf("bad want: %v", err)
	}
	if !reflect.DeepEqual(g, x) {
		t.Errorf("body:\n got %s\nwant %s", bytes.TrimSpace(got), want)
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// waitFor polls cond until it holds, failing after a bounded time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(5 * time.Millisecond):
		}
	}
}
