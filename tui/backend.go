package tui

import (
	"context"
	"errors"
	"fmt"
)

// The wizard reaches the outside world only through the role interfaces below, one per
// screen that needs it: each screen holds just its role. It calls them only from tea.Cmds
// (never from Update or View), always with a context that is cancelled when the operator
// leaves the step or presses Esc. An adapter in cmd/ implements them on top of the setup/
// packages; tests use an in-package fake.
//
// State travels in return values, so calls cannot come in the wrong order: FindCheckout
// returns the Checkout that PlanEnv and StartAuth take; PlanEnv returns the EnvPlan whose
// Apply writes exactly it; StartAuth returns the AuthSession whose Wait or Paste completes
// it; and they return the Authorized account, whose API (Bitbucket) the later screens use.

// Backend is every role the wizard needs before authorization; New takes one.
type Backend interface {
	CheckoutFinder
	ConsumerSettings
	PermissionList
	CredentialChecker
	EnvPlanner
	Authorizer
	Browser
}

// CheckoutFinder locates the Amplication checkout (the Welcome screen).
type CheckoutFinder interface {
	// FindCheckout finds the checkout at or above dir ("" means the adapter's default: the
	// --repo flag or the working directory). Its error says what is missing and what to do,
	// in the operator's words.
	FindCheckout(dir string) (Checkout, error)
}

// ConsumerSettings links to Bitbucket's consumer settings (the Consumer screen).
type ConsumerSettings interface {
	// SettingsURL is the workspace settings page that lists OAuth consumers:
	// <bitbucket-url>/<workspace>/workspace/settings/api.
	SettingsURL(workspace string) string
}

// PermissionList is the consumer's permissions form (the Permissions screen).
type PermissionList interface {
	// Permissions returns the checklist rows of the consumer's permissions form, in the
	// order Bitbucket shows them.
	Permissions() []PermissionRow
}

// CredentialChecker verifies a consumer key and secret against Bitbucket (the Verify
// screen).
type CredentialChecker interface {
	// CheckCredentials checks the key and secret live; it never returns the secret in the
	// Verdict.
	CheckCredentials(ctx context.Context, c Credentials) Verdict
	// CheckConfigured checks the key and secret already configured in co (the operator
	// chose to keep them) the same way, with one token request.
	CheckConfigured(ctx context.Context, co Checkout) Verdict
}

// EnvPlanner plans the .env.local files of a checkout (the Env files screen).
type EnvPlanner interface {
	// PlanEnv reads and validates every file of co it would change and returns the masked
	// diffs; it writes nothing. The plan's Apply writes them.
	PlanEnv(ctx context.Context, co Checkout, c Credentials) (EnvPlan, error)
}

// EnvApplier writes one plan: the value behind EnvPlan.Apply.
type EnvApplier interface {
	// Apply writes the planned files. On failure it returns the results of the files
	// already written, if any, with the error.
	Apply(ctx context.Context) ([]FileResult, error)
}

// Authorizer starts the OAuth authorization-code flow for the operator's own account (the
// Authorize screen).
type Authorizer interface {
	// StartAuth prepares the flow for co's consumer and starts listening on the callback
	// port. The zero Credentials mean "the key and secret already configured in co". When
	// the port is taken it still returns the URL, with PortInUse set, so the operator can
	// paste the landed URL instead. A new session replaces the previous one (its listener
	// is closed).
	StartAuth(ctx context.Context, co Checkout, c Credentials) (AuthSession, error)
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

// Browser opens URLs in the operator's browser (the Consumer and Authorize screens).
type Browser interface {
	// OpenBrowser opens url in the operator's browser.
	OpenBrowser(url string) error
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
	// searches by name. fn is called from the adapter's goroutine, never concurrently.
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
// key and secret, so the screens offer the way back to them. The adapter wraps such errors.
type CredentialsError struct{ Err error }

// Error implements error.
func (e *CredentialsError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *CredentialsError) Unwrap() error { return e.Err }

// credentialsRejected reports whether err says Bitbucket rejected the key or secret.
func credentialsRejected(err error) bool {
	var ce *CredentialsError
	return errors.As(err, &ce)
}

// OutsideCheckoutError is what PlanEnv returns when an env file is a symlink (or lies in a
// symlinked directory) that leads outside the checkout. The wizard shows it and, when the
// backend implements OutsideAllower, offers to write there anyway.
type OutsideCheckoutError struct {
	Link, Target string
	Message      string // the backend's sentence, with what to do
}

// Error implements error.
func (e *OutsideCheckoutError) Error() string { return e.Message }

// OutsideAllower is an optional EnvWriter extension: AllowOutsideCheckout makes the next
// PlanEnv accept env files that lead outside the checkout (the operator confirmed).
type OutsideAllower interface {
	AllowOutsideCheckout()
}

// ExistsError is what CreateRepo returns when the slug is already taken.
type ExistsError struct {
	Workspace, Slug string
}

// Error implements error.
func (e *ExistsError) Error() string {
	return fmt.Sprintf("repository %s/%s already exists", e.Workspace, e.Slug)
}

// isExists reports whether err says the repository already exists.
func isExists(err error) (*ExistsError, bool) {
	var ee *ExistsError
	if errors.As(err, &ee) {
		return ee, true
	}
	return nil, false
}
