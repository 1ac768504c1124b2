package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/mask"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
	"github.com/bbsetup/bbsetup/tui"
)

type wizardOptions struct {
	noBrowser bool
	json      bool
	demo      bool
	// prefill is handed to the key and secret inputs (the demo's consumer).
	prefill tui.Credentials
	// workspace pre-fills the workspace slug input (the demo's "acme").
	workspace string
	// visit makes the browser's visit itself instead of opening a browser (the demo on a
	// machine with no browser).
	visit func(ctx context.Context, url string) error
	// afterWrite runs after the env files are written (the demo starts its Amplication
	// server then, as the operator would start npx nx serve amplication-server).
	afterWrite func()
	// restartAmp restarts the demo's Amplication server (the --stale-server path).
	restartAmp func() error
	// ampEmail and ampPassword pre-fill the Amplication sign-in (the demo's user).
	ampEmail, ampPassword string
	// scratchRoot is the demo's scratch checkout; the backups of its files go under
	// scratchState (the demo's own state directory, removed with it), not among the
	// operator's. Any other checkout keeps the operator's state directory.
	scratchRoot, scratchState string
}

func (a *app) newWizardCmd() *cobra.Command {
	var o wizardOptions
	c := &cobra.Command{
		Use:   "wizard",
		Short: "Run the guided setup wizard (the default command)",
		Long: `Run the guided setup wizard (the default when bbsetup is run with no command).

It walks through creating the Bitbucket OAuth consumer, checks the key and secret live,
writes both .env.local files (after showing the diff and asking), authorizes in the
browser, and lets you pick a workspace and create or connect a repository.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runWizard(cmd.Context(), o)
		},
	}
	addWizardFlags(c, &o)
	return c
}

func addWizardFlags(c *cobra.Command, o *wizardOptions) {
	c.Flags().BoolVar(&o.noBrowser, "no-browser", false, "show URLs instead of opening a browser")
	c.Flags().BoolVar(&o.json, "json", false, "print the summary as JSON on stdout after the wizard exits (the wizard draws on stderr)")
}

// runWizard runs the Bubble Tea wizard on the terminal with the real setup/ packages.
func (a *app) runWizard(ctx context.Context, o wizardOptions) error {
	// Stdin and the screen must be a terminal: piped, redirected from /dev/null or to a
	// file, the program could not read keys or draw (and would leave the cursor hidden).
	screenIsTerminal := a.env.StdoutIsTerminal
	if o.json {
		screenIsTerminal = a.env.StderrIsTerminal // stdout carries the JSON
	}
	if !a.env.StdinIsTerminal || !screenIsTerminal {
		fmt.Fprintln(a.env.Stderr, "bbsetup: "+errNotATerminal)
		return &ExitError{Code: ExitUsage}
	}
	b := a.newWizardBackend(ctx, o)
	defer b.close()

	screen := a.env.Stdout
	if o.json {
		screen = a.env.Stderr // stdout carries the JSON summary
	}
	sum, err := tui.Run(ctx, b, tui.Options{
		NoBrowser:    o.noBrowser,
		Remote:       a.env.Getenv("SSH_CONNECTION") != "",
		RepoDir:      a.g.Repo,
		Demo:         o.demo,
		DemoVisits:   o.visit != nil && a.env.Getenv("BROWSER") == "", // as OpenBrowser decides
		NoColor:      a.env.Getenv("NO_COLOR") != "",
		BitbucketURL: a.g.BitbucketURL,
		Prefill:      o.prefill,
		Workspace:    o.workspace,
		AmpEmail:     o.ampEmail,
		AmpPassword:  o.ampPassword,
	}, a.env.Stdin, screen)
	if o.json {
		if jerr := writeJSON(a.env.Stdout, sum); jerr != nil && err == nil { // jsonout.go: controls escaped
			err = jerr
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tui.ErrQuit):
		// The wizard's last frame already says what was (or was not) written.
		return &ExitError{Code: ExitInterrupted}
	case errors.Is(err, context.Canceled):
		// Stopped from outside (a signal): the wizard had no chance to say it.
		fmt.Fprintln(a.env.Stderr, quitMessage(sum))
		return &ExitError{Code: ExitInterrupted}
	default:
		return err
	}
}

// errNotATerminal is what the wizard (and the demo) say when stdin or the screen is not a
// terminal, whatever it is instead (a pipe, /dev/null, a file).
const errNotATerminal = "the wizard needs an interactive terminal (stdin and the screen); in scripts use 'bbsetup configure', 'bbsetup check' and 'bbsetup authorize' instead."

// quitMessage says what a wizard that was left early has changed on disk and outside this
// machine (a repository created, or a create under way and how to check it).
func quitMessage(s tui.Summary) string {
	var written []string
	for _, f := range s.Files {
		if f.Changed {
			written = append(written, f.Path)
		}
	}
	msg := "bbsetup: setup stopped; nothing was written."
	if len(written) > 0 {
		msg = "bbsetup: setup stopped; these files were written: " + strings.Join(written, ", ") +
			". Run 'bbsetup check' to see where things stand."
	}
	for _, o := range s.DoneOutside {
		msg += "\n" + o
	}
	return msg
}

// wizardBackend implements tui.Backend on the setup/ packages. The wizard calls it from
// tea.Cmds, so it guards its state with a mutex. Its state is only a cache and the one
// callback listener: what a step needs travels in the values it returns (the checkout, the
// env plan, the auth session, the authorized API).
type wizardBackend struct {
	a    *app
	o    wizardOptions
	base context.Context // the command's context: outlives each step's own
	hc   *http.Client

	mu   sync.Mutex
	co   *checkout.Checkout // the last checkout found
	auth *authSession       // the latest authorization, whose listener holds the port
	amps []*ampWizardAPI    // the Amplication sessions, whose authorizations may listen
}

var _ tui.Backend = (*wizardBackend)(nil)

func (a *app) newWizardBackend(ctx context.Context, o wizardOptions) *wizardBackend {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * bitbucket.DefaultConcurrency // page fetches run in parallel
	return &wizardBackend{a: a, o: o, base: ctx, hc: &http.Client{Transport: a.debugTransport(tr), Timeout: 2 * time.Minute}}
}

func (b *wizardBackend) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.auth != nil {
		b.auth.closeListenerLocked()
	}
	for _, api := range b.amps {
		api.closeAmp()
	}
	b.hc.CloseIdleConnections()
}

// checkout is the opened checkout of co: the one FindCheckout found, or co.Root opened
// again.
func (b *wizardBackend) checkout(co tui.Checkout) (*checkout.Checkout, error) {
	b.mu.Lock()
	found := b.co
	b.mu.Unlock()
	if found != nil && found.Root == co.Root {
		return found, nil
	}
	if co.Root == "" {
		return nil, errors.New("no Amplication checkout is selected yet")
	}
	c, err := checkout.Open(co.Root)
	if err != nil {
		return nil, err
	}
	b.a.trustCheckout(c)
	b.scratchBackups(c)
	return c, nil
}

// scratchBackups sends the backups of the demo's scratch checkout to the demo's own state
// directory.
func (b *wizardBackend) scratchBackups(co *checkout.Checkout) {
	if b.o.scratchRoot == "" || b.o.scratchState == "" {
		return
	}
	if root, err := filepath.Abs(b.o.scratchRoot); err == nil && root == co.Root {
		co.BackupDir = checkout.BackupDirFor(b.o.scratchState, co.Root)
	}
}

// FindCheckout implements tui.CheckoutFinder.
func (b *wizardBackend) FindCheckout(dir string) (tui.Checkout, error) {
	var co *checkout.Checkout
	var err error
	if dir == "" {
		co, err = b.a.openCheckout()
	} else {
		var root string
		if root, err = checkout.Find(dir); err == nil {
			co, err = checkout.Open(root)
		}
		if err == nil {
			b.a.trustCheckout(co)
		}
	}
	if err != nil {
		return tui.Checkout{}, clean(err)
	}
	b.scratchBackups(co)
	b.mu.Lock()
	b.co = co
	b.mu.Unlock()

	// Paths and CLIENT_HOST come from the file system and a file: safe text only.
	out := tui.Checkout{
		Root:        safetext.Line(co.Root),
		Layout:      co.Layout(),
		ServerEnv:   safetext.Line(co.ServerEnvLocal),
		CallbackURL: safetext.Line(co.CallbackURL),
		Services:    co.Services(),
	}
	for _, p := range co.PRServices {
		out.PREnvs = append(out.PREnvs, safetext.Line(p.EnvLocal))
	}
	if cr, ok := co.Current(); ok {
		out.Configured = true
		for _, f := range co.CheckOffline(b.a.env.LookupEnv) {
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

// CheckCredentials implements tui.CredentialChecker.
func (b *wizardBackend) CheckCredentials(ctx context.Context, c tui.Credentials) tui.Verdict {
	b.a.secret(c.Secret)
	v := oauth.CheckCredentials(ctx, oauth.EndpointsFor(b.a.g.BitbucketURL), c.ID, c.Secret, b.hc)
	out := tui.Verdict{Kind: verdictKinds[v.Kind], Message: safetext.Line(v.Message), Missing: oauth.Labels(v.Missing)}
	if v.Kind == oauth.VerdictOK || v.Kind == oauth.VerdictMissingScopes {
		out.Granted = grantedLabels(v.Granted)
	}
	return out
}

// CheckConfigured implements tui.CredentialChecker: the key and secret configured in co.
func (b *wizardBackend) CheckConfigured(ctx context.Context, tco tui.Checkout) tui.Verdict {
	co, err := b.checkout(tco)
	if err != nil {
		return tui.Verdict{Kind: tui.VerdictUnexpected, Message: err.Error()}
	}
	cr, ok := co.Current()
	if !ok {
		return tui.Verdict{Kind: tui.VerdictUnexpected, Message: fmt.Sprintf("The Bitbucket key and secret are not set in %s; go back and replace them with a new consumer.", co.ServerEnvLocal)}
	}
	return b.CheckCredentials(ctx, tui.Credentials{ID: cr.ClientID, Secret: cr.ClientSecret})
}

var verdictKinds = map[oauth.VerdictKind]tui.VerdictKind{
	oauth.VerdictOK:             tui.VerdictOK,
	oauth.VerdictBadCredentials: tui.VerdictBadCredentials,
	oauth.VerdictNotPrivate:     tui.VerdictNotPrivate,
	oauth.VerdictNoCallback:     tui.VerdictNoCallback,
	oauth.VerdictMissingScopes:  tui.VerdictMissingScopes,
	oauth.VerdictNetwork:        tui.VerdictNetwork,
	oauth.VerdictUnexpected:     tui.VerdictUnexpected,
}

// grantedLabels names the required boxes that granted scopes cover.
func grantedLabels(granted []string) []string {
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

// Permissions implements tui.CredentialChecker: the consumer form's rows.
func (b *wizardBackend) Permissions() []tui.PermissionRow {
	var rows []tui.PermissionRow
	for _, p := range oauth.RequiredPermissions() {
		if n := len(rows); n > 0 && rows[n-1].Row == p.Row {
			rows[n-1].Levels += ", " + p.Level
			continue
		}
		rows = append(rows, tui.PermissionRow{Row: p.Row, Levels: p.Level})
	}
	return rows
}

// SettingsURL implements tui.CredentialChecker.
func (b *wizardBackend) SettingsURL(workspace string) string {
	return b.a.g.BitbucketURL + "/" + workspace + "/workspace/settings/api"
}

// PlanEnv implements tui.EnvPlanner.
func (b *wizardBackend) PlanEnv(_ context.Context, tco tui.Checkout, c tui.Credentials) (tui.EnvPlan, error) {
	co, err := b.checkout(tco)
	if err != nil {
		return tui.EnvPlan{}, clean(err)
	}
	plan, err := co.Plan(checkout.Credentials{ClientID: c.ID, ClientSecret: c.Secret})
	var oe *checkout.OutsideError
	if errors.As(err, &oe) {
		// The wizard shows path -> target and asks before it writes there.
		return tui.EnvPlan{}, &tui.OutsideCheckoutError{Link: safetext.Line(oe.Link), Target: safetext.Line(oe.Target), Message: safetext.Line(oe.Error())}
	}
	if err != nil {
		return tui.EnvPlan{}, clean(err)
	}
	out := tui.EnvPlan{Applier: envApplier{plan: plan, after: b.o.afterWrite}}
	for _, f := range plan.Files {
		// The operator sees where a link leads before confirming; file content is safe text.
		diff := f.Diff()
		for _, n := range fileNotes(f) { // a mode tightened, hard links replaced: said before the confirm
			diff = "note: " + strings.Replace(n, "it is now", "it will be", 1) + "\n" + diff
		}
		out.Files = append(out.Files, tui.FilePlan{Path: safetext.Line(shownPath(f)), Diff: safetext.Block(diff), Changed: f.Changed(), Exists: f.Exists})
	}
	return out, nil
}

// AllowOutsideCheckout implements tui.OutsideAllower: the operator confirmed writing
// through a link that leads outside the checkout.
func (b *wizardBackend) AllowOutsideCheckout() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.co != nil {
		b.co.AllowOutside = true
	}
}

// envApplier writes one plan (tui.EnvApplier).
type envApplier struct {
	plan  *envfile.Plan
	after func() // after a successful write (the demo starts its Amplication server)
}

// Apply implements tui.EnvApplier.
func (e envApplier) Apply(_ context.Context) ([]tui.FileResult, error) {
	res, err := e.plan.Apply()
	if err == nil && e.after != nil {
		e.after()
	}
	out := make([]tui.FileResult, 0, len(res))
	for _, r := range res {
		out = append(out, tui.FileResult{Path: safetext.Line(r.Path), Changed: r.Changed, Backup: safetext.Line(r.Backup)})
	}
	return out, clean(err)
}

// StartAuth implements tui.Authorizer.
func (b *wizardBackend) StartAuth(ctx context.Context, tco tui.Checkout, c tui.Credentials) (tui.AuthSession, error) {
	co, err := b.checkout(tco)
	if err != nil {
		return tui.AuthSession{}, clean(err)
	}
	if c.IsZero() {
		cr, ok := co.Current()
		if !ok {
			return tui.AuthSession{}, fmt.Errorf("the Bitbucket key and secret are not set in %s; go back and enter them", co.ServerEnvLocal)
		}
		c = tui.Credentials{ID: cr.ClientID, Secret: cr.ClientSecret}
	}
	b.a.secret(c.Secret)
	flow, err := oauth.NewFlow(oauth.EndpointsFor(b.a.g.BitbucketURL), c.ID, c.Secret, co.CallbackURL, b.hc)
	if err != nil {
		return tui.AuthSession{}, clean(err)
	}
	as := &authSession{b: b, flow: flow}
	b.mu.Lock()
	if b.auth != nil { // a previous attempt's listener
		b.auth.closeListenerLocked()
	}
	b.auth = as
	b.mu.Unlock()

	s := tui.AuthSession{URL: flow.AuthURL(), Flow: as}
	cb, lerr := flow.Listen(b.base)
	var pe *oauth.PortInUseError
	switch {
	case errors.As(lerr, &pe):
		s.PortInUse = true
		s.PortMessage = fmt.Sprintf("Port %d is in use, probably by the Amplication client, so bbsetup cannot receive the browser's redirect itself. After granting access, paste the address your browser lands on (it starts with %s).", pe.Port, safetext.Line(co.CallbackURL))
	case lerr != nil:
		s.PortInUse = true
		s.PortMessage = fmt.Sprintf("bbsetup cannot receive the browser's redirect itself (%s). After granting access, paste the address your browser lands on.", safetext.Line(lerr.Error()))
	default:
		b.mu.Lock()
		if b.auth == as {
			as.cb = cb
		} else { // replaced by a newer attempt meanwhile
			cb.Close()
		}
		b.mu.Unlock()
	}
	return s, nil
}

// authSession is one started authorization (tui.AuthFlow): its flow and, unless the port
// was taken, its callback listener (guarded by b.mu).
type authSession struct {
	b    *wizardBackend
	flow *oauth.Flow
	cb   *oauth.Callback
}

// closeListenerLocked closes the session's callback listener, if open; b.mu is held.
func (s *authSession) closeListenerLocked() {
	if s.cb != nil {
		s.cb.Close()
		s.cb = nil
	}
}

// Wait implements tui.AuthFlow.
func (s *authSession) Wait(ctx context.Context) (tui.Authorized, error) {
	b := s.b
	b.mu.Lock()
	cb := s.cb
	b.mu.Unlock()
	if cb == nil {
		<-ctx.Done() // only pasting can finish this flow
		return tui.Authorized{}, ctx.Err()
	}
	code, err := cb.Wait(ctx)
	if err != nil {
		// Esc or leaving the step: free the callback port (Wait leaves it open on a
		// cancelled context).
		b.mu.Lock()
		if s.cb == cb {
			s.cb = nil
		}
		b.mu.Unlock()
		cb.Close()
		return tui.Authorized{}, clean(err)
	}
	return s.finish(ctx, code, false)
}

// Paste implements tui.AuthFlow.
func (s *authSession) Paste(ctx context.Context, pasted string) (tui.Authorized, error) {
	code, err := s.flow.ParsePasted(pasted)
	if err != nil {
		return tui.Authorized{}, clean(err)
	}
	return s.finish(ctx, code, true)
}

// errPastedCodeRejected is what a pasted code Bitbucket refused says: the operator most
// likely pasted something other than the landed address (a bare word is taken for a code).
const errPastedCodeRejected = "Bitbucket did not accept that code; paste the full address your browser landed on (it starts with %s?code=)."

// codeRejected reports whether err is the token endpoint refusing the code itself (not the
// consumer's settings, which have their own wording).
func codeRejected(err error) bool {
	var te *oauth.TokenError
	if !errors.As(err, &te) {
		return false
	}
	d := strings.ToLower(te.Description)
	if strings.Contains(d, "public") || strings.Contains(d, "redirect") || strings.Contains(d, "callback") {
		return false
	}
	return te.Code == "invalid_grant" || (te.Code == "invalid_request" && strings.Contains(d, "code"))
}

// finish exchanges the code, looks up the account and returns it with the API client.
// The callback listener stays open until both succeed, so a failed paste leaves the
// browser's redirect still able to finish the flow.
func (s *authSession) finish(ctx context.Context, code string, pasted bool) (tui.Authorized, error) {
	b, flow := s.b, s.flow
	b.a.secret(code)
	tok, err := flow.Exchange(ctx, code)
	if err != nil {
		if pasted && codeRejected(err) {
			return tui.Authorized{}, clean(fmt.Errorf(errPastedCodeRejected, flow.RedirectURL()))
		}
		return tui.Authorized{}, clean(keyRejected(err))
	}
	b.a.secret(tok.AccessToken, tok.RefreshToken)
	// No Options.Debug: the flow's client has the debug transport, which logs every
	// request once, with the one "debug: " prefix.
	api := bitbucket.New(b.a.g.APIURL, flow.Client(b.base, tok), bitbucket.Options{})
	id, err := api.CurrentUser(ctx)
	if err != nil {
		return tui.Authorized{}, clean(err)
	}
	granted := oauth.Scopes(tok)
	b.mu.Lock()
	cb := s.cb
	s.cb = nil
	b.mu.Unlock()
	if cb != nil {
		cb.Close()
	}
	return tui.Authorized{
		Identity: tui.Identity{
			DisplayName: safetext.Line(id.DisplayName),
			Nickname:    safetext.Line(id.Nickname),
			Granted:     grantedLabels(granted),
			Missing:     oauth.Labels(oauth.Missing(granted)),
		},
		API: WizardAPI(api),
	}, nil
}

// keyRejected marks err as Bitbucket rejecting the consumer's key or secret (a token
// request answered unauthorized_client or invalid_client, or a bare 401), so the wizard
// offers the way back to them; other errors pass unchanged.
func keyRejected(err error) error {
	var te *oauth.TokenError
	if errors.As(err, &te) && (te.Code == "unauthorized_client" || te.Code == "invalid_client" || (te.Code == "" && te.Status == http.StatusUnauthorized)) {
		return &tui.CredentialsError{Err: err}
	}
	return err
}

// OpenBrowser implements tui.Backend: BROWSER or the system's opener; in the demo on a
// machine with no browser, the visit is made here.
func (b *wizardBackend) OpenBrowser(url string) error {
	if b.o.visit != nil && b.a.env.Getenv("BROWSER") == "" {
		return b.o.visit(b.base, url)
	}
	return b.a.authorizeOpenBrowser(url)
}

// WizardAPI is the wizard's Bitbucket API (tui.Bitbucket) on an authorized client: what
// the adapter's authorization hands the Workspace, Create and Connect screens. The
// benchmarks use it to drive the wizard over a real client.
func WizardAPI(c *bitbucket.Client) tui.Bitbucket { return wizardAPI{c} }

// wizardAPI maps setup/bitbucket to the wizard's types.
type wizardAPI struct{ api *bitbucket.Client }

// Workspaces implements tui.Bitbucket.
func (b wizardAPI) Workspaces(ctx context.Context) ([]tui.Workspace, error) {
	api := b.api
	ws, err := api.Workspaces(ctx)
	if err != nil {
		return nil, clean(keyRejected(err))
	}
	out := make([]tui.Workspace, 0, len(ws))
	for _, w := range ws {
		out = append(out, tui.Workspace{Slug: safetext.Line(w.Slug), Name: safetext.Line(w.Name), Admin: w.Administrator})
	}
	return out, nil
}

// ListRepos implements tui.Bitbucket.
func (b wizardAPI) ListRepos(ctx context.Context, workspace, filter string, fn func([]tui.Repo, int, int)) error {
	api := b.api
	return clean(keyRejected(api.ListRepositories(ctx, workspace, bitbucket.ListOptions{Filter: filter}, func(batch []bitbucket.Repository, loaded, total int) {
		out := make([]tui.Repo, len(batch))
		for i, r := range batch {
			out[i] = toTUIRepo(r)
		}
		if total < 0 {
			total = 0
		}
		fn(out, loaded, total)
	})))
}

func toTUIRepo(r bitbucket.Repository) tui.Repo {
	// Every field is the server's text and the wizard shows it: safe text only.
	l := safetext.Line
	return tui.Repo{
		Slug: l(r.Slug), Name: l(r.Name), FullName: l(r.FullName), HTMLURL: l(r.HTMLURL),
		CloneHTTPS: l(r.CloneHTTPS), CloneSSH: l(r.CloneSSH), Private: r.IsPrivate, Project: l(r.ProjectKey),
	}
}

// Projects implements tui.Bitbucket.
func (b wizardAPI) Projects(ctx context.Context, workspace string) ([]tui.Project, error) {
	api := b.api
	ps, err := api.Projects(ctx, workspace)
	if err != nil {
		return nil, clean(err)
	}
	out := make([]tui.Project, 0, len(ps))
	for _, p := range ps {
		out = append(out, tui.Project{Key: safetext.Line(p.Key), Name: safetext.Line(p.Name)})
	}
	return out, nil
}

// CreateRepo implements tui.Bitbucket.
func (b wizardAPI) CreateRepo(ctx context.Context, workspace string, r tui.NewRepo) (tui.Repo, error) {
	api := b.api
	repo, err := api.CreateRepository(ctx, workspace, bitbucket.CreateRepo{
		Name: r.Name, Slug: r.Slug, ProjectKey: r.ProjectKey, Public: !r.Private, Description: r.Description,
	})
	var ee *bitbucket.ExistsError
	if errors.As(err, &ee) {
		return tui.Repo{}, &tui.ExistsError{Workspace: safetext.Line(workspace), Slug: safetext.Line(ee.Slug)}
	}
	if err != nil {
		return tui.Repo{}, clean(err)
	}
	return toTUIRepo(*repo), nil
}

// RepoExists implements tui.Bitbucket with one lookup by slug (GET
// /repositories/{ws}/{slug}): a 404 means the slug is free.
func (b wizardAPI) RepoExists(ctx context.Context, workspace, slug string) (bool, error) {
	_, err := b.api.Repository(ctx, workspace, slug)
	var nf *bitbucket.NotFoundError
	switch {
	case errors.As(err, &nf):
		return false, nil
	case err != nil:
		return false, keyRejected(err)
	}
	return true, nil
}

// Slugify implements tui.Bitbucket.
func (b wizardAPI) Slugify(name string) string { return bitbucket.Slugify(name) }

// ValidateSlug implements tui.Bitbucket.
func (b wizardAPI) ValidateSlug(slug string) error { return bitbucket.ValidateSlug(slug) }

// cleanError is an error whose text is safe for the terminal (safetext.Block): errors can
// carry a server's or a file's words. It unwraps to the original, so the wizard can still
// branch on its type.
type cleanError struct{ err error }

func (e *cleanError) Error() string { return safetext.Block(e.err.Error()) }
func (e *cleanError) Unwrap() error { return e.err }

// clean wraps err (nil stays nil) for the wizard.
func clean(err error) error {
	if err == nil {
		return nil
	}
	return &cleanError{err: err}
}
