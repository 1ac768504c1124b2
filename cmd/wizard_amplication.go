package cmd

// The wizard's Amplication roles (tui.AmpProber, tui.AmpSignIner, tui.Amplication) on
// setup/amplication: the same steps as `bbsetup amplication status|authorize|connect`.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/tui"
)

// ampStartCommand starts the Amplication server, from the checkout.
const ampStartCommand = "npx nx serve amplication-server"

// ampOpen opens co again from disk (the env files as written now) and makes a client for
// its server.
func (b *wizardBackend) ampOpen(tco tui.Checkout) (*ampSession, error) {
	if tco.Root == "" {
		return nil, errors.New("no Amplication checkout is selected yet")
	}
	co, err := checkout.Open(tco.Root)
	if err != nil {
		return nil, err
	}
	s := &ampSession{co: co, url: b.a.ampServerURL(co)}
	// No Options.Debug: b.hc's debug transport logs every request once, with the one
	// "debug: " prefix.
	opts := amplication.Options{RequestTimeout: ampRequestTimeout}
	c, err := amplication.New(s.url, b.hc, opts)
	if err != nil {
		return nil, fmt.Errorf("--amplication-url: %v", err)
	}
	s.c = c
	return s, nil
}

// ProbeAmp implements tui.AmpProber: introspection needs no sign-in and tells the
// generation.
func (b *wizardBackend) ProbeAmp(ctx context.Context, tco tui.Checkout) tui.AmpProbe {
	p := tui.AmpProbe{StartCommand: ampStartCommand, Dir: tco.Root}
	s, err := b.ampOpen(tco)
	if err != nil {
		p.Detail = err.Error()
		return p
	}
	p.URL = s.url
	state, err := s.c.StateSupport(ctx)
	var ge *amplication.GraphQLError
	switch {
	case err == nil:
		p.Answers = true
		p.Detail = "Version: older than v3.5.0."
		if state {
			p.Detail = "Version: v3.5.0 or later."
		}
	case errors.As(err, &ge):
		p.Answers = true
		p.Detail = "It does not answer introspection (PLAYGROUND_ENABLE off?), so its version is not known."
	default:
		p.Detail = b.ampError(s, err).Error()
	}
	return p
}

// RestartAmpDemo implements tui.AmpDemoRestarter: only the demo can restart its server.
func (b *wizardBackend) RestartAmpDemo(context.Context) error {
	if b.o.restartAmp == nil {
		return errors.New("only the demo can restart the Amplication server")
	}
	return b.o.restartAmp()
}

// SignInAmp implements tui.AmpSignIner.
func (b *wizardBackend) SignInAmp(ctx context.Context, tco tui.Checkout, l tui.AmpLogin) (tui.AmpSignedIn, error) {
	s, err := b.ampOpen(tco)
	if err != nil {
		return tui.AmpSignedIn{}, err
	}
	if tok := strings.TrimSpace(l.Token); tok != "" {
		b.a.secret(tok)
		s.c.SetToken(tok)
	} else {
		b.a.secret(l.Password)
		if err := s.c.Login(ctx, strings.TrimSpace(l.Email), l.Password); err != nil {
			return tui.AmpSignedIn{}, b.ampSignInError(s, err)
		}
		b.a.secret(s.c.Token())
	}
	api := &ampWizardAPI{b: b, s: s}
	b.mu.Lock()
	b.amps = append(b.amps, api)
	b.mu.Unlock()
	if err := api.overview(ctx); err != nil {
		return tui.AmpSignedIn{}, err
	}
	if s.ov.Current == nil && len(s.ov.Workspaces) == 1 {
		return api.UseAmpWorkspace(ctx, s.ov.Workspaces[0].ID)
	}
	return api.signedIn(ctx), nil
}

// ampSignInError words a refused sign-in for the wizard (its fields, not the flags).
func (b *wizardBackend) ampSignInError(s *ampSession, err error) error { return b.ampError(s, err) }

// ampError words a client error for the wizard: its own terms (the sign-in screen's
// fields and keys, trying again), never the CLI's flags or environment variables, one
// sentence per cause, each ending with a full stop, and no raw Go error appended; the
// typed error stays reachable (errors.As). The CLI's app.ampError keeps its wording.
func (b *wizardBackend) ampError(s *ampSession, err error) error {
	var ue *amplication.UnreachableError
	var ua *amplication.UnauthorizedError
	var he *amplication.HTTPError
	var ng *amplication.NotGraphQLError
	var ge *amplication.GraphQLError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &ue) && ue.Timeout:
		return ampWorded(err, "The Amplication server at %s did not answer within %s. Check that it has finished starting (%s), then try again.", s.url, ampRequestTimeout, ampStartCommand)
	case errors.As(err, &ue):
		return ampWorded(err, "bbsetup cannot reach the Amplication server at %s (%s). Start it in the checkout with %s, then try again.", s.url, ampReason(ue.Reason), ampStartCommand)
	case errors.As(err, &ua) && ua.Login:
		return ampWorded(err, "The Amplication server refused the sign-in (%s). Check the email and password, or press ctrl+t and paste an API token.", ampName(ampTrimStop(ua.Message)))
	case errors.As(err, &ua):
		return ampWorded(err, "The Amplication server refused the token (%s). Paste a new API token (Amplication: Workspace settings → API Tokens), or press ctrl+t and sign in with your email and password.", ampName(ampTrimStop(ua.Message)))
	case errors.As(err, &he):
		return ampWorded(err, "%s does not answer like the Amplication server (it answered %d %s). The server is usually on port 3000 (the client is on 3001): check HOST in %s.", s.url, he.Status, http.StatusText(he.Status), s.co.ServerEnvLocal)
	case errors.As(err, &ng):
		return ampWorded(err, "%s does not answer like the Amplication server (its answer is not GraphQL). The server is usually on port 3000 (the client is on 3001): check HOST in %s.", s.url, s.co.ServerEnvLocal)
	case errors.As(err, &ge):
		return ampWorded(err, "The Amplication server refused the request (%s). Try again, or check the server's log.", ampName(ampTrimStop(ge.Message())))
	}
	return ampWorded(err, "The Amplication server could not be asked (%s). Try again.", ampName(ampTrimStop(err.Error())))
}

// ampReason is an UnreachableError's reason in a few words: the last part of a net
// error ("dial tcp 127.0.0.1:1: connect: connection refused" → "connection refused").
func ampReason(r string) string {
	if i := strings.LastIndex(r, ": "); i >= 0 {
		r = r[i+2:]
	}
	return ampName(r)
}

// ampTrimStop drops a trailing full stop from a server's words quoted in parentheses.
func ampTrimStop(s string) string { return strings.TrimRight(strings.TrimSpace(s), ".") }

// ampInstallError words a failed getGitResourceInstallationUrl for the wizard: its screen
// offers to try again (the CLI's ampInstallError names its commands instead).
func (b *wizardBackend) ampInstallError(s *ampSession, err error) error {
	var ge *amplication.GraphQLError
	if errors.As(err, &ge) && ge.Has("Missing Bitbucket configuration") {
		if _, ok := s.co.Current(); ok {
			return ampWorded(err, "The running Amplication server has no Bitbucket key (\"Missing Bitbucket configuration\"), but %s has one: the server was started before it was written. %s, then try again.", s.co.ServerEnvLocal, upperFirst(ampRestart))
		}
		return ampWorded(err, "The Amplication server has no Bitbucket key (\"Missing Bitbucket configuration\") and neither has the checkout. Go back to the env files and write the key and secret, then %s.", ampRestart)
	}
	return b.ampError(s, err)
}

// ampCompleteError words the server's refusal of the code exchange (completeGitOAuth2Flow)
// for the wizard: what happened and why. What to do is the Authorize screen's: enter starts
// a new authorization (a new code), and a refused key and secret (a CredentialsError)
// offers k to change them. The CLI's ampCompleteError says to run its command again.
func (b *wizardBackend) ampCompleteError(s *ampSession, err error) error {
	var ge *amplication.GraphQLError
	if !errors.As(err, &ge) {
		return b.ampError(s, err)
	}
	why := ampName(ge.Message())
	low := strings.ToLower(ge.Message())
	failed := "the Amplication server could not finish the Bitbucket authorization (" + why + "): "
	switch {
	case strings.Contains(low, "upgrade its plan"):
		return fmt.Errorf("the Amplication server refuses Bitbucket without a paid plan (%s): Amplication servers before v3.5.0 check a billing entitlement that a local server never has; update the checkout to a current Amplication release (git pull), %s, then run the wizard again", why, ampRestart)
	case strings.Contains(low, "invalid oauth client credentials") || strings.Contains(low, "unauthorized_client"):
		return &tui.CredentialsError{Err: errors.New(failed + "Bitbucket refused the key and secret the running server loaded.")}
	case strings.Contains(low, "redirect_uri"):
		return errors.New(failed + "Bitbucket wants the same redirect_uri in the exchange as in the authorization; open the URL above exactly as given (nothing added).")
	case strings.Contains(low, "invalid_grant") || strings.Contains(low, "invalid_request") || strings.Contains(low, "code"):
		return errors.New(failed + "the code was already used or has expired (a code works once, within minutes; the Amplication client page may have used it). Trying again makes a new one.")
	case strings.Contains(low, "username") || strings.Contains(low, "user"):
		return errors.New(failed + "Amplication could not read the Bitbucket account (GET /user): tick Account: Read in the consumer's permissions in Bitbucket, then try again.")
	}
	// The server often says no more than "Bitbucket request failed.": name the causes.
	return errors.New(failed + "Bitbucket refused the server's exchange. Usually the code was already used or has expired (a code works once, within minutes; the Amplication client page may have used it); trying again makes a new one.")
}

// ampWizardAPI is the signed-in session (tui.Amplication). Its state is the client (its
// token) and the last overview, guarded by mu; the listener of the latest authorization.
type ampWizardAPI struct {
	b *wizardBackend
	s *ampSession

	mu   sync.Mutex
	auth *ampAuthFlow
}

func (api *ampWizardAPI) overview(ctx context.Context) error {
	ov, err := api.s.c.Overview(ctx)
	if err != nil {
		return api.b.ampSignInError(api.s, err)
	}
	api.mu.Lock()
	api.s.ov = ov
	api.mu.Unlock()
	return nil
}

// written is the key in the server's .env.local now ("" when none).
func (api *ampWizardAPI) written() string {
	co, err := checkout.Open(api.s.co.Root)
	if err != nil {
		return ""
	}
	if cr, ok := co.Current(); ok {
		return cr.ClientID
	}
	return ""
}

func (api *ampWizardAPI) signedIn(ctx context.Context) tui.AmpSignedIn {
	api.mu.Lock()
	ov := api.s.ov
	api.mu.Unlock()
	out := tui.AmpSignedIn{URL: ampName(api.s.url), Account: ampName(fmt.Sprintf("%s <%s>", ov.Account.Name(), ov.Account.Email)), API: api}
	for _, w := range ov.Workspaces {
		out.Workspaces = append(out.Workspaces, tui.AmpWorkspace{ID: w.ID, Name: ampName(w.Name)})
	}
	if ov.Current != nil {
		out.Workspace = tui.AmpWorkspace{ID: ov.Current.ID, Name: ampName(ov.Current.Name)}
	}
	for _, g := range ov.Bitbucket() {
		out.Orgs = append(out.Orgs, tui.AmpOrg{ID: g.ID, Name: ampName(g.Name)})
	}
	out.Key = api.CheckAmpKey(ctx)
	return out
}

// UseAmpWorkspace implements tui.AmpWorkspaceSwitcher.
func (api *ampWizardAPI) UseAmpWorkspace(ctx context.Context, id string) (tui.AmpSignedIn, error) {
	if err := api.s.c.SetCurrentWorkspace(ctx, id); err != nil {
		return tui.AmpSignedIn{}, api.b.ampError(api.s, err)
	}
	api.b.a.secret(api.s.c.Token())
	if err := api.overview(ctx); err != nil {
		return tui.AmpSignedIn{}, err
	}
	return api.signedIn(ctx), nil
}

// CheckAmpKey implements tui.AmpKeyChecker.
func (api *ampWizardAPI) CheckAmpKey(ctx context.Context) tui.AmpKey {
	k := amplication.CheckKey(ctx, api.s.c, api.written())
	env := api.s.co.ServerEnvLocal
	if r, err := filepath.Rel(api.s.co.Root, env); err == nil && !strings.HasPrefix(r, "..") {
		env = r // the screen names the checkout already
	}
	running := ampName(k.Running)
	out := tui.AmpKey{Stale: k.Stale(), Restart: ampRestart}
	switch k.State {
	case amplication.KeyMatches:
		out.OK = true
		out.Message = "Its authorize URL has BITBUCKET_CLIENT_ID " + running + ", the key in .env.local."
	case amplication.KeyMissing:
		out.Message = "It has no Bitbucket key (\"Missing Bitbucket configuration\"), but " + env + " has one: it was started before the key was written."
	case amplication.KeyPlaceholder:
		out.Message = "It still has the placeholder key " + running + ": it was started before the key was written to " + env + "."
	case amplication.KeyOther:
		out.Message = "It uses the key " + running + ", not the one in " + env + ": it was started before the key was written."
	case amplication.KeyNotWritten:
		out.Message = "No Bitbucket key is written in " + env + ": go back and write the env files."
	default:
		out.Message = api.b.ampError(api.s, k.Err).Error()
	}
	return out
}

// StartAmpAuth implements tui.AmpAuthorizer: the server's authorize URL with a state of
// bbsetup's, and the callback listener for exactly that state.
func (api *ampWizardAPI) StartAmpAuth(ctx context.Context) (tui.AuthSession, error) {
	b, s := api.b, api.s
	api.mu.Lock()
	wsID := ""
	if s.ov.Current != nil {
		wsID = s.ov.Current.ID
	}
	api.mu.Unlock()
	support := amplication.SupportsState(s.c, s.co.Root)
	az, err := amplication.PrepareAuthorize(ctx, s.c, support, wsID, b.a.g.BitbucketURL)
	var sm *amplication.StateMismatchError
	var fe *amplication.ForeignAuthorizeURLError
	switch {
	case errors.Is(err, amplication.ErrNoWorkspaceForState):
		return tui.AuthSession{}, errors.New("the Amplication server is older than v3.5.0, where the state is the current workspace's id, and the account has no current workspace: go back and choose one")
	case errors.As(err, &fe):
		// The browser goes only to the Bitbucket bbsetup talks to, as in the CLI.
		return tui.AuthSession{}, ampWorded(err, "The Amplication server at %s answered an authorize URL that goes to %s, not to Bitbucket at %s, so bbsetup does not open it. Check that %s is your Amplication server.",
			s.url, ampName(fe.Got), ampName(fe.Want), s.url)
	case errors.As(err, new(*amplication.UnexpectedAuthorizeURLError)): // authorizeurl_words.go
		why, _ := ampUnexpectedAuthorizeURL(err)
		return tui.AuthSession{}, ampWorded(err, "The Amplication server at %s answered an authorize URL that is not Bitbucket's authorize page as Amplication makes it (%s), so bbsetup does not open it. Check that %s is your Amplication server.", s.url, why, s.url)
	case errors.As(err, &sm):
		return tui.AuthSession{}, ampWorded(err, "The Amplication server at %s answered an authorize URL with the state %q, not the one bbsetup asked for. Check that %s is your Amplication server.", s.url, ampName(sm.Got), s.url)
	case err != nil:
		return tui.AuthSession{}, b.ampInstallError(s, err)
	}
	if w := api.written(); w != "" && az.ClientID != w {
		return tui.AuthSession{}, fmt.Errorf("the running Amplication server uses the Bitbucket key %q, not the key in %s: it was started before the key was written; %s, then try again",
			ampName(az.ClientID), s.co.ServerEnvLocal, ampRestart)
	}
	b.a.secret(az.State)
	recv, err := oauth.NewReceiver(s.co.CallbackURL, az.State)
	if err != nil {
		return tui.AuthSession{}, err
	}
	f := &ampAuthFlow{api: api, recv: recv, az: az}
	api.mu.Lock()
	if api.auth != nil {
		api.auth.closeListener()
	}
	api.auth = f
	api.mu.Unlock()
	out := tui.AuthSession{URL: az.URL, Flow: f}
	cb, lerr := recv.Listen(b.base)
	var pe *oauth.PortInUseError
	paste := fmt.Sprintf("After granting access, the browser lands on the Amplication client's page, which shows \"Please wait...\" and stays so: copy that tab's whole address (it starts with %s) and paste it here.", s.co.CallbackURL)
	switch {
	case errors.As(lerr, &pe):
		out.PortInUse = true
		out.PortMessage = fmt.Sprintf("Port %d is in use, probably by the Amplication client, so bbsetup cannot receive the browser's redirect itself. %s", pe.Port, paste)
	case lerr != nil:
		out.PortInUse = true
		out.PortMessage = fmt.Sprintf("bbsetup cannot receive the browser's redirect itself (%v). %s", lerr, paste)
	default:
		f.mu.Lock()
		f.cb = cb
		f.mu.Unlock()
	}
	return out, nil
}

// ampAuthFlow is one started Amplication authorization (tui.AuthFlow).
type ampAuthFlow struct {
	api  *ampWizardAPI
	recv *oauth.Flow
	az   *amplication.Authorization

	mu sync.Mutex
	cb *oauth.Callback
}

func (f *ampAuthFlow) closeListener() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cb != nil {
		f.cb.Close()
		f.cb = nil
	}
}

// Wait implements tui.AuthFlow.
func (f *ampAuthFlow) Wait(ctx context.Context) (tui.Authorized, error) {
	f.mu.Lock()
	cb := f.cb
	f.mu.Unlock()
	if cb == nil {
		<-ctx.Done()
		return tui.Authorized{}, ctx.Err()
	}
	code, err := cb.Wait(ctx)
	if err != nil {
		f.closeListener()
		return tui.Authorized{}, err
	}
	return f.complete(ctx, code)
}

// Paste implements tui.AuthFlow.
func (f *ampAuthFlow) Paste(ctx context.Context, pasted string) (tui.Authorized, error) {
	code, err := f.recv.ParsePasted(pasted)
	if errors.Is(err, oauth.ErrStateMismatch) {
		return tui.Authorized{}, errors.New("that address carries another state: it is not the answer to this authorization (bbsetup refuses it); paste the address of the tab you opened from the URL above")
	}
	if err != nil {
		return tui.Authorized{}, err
	}
	return f.complete(ctx, code)
}

// complete hands the code to the Amplication server, which exchanges it.
func (f *ampAuthFlow) complete(ctx context.Context, code string) (tui.Authorized, error) {
	api := f.api
	api.b.a.secret(code)
	f.closeListener()
	org, err := api.s.c.CompleteOAuth(ctx, code, f.az.State, f.az.WithState)
	if err != nil {
		return tui.Authorized{}, api.b.ampCompleteError(api.s, err)
	}
	out, err := api.bitbucketAPI(ctx)
	if err != nil {
		// Amplication has the connection even so: say it.
		return tui.Authorized{Org: &tui.AmpOrg{ID: org.ID, Name: ampName(org.Name)}}, fmt.Errorf("the Amplication workspace is connected to Bitbucket as %s, but %w", ampName(org.Name), err)
	}
	out.Org = &tui.AmpOrg{ID: org.ID, Name: ampName(org.Name)}
	return out, nil
}

// ReuseAmpOrg implements tui.AmpAuthorizer.
func (api *ampWizardAPI) ReuseAmpOrg(ctx context.Context, org tui.AmpOrg) (tui.Authorized, error) {
	out, err := api.bitbucketAPI(ctx)
	if err != nil {
		return tui.Authorized{}, err
	}
	o := org
	out.Org = &o
	return out, nil
}

// bitbucketAPI is bbsetup's own Bitbucket client with the consumer's client_credentials
// (the key and secret in .env.local): no second browser trip.
func (api *ampWizardAPI) bitbucketAPI(ctx context.Context) (tui.Authorized, error) {
	b := api.b
	co, err := checkout.Open(api.s.co.Root)
	if err != nil {
		return tui.Authorized{}, err
	}
	cr, ok := co.Current()
	if !ok {
		return tui.Authorized{}, fmt.Errorf("bbsetup's own Bitbucket access needs the key and secret in %s, and they are not set", co.ServerEnvLocal)
	}
	b.a.secret(cr.ClientSecret)
	hc := oauth.ClientCredentialsClient(b.base, oauth.EndpointsFor(b.a.g.BitbucketURL), cr.ClientID, cr.ClientSecret, b.hc)
	bb := bitbucket.New(b.a.g.APIURL, hc, bitbucket.Options{})
	id, err := bb.CurrentUser(ctx)
	if err != nil {
		return tui.Authorized{}, fmt.Errorf("bbsetup's own access to Bitbucket (the consumer's key and secret) failed: %w", err)
	}
	return tui.Authorized{Identity: tui.Identity{DisplayName: ampName(id.DisplayName), Nickname: ampName(id.Nickname)}, API: WizardAPI(bb)}, nil
}

// AmpProjects implements tui.AmpTargetLister.
func (api *ampWizardAPI) AmpProjects(ctx context.Context) ([]tui.AmpProject, error) {
	ps, err := api.s.c.Projects(ctx)
	if err != nil {
		return nil, api.b.ampError(api.s, err)
	}
	out := make([]tui.AmpProject, 0, len(ps))
	for _, p := range ps {
		tp := tui.AmpProject{ID: p.ID, Name: ampName(p.Name)}
		add := func(r amplication.Resource) {
			tr := tui.AmpResource{ID: r.ID, Name: ampName(r.Name), Settings: r.Type == amplication.TypeProjectConfiguration, Inherits: p.Inherits(r)}
			if r.Repo != nil {
				tr.Repo, tr.Provider = ampName(r.Repo.FullName()), ampName(r.Repo.Organization.Provider)
			}
			tp.Resources = append(tp.Resources, tr)
		}
		if set := p.Settings(); set != nil {
			add(*set)
		}
		for _, r := range p.Resources {
			if r.Type == amplication.TypeService {
				add(r)
			}
		}
		out = append(out, tp)
	}
	return out, nil
}

// ConnectAmp implements tui.AmpConnector: the project is read again (what it has now),
// then the same connect as bbsetup amplication connect, read back.
func (api *ampWizardAPI) ConnectAmp(ctx context.Context, req tui.AmpConnectRequest) (tui.AmpConnected, error) {
	s := api.s
	ps, err := s.c.Projects(ctx)
	if err != nil {
		return tui.AmpConnected{}, api.b.ampError(s, err)
	}
	var p *amplication.Project
	var res *amplication.Resource
	for i := range ps {
		if ps[i].ID == req.Target.Project.ID {
			p = &ps[i]
		}
	}
	if p != nil {
		for i := range p.Resources {
			if p.Resources[i].ID == req.Target.Resource.ID {
				res = &p.Resources[i]
			}
		}
	}
	if res == nil {
		return tui.AmpConnected{}, fmt.Errorf("%s is no longer in Amplication: go back and choose again", ampName(req.Target.Label()))
	}
	label := ampResourceLabel(*res, *p)
	full := req.Workspace + "/" + req.Slug
	unchanged, err := amplication.Connectable(*p, *res, req.Workspace, req.Slug, req.Target.Replace)
	var ace *amplication.AlreadyConnectedError
	if errors.As(err, &ace) {
		return tui.AmpConnected{}, fmt.Errorf("%s is now connected to %s; go back and choose it again to replace it", label, ampName(ace.Repo.FullName()))
	}
	var r *amplication.ConnectResult
	if unchanged {
		r = amplication.Settled(*p, *res, req.Workspace, req.Slug)
	} else {
		org := amplication.GitOrganization{ID: req.Org.ID, Name: req.Org.Name, Provider: amplication.ProviderBitbucket}
		if r, err = amplication.ConnectResource(ctx, s.c, amplication.ConnectRequest{Project: *p, Resource: *res, Org: org, Group: req.Workspace, Slug: req.Slug}); err != nil {
			return tui.AmpConnected{}, api.b.a.ampConnectError(s, err, label, full, p)
		}
	}
	out := tui.AmpConnected{Project: ampName(r.Project.Name), Resource: ampName(r.Resource.Name), Settings: r.Resource.Type == amplication.TypeProjectConfiguration,
		Repository: ampName(r.Resource.Repo.FullName()), Unchanged: unchanged}
	if r.Old != nil {
		out.Replaced = ampName(r.Old.FullName())
	}
	for _, x := range r.Inheriting {
		out.Inheriting = append(out.Inheriting, ampName(x.Name))
	}
	return out, nil
}

// closeAmp closes an Amplication authorization's listener, if any.
func (api *ampWizardAPI) closeAmp() {
	api.mu.Lock()
	f := api.auth
	api.mu.Unlock()
	if f != nil {
		f.closeListener()
	}
}

// upperFirst starts a sentence with a capital letter.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
