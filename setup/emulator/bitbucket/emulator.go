// Package bitbucket (imported as bbemu) is an in-process Bitbucket Cloud: the OAuth 2.0 endpoints under
// /site/oauth2/ and the REST API 2.0 endpoints bbsetup uses under /2.0/, following
// ../shared/SPEC.md and Bitbucket's OpenAPI document (response shapes, scopes, error
// bodies, pagination). Tests, benchmarks, `bbsetup demo` and `bbsetup emulator` run it on
// a loopback listener.
//
// Knobs for tests, on Emulator.Controls (the commands use none of them): latency changes,
// a fault plan (status codes, malformed JSON, a repeating next link, a lying size, a hanging
// or resetting server, a huge body), expiring every access token at once, and a request log
// that records the concurrency each request saw. Generated data at scale (GenerateRepos)
// builds the world like the other Add methods.
package bitbucket

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Consumer is an OAuth consumer as configured in a workspace's settings.
type Consumer struct {
	Key, Secret, Name string
	CallbackURL       string   // "" means the consumer has none
	Private           bool     // "This is a private consumer"
	Scopes            []string // scope strings of the ticked boxes, e.g. "account","team:write","webhook"
	Owner             string   // account_id of the owning user (client_credentials tokens act as them)
}

// User is a Bitbucket account.
type User struct{ UUID, AccountID, DisplayName, Nickname string } // UUID in braces "{...}"

// Workspace is a Bitbucket workspace. An empty UUID is derived from the slug.
type Workspace struct{ Slug, Name, UUID string }

// Project is a project inside a workspace. An empty UUID is derived from the key; a
// zero CreatedOn becomes the time it was added.
type Project struct {
	Key, Name, UUID string
	IsPrivate       bool
	CreatedOn       time.Time
}

// Repo is a repository inside a workspace. Empty fields get defaults when added: the
// UUID is derived from workspace and slug, Name defaults to Slug, ProjectKey to the
// workspace's oldest project (a key that does not exist yet creates a private project),
// and zero times to the time it was added.
type Repo struct {
	Slug, Name, Description, UUID, ProjectKey string
	IsPrivate                                 bool
	CreatedOn, UpdatedOn                      time.Time

	git *repoGit // content (git.go); nil until first written or read through the content API
}

// Options configure an Emulator.
type Options struct {
	Latency     time.Duration    // added to every request (tests, benchmarks)
	AutoApprove bool             // /site/oauth2/authorize redirects at once, no consent page
	BrowserUser string           // account_id of the user "logged in" in the browser (default: first user)
	Now         func() time.Time // clock; default time.Now
	// EmptyMainbranch makes a repository created through POST /repositories/{ws}/{slug}
	// report "mainbranch": null until its first commit (POST /src), as a third-party report
	// says real Bitbucket may for a repository created empty (SPEC.md, uncertain). Without
	// it such a repository reports main branch "main", which has no commits yet.
	EmptyMainbranch bool
}

// Request is one entry of the request log. Start and End are wall-clock times (not
// Options.Now), so durations and overlaps are real.
type Request struct {
	Method, Path, RawQuery string
	Start, End             time.Time
	InFlight               int // requests in flight (including this one) when it started
	Status                 int // 499 when the client went away before an answer (latency, FaultHang)
}

// maxLog bounds the request log of a long-running emulator; the oldest half is dropped
// when it is reached.
const maxLog = 1 << 17

// Emulator is an in-process Bitbucket Cloud. It is safe for concurrent use and
// implements http.Handler; Start serves it on a loopback port.
type Emulator struct {
	opts    Options
	latency atomic.Int64 // time.Duration
	// emptyMainbranch: Options.EmptyMainbranch, changeable by Controls.SetEmptyMainbranch.
	emptyMainbranch atomic.Bool
	mux             *http.ServeMux

	mu         sync.RWMutex // guards the world below
	users      map[string]*User
	userOrder  []string
	consumers  map[string]*Consumer
	workspaces map[string]*workspace // by slug
	wsOrder    []string
	codes      map[string]*authCode
	access     map[string]*accessToken
	refresh    map[string]*refreshToken

	faultMu sync.Mutex
	faults  []*faultRule

	logMu    sync.Mutex
	log      []*Request
	inFlight int
}

// New returns an empty emulator: no users, consumers or workspaces.
func New(opts Options) *Emulator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Emulator{
		opts:       opts,
		users:      map[string]*User{},
		consumers:  map[string]*Consumer{},
		workspaces: map[string]*workspace{},
		codes:      map[string]*authCode{},
		access:     map[string]*accessToken{},
		refresh:    map[string]*refreshToken{},
	}
	e.latency.Store(int64(opts.Latency))
	e.emptyMainbranch.Store(opts.EmptyMainbranch)
	e.mux = e.routes()
	return e
}

func (e *Emulator) now() time.Time { return e.opts.Now() }

// AddUser adds (or replaces) a user, keyed by AccountID. An empty UUID is derived
// from the account ID.
func (e *Emulator) AddUser(u User) {
	if u.UUID == "" {
		u.UUID = braceUUID("user/" + u.AccountID)
	}
	if u.Nickname == "" {
		u.Nickname = u.AccountID
	}
	if u.DisplayName == "" {
		u.DisplayName = u.Nickname
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.users[u.AccountID]; !ok {
		e.userOrder = append(e.userOrder, u.AccountID)
	}
	e.users[u.AccountID] = &u
}

// AddConsumer adds (or replaces) an OAuth consumer, keyed by Key.
func (e *Emulator) AddConsumer(c Consumer) {
	c.Scopes = append([]string(nil), c.Scopes...)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.consumers[c.Key] = &c
}

// AddWorkspace adds (or replaces the members of) a workspace. members maps account_id
// to whether that member is an administrator.
func (e *Emulator) AddWorkspace(w Workspace, members map[string]bool) {
	if w.UUID == "" {
		w.UUID = braceUUID("workspace/" + w.Slug)
	}
	if w.Name == "" {
		w.Name = w.Slug
	}
	m := make(map[string]bool, len(members))
	for k, v := range members {
		m[k] = v
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if ws, ok := e.workspaces[w.Slug]; ok {
		ws.Workspace = w
		ws.members = m
		ws.touch()
		return
	}
	e.workspaces[w.Slug] = newWorkspace(w, m, e.now())
	e.wsOrder = append(e.wsOrder, w.Slug)
}

// AddProject adds a project to a workspace. It panics if the workspace does not exist
// (a mistake in the test's setup).
func (e *Emulator) AddProject(workspace string, p Project) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ws := e.mustWorkspace(workspace)
	if p.UUID == "" {
		p.UUID = braceUUID("project/" + workspace + "/" + p.Key)
	}
	if p.Name == "" {
		p.Name = p.Key
	}
	if p.CreatedOn.IsZero() {
		p.CreatedOn = e.now()
	}
	ws.addProject(p)
}

// AddRepos adds repositories to a workspace; a repository whose slug exists replaces
// it. It panics if the workspace does not exist.
func (e *Emulator) AddRepos(workspace string, repos ...Repo) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ws := e.mustWorkspace(workspace)
	now := e.now()
	for _, r := range repos {
		ws.addRepo(e.fillRepo(ws, r, now))
	}
}

func (e *Emulator) fillRepo(ws *workspace, r Repo, now time.Time) Repo {
	if r.Name == "" {
		r.Name = r.Slug
	}
	if r.UUID == "" {
		r.UUID = braceUUID("repository/" + ws.Slug + "/" + r.Slug)
	}
	if r.ProjectKey == "" {
		r.ProjectKey = ws.defaultProject(now).Key
	} else if ws.project(r.ProjectKey) == nil {
		ws.addProject(Project{Key: r.ProjectKey, Name: r.ProjectKey, IsPrivate: true,
			UUID: braceUUID("project/" + ws.Slug + "/" + r.ProjectKey), CreatedOn: now})
	}
	if r.CreatedOn.IsZero() {
		r.CreatedOn = now
	}
	if r.UpdatedOn.IsZero() {
		r.UpdatedOn = r.CreatedOn
	}
	return r
}

func (e *Emulator) mustWorkspace(slug string) *workspace {
	ws, ok := e.workspaces[slug]
	if !ok {
		panic("emulator: no workspace " + slug + "; call AddWorkspace first")
	}
	return ws
}

func (e *Emulator) logStart(r *http.Request) *Request {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	e.inFlight++
	entry := &Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Start: time.Now(), InFlight: e.inFlight}
	if len(e.log) >= maxLog {
		e.log = append([]*Request(nil), e.log[len(e.log)/2:]...)
	}
	e.log = append(e.log, entry)
	return entry
}

func (e *Emulator) logEnd(entry *Request, status int) {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	e.inFlight--
	entry.End = time.Now()
	entry.Status = status
}

// ServeHTTP serves the emulated Bitbucket Cloud: latency first, then the fault plan,
// then the endpoint.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	entry := e.logStart(r)
	rec := &recorder{ResponseWriter: w}
	defer func() { e.logEnd(entry, rec.statusCode()) }()

	if d := time.Duration(e.latency.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			rec.status = 499 // client gave up, nothing written
			return
		}
	}
	if f := e.matchFault(r); f != nil {
		if e.applyFault(rec, r, f) {
			return
		}
		r = r.WithContext(withFault(r.Context(), f.Kind))
	}
	e.mux.ServeHTTP(rec, r)
}

// Members returns a copy of a workspace's members (account_id -> administrator); nil when
// the workspace does not exist.
func (e *Emulator) Members(workspace string) map[string]bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ws, ok := e.workspaces[workspace]
	if !ok {
		return nil
	}
	out := make(map[string]bool, len(ws.members))
	for k, v := range ws.members {
		out[k] = v
	}
	return out
}
