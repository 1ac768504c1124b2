// Package amplication is an in-process amplication-server: the GraphQL operations bbsetup
// uses to finish the Bitbucket connection inside Amplication (sign-in, workspaces, the
// Bitbucket authorize URL, the server-side code exchange, git organizations, projects and
// their resources, connect and disconnect), following ../shared/SPEC.md "Amplication
// server API" and served over an SDL that is a strict subset of the real server's schema.
// Tests, `bbsetup demo` and `bbsetup emulator` run it on a loopback listener.
package amplication

import (
	"errors"
	"net/http"
	"time"
)

// Schema generations the emulator can play.
const (
	SchemaV3 = "v3.14.0-29" // default: `state` in GitGetInstallationUrlInput / GitOAuth2FlowInput
	SchemaV1 = "v1.10.0"    // no `state`: the state is the workspace id
)

// Options configure an Emulator.
type Options struct {
	// CheckoutDir is the Amplication checkout; New reads packages/amplication-server's env
	// ONCE (Nx order: .env.serve, .serve.env, .env.local, .local.env, .env, then the same at
	// the root; first value wins; Getenv first) for BITBUCKET_CLIENT_ID / BITBUCKET_CLIENT_SECRET.
	// A later write to .env.local is not seen until a new emulator starts (a "stale server").
	CheckoutDir     string
	Getenv          func(string) string // process env lookups (nil: none)
	BitbucketURL    string              // OAuth base, e.g. the Bitbucket emulator's URL (+ /site/oauth2/...)
	BitbucketAPIURL string              // REST base (…/2.0)
	HTTPClient      *http.Client        // for the server-side exchange (nil: a default with timeouts)
	// Schema selects the server generation: SchemaV3 (default) or SchemaV1.
	Schema  string
	Latency time.Duration
}

// User is an Amplication account with a local email/password.
type User struct{ Email, Password, FirstName, LastName string }

// Seed is the emulator's initial data.
type Seed struct {
	Users      []User
	Workspaces []Workspace // each with members (emails), projects, resources, git orgs
}

// Workspace is an Amplication workspace. Members are user emails.
type Workspace struct {
	ID, Name         string
	Members          []string
	Projects         []Project
	GitOrganizations []GitOrganization
}

// Project is an Amplication project; a ProjectConfiguration resource is added
// automatically when none is given.
type Project struct {
	ID, Name  string
	Resources []Resource
}

// Resource is a project's resource: "Service", "ProjectConfiguration", ...
type Resource struct {
	ID, Name, Type        string
	GitRepositoryOverride bool
	Repo                  *GitRepository
}

// GitOrganization is a git provider organization connected to a workspace.
type GitOrganization struct {
	ID, Name, Provider string // Provider "Bitbucket"
	Type               string // "Organization" or "User"
}

// GitRepository is a resource's repository.
type GitRepository struct{ ID, Name, GroupName, GitOrganizationID string }

// Request is one entry of the request log. It never holds a secret.
type Request struct {
	Operation     string // the GraphQL operation name, or the first field when unnamed
	Fields        []string
	Authorization bool // an Authorization header was present
	Start, End    time.Time
	Errors        []string // GraphQL error messages answered
}

// Emulator is an in-process amplication-server. It is safe for concurrent use and
// implements http.Handler; Start serves it on a loopback port.
type Emulator struct {
	opts Options
}

// New reads the checkout's server env (this is the "server start") and loads seed.
func New(opts Options, seed Seed) (*Emulator, error) {
	return &Emulator{opts: opts}, errors.New("not implemented yet")
}

// ServeHTTP answers POST /graphql (and a minimal GET /graphql).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not implemented yet", http.StatusNotImplemented)
}

// Resource is the current state of a resource, including its repository.
func (e *Emulator) Resource(id string) (Resource, bool) { return Resource{}, false }

// GitOrganizations lists the git organizations of a workspace.
func (e *Emulator) GitOrganizations(workspaceID string) []GitOrganization { return nil }

// Log is a copy of the request log.
func (e *Emulator) Log() []Request { return nil }

// LoadedClientID is the BITBUCKET_CLIENT_ID the "running server" loaded ("" if none).
func (e *Emulator) LoadedClientID() string { return "" }

// Demo user.
const (
	DemoEmail    = "demo@amplication.local"
	DemoPassword = "demo-password-123"
)

// DemoSeed is the demo's Amplication: one user, workspace "Demo", projects "Shop"
// (services "orders", "payments" inheriting the project's repository, "catalog" with its
// own repository already connected) and "Internal" (service "admin").
func DemoSeed() Seed { return Seed{} }

// Server is an Emulator listening on a loopback address.
type Server struct {
	*Emulator
	URL string // http://127.0.0.1:PORT; GraphQL at URL + "/graphql"
}

// Start serves e on 127.0.0.1 on a free port.
func Start(e *Emulator) (*Server, error) { return StartOn(e, "127.0.0.1:0") }

// StartOn serves e on addr (a loopback address only).
func StartOn(e *Emulator, addr string) (*Server, error) { return nil, errors.New("not implemented yet") }

// Close stops the server.
func (s *Server) Close() {}
