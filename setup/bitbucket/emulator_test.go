package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

const testAccount = "acc-ada"

var allScopes = []string{"account", "team", "project", "repository", "repository:write", "repository:admin", "webhook"}

type emuEnv struct {
	srv *bbemu.Server
	c   *Client
}

// startEmu starts an emulator on 127.0.0.1:0 with user Ada, workspace "acme" (admin)
// and a private consumer with scopes; setup adds more. The client authenticates with a
// client_credentials token from the emulator, as bbsetup's commands do.
func startEmu(tb testing.TB, scopes []string, opts Options, setup func(e *bbemu.Emulator)) *emuEnv {
	tb.Helper()
	e := bbemu.New(bbemu.Options{})
	e.AddUser(bbemu.User{UUID: "{0a0a0a0a-0000-4000-8000-000000000001}", AccountID: testAccount,
		DisplayName: "Ada Lovelace", Nickname: "ada"})
	e.AddWorkspace(bbemu.Workspace{Slug: "acme", Name: "Acme Corporation"}, map[string]bool{testAccount: true})
	e.AddConsumer(bbemu.Consumer{Key: "test-key", Secret: "test-secret-do-not-print", Name: "bbsetup tests",
		CallbackURL: "http://localhost:3001/bitbucket-auth-app/callback", Private: true,
		Scopes: scopes, Owner: testAccount})
	if setup != nil {
		setup(e)
	}
	srv, err := bbemu.Start(e)
	if err != nil {
		tb.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 32}
	tb.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
		for _, r := range srv.Controls().Log() {
			if r.Path == "/2.0/workspaces" || strings.HasPrefix(r.Path, "/2.0/user/permissions/") {
				tb.Errorf("the client called a removed (deprecated) operation: %s %s", r.Method, r.Path)
			}
		}
	})
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: tr})
	cfg := clientcredentials.Config{ClientID: "test-key", ClientSecret: "test-secret-do-not-print",
		TokenURL: srv.URL + "/site/oauth2/access_token", AuthStyle: oauth2.AuthStyleInHeader}
	if opts.BaseBackoff == 0 {
		opts.BaseBackoff, opts.MaxBackoff = time.Millisecond, 10*time.Millisecond
	}
	return &emuEnv{srv: srv, c: New(srv.APIURL, cfg.Client(ctx), opts)}
}

// apiLog is the emulator's log of requests under prefix.
func (env *emuEnv) apiLog(prefix string) []bbemu.Request {
	var out []bbemu.Request
	for _, r := range env.srv.Controls().Log() {
		if strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

func TestEmuCurrentUser(t *testing.T) {
	env := startEmu(t, allScopes, Options{}, nil)
	u, err := env.c.CurrentUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if u.AccountID != testAccount || u.DisplayName != "Ada Lovelace" || u.Nickname != "ada" ||
		u.UUID != "{0a0a0a0a-0000-4000-8000-000000000001}" {
		t.Errorf("user %+v", u)
	}
}

// TestEmuCurrentUserErrors: GET /user without a token, on a closed port and without the
// account scope (it was oauth's WhoAmI test; GET /user has one home now, this client).
func TestEmuCurrentUserErrors(t *testing.T) {
	env := startEmu(t, []string{"repository"}, Options{}, nil)
	ctx := context.Background()
	_, err := New(env.srv.APIURL, nil, Options{MaxRetries: -1}).CurrentUser(ctx)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Errorf("no token: %v, want *AuthError 401", err)
	}
	_, err = New("http://"+closedPort(t)+"/2.0", nil, Options{MaxRetries: -1}).CurrentUser(ctx)
	if err == nil || !strings.Contains(err.Error(), "could not reach Bitbucket") || !errors.Is(err, ErrCheckAPIURL) {
		t.Errorf("unreachable: %v", err)
	}
	_, err = env.c.CurrentUser(ctx)
	var se *ScopeError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "Account: Read") {
		t.Errorf("without the account scope: %v, want a *ScopeError naming Account: Read", err)
	}
}

func TestEmuWorkspacesWithNames(t *testing.T) {
	env := startEmu(t, allScopes, Options{NameConcurrency: 4}, func(e *bbemu.Emulator) {
		e.AddWorkspace(bbemu.Workspace{Slug: "zeta", Name: "Zeta Team"}, map[string]bool{testAccount: false})
		e.AddWorkspace(bbemu.Workspace{Slug: "beta", Name: "Beta Labs"}, map[string]bool{testAccount: false})
		e.AddWorkspace(bbemu.Workspace{Slug: "hidden", Name: "Not Mine"}, map[string]bool{"someone-else": true})
		for i := range 120 { // more than one page of workspaces
			e.AddWorkspace(bbemu.Workspace{Slug: fmt.Sprintf("w%03d", i), Name: fmt.Sprintf("Workspace %d", i)},
				map[string]bool{testAccount: false})
		}
	})
	env.srv.Controls().SetLatency(5 * time.Millisecond)
	env.srv.Controls().SetFaults(bbemu.Fault{Method: "GET", PathPrefix: "/2.0/workspaces/beta", Kind: bbemu.FaultStatus, Status: 500})
	ws, err := env.c.Workspaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 123 {
		t.Fatalf("%d workspaces, want 123", len(ws))
	}
	if !slices.IsSortedFunc(ws, func(a, b Workspace) int { return strings.Compare(a.Slug, b.Slug) }) {
		t.Errorf("not sorted by slug")
	}
	byslug := map[string]Workspace{}
	for _, w := range ws {
		byslug[w.Slug] = w
	}
	if w := byslug["acme"]; w.Name != "Acme Corporation" || !w.Administrator || w.UUID == "" || !strings.HasSuffix(w.HTMLURL, "/acme/") {
		t.Errorf("acme = %+v", w)
	}
	if w := byslug["zeta"]; w.Name != "Zeta Team" || w.Administrator {
		t.Errorf("zeta = %+v", w)
	}
	if w := byslug["beta"]; w.Name != "beta" || w.HTMLURL != "" {
		t.Errorf("beta (failing name look-up) = %+v, want the slug as its name", w)
	}
	if _, ok := byslug["hidden"]; ok {
		t.Errorf("a workspace the user is not a member of was listed")
	}
	names := env.apiLog("/2.0/workspaces/")
	maxIn := 0
	for _, r := range names {
		maxIn = max(maxIn, r.InFlight)
	}
	if maxIn > 4 || maxIn < 2 {
		t.Errorf("name look-ups: max in flight %d, want 2..4 (NameConcurrency 4)", maxIn)
	}
	if pages := env.apiLog("/2.0/user/workspaces"); len(pages) != 2 {
		t.Errorf("%d requests to /user/workspaces, want 2 pages", len(pages))
	}
}

func TestEmuList10000Concurrent(t *testing.T) {
	const n, conc = 10000, 8
	env := startEmu(t, allScopes, Options{Concurrency: conc}, func(e *bbemu.Emulator) {
		e.GenerateRepos("acme", n)
	})
	env.srv.Controls().SetLatency(20 * time.Millisecond)
	env.srv.Controls().ResetLog()
	seen := map[string]int{}
	calls, lastLoaded := 0, 0
	err := env.c.ListRepositories(context.Background(), "acme", ListOptions{}, func(b []Repository, loaded, total int) {
		calls++
		if calls == 1 {
			// Incremental: the first page is in hand before the rest has been fetched.
			// At most one page per worker can have completed meanwhile (each worker
			// waits for this call before it can hand over its page).
			done := 0
			for _, r := range env.apiLog("/2.0/repositories/acme") {
				if !r.End.IsZero() {
					done++
				}
			}
			if loaded != 100 || total != n || done > 1+conc {
				t.Errorf("first batch: loaded %d total %d with %d pages complete; want 100, %d, <= %d", loaded, total, done, n, 1+conc)
			}
		}
		if loaded != lastLoaded+len(b) {
			t.Errorf("loaded %d after %d + %d", loaded, lastLoaded, len(b))
		}
		lastLoaded = loaded
		for _, r := range b {
			seen[r.Slug]++
			if r.FullName != "acme/"+r.Slug || r.UUID == "" || r.HTMLURL == "" || r.CloneHTTPS == "" ||
				r.CloneSSH == "" || r.ProjectKey == "" || r.UpdatedOn.IsZero() {
				t.Fatalf("incomplete repository %+v", r)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || lastLoaded != n {
		t.Fatalf("%d distinct repositories, loaded %d; want %d", len(seen), lastLoaded, n)
	}
	for s, k := range seen {
		if k != 1 {
			t.Fatalf("%s delivered %d times", s, k)
		}
	}
	log := env.apiLog("/2.0/repositories/acme")
	if max := (n+99)/100 + 1; len(log) > max {
		t.Errorf("%d requests for %d repositories, want at most %d", len(log), n, max)
	}
	pages := map[string]bool{}
	maxIn := 0
	for _, r := range log {
		q, _ := url.ParseQuery(r.RawQuery)
		p := q.Get("page")
		if pages[p] {
			t.Errorf("page %q fetched twice", p)
		}
		pages[p] = true
		if q.Get("pagelen") != "100" || q.Has("role") {
			t.Errorf("query %s", r.RawQuery)
		}
		maxIn = max(maxIn, r.InFlight)
	}
	if maxIn > conc || maxIn < 2 {
		t.Errorf("max in flight %d, want 2..%d", maxIn, conc)
	}
}

func TestEmuListFilter(t *testing.T) {
	env := startEmu(t, allScopes, Options{}, func(e *bbemu.Emulator) {
		e.GenerateRepos("acme", 300)
		e.AddRepos("acme",
			bbemu.Repo{Slug: "payments-api", Name: "Payments API"},
			bbemu.Repo{Slug: "quoted", Name: `say "hi" \ there`},
			bbemu.Repo{Slug: "web", Name: "Web"})
	})
	var got []string
	collectSlugs := func(b []Repository, _, _ int) {
		for _, r := range b {
			got = append(got, r.Slug)
		}
	}
	if err := env.c.ListRepositories(context.Background(), "acme", ListOptions{Filter: "PAYMENTS"}, collectSlugs); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"payments-api"}) {
		t.Errorf("filter PAYMENTS: %v", got)
	}
	got = nil
	if err := env.c.ListRepositories(context.Background(), "acme", ListOptions{Filter: `"hi" \`}, collectSlugs); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"quoted"}) {
		t.Errorf(`filter "hi" \: %v`, got)
	}
	got = nil
	if err := env.c.ListRepositories(context.Background(), "acme", ListOptions{Filter: "no such repository"}, collectSlugs); err != nil || len(got) != 0 {
		t.Errorf("no match: %v %v", got, err)
	}
}

func TestEmuRetries(t *testing.T) {
	for _, ra := range []string{"", "1"} {
		env := startEmu(t, allScopes, Options{}, func(e *bbemu.Emulator) { e.GenerateRepos("acme", 250) })
		env.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/repositories/acme", Times: 2, Kind: bbemu.FaultStatus, Status: 429, RetryAfter: ra})
		n := 0
		if err := env.c.ListRepositories(context.Background(), "acme", ListOptions{}, func(b []Repository, _, _ int) { n += len(b) }); err != nil {
			t.Fatalf("Retry-After %q: %v", ra, err)
		}
		if n != 250 {
			t.Errorf("Retry-After %q: %d repositories", ra, n)
		}
		var statuses []int
		for _, r := range env.apiLog("/2.0/repositories/acme") {
			statuses = append(statuses, r.Status)
		}
		if len(statuses) != 5 || statuses[0] != 429 || statuses[1] != 429 {
			t.Errorf("Retry-After %q: statuses %v, want 429 429 then 3 pages", ra, statuses)
		}
	}

	// 5xx forever: 1 + MaxRetries requests, then the typed error.
	env := startEmu(t, allScopes, Options{MaxRetries: 2}, nil)
	env.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/repositories/acme", Kind: bbemu.FaultStatus, Status: 503})
	err := env.c.ListRepositories(context.Background(), "acme", ListOptions{}, nil)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 503 || !strings.Contains(err.Error(), "try again in a few minutes") {
		t.Fatalf("err = %v", err)
	}
	if k := len(env.apiLog("/2.0/repositories/acme")); k != 3 {
		t.Errorf("%d requests, want 3", k)
	}
}

func TestEmuTransportFaultsAreRetried(t *testing.T) {
	for _, kind := range []bbemu.FaultKind{bbemu.FaultHang, bbemu.FaultReset} {
		env := startEmu(t, allScopes, Options{RequestTimeout: 200 * time.Millisecond}, func(e *bbemu.Emulator) { e.GenerateRepos("acme", 150) })
		env.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/repositories/acme", Times: 1, Kind: kind})
		n := 0
		if err := env.c.ListRepositories(context.Background(), "acme", ListOptions{}, func(b []Repository, _, _ int) { n += len(b) }); err != nil {
			t.Fatalf("%v: %v", kind, err)
		}
		if n != 150 {
			t.Errorf("%v: %d repositories", kind, n)
		}
	}
}

func TestEmuBrokenAnswers(t *testing.T) {
	tests := []struct {
		kind bbemu.FaultKind
		want string
	}{
		{bbemu.FaultMalformedJSON, "is not the JSON the API sends"},
		{bbemu.FaultHugeBody, "larger than 16 MB"},
	}
	for _, tt := range tests {
		env := startEmu(t, allScopes, Options{}, func(e *bbemu.Emulator) { e.GenerateRepos("acme", 50) })
		env.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/repositories/acme", Kind: tt.kind})
		err := env.c.ListRepositories(context.Background(), "acme", ListOptions{}, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.kind, err, tt.want)
		}
		if k := len(env.apiLog("/2.0/repositories/acme")); k != 1 {
			t.Errorf("%v: %d requests, want 1 (not retried)", tt.kind, k)
		}
	}
}

func TestEmuRepeatingNext(t *testing.T) {
	env := startEmu(t, allScopes, Options{}, func(e *bbemu.Emulator) { e.GenerateRepos("acme", 500) })
	env.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/repositories/acme", Kind: bbemu.FaultRepeatNext})
	n := 0
	if err := env.c.ListRepositories(context.Background(), "acme", ListOptions{}, func(b []Repository, _, _ int) { n += len(b) }); err != nil {
		t.Fatal(err)
	}
	if k := len(env.apiLog("/2.0/repositories/acme")); k != 1 || n != 100 {
		t.Errorf("%d requests, %d repositories; want 1 and 100", k, n)
	}
}

func TestEmuSizeThatLies(t *testing.T) {
	env := startEmu(t, allScopes, Options{Concurrency: 4}, func(e *bbemu.Emulator) { e.GenerateRepos("acme", 250) })
	env.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/repositories/acme", Kind: bbemu.FaultLieSize})
	seen := map[string]int{}
	if err := env.c.ListRepositories(context.Background(), "acme", ListOptions{}, func(b []Repository, _, _ int) {
		for _, r := range b {
			seen[r.Slug]++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 250 {
		t.Errorf("%d repositories, want 250", len(seen))
	}
	for s, k := range seen {
		if k != 1 {
			t.Errorf("%s delivered %d times", s, k)
		}
	}
	// size claims 800 (8 pages); pages 4.. are empty and stop the listing. Workers may
	// have taken at most one page each past the end.
	if k := len(env.apiLog("/2.0/repositories/acme")); k > 3+4 {
		t.Errorf("%d requests, want at most 7", k)
	}
}

func TestEmuProjects(t *testing.T) {
	env := startEmu(t, allScopes, Options{}, func(e *bbemu.Emulator) {
		e.AddProject("acme", bbemu.Project{Key: "WEB", Name: "Web", IsPrivate: true})
		e.AddProject("acme", bbemu.Project{Key: "API", Name: "Api", IsPrivate: false})
	})
	ps, err := env.c.Projects(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Key != "API" || ps[0].IsPrivate || ps[1].Name != "Web" || !ps[1].IsPrivate || ps[0].UUID == "" {
		t.Errorf("projects %+v", ps)
	}
	_, err = env.c.Projects(context.Background(), "nope")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 404 || !strings.Contains(err.Error(), "check the workspace") {
		t.Errorf("unknown workspace: %v", err)
	}
}

func TestEmuCreateRepository(t *testing.T) {
	env := startEmu(t, allScopes, Options{}, func(e *bbemu.Emulator) {
		e.AddProject("acme", bbemu.Project{Key: "OLD", Name: "Oldest", CreatedOn: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
		e.AddProject("acme", bbemu.Project{Key: "WEB", Name: "Web", CreatedOn: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)})
	})
	ctx := context.Background()
	r, err := env.c.CreateRepository(ctx, "acme", CreateRepo{Name: "Checkout Service", ProjectKey: "WEB", Description: "payments"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Slug != "checkout-service" || r.Name != "Checkout Service" || r.FullName != "acme/checkout-service" ||
		!r.IsPrivate || r.ProjectKey != "WEB" || r.Description != "payments" || r.CloneSSH == "" {
		t.Errorf("created %+v", r)
	}
	r, err = env.c.CreateRepository(ctx, "acme", CreateRepo{Name: "Open Thing", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.IsPrivate || r.ProjectKey != "OLD" {
		t.Errorf("public, no project: %+v (want public, in the oldest project)", r)
	}

	_, err = env.c.CreateRepository(ctx, "acme", CreateRepo{Name: "checkout service"})
	var ee *ExistsError
	if !errors.As(err, &ee) || ee.Slug != "checkout-service" || ee.Workspace != "acme" {
		t.Fatalf("second create: %v, want *ExistsError", err)
	}
	if !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "choose another name") {
		t.Errorf("message: %s", err)
	}
	var names []string
	_ = env.c.ListRepositories(ctx, "acme", ListOptions{}, func(b []Repository, _, _ int) {
		for _, r := range b {
			names = append(names, r.Slug)
		}
	})
	slices.Sort(names)
	if !slices.Equal(names, []string{"checkout-service", "open-thing"}) {
		t.Errorf("after create: %v", names)
	}
	posts := 0
	for _, r := range env.apiLog("/2.0/repositories/acme/") {
		if r.Method == "POST" {
			posts++
		}
	}
	if posts != 3 {
		t.Errorf("%d POSTs, want 3 (400 exists is not retried)", posts)
	}
}

func TestEmuScopeError(t *testing.T) {
	env := startEmu(t, []string{"account", "repository"}, Options{}, nil)
	_, err := env.c.CreateRepository(context.Background(), "acme", CreateRepo{Name: "x"})
	var se *ScopeError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want *ScopeError", err, err)
	}
	if !slices.Equal(se.Required, []string{"repository:admin"}) || !slices.Contains(se.Granted, "repository") {
		t.Errorf("ScopeError %+v", se)
	}
	if !strings.Contains(err.Error(), `tick "Repositories: Admin"`) {
		t.Errorf("message does not say which box to tick: %s", err)
	}
	if strings.Contains(err.Error(), "test-secret") {
		t.Errorf("message leaks the secret")
	}
	_, err = env.c.Projects(context.Background(), "acme")
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `"Projects: Read"`) {
		t.Errorf("projects without the project scope: %v", err)
	}
}

func TestEmuRemovedAndExpired(t *testing.T) {
	env := startEmu(t, allScopes, Options{}, nil)
	env.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/repositories/acme", Times: 1, Kind: bbemu.FaultStatus, Status: 410})
	err := env.c.ListRepositories(context.Background(), "acme", ListOptions{}, nil)
	var re *RemovedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "CHANGE-2770") || !strings.Contains(err.Error(), "update bbsetup") {
		t.Fatalf("410: %v", err)
	}
	if k := len(env.apiLog("/2.0/repositories/acme")); k != 1 {
		t.Errorf("410 retried: %d requests", k)
	}

	env.srv.Controls().ExpireAccessTokens()
	_, err = env.c.CurrentUser(context.Background())
	var ae *AuthError
	if !errors.As(err, &ae) || !ae.Expired || ae.Status != 401 {
		t.Fatalf("expired token: %v", err)
	}
}

func TestEmuCancelStopsEverything(t *testing.T) {
	env := startEmu(t, allScopes, Options{}, func(e *bbemu.Emulator) { e.GenerateRepos("acme", 2000) })
	env.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/repositories/acme", Kind: bbemu.FaultHang})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- env.c.ListRepositories(ctx, "acme", ListOptions{}, nil) }()
	for len(env.apiLog("/2.0/repositories/acme")) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ListRepositories did not return after cancel")
	}
}

func TestEmuDebugLogHasNoSecrets(t *testing.T) {
	var buf strings.Builder
	env := startEmu(t, allScopes, Options{Debug: &lockedBuilder{b: &buf}}, nil)
	if _, err := env.c.Workspaces(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := buf.String()
	if !strings.Contains(log, "bitbucket: GET /user/workspaces: 200 after") || !strings.Contains(log, "GET /workspaces/acme: 200") {
		t.Errorf("debug log:\n%s", log)
	}
	if strings.Contains(log, "test-secret") || strings.Contains(strings.ToLower(log), "bearer") {
		t.Errorf("debug log leaks a secret:\n%s", log)
	}
}

type lockedBuilder struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
