package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// fakeBackend is a configurable in-memory Backend, and the Bitbucket API its
// authorizations return. Zero gates mean "answer at once"; a gate makes the call wait until
// the gate is closed (or receives) or its context is done, so a test can look at the screen
// while something is in flight.
type fakeBackend struct {
	mu sync.Mutex

	checkout  Checkout
	findErr   error // returned for dir == "" (auto-detect)
	findCalls []string

	verdicts    []Verdict // CheckCredentials answers in order; the last one repeats
	checkGate   chan struct{}
	checkCalls  []Credentials
	checkCtxErr error // the context error CheckCredentials saw when it returned
	// configuredCalls are the checkouts CheckConfigured was asked about.
	configuredCalls []Checkout

	plan       EnvPlan
	planErr    error
	planCalls  int
	planCOs    []Checkout // the checkouts PlanEnv was given
	results    []FileResult
	applyErr   error
	applyCalls int
	applyGate  chan struct{} // the plan's Apply blocks on it (the write in flight)

	sess       AuthSession
	startErr   error
	startCalls []Credentials
	startCOs   []Checkout    // the checkouts StartAuth was given
	waitGate   chan struct{} // the session's Wait blocks on it
	waitID     Identity
	waitErr    error
	waitCtxErr error
	pasteID    Identity
	pasteErr   error
	pasted     []string
	authAPI    Bitbucket // what authorizations return as the API (nil: the fake itself)

	opened  []string
	openErr error

	workspaces []Workspace
	wsErr      error
	wsGate     chan struct{}
	wsCalls    int

	repos      map[string][]Repo
	batchSize  int
	batchGate  chan struct{} // each batch after the first waits for a receive
	listErr    error
	listCalls  []string // filters
	searchGate chan struct{}

	projects []Project
	projErr  error
	projGate chan struct{} // Projects blocks on it

	created     []NewRepo
	existsCalls []string // the slugs RepoExists was asked about
	createErr   error
	createGate  chan struct{} // CreateRepo blocks on it (a create in flight)

	amp *fakeAmp // the Amplication server (answers by default; skipped by the walkers)

	// blocked counts calls waiting on a gate, so the harness knows when everything still
	// in flight is parked on purpose.
	blocked atomic.Int64
}

const testSecret = "s3cr3tS3CR3Tsecret9876"

func testRows() []PermissionRow {
	return []PermissionRow{
		{Row: "Account", Levels: "Read"},
		{Row: "Workspace membership", Levels: "Read, Write"},
		{Row: "Projects", Levels: "Read, Admin"},
		{Row: "Repositories", Levels: "Read, Write, Admin"},
		{Row: "Pull requests", Levels: "Read, Write"},
		{Row: "Webhooks", Levels: "Read and write"},
	}
}

func newFake() *fakeBackend {
	root := "/home/op/amplication"
	f := &fakeBackend{
		checkout: Checkout{
			Root:        root,
			Layout:      "older",
			ServerEnv:   root + "/packages/amplication-server/.env.local",
			PREnvs:      []string{root + "/packages/amplication-git-pull-request-service/.env.local"},
			CallbackURL: "http://localhost:3001/bitbucket-auth-app/callback",
			Services: []string{
				"npx nx serve amplication-server", "npx nx serve amplication-client",
				"npx nx serve amplication-git-pull-request-service", "npx nx serve amplication-build-manager",
				"npx nx serve local-data-service-generator-controller",
			},
		},
		verdicts: []Verdict{{Kind: VerdictOK, Granted: []string{"Account: Read", "Webhooks: Read and write"}}},
		plan: EnvPlan{Files: []FilePlan{
			{Path: root + "/packages/amplication-server/.env.local", Changed: true, Exists: true,
				Diff: "--- a/.env.local\n+++ b/.env.local\n@@ -1,2 +1,3 @@\n-BITBUCKET_CLIENT_ID=[bitbucket-client-id]\n+BITBUCKET_CLIENT_ID=KEY123\n+BITBUCKET_CLIENT_SECRET=••••9876\n+BILLING_ENABLED=false\n"},
			{Path: root + "/packages/amplication-git-pull-request-service/.env.local", Changed: true,
				Diff: "--- /dev/null\n+++ b/.env.local\n@@ -0,0 +1,2 @@\n+BITBUCKET_CLIENT_ID=KEY123\n+BITBUCKET_CLIENT_SECRET=••••9876\n"},
		}},
		results: []FileResult{
			{Path: root + "/packages/amplication-server/.env.local", Changed: true, Backup: root + "/packages/amplication-server/.env.local.bak"},
			{Path: root + "/packages/amplication-git-pull-request-service/.env.local", Changed: true},
		},
		sess:   AuthSession{URL: "https://bitbucket.org/site/oauth2/authorize?client_id=KEY123&response_type=code&state=xyz"},
		waitID: Identity{DisplayName: "Demo Operator", Nickname: "demo", Granted: []string{"Account: Read", "Repositories: Admin"}},
		pasteID: Identity{DisplayName: "Demo Operator", Nickname: "demo",
			Granted: []string{"Account: Read"}},
		workspaces: []Workspace{{Slug: "acme", Name: "Acme Inc", Admin: true}, {Slug: "acme-labs", Name: "Acme Labs"}, {Slug: "playground", Name: "Playground"}},
		repos:      map[string][]Repo{"acme": genRepos("acme", 30)},
		batchSize:  10,
		projects:   []Project{{Key: "PROJ", Name: "Project"}, {Key: "WEB", Name: "Web apps"}},
	}
	f.amp = newFakeAmp(f)
	return f
}

func genRepos(ws string, n int) []Repo {
	out := make([]Repo, n)
	for i := range out {
		slug := fmt.Sprintf("service-%05d", i)
		if i%7 == 0 {
			slug = fmt.Sprintf("api-gateway-%05d", i)
		}
		out[i] = Repo{
			Slug: slug, Name: strings.ReplaceAll(slug, "-", " "), FullName: ws + "/" + slug,
			HTMLURL:    "https://bitbucket.org/" + ws + "/" + slug,
			CloneHTTPS: "https://bitbucket.org/" + ws + "/" + slug + ".git",
			CloneSSH:   "git@bitbucket.org:" + ws + "/" + slug + ".git",
			Private:    i%5 != 0, Project: "PROJ",
		}
	}
	return out
}

func (f *fakeBackend) wait(ctx context.Context, gate chan struct{}) error {
	if gate == nil {
		return nil
	}
	f.blocked.Add(1)
	defer f.blocked.Add(-1)
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeBackend) FindCheckout(dir string) (Checkout, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.findCalls = append(f.findCalls, dir)
	if dir == "" && f.findErr != nil {
		return Checkout{}, f.findErr
	}
	if dir == "/nowhere" {
		return Checkout{}, errors.New("no Amplication checkout at or above /nowhere")
	}
	co := f.checkout
	if dir != "" {
		co.Root = dir
	}
	return co, nil
}

func (f *fakeBackend) CheckCredentials(ctx context.Context, c Credentials) Verdict {
	f.mu.Lock()
	f.checkCalls = append(f.checkCalls, c)
	gate := f.checkGate
	f.mu.Unlock()
	if err := f.wait(ctx, gate); err != nil {
		f.mu.Lock()
		f.checkCtxErr = err
		f.mu.Unlock()
		return Verdict{Kind: VerdictNetwork, Message: err.Error()}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.verdicts[0]
	if len(f.verdicts) > 1 {
		f.verdicts = f.verdicts[1:]
	}
	return v
}

func (f *fakeBackend) CheckConfigured(ctx context.Context, co Checkout) Verdict {
	f.mu.Lock()
	f.configuredCalls = append(f.configuredCalls, co)
	f.mu.Unlock()
	// The same answers as CheckCredentials, without recording a typed key.
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.verdicts[0]
	if len(f.verdicts) > 1 {
		f.verdicts = f.verdicts[1:]
	}
	return v
}

func (f *fakeBackend) Permissions() []PermissionRow { return testRows() }

func (f *fakeBackend) SettingsURL(ws string) string {
	return "https://bitbucket.org/" + ws + "/workspace/settings/api"
}

func (f *fakeBackend) PlanEnv(ctx context.Context, co Checkout, c Credentials) (EnvPlan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.planCalls++
	f.planCOs = append(f.planCOs, co)
	p := f.plan
	p.Files = slices.Clone(p.Files)
	p.Applier = fakeApplier{f}
	return p, f.planErr
}

// fakeApplier is the fake's EnvApplier.
type fakeApplier struct{ f *fakeBackend }

func (a fakeApplier) Apply(ctx context.Context) ([]FileResult, error) {
	f := a.f
	f.mu.Lock()
	gate := f.applyGate
	f.mu.Unlock()
	if err := f.wait(ctx, gate); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applyCalls++
	return f.results, f.applyErr
}

func (f *fakeBackend) StartAuth(ctx context.Context, co Checkout, c Credentials) (AuthSession, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.startCalls = append(f.startCalls, c)
	f.startCOs = append(f.startCOs, co)
	s := f.sess
	s.Flow = fakeFlow{f}
	return s, f.startErr
}

// fakeFlow is the fake's AuthFlow; its account's API is the fake itself.
type fakeFlow struct{ f *fakeBackend }

func (fl fakeFlow) Wait(ctx context.Context) (Authorized, error) {
	id, err := fl.f.waitAuth(ctx)
	return Authorized{Identity: id, API: fl.api()}, err
}

func (fl fakeFlow) Paste(ctx context.Context, pasted string) (Authorized, error) {
	id, err := fl.f.pasteAuth(ctx, pasted)
	return Authorized{Identity: id, API: fl.api()}, err
}

func (fl fakeFlow) api() Bitbucket {
	fl.f.mu.Lock()
	defer fl.f.mu.Unlock()
	if fl.f.authAPI != nil {
		return fl.f.authAPI
	}
	return fl.f
}

func (f *fakeBackend) waitAuth(ctx context.Context) (Identity, error) {
	f.mu.Lock()
	gate := f.waitGate
	f.mu.Unlock()
	if err := f.wait(ctx, gate); err != nil {
		f.mu.Lock()
		f.waitCtxErr = err
		f.mu.Unlock()
		return Identity{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.waitID, f.waitErr
}

func (f *fakeBackend) pasteAuth(ctx context.Context, pasted string) (Identity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pasted = append(f.pasted, pasted)
	if !strings.Contains(pasted, "code=") {
		return Identity{}, errors.New("the pasted text has no code: paste the whole URL from the address bar")
	}
	return f.pasteID, f.pasteErr
}

func (f *fakeBackend) OpenBrowser(url string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened = append(f.opened, url)
	return f.openErr
}

func (f *fakeBackend) Workspaces(ctx context.Context) ([]Workspace, error) {
	f.mu.Lock()
	f.wsCalls++
	gate := f.wsGate
	f.mu.Unlock()
	if err := f.wait(ctx, gate); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.workspaces, f.wsErr
}

func (f *fakeBackend) ListRepos(ctx context.Context, ws, filter string, fn func([]Repo, int, int)) error {
	f.mu.Lock()
	f.listCalls = append(f.listCalls, filter)
	all := f.repos[ws]
	size, gate, err := f.batchSize, f.batchGate, f.listErr
	if filter != "" {
		gate = f.searchGate
	}
	f.mu.Unlock()
	if filter != "" {
		var hits []Repo
		for _, r := range all {
			if strings.Contains(strings.ToLower(r.Name), strings.ToLower(filter)) {
				hits = append(hits, r)
			}
		}
		if err := f.wait(ctx, gate); err != nil {
			return err
		}
		fn(hits, len(hits), len(hits))
		return nil
	}
	if size <= 0 {
		size = 100
	}
	for i := 0; i < len(all); i += size {
		if i > 0 {
			if err := f.wait(ctx, gate); err != nil {
				return err
			}
		}
		end := min(i+size, len(all))
		fn(all[i:end], end, len(all))
	}
	return err
}

func (f *fakeBackend) Projects(ctx context.Context, ws string) ([]Project, error) {
	f.mu.Lock()
	gate := f.projGate
	f.mu.Unlock()
	if err := f.wait(ctx, gate); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.projects, f.projErr
}

func (f *fakeBackend) CreateRepo(ctx context.Context, ws string, r NewRepo) (Repo, error) {
	f.mu.Lock()
	gate := f.createGate
	f.mu.Unlock()
	if err := f.wait(ctx, gate); err != nil {
		return Repo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = append(f.created, r)
	if f.createErr != nil {
		return Repo{}, f.createErr
	}
	for _, x := range f.repos[ws] {
		if x.Slug == r.Slug {
			return Repo{}, fmt.Errorf("create %s/%s: %w", ws, r.Slug, &ExistsError{Workspace: ws, Slug: r.Slug})
		}
	}
	repo := Repo{Slug: r.Slug, Name: r.Name, FullName: ws + "/" + r.Slug, Private: r.Private, Project: r.ProjectKey,
		HTMLURL:    "https://bitbucket.org/" + ws + "/" + r.Slug,
		CloneHTTPS: "https://bitbucket.org/" + ws + "/" + r.Slug + ".git",
		CloneSSH:   "git@bitbucket.org:" + ws + "/" + r.Slug + ".git"}
	f.repos[ws] = append(f.repos[ws], repo)
	return repo, nil
}

func (f *fakeBackend) RepoExists(ctx context.Context, ws, slug string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.existsCalls = append(f.existsCalls, slug)
	for _, x := range f.repos[ws] {
		if x.Slug == slug {
			return true, nil
		}
	}
	return false, nil
}

func (f *fakeBackend) Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

func (f *fakeBackend) ValidateSlug(slug string) error {
	switch {
	case slug == "":
		return errors.New("the name has no letters or digits to make a slug from")
	case len(slug) > 62:
		return errors.New("the slug is longer than 62 characters: shorten the name")
	}
	return nil
}

// count reads a counter under the lock.
func (f *fakeBackend) get(fn func() int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fn()
}

// listFilters returns the filters ListRepos was called with so far (under the lock: the
// wizard calls ListRepos from its own goroutines).
func (f *fakeBackend) listFilters() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.listCalls)
}
