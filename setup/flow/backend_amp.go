package flow

// The wizard's Amplication roles (tui.AmpProber, tui.AmpSignIner, tui.Amplication): the
// same server check, authorization session and connect as the command line's
// `bbsetup amplication status|authorize|connect`, in the wizard's words.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// server opens co again from disk (the env files as written now) and makes a client for
// its Amplication server.
func (b *Backend) server(tco Checkout) (*Server, error) {
	if tco.Root == "" {
		return nil, errors.New("no Amplication checkout is selected yet")
	}
	co, err := checkout.Open(tco.Root)
	if err != nil {
		return nil, err
	}
	s, err := OpenServer(co, b.cfg.AmplicationURL, b.cfg.HTTP)
	if err != nil {
		return nil, fmt.Errorf("the Amplication server URL %s cannot be used: %w", safetext.Line(ServerURL(b.cfg.AmplicationURL, co)), err)
	}
	s.CheckKey = b.checkKey // names a refusal the server does not explain
	return s, nil
}

// ProbeAmp implements tui.AmpProber.
func (b *Backend) ProbeAmp(ctx context.Context, tco Checkout) AmpProbe {
	p := AmpProbe{StartCommand: AmpStartCommand, Dir: tco.Root}
	s, err := b.server(tco)
	if err != nil {
		p.Detail = err.Error()
		return p
	}
	p.URL = s.URL
	pr := s.Probe(ctx)
	switch {
	case pr.State != nil && *pr.State:
		p.Answers, p.Detail = true, "Version: v3.5.0 or later."
	case pr.State != nil && !Entitled(s.Checkout):
		old := &amplication.OldServerError{}
		p.Answers, p.Refuses = true, true
		p.Detail = "Version: older than " + amplication.MinBitbucketVersion + ": it refuses to connect Bitbucket (only a paid plan's billing allows it), so bbsetup cannot authorize it. To do: " + old.Advice() + "."
	case pr.State != nil:
		p.Answers, p.Detail = true, "Version: older than v3.5.0 (BILLING_ENABLED=true lets it connect Bitbucket)."
	case pr.Answers:
		p.Answers, p.Detail = true, "It does not answer introspection (PLAYGROUND_ENABLE off?), so its version is not known."
	default:
		p.Detail = s.ClassifyAmp(pr.Err).Wizard().Error()
	}
	switch {
	case p.Answers && b.cfg.PRService != nil:
		p.PRService = b.cfg.PRService()
	case p.Answers:
		p.PRService = PRServiceLines(s.Checkout)
	}
	return p
}

// RestartAmpDemo implements tui.AmpDemoRestarter: only the demo can restart its server.
func (b *Backend) RestartAmpDemo(context.Context) error {
	if b.cfg.RestartAmp == nil {
		return errors.New("only the demo can restart the Amplication server")
	}
	return b.cfg.RestartAmp()
}

// SignInAmp implements tui.AmpSignIner.
func (b *Backend) SignInAmp(ctx context.Context, tco Checkout, l AmpLogin) (AmpSignedIn, error) {
	s, err := b.server(tco)
	if err != nil {
		return AmpSignedIn{}, err
	}
	if err := s.SignIn(ctx, Login{Token: l.Token, Email: l.Email, Password: l.Password}, b.cfg.Secret); err != nil {
		return AmpSignedIn{}, s.ClassifyAmp(err).Wizard()
	}
	api := &ampAPI{b: b, s: s}
	if err := api.useWorkspace(ctx, ""); err != nil {
		return AmpSignedIn{}, err
	}
	return api.signedIn(ctx), nil
}

// ampAPI is the signed-in session (tui.Amplication). Its state is the client (its token)
// and the last overview, guarded by mu.
type ampAPI struct {
	b *Backend
	s *Server

	mu  sync.Mutex
	ovw *amplication.Overview
	own *bitbucket.User // bbsetup's own identity, once read
}

// ownUser is bbsetup's own Bitbucket identity (read once; nil when it cannot be read:
// nothing is then marked as bbsetup's own).
func (api *ampAPI) ownUser(ctx context.Context) *bitbucket.User {
	api.mu.Lock()
	own := api.own
	api.mu.Unlock()
	if own != nil {
		return own
	}
	bb, err := api.ownClient()
	if err != nil {
		return nil
	}
	u, err := bb.CurrentUser(ctx)
	if err != nil {
		return nil
	}
	api.mu.Lock()
	api.own = u
	api.mu.Unlock()
	return u
}

// orgs lists the workspace's Bitbucket git organizations with their accounts marked
// (justAuthorized: the id an authorization just answered, or "").
func (api *ampAPI) orgs(ctx context.Context, justAuthorized string) ([]AmpOrg, []amplication.GitOrgAccount, error) {
	all, err := api.s.Client.GitOrganizationAccounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []AmpOrg
	for _, l := range ListOrgs(all, api.ownUser(ctx), justAuthorized) {
		out = append(out, AmpOrg{ID: l.ID, Name: l.Name, Own: l.OwnAccount, JustAuthorized: l.JustAuthorized, Other: l.Other})
	}
	return out, all, nil
}

func (api *ampAPI) ov() *amplication.Overview {
	api.mu.Lock()
	defer api.mu.Unlock()
	return api.ovw
}

// useWorkspace makes id the session's current workspace ("" keeps the current one, or
// takes the only one) and keeps the account's overview.
func (api *ampAPI) useWorkspace(ctx context.Context, id string) error {
	ov, err := api.s.UseWorkspace(ctx, id, api.b.cfg.Secret)
	if err != nil {
		return api.s.ClassifyAmp(err).Wizard()
	}
	api.mu.Lock()
	api.ovw = ov
	api.mu.Unlock()
	return nil
}

func (api *ampAPI) signedIn(ctx context.Context) AmpSignedIn {
	ov, l := api.ov(), safetext.Line
	out := AmpSignedIn{URL: l(api.s.URL), Account: l(fmt.Sprintf("%s <%s>", ov.Account.Name(), ov.Account.Email)), API: api}
	for _, w := range ov.Workspaces {
		out.Workspaces = append(out.Workspaces, AmpWorkspace{ID: w.ID, Name: l(w.Name)})
	}
	if ov.Current != nil {
		out.Workspace = AmpWorkspace{ID: ov.Current.ID, Name: l(ov.Current.Name)}
	}
	if orgs, _, err := api.orgs(ctx, ""); err == nil {
		out.Orgs = orgs
	} else {
		for _, g := range ov.Bitbucket() {
			out.Orgs = append(out.Orgs, AmpOrg{ID: g.ID, Name: l(g.Name)})
		}
	}
	out.Key = api.CheckAmpKey(ctx)
	return out
}

// UseAmpWorkspace implements tui.AmpWorkspaceSwitcher.
func (api *ampAPI) UseAmpWorkspace(ctx context.Context, id string) (AmpSignedIn, error) {
	if err := api.useWorkspace(ctx, id); err != nil {
		return AmpSignedIn{}, err
	}
	return api.signedIn(ctx), nil
}

// CheckAmpKey implements tui.AmpKeyChecker.
func (api *ampAPI) CheckAmpKey(ctx context.Context) AmpKey {
	k := api.s.Key(ctx, api.s.Written())
	co := api.s.Checkout
	env := co.ServerEnvLocal
	if r, err := filepath.Rel(co.Root, env); err == nil && !strings.HasPrefix(r, "..") {
		env = r // the screen names the checkout already
	}
	running := safetext.Line(k.Running)
	out := AmpKey{Stale: k.Stale(), Restart: AmpRestart}
	switch k.State {
	case amplication.KeyMatches:
		out.OK = true
		out.Message = "Its authorize URL has BITBUCKET_CLIENT_ID " + running + ", the key in .env.local."
		if started := api.s.Started(); SecretStale(k, started) {
			// The key cannot show the secret: a process started before the write has the old one.
			out.OK, out.Stale = false, true
			out.Message = "Its authorize URL has BITBUCKET_CLIENT_ID " + running + ", the key in .env.local, but it " + SecretStaleWords(started) + "."
		}
	case amplication.KeyMissing:
		out.Message = "It has no Bitbucket key (\"Missing Bitbucket configuration\"), but " + env + " has one: it was started before the key was written."
	case amplication.KeyPlaceholder:
		out.Message = "It still has the placeholder key " + running + ": it was started before the key was written to " + env + "."
	case amplication.KeyOther:
		out.Message = "It uses the key " + running + ", not the one in " + env + ": it was started before the key was written."
	case amplication.KeyNotWritten:
		out.Message = "No Bitbucket key is written in " + env + ": go back and write the env files."
	default:
		out.Message = api.s.ClassifyAmp(k.Err).Wizard().Error()
		out.Err = k.Err
	}
	return out
}

// StartAmpAuth implements tui.AmpAuthorizer: the server's authorize URL with a state of
// bbsetup's, and the callback listener for exactly that state.
func (api *ampAPI) StartAmpAuth(ctx context.Context) (AuthSession, error) {
	b, s := api.b, api.s
	wsID := ""
	if ov := api.ov(); ov.Current != nil {
		wsID = ov.Current.ID
	}
	az, err := StartAmplication(ctx, s, amplication.SupportsState(s.Client, s.Checkout.Root), wsID, b.cfg.BitbucketURL, s.Written(), b.cfg.Secret)
	if err != nil {
		return AuthSession{}, api.startError(err)
	}
	b.listen(az.Session)
	return b.authSession(az.Session, "After granting access, "+az.LandsOn()+" and paste it here.",
		func(ctx context.Context, code string, pasted bool) (Authorized, error) {
			org, err := az.Complete(ctx, s, code, b.cfg.Secret)
			if err != nil {
				// A refused paste leaves the listener open: the screen still waits for
				// the browser's redirect, which can finish the authorization. A refused
				// redirect ends that wait: nothing listens for another one.
				if !pasted {
					az.Close()
				}
				return Authorized{}, s.wizardComplete(err)
			}
			ao := &AmpOrg{ID: org.ID, Name: safetext.Line(org.Name), JustAuthorized: true}
			if orgs, _, err := api.orgs(ctx, org.ID); err == nil {
				for _, o := range orgs {
					if o.ID == org.ID {
						ao = &o
					}
				}
			}
			out, err := api.bitbucketAPI(ctx)
			if err != nil {
				// Amplication has the connection even so: say it.
				return Authorized{Org: ao}, fmt.Errorf("the Amplication workspace is connected to Bitbucket as %s, but %w", ao.Name, err)
			}
			// Amplication clears useDemoRepo for the workspace on an authorization: a project
			// left on its demo repository would push to GitHub, not to Bitbucket.
			if demo, err := amplication.ProjectsOnDemoRepo(ctx, s.Client); err == nil && len(demo) > 0 {
				return Authorized{Org: ao}, fmt.Errorf("the Amplication workspace is connected to Bitbucket as %s, but %s", ao.Name, DemoRepoFailure(demo))
			}
			out.Org = ao
			return out, nil
		}), nil
}

// startError words StartAmplication's refusals for the wizard.
func (api *ampAPI) startError(err error) error {
	s := api.s
	url := safetext.Line(s.URL)
	var sm *amplication.StateMismatchError
	var fe *amplication.ForeignAuthorizeURLError
	var stale *StaleKeyError
	var ph *PlaceholderKeyError
	var old *amplication.OldServerError
	switch {
	case errors.As(err, &old):
		return Worded(err, "The Amplication server at %s is older than %s: it refuses to connect Bitbucket (only a paid plan's billing allows it), so bbsetup does not open Bitbucket. To do: %s.",
			url, amplication.MinBitbucketVersion, old.Advice())
	case errors.Is(err, amplication.ErrNoWorkspaceForState):
		return errors.New("the Amplication server is older than v3.5.0, where the state is the current workspace's id, and the account has no current workspace: go back and choose one")
	case errors.As(err, &fe):
		// The browser goes only to the Bitbucket bbsetup talks to, as on the command line.
		return Worded(err, "The Amplication server at %s answered an authorize URL that goes to %s, not to Bitbucket at %s, so bbsetup does not open it. Check that %s is your Amplication server.",
			url, safetext.Line(fe.Got), safetext.Line(fe.Want), url)
	case errors.As(err, &sm):
		return Worded(err, "The Amplication server at %s answered an authorize URL with the state %q, not the one bbsetup asked for. Check that %s is your Amplication server.", url, safetext.Line(sm.Got), url)
	case errors.As(err, &stale):
		return fmt.Errorf("the running Amplication server uses the Bitbucket key %q, not the key in %s: it was started before the key was written; %s, then try again",
			stale.Running, s.Checkout.ServerEnvLocal, AmpRestart)
	case errors.As(err, &ph):
		return fmt.Errorf("the running Amplication server has only the placeholder Bitbucket key %q and the env files have no key yet: go back to the env files and write the key and secret, then %s", ph.Running, AmpRestart)
	case MissingConfiguration(err):
		if _, ok := s.Checkout.Current(); ok {
			return Worded(err, "The running Amplication server has no Bitbucket key (\"Missing Bitbucket configuration\"), but %s has one: the server was started before it was written. %s, then try again.", s.Checkout.ServerEnvLocal, UpperFirst(AmpRestart))
		}
		return Worded(err, "The Amplication server has no Bitbucket key (\"Missing Bitbucket configuration\") and neither has the checkout. Go back to the env files and write the key and secret, then %s.", AmpRestart)
	}
	return s.ClassifyAmp(err).Wizard()
}

// ReuseAmpOrg implements tui.AmpAuthorizer.
func (api *ampAPI) ReuseAmpOrg(ctx context.Context, org AmpOrg) (Authorized, error) {
	out, err := api.bitbucketAPI(ctx)
	if err != nil {
		return Authorized{}, err
	}
	out.Org = &org
	return out, nil
}

// bitbucketAPI is bbsetup's own Bitbucket client with the consumer's client_credentials
// (the key and secret in .env.local): no second browser trip.
func (api *ampAPI) bitbucketAPI(ctx context.Context) (Authorized, error) {
	bb, _, err := api.consumerClient()
	if err != nil {
		return Authorized{}, err
	}
	id, err := bb.CurrentUser(ctx)
	if err != nil {
		return Authorized{}, fmt.Errorf("bbsetup's own access to Bitbucket (the consumer's key and secret) failed: %w", err)
	}
	api.mu.Lock()
	api.own = id
	api.mu.Unlock()
	return Authorized{Identity: Identity{DisplayName: safetext.Line(id.DisplayName), Nickname: safetext.Line(id.Nickname)}, API: BitbucketAPI(bb)}, nil
}

// ownClient is bbsetup's own Bitbucket client (consumerClient without the checkout).
func (api *ampAPI) ownClient() (*bitbucket.Client, error) {
	bb, _, err := api.consumerClient()
	return bb, err
}

// consumerClient is bbsetup's own Bitbucket client with the consumer's
// client_credentials, the key and secret in the checkout's .env.local as it is now (read
// again: the operator may have written it since), and that checkout.
func (api *ampAPI) consumerClient() (*bitbucket.Client, *checkout.Checkout, error) {
	b := api.b
	co, err := checkout.Open(api.s.Checkout.Root)
	if err != nil {
		return nil, nil, err
	}
	cr, ok := co.Current()
	if !ok {
		return nil, nil, fmt.Errorf("bbsetup's own Bitbucket access needs the key and secret in %s, and they are not set", co.ServerEnvLocal)
	}
	return OwnClient(b.base, OwnAccess{BitbucketURL: b.cfg.BitbucketURL, APIURL: b.cfg.APIURL, Credentials: cr,
		HTTP: b.cfg.HTTP, Options: b.cfg.Bitbucket, Secret: b.cfg.Secret}), co, nil
}

// AmpProjects implements tui.AmpTargetLister.
func (api *ampAPI) AmpProjects(ctx context.Context) ([]AmpProject, error) {
	ps, err := api.s.Client.Projects(ctx)
	if err != nil {
		return nil, api.s.ClassifyAmp(err).Wizard()
	}
	l := safetext.Line
	out := make([]AmpProject, 0, len(ps))
	for _, p := range ps {
		tp := AmpProject{ID: p.ID, Name: l(p.Name)}
		add := func(r amplication.Resource) {
			tr := AmpResource{ID: r.ID, Name: l(r.Name), Settings: r.Type == amplication.TypeProjectConfiguration, Inherits: p.Inherits(r), Override: r.Override}
			if r.Repo != nil {
				tr.Repo, tr.Provider = l(r.Repo.FullName()), l(amplication.ProviderName(r.Repo.Organization.Provider))
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
// then the same connect as the command line's (Connect), read back.
func (api *ampAPI) ConnectAmp(ctx context.Context, req AmpConnectRequest) (AmpConnected, error) {
	s := api.s
	ps, err := s.Client.Projects(ctx)
	if err != nil {
		return AmpConnected{}, s.ClassifyAmp(err).Wizard()
	}
	bb, _ := api.ownClient() // nil: no write check, no main branch, no look-up
	var repo *RepoLookup
	if bb != nil {
		// As the command line does: a repository deleted or renamed since it was chosen
		// is not stored in Amplication.
		repo = LookupRepo(ctx, bb, req.Workspace, req.Slug)
		defer repo.Stop()
	}
	pl, r, err := Connect(ctx, s.Client, ConnectRequest{
		Repo:     repo,
		Projects: ps, Project: req.Target.Project.ID, Resource: req.Target.Resource.ID,
		Group: req.Workspace, Slug: req.Slug, Replace: req.Target.Replace,
		Pusher: func(ctx context.Context) (Pusher, error) {
			_, all, err := api.orgs(ctx, "")
			if err != nil {
				return Pusher{}, s.ClassifyAmp(err).Wizard()
			}
			pu, err := ChoosePusher(all, api.ownUser(ctx), req.Org.ID, "")
			if err != nil {
				return Pusher{}, fmt.Errorf("%w; go back to Authorize Amplication and choose one", err)
			}
			return pu, nil
		},
		Bitbucket: bb,
		Root:      s.Checkout.Root,
		Words: ConnectWords{
			Amp:   func(err error) error { return s.ClassifyAmp(err).Wizard() },
			Check: "; go back to the Amplication target to see what it has now",
			ConnectOld: func(old *amplication.GitRepository, _ string) string {
				return "go back to the Amplication target and connect " + safetext.Line(old.FullName()) + " again"
			},
		},
	})
	var ns *NoSuchError
	var am *AmbiguousError
	var nset *NoSettingsError
	var ace *amplication.AlreadyConnectedError
	var mse *MovesServicesError
	var nr *NoRepositoryError
	switch {
	case errors.As(err, &nr):
		return AmpConnected{}, &RepoGoneError{Full: safetext.Line(req.Workspace + "/" + req.Slug)}
	case errors.As(err, &ns), errors.As(err, &am), errors.As(err, &nset):
		return AmpConnected{}, fmt.Errorf("%s is no longer in Amplication: go back and choose again", safetext.Line(req.Target.Label()))
	case errors.As(err, &ace):
		return AmpConnected{}, fmt.Errorf("%s is now connected to %s; go back and choose it again to replace it", pl.Label(), safetext.Line(ace.Repo.FullName()))
	case errors.As(err, &mse):
		return AmpConnected{}, fmt.Errorf("%s; go back and choose it again to move them too, or connect each of them on its own first", mse.Error())
	case err != nil:
		return AmpConnected{}, err
	}
	l := safetext.Line
	out := AmpConnected{Project: l(r.Project.Name), Resource: l(r.Resource.Name), Settings: r.Resource.Type == amplication.TypeProjectConfiguration,
		Repository: l(r.Resource.Repo.FullName()), Unchanged: r.Unchanged}
	if r.Old != nil {
		out.Replaced = l(r.Old.FullName())
	}
	for _, x := range r.Inheriting {
		out.Inheriting = append(out.Inheriting, l(x.Name))
	}
	out.PushesAs, out.Notes = r.Pusher.Says(), PushNotes(r)
	return out, nil
}

// PushNotes are what a connect's push checks found, for the wizard and the line mode
// (safe text): the main branch made, an account that is not bbsetup's own, a write
// permission that could not be checked, taken services moved along.
func PushNotes(r *Connected) []string {
	var out []string
	for _, n := range r.PushNotes() {
		if n.Warning {
			n.Text = UpperFirst(n.Text)
		}
		out = append(out, n.Text+".")
	}
	if !r.Unchanged && r.Resource.Type != amplication.TypeProjectConfiguration && r.Resource.Override {
		out = append(out, "It overrides the project's settings, so connecting the project leaves it alone.")
	}
	return out
}

// RepoGoneError is ConnectAmp's refusal when the chosen repository is no longer in
// Bitbucket (deleted or renamed since it was chosen): nothing was stored.
type RepoGoneError struct{ Full string }

func (e *RepoGoneError) Error() string {
	return e.Full + " is no longer in Bitbucket (deleted or renamed since you chose it), so nothing was stored in Amplication."
}
