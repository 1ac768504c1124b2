package flow

import (
	"context"
	"errors"
	"fmt"

	"github.com/bbsetup/bbsetup/setup/checkout"
)

// The values the surfaces (the wizard's screens, the line mode) and the Backend exchange.
// Every string in them that came from a server or a file is safe text already
// (setup/safetext): they can be shown as they are.

// EnvApplier writes one plan: the value behind EnvPlan.Apply.
type EnvApplier interface {
	// Apply writes the planned files. On failure it returns the results of the files
	// already written, if any, with the error.
	Apply(ctx context.Context) ([]FileResult, error)
}

// AuthFlow completes one started authorization: the value behind AuthSession's Wait and
// Paste.
type AuthFlow interface {
	// Wait waits for the browser to land on the callback, exchanges the code and looks up
	// the account. It returns ctx.Err() when ctx is done and releases the port then.
	Wait(ctx context.Context) (Authorized, error)
	// Paste takes the URL (or query string, or bare code) the operator copied from the
	// browser's address bar and completes the flow with it.
	Paste(ctx context.Context, pasted string) (Authorized, error)
}

// Amplication is the Amplication server as the signed-in account (AmpSignedIn.API): the
// sign-in, server, Authorize, Amplication target and Connect screens each use their part.
type Amplication interface {
	AmpWorkspaceSwitcher
	AmpKeyChecker
	AmpAuthorizer
	AmpTargetLister
	AmpConnector
}

// AmpWorkspaceSwitcher switches the session's Amplication workspace (the sign-in screen).
type AmpWorkspaceSwitcher interface {
	UseAmpWorkspace(ctx context.Context, id string) (AmpSignedIn, error)
}

// AmpKeyChecker re-checks which Bitbucket key the running server uses (the server screen
// while it waits for a restart).
type AmpKeyChecker interface {
	CheckAmpKey(ctx context.Context) AmpKey
}

// AmpAuthorizer authorizes Amplication itself with Bitbucket (the Authorize screen): one
// browser trip; the code goes to the Amplication server, which exchanges it. The
// Authorized it completes with carries the git organization and the Bitbucket API of
// bbsetup's own client (the consumer's client_credentials).
type AmpAuthorizer interface {
	// StartAmpAuth asks the server for its authorize URL and listens on the callback (or,
	// with the port taken, takes a paste). A new session replaces the previous one.
	StartAmpAuth(ctx context.Context) (AuthSession, error)
	// ReuseAmpOrg keeps the Bitbucket git organization Amplication already has.
	ReuseAmpOrg(ctx context.Context, org AmpOrg) (Authorized, error)
}

// AmpTargetLister lists the projects and their resources (the Amplication target screen).
type AmpTargetLister interface {
	AmpProjects(ctx context.Context) ([]AmpProject, error)
}

// AmpConnector connects the chosen resource to the repository and reads it back (the
// Connect step inside Amplication). Nothing is stored in Amplication before it.
type AmpConnector interface {
	ConnectAmp(ctx context.Context, r AmpConnectRequest) (AmpConnected, error)
}

// AmpProbe is what ProbeAmp found.
type AmpProbe struct {
	URL     string // the server URL it asked
	Answers bool
	Detail  string // answering: e.g. the generation; not: what happened and what to do
	// StartCommand is the command that starts the server, run from Dir (the checkout).
	StartCommand, Dir string
	// Refuses: the server is older than v3.5.0 and refuses Bitbucket (Detail says what to
	// do); the authorization stops before any Bitbucket URL.
	Refuses bool
	// PRService are the checkout's PR service findings as lines (PRServiceLines).
	PRService []string
}

// AmpLogin is a sign-in: an email and password, or a token.
type AmpLogin struct {
	Email, Password string
	Token           string // an API token from Amplication's settings (then no email)
}

// AmpSignedIn is a signed-in Amplication session.
type AmpSignedIn struct {
	URL        string
	Account    string // "Name <email>"
	Workspace  AmpWorkspace
	Workspaces []AmpWorkspace
	Orgs       []AmpOrg // the workspace's Bitbucket git organizations
	Key        AmpKey   // whether the running server uses the written key
	API        Amplication
}

// AmpWorkspace is an Amplication workspace.
type AmpWorkspace struct{ ID, Name string }

// AmpOrg is a Bitbucket git organization of an Amplication workspace: the Bitbucket
// account Amplication acts as.
type AmpOrg struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Own: its account is bbsetup's own identity (the consumer's owner); JustAuthorized:
	// the authorization of this run made it. Other says, when its account is not
	// bbsetup's own, both names and what to do ("" when it is, or cannot be told).
	Own            bool   `json:"own_account,omitempty"`
	JustAuthorized bool   `json:"just_authorized,omitempty"`
	Other          string `json:"-"`
}

// Label is "casey (bbsetup's own account, just authorized)".
func (o AmpOrg) Label() string {
	return OrgListing{Name: o.Name, OwnAccount: o.Own, JustAuthorized: o.JustAuthorized}.Label()
}

// UseLabel is the choice to keep o: "Use the connection as casey (bbsetup's own account)".
func (o AmpOrg) UseLabel() string { return "Use the connection as " + o.Label() }

// DefaultOrg is the git organization a choice among orgs starts on: the one whose
// account is bbsetup's own, when exactly one is; else -1 (authorize again), never a
// colleague's.
func DefaultOrg(orgs []AmpOrg) int {
	def := -1
	for i, o := range orgs {
		if o.Own {
			if def >= 0 {
				return -1
			}
			def = i
		}
	}
	return def
}

// AmpKey is which Bitbucket key the running server uses.
type AmpKey struct {
	OK bool // it uses the key in .env.local
	// Stale: it runs with settings older than the env files (a placeholder, no key,
	// another key, or the key but a process started before .env.local was last written:
	// the old secret): it must be restarted.
	Stale   bool
	Message string // what it found, in the operator's words
	Restart string // the restart advice, when Stale
	// Err is the error behind Message when the check failed (errors.As finds the
	// client's typed error: a refused session offers to sign in again).
	Err error
}

// AmpProject is an Amplication project with its resources.
type AmpProject struct {
	ID, Name  string
	Resources []AmpResource // the settings first when it has them
}

// AmpResource is a project's resource: its settings (which services inherit) or a service.
type AmpResource struct {
	ID, Name string
	Settings bool   // the project's settings (ProjectConfiguration)
	Repo     string // "group/name" it pushes to, "" when none
	Provider string // the provider of Repo (Bitbucket, GitHub…)
	Inherits bool   // a service whose Repo is the project's
	Override bool   // a service marked "Override project settings": a project connect leaves it alone
}

// AmpTarget is the chosen resource.
type AmpTarget struct {
	Project  AmpProject
	Resource AmpResource
	Replace  bool // it has another repository now and the operator agreed to replace it
}

// Label names the target: "orders (project Shop)" or "the settings of project Shop".
func (t AmpTarget) Label() string {
	if t.Resource.Settings {
		return "the settings of project " + t.Project.Name
	}
	return t.Resource.Name + " (project " + t.Project.Name + ")"
}

// AmpConnectRequest is one connect.
type AmpConnectRequest struct {
	Target    AmpTarget
	Org       AmpOrg
	Workspace string // the Bitbucket workspace slug
	Slug      string // the repository slug
}

// AmpConnected is a connect as read back from the server.
type AmpConnected struct {
	Project    string   `json:"project"`
	Resource   string   `json:"resource"`
	Settings   bool     `json:"project_settings"`
	Repository string   `json:"repository"` // "workspace/slug"
	Replaced   string   `json:"replaced,omitempty"`
	Unchanged  bool     `json:"unchanged"`
	Inheriting []string `json:"inheriting,omitempty"`
	// PushesAs is the sentence naming the Bitbucket account Amplication will push as;
	// Notes what the push checks found (another account than bbsetup's, a write permission
	// that could not be checked).
	PushesAs string   `json:"pushes_as"`
	Notes    []string `json:"notes,omitempty"`
}

// Line is "orders (project Shop) → acme/checkout-service".
func (c AmpConnected) Line() string {
	name := c.Resource
	if c.Settings {
		name = "project settings"
	}
	return name + " (project " + c.Project + ") → " + c.Repository
}

// Bitbucket is the REST API as the authorized account (Authorized.API): the Workspace,
// Create and Connect screens each use their part of it.
type Bitbucket interface {
	WorkspaceLister
	RepoCreator
	RepoLister
}

// WorkspaceLister lists workspaces (the Workspace screen).
type WorkspaceLister interface {
	// Workspaces lists the workspaces the operator is a member of, with names.
	Workspaces(ctx context.Context) ([]Workspace, error)
}

// RepoCreator creates repositories (the Create screen).
type RepoCreator interface {
	// Projects lists the workspace's projects.
	Projects(ctx context.Context, workspace string) ([]Project, error)
	// CreateRepo creates a repository. When the slug is taken it returns an error for which
	// errors.As(err, **ExistsError) holds.
	CreateRepo(ctx context.Context, workspace string, r NewRepo) (Repo, error)
	// Slugify turns a repository name into the slug Bitbucket would give it.
	Slugify(name string) string
	// ValidateSlug says, in the operator's words, why slug is not a valid repository slug.
	ValidateSlug(slug string) error
	// RepoExists reports whether the workspace already has a repository with this slug (a
	// cheap lookup, made while the operator types the name).
	RepoExists(ctx context.Context, workspace, slug string) (bool, error)
}

// RepoLister lists repositories (the Connect screen).
type RepoLister interface {
	// ListRepos lists the workspace's repositories, calling fn with each batch as it arrives
	// (loaded so far, total when known, else 0). filter "" lists all; otherwise the server
	// searches by name. fn is called from the Backend's goroutine, never concurrently.
	ListRepos(ctx context.Context, workspace, filter string, fn func(batch []Repo, loaded, total int)) error
}

// Checkout is the Amplication checkout the wizard configures.
type Checkout struct {
	Root        string   // absolute path of the checkout
	Layout      string   // "older", "current" or "older+current"
	ServerEnv   string   // packages/amplication-server/.env.local (absolute)
	PREnvs      []string // the PR service .env.local files that will be written (absolute)
	CallbackURL string   // the consumer's callback URL to register
	Services    []string // "npx nx serve ..." lines to run afterwards
	// Configured reports that a key and secret are already set consistently (the offline
	// check passes), so the operator may keep them.
	Configured bool
	// ClientID is the configured key, when Configured. The key is not a secret (it is in
	// every authorize URL): it is shown whole.
	ClientID string
	// SecretMasked is the configured secret, masked (its last four characters), when
	// Configured.
	SecretMasked string

	// co is the checkout FindCheckout opened, read-only afterwards (nil in a Checkout made
	// by hand: the Backend opens Root again).
	co *checkout.Checkout
}

// Credentials are a consumer's key (client id) and secret.
type Credentials struct {
	ID     string
	Secret string
}

// IsZero reports whether no credentials were given.
func (c Credentials) IsZero() bool { return c.ID == "" && c.Secret == "" }

// VerdictKind classifies the outcome of CheckCredentials.
type VerdictKind int

// The verdicts CheckCredentials can return.
const (
	VerdictOK             VerdictKind = iota // everything is right
	VerdictBadCredentials                    // key or secret wrong
	VerdictNotPrivate                        // "This is a private consumer" not ticked
	VerdictNoCallback                        // no callback URL on the consumer
	VerdictMissingScopes                     // some permission boxes are not ticked
	VerdictNetwork                           // Bitbucket could not be reached
	VerdictUnexpected                        // anything else
)

// String names the verdict kind.
func (k VerdictKind) String() string {
	switch k {
	case VerdictOK:
		return "ok"
	case VerdictBadCredentials:
		return "bad credentials"
	case VerdictNotPrivate:
		return "not private"
	case VerdictNoCallback:
		return "no callback"
	case VerdictMissingScopes:
		return "missing scopes"
	case VerdictNetwork:
		return "network"
	default:
		return "unexpected"
	}
}

// Verdict is the result of a credential check.
type Verdict struct {
	Kind    VerdictKind
	Message string   // one operator sentence + what to do (never contains the secret)
	Granted []string // permission labels granted, e.g. "Account: Read"
	// Missing are permission labels "Row: Level" (e.g. "Webhooks: Read and write"); the
	// row is the part before the colon and matches PermissionRow.Row.
	Missing []string
}

// PermissionRow is one row of the consumer's permissions form.
type PermissionRow struct {
	Row    string // "Repositories"
	Levels string // "Read, Write, Admin"
}

// EnvPlan is what PlanEnv would write; Apply writes it.
type EnvPlan struct {
	Files []FilePlan
	// Applier writes exactly these files; PlanEnv sets it.
	Applier EnvApplier
}

// PRServiceLines is the checkout's PR service checked against the files as written now
// (flow.PRServiceLines), when the applier can tell; nil otherwise. It reads /proc or runs
// ps: call it in a command, not in Update.
func (p EnvPlan) PRServiceLines(ctx context.Context) []string {
	if pr, ok := p.Applier.(interface {
		PRServiceLines(context.Context) []string
	}); ok {
		return pr.PRServiceLines(ctx)
	}
	return nil
}

// Apply writes the plan (see EnvApplier).
func (p EnvPlan) Apply(ctx context.Context) ([]FileResult, error) {
	if p.Applier == nil {
		return nil, errors.New("there is no planned change to write")
	}
	return p.Applier.Apply(ctx)
}

// Changed reports whether any file would change.
func (p EnvPlan) Changed() bool {
	for _, f := range p.Files {
		if f.Changed {
			return true
		}
	}
	return false
}

// FilePlan is one file's planned change.
type FilePlan struct {
	Path    string // absolute path
	Diff    string // unified diff with the secret already masked
	Changed bool
	Exists  bool // the file exists today (false: it will be created)
}

// FileResult is what EnvPlan.Apply did to one file.
type FileResult struct {
	Path    string `json:"path"`
	Changed bool   `json:"changed"`
	Backup  string `json:"backup,omitempty"` // the .bak copy of the previous content, if any
}

// AuthSession is a started authorization flow; Wait or Paste completes it.
type AuthSession struct {
	URL         string // the authorize URL to open
	PortInUse   bool   // the callback port is taken: only pasting works
	PortMessage string // what holds the port and what to do, when PortInUse
	// Flow completes this session; StartAuth sets it.
	Flow AuthFlow
}

var errNoFlow = errors.New("the authorization has not started yet")

// Wait waits for the browser's redirect (see AuthFlow).
func (s AuthSession) Wait(ctx context.Context) (Authorized, error) {
	if s.Flow == nil {
		return Authorized{}, errNoFlow
	}
	return s.Flow.Wait(ctx)
}

// Paste completes the flow with what the operator pasted (see AuthFlow).
func (s AuthSession) Paste(ctx context.Context, pasted string) (Authorized, error) {
	if s.Flow == nil {
		return Authorized{}, errNoFlow
	}
	return s.Flow.Paste(ctx, pasted)
}

// Authorized is a completed authorization: who authorized, and the API acting as them.
type Authorized struct {
	Identity Identity
	API      Bitbucket
	// Org is the Bitbucket git organization Amplication has, when the Authorize screen
	// authorized Amplication (nil: bbsetup alone was authorized).
	Org *AmpOrg
}

// Identity is the Bitbucket account that authorized.
type Identity struct {
	DisplayName string   `json:"display_name"`
	Nickname    string   `json:"nickname"`
	Granted     []string `json:"granted,omitempty"` // permission labels
	Missing     []string `json:"missing,omitempty"` // permission labels
}

// Workspace is a Bitbucket workspace the operator belongs to.
type Workspace struct {
	Slug  string
	Name  string
	Admin bool
}

// Repo is a Bitbucket repository.
type Repo struct {
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	FullName   string `json:"full_name"`
	HTMLURL    string `json:"html_url"`
	CloneHTTPS string `json:"clone_https"`
	CloneSSH   string `json:"clone_ssh"`
	Private    bool   `json:"private"`
	Project    string `json:"project,omitempty"`
	// MainBranchNote says, after a create, what bbsetup did for the main branch
	// Amplication's first push needs (it committed README.md) or that it failed; "" when
	// Bitbucket reported one already.
	MainBranchNote string `json:"main_branch_note,omitempty"`
}

// Project is a Bitbucket project.
type Project struct {
	Key  string
	Name string
}

// NewRepo is a repository to create.
type NewRepo struct {
	Name       string
	Slug       string
	ProjectKey string // "" = Bitbucket's default project (the workspace's oldest)
	Private    bool
	// Description is the repository's description (optional), as repos create
	// --description.
	Description string
}

// CredentialsError wraps an error Bitbucket gave because it rejected the consumer's key or
// secret (the code exchange, or a token renewal during a listing): the way out is another
// key and secret, so the screens offer the way back to them. The Backend wraps such errors.
type CredentialsError struct{ Err error }

// Error implements error.
func (e *CredentialsError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *CredentialsError) Unwrap() error { return e.Err }

// OutsideCheckoutError is what PlanEnv returns when an env file is a symlink (or lies in a
// symlinked directory) that leads outside the checkout. The wizard shows it and, when the
// backend allows it, offers to write there anyway.
type OutsideCheckoutError struct {
	Link, Target string
	Message      string // the backend's sentence, with what to do
}

// Error implements error.
func (e *OutsideCheckoutError) Error() string { return e.Message }

// ExistsError is what CreateRepo returns when the slug is already taken.
type ExistsError struct {
	Workspace, Slug string
}

// Error implements error.
func (e *ExistsError) Error() string {
	return fmt.Sprintf("repository %s/%s already exists", e.Workspace, e.Slug)
}
