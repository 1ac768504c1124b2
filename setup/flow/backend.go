package flow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/mask"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Config is what the Backend takes from the program that runs it (cmd/): addresses,
// the HTTP client, and how to open a checkout and a browser.
type Config struct {
	BitbucketURL, APIURL string
	// AmplicationURL is the operator's Amplication server URL; "" means ServerURL's
	// policy (HOST in the env files, then the default).
	AmplicationURL string
	HTTP           *http.Client
	// Open opens the checkout at or above dir ("" means the program's default), with
	// where backups go and what the operator trusts.
	Open func(dir string) (*checkout.Checkout, error)
	// LookupEnv is the program's environment (the offline check reads it).
	LookupEnv func(string) (string, bool)
	// Secret registers values that must never be logged.
	Secret func(...string)
	// OpenBrowser opens a URL in the operator's browser (ctx lasts as long as the Backend).
	OpenBrowser func(ctx context.Context, url string) error
	// AfterWrite runs after the env files are written (the demo starts its server).
	AfterWrite func()
	// RestartAmp restarts the demo's Amplication server; nil elsewhere.
	RestartAmp func() error
	// StartService starts one of the demo's emulated services by its nx name (the Build
	// screen's s); nil elsewhere.
	StartService func(name string) error
	// PRService says how the demo's emulated PR service stands, in PRServiceLines' form
	// (there is no process to look for); nil elsewhere: the checkout's is looked for.
	PRService func() []string
	// Bitbucket are the options of the Bitbucket clients built with the consumer's key
	// (the zero value: the client's defaults; tests shorten the retry wait).
	Bitbucket bitbucket.Options
	// BuildTimeout bounds the Build screen's follow, BuildStallAfter names a stage that
	// has not moved for that long (0: setup/build's defaults).
	BuildTimeout, BuildStallAfter time.Duration
}

// Backend implements the wizard's roles (tui.Backend, and tui.Amplication on a
// signed-in session) on the use cases of this package. The wizard calls it from
// tea.Cmds: what a step needs travels in the values it returns (the checkout, the env
// plan, the authorization session, the authorized API); its own state is the one
// authorization whose listener holds the callback port, and the operator's consent to
// write outside the checkout.
type Backend struct {
	cfg  Config
	base context.Context // outlives each step's own

	allowOutside atomic.Bool

	mu  sync.Mutex
	cur *Session // the latest authorization, whose listener may hold the port
}

// NewBackend returns a Backend; base is the program's context, which outlives each step.
func NewBackend(base context.Context, cfg Config) *Backend {
	if cfg.Secret == nil {
		cfg.Secret = func(...string) {}
	}
	return &Backend{cfg: cfg, base: base}
}

// Close frees the callback port and the idle connections.
func (b *Backend) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur != nil {
		b.cur.Close()
	}
	b.cfg.HTTP.CloseIdleConnections()
}

// AuthURL is the latest authorization's URL ("" before one started).
func (b *Backend) AuthURL() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur == nil {
		return ""
	}
	return b.cur.URL
}

// listen makes s the current authorization and opens its callback, closing the previous
// one's listener first (they share the callback port).
func (b *Backend) listen(s *Session) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur != nil {
		b.cur.Close()
	}
	b.cur = s
	s.Listen(b.base)
}

// checkout is co's opened checkout: the one FindCheckout opened, or co.Root opened again.
func (b *Backend) checkout(co Checkout) (*checkout.Checkout, error) {
	if co.co != nil {
		return co.co, nil
	}
	if co.Root == "" {
		return nil, errors.New("no Amplication checkout is selected yet")
	}
	return b.cfg.Open(co.Root)
}

// FindCheckout implements tui.CheckoutFinder.
func (b *Backend) FindCheckout(dir string) (Checkout, error) {
	co, err := b.cfg.Open(dir)
	if err != nil {
		return Checkout{}, clean(err)
	}
	// Paths and CLIENT_HOST come from the file system and a file: safe text only.
	out := Checkout{
		Root:        safetext.Line(co.Root),
		Layout:      co.Layout(),
		ServerEnv:   safetext.Line(co.ServerEnvLocal),
		CallbackURL: safetext.Line(co.CallbackURL),
		Services:    co.Services(),
		co:          co,
	}
	for _, p := range co.PRServices {
		out.PREnvs = append(out.PREnvs, safetext.Line(p.EnvLocal))
	}
	if cr, ok := co.Current(); ok {
		out.Configured = true
		for _, f := range co.CheckOffline(b.cfg.LookupEnv) {
			if f.Failed() { // notes (callback URL, services to start) never fail
				out.Configured = false
			}
		}
		if out.Configured {
			out.ClientID, out.SecretMasked = cr.ClientID, mask.Secret(cr.ClientSecret)
		}
	}
	return out, nil
}

// checkKey is the live check of a key and secret with Bitbucket (the secret kept out of
// the debug log), for the Verify step and for Server.CheckKey.
func (b *Backend) checkKey(ctx context.Context, id, secret string) oauth.Verdict {
	b.cfg.Secret(secret)
	return oauth.CheckCredentials(ctx, oauth.EndpointsFor(b.cfg.BitbucketURL), id, secret, b.cfg.HTTP)
}

// CheckCredentials implements tui.CredentialChecker.
func (b *Backend) CheckCredentials(ctx context.Context, c Credentials) Verdict {
	v := b.checkKey(ctx, c.ID, c.Secret)
	out := Verdict{Kind: verdictKinds[v.Kind], Message: safetext.Line(WithoutRemedy(v.Message)), Missing: oauth.Labels(v.Missing)}
	if v.Kind == oauth.VerdictOK || v.Kind == oauth.VerdictMissingScopes {
		out.Granted = GrantedLabels(v.Granted)
	}
	return out
}

// CheckConfigured implements tui.CredentialChecker: the key and secret configured in co.
func (b *Backend) CheckConfigured(ctx context.Context, tco Checkout) Verdict {
	co, err := b.checkout(tco)
	if err != nil {
		return Verdict{Kind: VerdictUnexpected, Message: err.Error()}
	}
	cr, ok := co.Current()
	if !ok {
		// Set when the wizard started, gone now (the file was changed or deleted meanwhile):
		// the consumer is still fine, only its key and secret must be pasted again.
		return Verdict{Kind: VerdictBadCredentials, Message: fmt.Sprintf("The Bitbucket key and secret are no longer in %s (the file changed after bbsetup read it). No new consumer is needed: paste the same consumer's key and secret again.", co.ServerEnvLocal)}
	}
	return b.CheckCredentials(ctx, Credentials{ID: cr.ClientID, Secret: cr.ClientSecret})
}

// WithoutRemedy is a rejection's message without Bitbucket's remedy, for the wizard and the
// line mode, which say their own (a key that works on that screen).
func WithoutRemedy(msg string) string { return oauth.WithoutRemedy(msg) }

var verdictKinds = map[oauth.VerdictKind]VerdictKind{
	oauth.VerdictOK:             VerdictOK,
	oauth.VerdictBadCredentials: VerdictBadCredentials,
	oauth.VerdictNotPrivate:     VerdictNotPrivate,
	oauth.VerdictNoCallback:     VerdictNoCallback,
	oauth.VerdictMissingScopes:  VerdictMissingScopes,
	oauth.VerdictNetwork:        VerdictNetwork,
	oauth.VerdictUnexpected:     VerdictUnexpected,
}

// GrantedLabels names the required boxes that granted scopes cover.
func GrantedLabels(granted []string) []string {
	missing := map[string]bool{}
	for _, p := range oauth.Missing(granted) {
		missing[p.Scope] = true
	}
	var out []string
	for _, p := range oauth.RequiredPermissions() {
		if !missing[p.Scope] {
			out = append(out, p.Label())
		}
	}
	return out
}

// Permissions implements tui.PermissionList: the consumer form's rows.
func (b *Backend) Permissions() []PermissionRow {
	var rows []PermissionRow
	for _, p := range oauth.RequiredPermissions() {
		if n := len(rows); n > 0 && rows[n-1].Row == p.Row {
			rows[n-1].Levels += ", " + p.Level
			continue
		}
		rows = append(rows, PermissionRow{Row: p.Row, Levels: p.Level})
	}
	return rows
}

// SettingsURL implements tui.ConsumerSettings.
func (b *Backend) SettingsURL(workspace string) string {
	return b.cfg.BitbucketURL + "/" + workspace + "/workspace/settings/api"
}

// PlanEnv implements tui.EnvPlanner.
func (b *Backend) PlanEnv(_ context.Context, tco Checkout, c Credentials) (EnvPlan, error) {
	opened, err := b.checkout(tco)
	if err != nil {
		return EnvPlan{}, clean(err)
	}
	co := *opened // the opened checkout stays as it was: the consent is this plan's
	co.AllowOutside = co.AllowOutside || b.allowOutside.Load()
	plan, err := co.Plan(checkout.Credentials{ClientID: c.ID, ClientSecret: c.Secret})
	var oe *checkout.OutsideError
	if errors.As(err, &oe) {
		// The wizard shows path -> target and asks before it writes there.
		return EnvPlan{}, &OutsideCheckoutError{Link: safetext.Line(oe.Link), Target: safetext.Line(oe.Target), Message: safetext.Line(oe.Error())}
	}
	if err != nil {
		return EnvPlan{}, clean(err)
	}
	out := EnvPlan{Applier: envApplier{plan: plan, after: b.cfg.AfterWrite, root: co.Root, pr: b.cfg.PRService}}
	for _, f := range plan.Files {
		// The operator sees where a link leads before confirming; file content is safe text.
		diff := f.Diff()
		for _, n := range FileNotes(f) { // a mode tightened, hard links replaced: said before the confirm
			diff = "note: " + strings.Replace(n, "it is now", "it will be", 1) + "\n" + diff
		}
		out.Files = append(out.Files, FilePlan{Path: safetext.Line(ShownPath(f)), Diff: safetext.Block(diff), Changed: f.Changed(), Exists: f.Exists})
	}
	return out, nil
}

// AllowOutsideCheckout implements tui.OutsideAllower: the operator confirmed writing
// through a link that leads outside the checkout; the next plans may.
func (b *Backend) AllowOutsideCheckout() { b.allowOutside.Store(true) }

// envApplier writes one plan (tui.EnvApplier).
type envApplier struct {
	plan  *envfile.Plan
	after func()          // after a successful write (the demo starts its Amplication server)
	root  string          // the checkout
	pr    func() []string // Config.PRService
}

// PRServiceLines implements the env screen's optional PR service check: the checkout's
// PR service against the env files as written now (it reads /proc or runs ps: call it in
// a command, not in Update).
func (e envApplier) PRServiceLines(context.Context) []string {
	if e.pr != nil {
		return e.pr()
	}
	co, err := checkout.Open(e.root)
	if err != nil {
		return nil
	}
	return PRServiceLines(co)
}

// Apply implements tui.EnvApplier.
func (e envApplier) Apply(_ context.Context) ([]FileResult, error) {
	res, err := e.plan.Apply()
	if err == nil && e.after != nil {
		e.after()
	}
	out := make([]FileResult, 0, len(res))
	for _, r := range res {
		out = append(out, FileResult{Path: safetext.Line(r.Path), Changed: r.Changed, Backup: safetext.Line(r.Backup)})
	}
	return out, clean(err)
}

// StartAuth implements tui.Authorizer: bbsetup's own authorization.
func (b *Backend) StartAuth(_ context.Context, tco Checkout, c Credentials) (AuthSession, error) {
	co, err := b.checkout(tco)
	if err != nil {
		return AuthSession{}, clean(err)
	}
	cr := checkout.Credentials{ClientID: c.ID, ClientSecret: c.Secret}
	if c.IsZero() {
		var ok bool
		if cr, ok = co.Current(); !ok {
			return AuthSession{}, fmt.Errorf("the Bitbucket key and secret are not set in %s; go back and enter them", co.ServerEnvLocal)
		}
	}
	b.cfg.Secret(cr.ClientSecret)
	s, err := StartBitbucket(b.cfg.BitbucketURL, cr, co.CallbackURL, b.cfg.HTTP)
	if err != nil {
		return AuthSession{}, clean(err)
	}
	b.listen(s)
	return b.authSession(s, "After granting access, paste the address your browser lands on (it starts with "+s.CallbackURL+").",
		func(ctx context.Context, code string, pasted bool) (Authorized, error) {
			acc, err := s.CompleteBitbucket(ctx, b.base, b.cfg.APIURL, code, b.cfg.Secret)
			switch {
			case err != nil && pasted && CodeRejected(err):
				return Authorized{}, clean(PastedCodeRejected(s.CallbackURL))
			case err != nil:
				return Authorized{}, clean(KeyRejected(err))
			}
			return Authorized{
				Identity: Identity{
					DisplayName: safetext.Line(acc.User.DisplayName),
					Nickname:    safetext.Line(acc.User.Nickname),
					Granted:     GrantedLabels(acc.Granted),
					Missing:     oauth.Labels(oauth.Missing(acc.Granted)),
				},
				API: BitbucketAPI(acc.API),
			}, nil
		}), nil
}

// authSession is s for the wizard: its URL, the paste advice when bbsetup does not
// listen (paste: what to do), and complete behind Wait and Paste.
func (b *Backend) authSession(s *Session, paste string, complete func(ctx context.Context, code string, pasted bool) (Authorized, error)) AuthSession {
	out := AuthSession{URL: s.URL, Flow: &authFlow{s: s, complete: complete}}
	if why := s.NotListening(); why != "" {
		out.PortInUse, out.PortMessage = true, why+" "+paste
	}
	return out
}

// authFlow is one started authorization as the wizard completes it (tui.AuthFlow), for
// both kinds.
type authFlow struct {
	s        *Session
	complete func(ctx context.Context, code string, pasted bool) (Authorized, error)
}

// Wait implements tui.AuthFlow. It returns ctx.Err() when ctx is done and frees the port
// then.
func (f *authFlow) Wait(ctx context.Context) (Authorized, error) {
	code, err := f.s.WaitCallback(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Authorized{}, ctx.Err()
		}
		return Authorized{}, clean(err)
	}
	return f.complete(ctx, code, false)
}

// Paste implements tui.AuthFlow.
func (f *authFlow) Paste(ctx context.Context, pasted string) (Authorized, error) {
	code, err := f.s.ParsePasted(pasted)
	if err != nil {
		return Authorized{}, clean(err)
	}
	return f.complete(ctx, code, true)
}

// OpenBrowser implements tui.Browser.
func (b *Backend) OpenBrowser(url string) error { return b.cfg.OpenBrowser(b.base, url) }

// BitbucketAPI is the wizard's Bitbucket API (tui.Bitbucket) on an authorized client:
// what an authorization hands the Workspace, Create and Connect screens.
func BitbucketAPI(c *bitbucket.Client) Bitbucket { return bitbucketAPI{c} }

// bitbucketAPI maps setup/bitbucket to the wizard's values.
type bitbucketAPI struct{ api *bitbucket.Client }

// Workspaces implements tui.WorkspaceLister.
func (b bitbucketAPI) Workspaces(ctx context.Context) ([]Workspace, error) {
	ws, err := b.api.Workspaces(ctx)
	if err != nil {
		return nil, clean(KeyRejected(err))
	}
	out := make([]Workspace, 0, len(ws))
	for _, w := range ws {
		out = append(out, Workspace{Slug: safetext.Line(w.Slug), Name: safetext.Line(w.Name), Admin: w.Administrator})
	}
	return out, nil
}

// ListRepos implements tui.RepoLister.
func (b bitbucketAPI) ListRepos(ctx context.Context, workspace, filter string, fn func([]Repo, int, int)) error {
	return clean(KeyRejected(b.api.ListRepositories(ctx, workspace, bitbucket.ListOptions{Filter: filter}, func(batch []bitbucket.Repository, loaded, total int) {
		out := make([]Repo, len(batch))
		for i, r := range batch {
			out[i] = toRepo(r)
		}
		fn(out, loaded, max(total, 0))
	})))
}

func toRepo(r bitbucket.Repository) Repo {
	// Every field is the server's text and the wizard shows it: safe text only.
	l := safetext.Line
	return Repo{
		Slug: l(r.Slug), Name: l(r.Name), FullName: l(r.FullName), HTMLURL: l(r.HTMLURL),
		CloneHTTPS: l(r.CloneHTTPS), CloneSSH: l(r.CloneSSH), Private: r.IsPrivate, Project: l(r.ProjectKey),
	}
}

// Projects implements tui.RepoCreator.
func (b bitbucketAPI) Projects(ctx context.Context, workspace string) ([]Project, error) {
	ps, err := b.api.Projects(ctx, workspace)
	if err != nil {
		return nil, clean(err)
	}
	out := make([]Project, 0, len(ps))
	for _, p := range ps {
		out = append(out, Project{Key: safetext.Line(p.Key), Name: safetext.Line(p.Name)})
	}
	return out, nil
}

// CreateRepo implements tui.RepoCreator.
func (b bitbucketAPI) CreateRepo(ctx context.Context, workspace string, r NewRepo) (Repo, error) {
	repo, mb, err := CreateRepository(ctx, b.api, workspace, bitbucket.CreateRepo{
		Name: r.Name, Slug: r.Slug, ProjectKey: r.ProjectKey, Public: !r.Private, Description: r.Description,
	})
	if repo == nil { // the create failed
		var ee *bitbucket.ExistsError
		if errors.As(err, &ee) {
			return Repo{}, &ExistsError{Workspace: safetext.Line(workspace), Slug: safetext.Line(ee.Slug)}
		}
		return Repo{}, clean(err)
	}
	out := toRepo(*repo)
	// The repository is created; a failed main branch is a note, not a failure.
	switch {
	case err != nil:
		out.MainBranchNote = "! " + UpperFirst(safetext.Line(err.Error())) + "."
	case mb.Committed:
		out.MainBranchNote = "Added README.md on " + safetext.Line(mb.Branch) + " so the repository has a default branch (Amplication needs one before its first push)."
	}
	return out, nil
}

// RepoExists implements tui.RepoCreator and tui.RepoChecker with one lookup by slug (GET
// /repositories/{ws}/{slug}): a 404 means the slug is free.
func (b bitbucketAPI) RepoExists(ctx context.Context, workspace, slug string) (bool, error) {
	_, err := b.api.Repository(ctx, workspace, slug)
	var nf *bitbucket.NotFoundError
	switch {
	case errors.As(err, &nf):
		return false, nil
	case err != nil:
		return false, clean(KeyRejected(err))
	}
	return true, nil
}

// Slugify implements tui.RepoCreator.
func (b bitbucketAPI) Slugify(name string) string { return bitbucket.Slugify(name) }

// ValidateSlug implements tui.RepoCreator.
func (b bitbucketAPI) ValidateSlug(slug string) error { return bitbucket.ValidateSlug(slug) }

// cleanError is an error whose text is safe for the terminal (safetext.Block): errors can
// carry a server's or a file's words. It unwraps to the original, so the wizard can still
// branch on its type.
type cleanError struct{ err error }

func (e *cleanError) Error() string { return safetext.Block(wizardText(e.err)) }

// wizardText is err's text without the HTTP client's own error appended to a sentence
// (`…: Get "http://…": dial tcp …`): as on the command line, that is detail for --debug,
// not for the operator.
func wizardText(err error) string {
	msg := err.Error()
	var ue *url.Error
	var te *oauth.TokenError
	if errors.As(err, &ue) && !errors.As(err, &te) && strings.HasSuffix(msg, ": "+ue.Error()) {
		return strings.TrimSuffix(msg, ": "+ue.Error())
	}
	return msg
}
func (e *cleanError) Unwrap() error { return e.err }

// clean wraps err (nil stays nil) for the wizard.
func clean(err error) error {
	if err == nil {
		return nil
	}
	return &cleanError{err: err}
}

// ShownPath is how a planned file is named for the operator: its path, and where it
// leads when that is another file ("path -> target").
func ShownPath(f envfile.FileChange) string {
	s := f.SameFile()
	abs, err := filepath.Abs(f.Path)
	if err == nil && f.Target != "" && filepath.Clean(abs) != f.Target {
		s += " -> " + f.Target
	}
	return s
}

// FileNotes are the facts about a planned file the operator must be told: a mode
// tightened and hard links that keep the old content.
func FileNotes(f envfile.FileChange) []string {
	var out []string
	if f.Tightened != 0 {
		out = append(out, fmt.Sprintf("its mode was %04o (readable by group or others); it is now %04o because it holds the secret", f.Tightened, f.Mode))
	}
	if f.OtherLinks > 0 {
		out = append(out, fmt.Sprintf("it had %d other hard link(s); bbsetup replaced the file, so the other name(s) keep the old content", f.OtherLinks))
	}
	return out
}
