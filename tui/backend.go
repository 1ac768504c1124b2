package tui

import (
	"context"
	"errors"

	"github.com/bbsetup/bbsetup/setup/flow"
)

// The wizard reaches the outside world only through the role interfaces below, one per
// screen that needs it: each screen holds just its role. It calls them only from tea.Cmds
// (never from Update or View), always with a context that is cancelled when the operator
// leaves the step or presses Esc. setup/flow.Backend implements them on top of the other
// setup/ packages; tests use an in-package fake.
//
// State travels in return values, so calls cannot come in the wrong order: FindCheckout
// returns the Checkout that PlanEnv and StartAuth take; PlanEnv returns the EnvPlan whose
// Apply writes exactly it; StartAuth returns the AuthSession whose Wait or Paste completes
// it; and they return the Authorized account, whose API (Bitbucket) the later screens use.
//
// The values themselves are setup/flow's (the names below are aliases), so the Backend
// hands them over as they are.

// The values the screens exchange with the Backend (see setup/flow).
type (
	EnvApplier           = flow.EnvApplier
	AuthFlow             = flow.AuthFlow
	Amplication          = flow.Amplication
	AmpWorkspaceSwitcher = flow.AmpWorkspaceSwitcher
	AmpKeyChecker        = flow.AmpKeyChecker
	AmpAuthorizer        = flow.AmpAuthorizer
	AmpTargetLister      = flow.AmpTargetLister
	AmpConnector         = flow.AmpConnector
	AmpProbe             = flow.AmpProbe
	AmpLogin             = flow.AmpLogin
	AmpSignedIn          = flow.AmpSignedIn
	AmpWorkspace         = flow.AmpWorkspace
	AmpOrg               = flow.AmpOrg
	AmpKey               = flow.AmpKey
	AmpProject           = flow.AmpProject
	AmpResource          = flow.AmpResource
	AmpTarget            = flow.AmpTarget
	AmpConnectRequest    = flow.AmpConnectRequest
	AmpConnected         = flow.AmpConnected
	Bitbucket            = flow.Bitbucket
	WorkspaceLister      = flow.WorkspaceLister
	RepoCreator          = flow.RepoCreator
	RepoLister           = flow.RepoLister
	Checkout             = flow.Checkout
	Credentials          = flow.Credentials
	VerdictKind          = flow.VerdictKind
	Verdict              = flow.Verdict
	PermissionRow        = flow.PermissionRow
	EnvPlan              = flow.EnvPlan
	FilePlan             = flow.FilePlan
	FileResult           = flow.FileResult
	AuthSession          = flow.AuthSession
	Authorized           = flow.Authorized
	Identity             = flow.Identity
	Workspace            = flow.Workspace
	Repo                 = flow.Repo
	Project              = flow.Project
	NewRepo              = flow.NewRepo
	CredentialsError     = flow.CredentialsError
	OutsideCheckoutError = flow.OutsideCheckoutError
	ExistsError          = flow.ExistsError
	RepoGoneError        = flow.RepoGoneError
)

// DefaultOrg is the git organization a choice starts on (flow.DefaultOrg): bbsetup's
// own account's, never a colleague's; -1 is "authorize again".
func DefaultOrg(orgs []AmpOrg) int { return flow.DefaultOrg(orgs) }

// The Build screen's roles and values (build.go).
type (
	AmpBuilder            = flow.AmpBuilder
	AmpDemoServiceStarter = flow.AmpDemoServiceStarter
	AmpBuildRequest       = flow.AmpBuildRequest
	AmpBuildProgress      = flow.AmpBuildProgress
	AmpBuildService       = flow.AmpBuildService
	AmpStall              = flow.AmpStall
	AmpStart              = flow.AmpStart
)

// The verdicts CheckCredentials can return.
const (
	VerdictOK             = flow.VerdictOK
	VerdictBadCredentials = flow.VerdictBadCredentials
	VerdictNotPrivate     = flow.VerdictNotPrivate
	VerdictNoCallback     = flow.VerdictNoCallback
	VerdictMissingScopes  = flow.VerdictMissingScopes
	VerdictNetwork        = flow.VerdictNetwork
	VerdictUnexpected     = flow.VerdictUnexpected
)

// Backend is every role the wizard needs before authorization; New takes one.
type Backend interface {
	CheckoutFinder
	ConsumerSettings
	PermissionList
	CredentialChecker
	EnvPlanner
	Authorizer
	AmpProber
	AmpSignIner
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

// AmpProber asks whether the Amplication server answers (the Amplication server screen).
type AmpProber interface {
	// ProbeAmp asks the server co's env files (or the --amplication-url flag) name whether
	// it answers; it needs no sign-in.
	ProbeAmp(ctx context.Context, co Checkout) AmpProbe
}

// AmpDemoRestarter is what the demo's backend adds to AmpProber: it restarts the emulated
// Amplication server, as the operator's Ctrl+C and npx nx serve amplication-server would.
// The server screen uses it only in the demo (Options.Demo), and says so on screen.
type AmpDemoRestarter interface {
	RestartAmpDemo(ctx context.Context) error
}

// AmpSignIner signs in to Amplication (the sign-in screen).
type AmpSignIner interface {
	// SignInAmp signs in with an email and password, or a token, reads the account's
	// workspaces and git organizations and checks which Bitbucket key the running server
	// uses. Its error says what happened and what to do, in the operator's words.
	SignInAmp(ctx context.Context, co Checkout, l AmpLogin) (AmpSignedIn, error)
}

// Browser opens URLs in the operator's browser (the Consumer and Authorize screens).
type Browser interface {
	// OpenBrowser opens url in the operator's browser.
	OpenBrowser(url string) error
}

// credentialsRejected reports whether err says Bitbucket rejected the key or secret.
func credentialsRejected(err error) bool {
	var ce *CredentialsError
	return errors.As(err, &ce)
}

// OutsideAllower is an optional EnvWriter extension: AllowOutsideCheckout makes the next
// PlanEnv accept env files that lead outside the checkout (the operator confirmed).
type OutsideAllower interface {
	AllowOutsideCheckout()
}

// isExists reports whether err says the repository already exists.
func isExists(err error) (*ExistsError, bool) {
	var ee *ExistsError
	if errors.As(err, &ee) {
		return ee, true
	}
	return nil, false
}
