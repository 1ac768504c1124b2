// Package amplication is an in-process amplication-server: the GraphQL operations bbsetup
// uses to finish the Bitbucket connection inside Amplication (sign-in, workspaces, the
// Bitbucket authorize URL, the server-side code exchange, git organizations, projects and
// their resources, connect and disconnect), following ../shared/SPEC.md "Amplication
// server API" and the real server's source (amplication/amplication, v3.14.0-29 and
// v1.10.0), served by graph-gophers/graphql-go over an SDL that is a strict subset of the
// real server's schema. Tests, `bbsetup demo` and `bbsetup emulator` run it on a loopback
// listener.
//
// Like the real server it reads its Bitbucket key and secret once, when it starts (New):
// keys written to the checkout afterwards are not seen until Restart (a "stale server").
package amplication

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

// Schema generations the emulator can play.
const (
	SchemaV3  = "v3.14.0-29" // default: `state` in GitGetInstallationUrlInput / GitOAuth2FlowInput
	SchemaV36 = "v3.6.2"     // `state`; updateResource's gitRepositoryOverride; no overrideProjectSettings
	SchemaV1  = "v1.10.0"    // no `state`: the state in the authorize URL is the workspace id
)

// The server's env variables the emulator reads.
const (
	EnvClientID       = "BITBUCKET_CLIENT_ID"
	EnvClientSecret   = "BITBUCKET_CLIENT_SECRET"
	EnvBillingEnabled = "BILLING_ENABLED" // read by SchemaV1 only, see CompleteGitOAuth2Flow
)

// DefaultBitbucketURL and DefaultBitbucketAPIURL are Bitbucket Cloud's own addresses, the
// real server's hard-coded ones.
const (
	DefaultBitbucketURL    = "https://bitbucket.org"
	DefaultBitbucketAPIURL = "https://api.bitbucket.org/2.0"
)

// Options configure an Emulator.
type Options struct {
	// CheckoutDir is the Amplication checkout; New reads packages/amplication-server's env
	// ONCE (Nx order: .env.serve, .serve.env, .env.local, .local.env, .env, then the same at
	// the root; first value wins; Getenv first) for BITBUCKET_CLIENT_ID / BITBUCKET_CLIENT_SECRET.
	// A later write to .env.local is not seen until a new emulator starts (a "stale server")
	// or Restart.
	CheckoutDir     string
	Getenv          func(string) string // process env lookups (nil: none)
	BitbucketURL    string              // OAuth base (default https://bitbucket.org): + /site/oauth2/...
	BitbucketAPIURL string              // REST base (default https://api.bitbucket.org/2.0)
	HTTPClient      *http.Client        // for the server-side exchange (nil: a default with timeouts)
	// Schema selects the server generation: SchemaV3 (default) or SchemaV1.
	Schema  string
	Latency time.Duration // added to every request

	// Now is the clock (default time.Now): the stored tokens' expiry and the PR service's
	// refresh decision read it.
	Now func() time.Time
	// StepDelay is how long each emulated code-generation log line and each push take
	// (default 0: as fast as the machine goes). The demo sets a human pace.
	StepDelay time.Duration
	// ClientHost is the client's address in the build URL of a pull request comment
	// (default http://localhost:3001, CLIENT_HOST's default).
	ClientHost string
	// PRServiceFollowsCheckout makes the PR service read the checkout's env at every push
	// (as if restarted after every write) instead of once when it starts (Services.Start).
	PRServiceFollowsCheckout bool
	// StaleGitTokens stores the tokens of the git organizations the OAuth flow creates as if
	// authorized two hours ago (due for a refresh at once): with a stale PR service every
	// push then fails at the refresh, as it does two hours after a real authorization.
	StaleGitTokens bool
}

// User is an Amplication account with a local email/password.
type User struct{ Email, Password, FirstName, LastName string }

// Seed is the emulator's initial data.
type Seed struct {
	Users      []User
	Workspaces []Workspace // each with members (emails), projects, resources, git orgs
}

// Workspace is an Amplication workspace. Members are user emails; the first workspace a
// user is a member of is their current one at the first login. An empty ID is generated.
type Workspace struct {
	ID, Name         string
	Members          []string
	Projects         []Project
	GitOrganizations []GitOrganization
}

// Project is an Amplication project; a ProjectConfiguration resource (named like the
// project) is added automatically when none is given. An empty ID is generated.
type Project struct {
	ID, Name    string
	Resources   []Resource
	UseDemoRepo bool // pushes go to Amplication's demo repository on GitHub
}

// Resource is a project's resource. Type is "Service", "ProjectConfiguration" or
// "MessageBroker". When the project's ProjectConfiguration has a Repo, every resource of
// the project without GitRepositoryOverride and without a Repo of its own gets the same
// repository, as connecting the project would have done. An empty ID is generated.
type Resource struct {
	ID, Name, Type        string
	GitRepositoryOverride bool
	Repo                  *GitRepository
}

// GitOrganization is a git provider organization connected to a workspace. Provider is
// "Bitbucket", "Github" or "AwsCodeCommit"; Type "Organization" (default) or "User". An
// empty ID is generated; InstallationID is what the server keys the upsert on (for
// Bitbucket the user's uuid).
type GitOrganization struct {
	ID, Name, Provider string
	Type               string
	InstallationID     string
	// The stored OAuth tokens (providerProperties) a Bitbucket organization pushes with;
	// a zero ExpiresAt is "now" (due for a refresh).
	AccessToken, RefreshToken string
	ExpiresAt                 time.Time
}

// GitRepository is a resource's repository: Name is the repository (for Bitbucket the
// slug), GroupName its group (the Bitbucket workspace slug). In a Seed, resources whose
// Repo has the same ID share one repository; an empty ID is generated.
type GitRepository struct{ ID, Name, GroupName, GitOrganizationID string }

// Request is one entry of the request log. It never holds a secret: no variables, no
// password, no token.
type Request struct {
	Operation     string   // the GraphQL operation name, or the first root field when unnamed
	Fields        []string // root fields, e.g. ["login"], ["projects", "gitOrganizations"]
	Authorization bool     // an Authorization header was present
	Start, End    time.Time
	Status        int      // HTTP status answered
	Errors        []string // GraphQL error messages answered
}

// maxLog bounds the request log; the oldest half is dropped when it is reached.
const maxLog = 1 << 14

// Emulator is an in-process amplication-server. It is safe for concurrent use and
// implements http.Handler; Start serves it on a loopback port.
type Emulator struct {
	opts      Options
	gen       string
	schema    *graphql.Schema
	hc        *http.Client
	ownClient bool         // hc is the default made by New: Server.Close closes its idle connections
	secret    []byte       // signs session tokens; survives Restart like the real JWT_SECRET
	secretMu  sync.RWMutex // guards secret (EndSessions replaces it)

	mu         sync.Mutex
	clientID   string // as loaded at start ("" when unset)
	secretKey  string
	billing    bool // BILLING_ENABLED == "true" at start
	accounts   []*account
	users      []*member
	workspaces []*workspace
	projects   []*project
	resources  []*resource
	repos      map[string]*repo
	orgs       []*gitOrg
	log        []Request

	commits  []*commitRec
	builds   []*build
	genQueue []string    // build ids waiting for code generation
	prQueue  []prRequest // create-PR requests waiting for the PR service
	svc      serviceState
}

type account struct {
	id, email, password, first, last string
	currentUser                      string // member id: the workspace login signs in to
}

// member is the real server's User: an account's membership of one workspace.
type member struct {
	id, accountID, workspaceID string
	owner                      bool
}

type workspace struct{ id, name string }

type project struct {
	id, name, workspaceID string
	useDemoRepo           bool
}

type resource struct {
	id, name, typ, projectID string
	override                 bool
	repoID                   string
}

type repo struct{ id, name, groupName, orgID string }

type gitOrg struct {
	id, name, provider, typ, installationID, workspaceID string
	grouping                                             bool
	accessToken, refreshToken                            string // providerProperties
	expiresAt                                            time.Time
}

// New reads the checkout's server env (this is the "server start") and loads seed.
func New(opts Options, seed Seed) (*Emulator, error) {
	gen := opts.Schema
	switch gen {
	case "":
		gen = SchemaV3
	case SchemaV3, SchemaV36, SchemaV1:
	default:
		return nil, fmt.Errorf("unknown Amplication schema generation %q; use %q, %q or %q", opts.Schema, SchemaV3, SchemaV36, SchemaV1)
	}
	if opts.BitbucketURL == "" {
		opts.BitbucketURL = DefaultBitbucketURL
	}
	if opts.BitbucketAPIURL == "" {
		opts.BitbucketAPIURL = DefaultBitbucketAPIURL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ClientHost == "" {
		opts.ClientHost = "http://localhost:3001"
	}
	opts.BitbucketURL = strings.TrimRight(opts.BitbucketURL, "/")
	opts.BitbucketAPIURL = strings.TrimRight(opts.BitbucketAPIURL, "/")
	e := &Emulator{opts: opts, gen: gen, hc: opts.HTTPClient, repos: map[string]*repo{}}
	e.initServices()
	if e.hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil // like node-fetch: no proxy from the environment
		e.hc = &http.Client{Timeout: 20 * time.Second, Transport: tr}
		e.ownClient = true
	}
	e.secret = make([]byte, 32)
	if _, err := rand.Read(e.secret); err != nil {
		return nil, err
	}
	var resolver any = &root{e: e}
	if gen == SchemaV1 {
		resolver = &rootV1{&root{e: e}}
	}
	s, err := graphql.ParseSchema(SDL(gen), resolver)
	if err != nil {
		return nil, fmt.Errorf("the emulator's schema: %w", err)
	}
	e.schema = s
	if err := e.load(seed); err != nil {
		return nil, err
	}
	e.readEnv()
	return e, nil
}

// Restart is a restart of the server process: it reads the checkout's env again, keeping
// the data (the database) and the sessions (tokens stay valid).
func (e *Emulator) Restart() {
	e.readEnv()
}

func (e *Emulator) now() time.Time { return e.opts.Now() }

// Schema is the generation the emulator plays (SchemaV3, SchemaV36 or SchemaV1).
func (e *Emulator) Schema() string { return e.gen }

// nxEnvFiles are the files `nx serve` loads for a project, in order, first value winning
// (nx 16.9.1, no configuration): the project's, then the same names at the workspace root.
var nxEnvFiles = []string{".env.serve", ".serve.env", ".env.local", ".local.env", ".env"}

// ServerDir is the server's package directory inside a checkout.
const ServerDir = "packages/amplication-server"

func (e *Emulator) readEnv() {
	id, sec := e.lookupEnv(EnvClientID), e.lookupEnv(EnvClientSecret)
	billing := e.lookupEnv(EnvBillingEnabled) == "true"
	e.mu.Lock()
	e.clientID, e.secretKey, e.billing = id, sec, billing
	e.mu.Unlock()
}

func (e *Emulator) lookupEnv(key string) string {
	return ServerEnv(e.opts.CheckoutDir, e.opts.Getenv, key)
}

// ServerEnv is the value the server started by `npx nx serve amplication-server` in
// checkoutDir sees for key: getenv's (the shell's) when it is set, else the first of the
// server's and then the root's env files, in Nx's order, that sets it ("" when none does).
func ServerEnv(checkoutDir string, getenv func(string) string, key string) string {
	return serviceEnv(checkoutDir, ServerDir, getenv, key)
}

// LoadedClientID is the BITBUCKET_CLIENT_ID the "running server" loaded ("" if none).
func (e *Emulator) LoadedClientID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clientID
}

// newID returns a cuid-like id: "c" and 24 lowercase letters and digits.
func newID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("amplication emulator: crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "c" + string(b)
}

func orNewID(id string) string {
	if id == "" {
		return newID()
	}
	return id
}

var resourceTypes = []string{"MessageBroker", "ProjectConfiguration", "Service"}

var gitProviders = []string{"AwsCodeCommit", "Bitbucket", "Github"}

// load builds the in-memory data from seed.
func (e *Emulator) load(seed Seed) error {
	byEmail := map[string]*account{}
	for _, u := range seed.Users {
		email := strings.ToLower(u.Email)
		if email == "" || byEmail[email] != nil {
			return fmt.Errorf("seed: user email %q is empty or repeated", u.Email)
		}
		a := &account{id: newID(), email: email, password: u.Password, first: u.FirstName, last: u.LastName}
		byEmail[email] = a
		e.accounts = append(e.accounts, a)
	}
	ids := map[string]bool{}
	unique := func(kind, id string) error {
		if ids[id] {
			return fmt.Errorf("seed: %s id %q is used twice", kind, id)
		}
		ids[id] = true
		return nil
	}
	for _, ws := range seed.Workspaces {
		w := &workspace{id: orNewID(ws.ID), name: ws.Name}
		if err := unique("workspace", w.id); err != nil {
			return err
		}
		e.workspaces = append(e.workspaces, w)
		for i, m := range ws.Members {
			a := byEmail[strings.ToLower(m)]
			if a == nil {
				return fmt.Errorf("seed: workspace %q has member %q, who is not among the users", ws.Name, m)
			}
			u := &member{id: newID(), accountID: a.id, workspaceID: w.id, owner: i == 0}
			e.users = append(e.users, u)
			if a.currentUser == "" {
				a.currentUser = u.id
			}
		}
		orgIDs := map[string]bool{}
		for _, o := range ws.GitOrganizations {
			g := &gitOrg{id: orNewID(o.ID), name: o.Name, provider: o.Provider, typ: o.Type,
				installationID: o.InstallationID, workspaceID: w.id, grouping: o.Provider == "Bitbucket",
				accessToken: o.AccessToken, refreshToken: o.RefreshToken, expiresAt: o.ExpiresAt}
			if g.expiresAt.IsZero() {
				g.expiresAt = e.now()
			}
			if err := unique("git organization", g.id); err != nil {
				return err
			}
			if !slices.Contains(gitProviders, g.provider) {
				return fmt.Errorf("seed: git organization %q has provider %q; use one of %s", o.Name, o.Provider, strings.Join(gitProviders, ", "))
			}
			if g.typ == "" {
				g.typ = "Organization"
			}
			if g.installationID == "" {
				g.installationID = "{" + newID() + "}"
			}
			orgIDs[g.id] = true
			e.orgs = append(e.orgs, g)
		}
		for _, p := range ws.Projects {
			pr := &project{id: orNewID(p.ID), name: p.Name, workspaceID: w.id, useDemoRepo: p.UseDemoRepo}
			if err := unique("project", pr.id); err != nil {
				return err
			}
			e.projects = append(e.projects, pr)
			res := p.Resources
			hasConfig := slices.ContainsFunc(res, func(r Resource) bool { return r.Type == "ProjectConfiguration" })
			if !hasConfig {
				res = append([]Resource{{Name: p.Name, Type: "ProjectConfiguration"}}, res...)
			}
			var configRepo string
			var mine []*resource
			for _, r := range res {
				if !slices.Contains(resourceTypes, r.Type) {
					return fmt.Errorf("seed: resource %q has type %q; use one of %s", r.Name, r.Type, strings.Join(resourceTypes, ", "))
				}
				rs := &resource{id: orNewID(r.ID), name: r.Name, typ: r.Type, projectID: pr.id, override: r.GitRepositoryOverride}
				if err := unique("resource", rs.id); err != nil {
					return err
				}
				if r.Repo != nil {
					id, err := e.seedRepo(*r.Repo, orgIDs)
					if err != nil {
						return err
					}
					rs.repoID = id
					if r.Type == "ProjectConfiguration" {
						configRepo = id
					}
				}
				mine = append(mine, rs)
				e.resources = append(e.resources, rs)
			}
			if configRepo != "" {
				for _, rs := range mine {
					if !rs.override && rs.repoID == "" {
						rs.repoID = configRepo
					}
				}
			}
		}
	}
	for _, a := range e.accounts {
		if a.currentUser == "" {
			return fmt.Errorf("seed: user %q is a member of no workspace", a.email)
		}
	}
	return nil
}

func (e *Emulator) seedRepo(r GitRepository, orgIDs map[string]bool) (string, error) {
	if !orgIDs[r.GitOrganizationID] {
		return "", fmt.Errorf("seed: repository %q names git organization %q, which is not in the same workspace", r.Name, r.GitOrganizationID)
	}
	if r.ID != "" {
		if old, ok := e.repos[r.ID]; ok {
			if *old != (repo{id: r.ID, name: r.Name, groupName: r.GroupName, orgID: r.GitOrganizationID}) {
				return "", fmt.Errorf("seed: repository id %q is used for two different repositories", r.ID)
			}
			return r.ID, nil
		}
	}
	id := orNewID(r.ID)
	e.repos[id] = &repo{id: id, name: r.Name, groupName: r.GroupName, orgID: r.GitOrganizationID}
	return id, nil
}

// Resource is the current state of a resource, including its repository.
func (e *Emulator) Resource(id string) (Resource, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.resourceByID(id)
	if r == nil {
		return Resource{}, false
	}
	out := Resource{ID: r.id, Name: r.name, Type: r.typ, GitRepositoryOverride: r.override}
	if rp := e.repos[r.repoID]; rp != nil {
		out.Repo = &GitRepository{ID: rp.id, Name: rp.name, GroupName: rp.groupName, GitOrganizationID: rp.orgID}
	}
	return out, true
}

// Resources lists the resources of a project (by id or name) in seed order.
func (e *Emulator) Resources(projectIDOrName string) []Resource {
	e.mu.Lock()
	var ids []string
	for _, p := range e.projects {
		if p.id == projectIDOrName || p.name == projectIDOrName {
			for _, r := range e.resources {
				if r.projectID == p.id {
					ids = append(ids, r.id)
				}
			}
		}
	}
	e.mu.Unlock()
	out := make([]Resource, 0, len(ids))
	for _, id := range ids {
		if r, ok := e.Resource(id); ok {
			out = append(out, r)
		}
	}
	return out
}

// GitOrganizations lists the git organizations of a workspace.
func (e *Emulator) GitOrganizations(workspaceID string) []GitOrganization {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []GitOrganization
	for _, g := range e.orgs {
		if g.workspaceID == workspaceID {
			out = append(out, GitOrganization{ID: g.id, Name: g.name, Provider: g.provider, Type: g.typ, InstallationID: g.installationID,
				AccessToken: g.accessToken, RefreshToken: g.refreshToken, ExpiresAt: g.expiresAt})
		}
	}
	return out
}

// WorkspaceID is the id of the workspace with this name or id ("" when there is none).
func (e *Emulator) WorkspaceID(nameOrID string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, w := range e.workspaces {
		if w.id == nameOrID || w.name == nameOrID {
			return w.id
		}
	}
	return ""
}

// Log is a copy of the request log.
func (e *Emulator) Log() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.log)
}

// ResetLog empties the request log.
func (e *Emulator) ResetLog() {
	e.mu.Lock()
	e.log = nil
	e.mu.Unlock()
}

func (e *Emulator) record(r Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.log) >= maxLog {
		e.log = append(e.log[:0], e.log[len(e.log)/2:]...)
	}
	e.log = append(e.log, r)
}

// resourceByID, projectByID, ... are lookups; the caller holds e.mu.
func (e *Emulator) resourceByID(id string) *resource {
	return byID(e.resources, id, func(r *resource) string { return r.id })
}

func (e *Emulator) projectByID(id string) *project {
	return byID(e.projects, id, func(p *project) string { return p.id })
}

func (e *Emulator) workspaceByID(id string) *workspace {
	return byID(e.workspaces, id, func(w *workspace) string { return w.id })
}

func (e *Emulator) accountByID(id string) *account {
	return byID(e.accounts, id, func(a *account) string { return a.id })
}

func (e *Emulator) memberByID(id string) *member {
	return byID(e.users, id, func(u *member) string { return u.id })
}

func (e *Emulator) orgByID(id string) *gitOrg {
	return byID(e.orgs, id, func(g *gitOrg) string { return g.id })
}

// byID is the first of list whose idOf is id, or nil.
func byID[T any](list []*T, id string, idOf func(*T) string) *T {
	if i := slices.IndexFunc(list, func(x *T) bool { return idOf(x) == id }); i >= 0 {
		return list[i]
	}
	return nil
}
