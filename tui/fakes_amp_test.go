package tui

import (
	"context"
	"errors"
	"sync"
)

// fakeAmp is the fake Amplication server: the probe and sign-in (fakeBackend delegates to
// it) and the signed-in session (Amplication). Zero value: the server does not answer.
type fakeAmp struct {
	mu sync.Mutex

	probes     []AmpProbe // ProbeAmp answers in order; the last one repeats
	probeCalls int

	signErr   error
	logins    []AmpLogin
	signed    AmpSignedIn // API is set to the fake itself
	keys      []AmpKey    // CheckAmpKey answers in order; the last one repeats
	keyCalls  int
	switched  []string
	restarts  int
	restarted bool // RestartAmpDemo was called: the next keys answer OK

	startErr  error
	sess      AuthSession
	org       AmpOrg
	authErr   error
	reused    []AmpOrg
	projects  []AmpProject
	projErr   error
	connects  []AmpConnectRequest
	connErr   error
	connected AmpConnected
	connHook  func(ctx context.Context) error // runs first in ConnectAmp (a hanging server)

	bb Bitbucket
}

func newFakeAmp(bb Bitbucket) *fakeAmp {
	return &fakeAmp{
		bb:     bb,
		probes: []AmpProbe{{URL: "http://localhost:3000", Answers: true, Detail: "Version: v3.5.0 or later.", StartCommand: "npx nx serve amplication-server", Dir: "/home/op/amplication"}},
		signed: AmpSignedIn{URL: "http://localhost:3000", Account: "Demo Operator <demo@amplication.local>",
			Workspace: AmpWorkspace{ID: "w1", Name: "Demo"}, Workspaces: []AmpWorkspace{{ID: "w1", Name: "Demo"}}},
		keys: []AmpKey{{OK: true, Message: "Its authorize URL has BITBUCKET_CLIENT_ID KEY123."}},
		sess: AuthSession{URL: "https://bitbucket.org/site/oauth2/authorize?client_id=KEY123&response_type=code&state=ampstate"},
		org:  AmpOrg{ID: "org1", Name: "demo"},
		projects: []AmpProject{
			{ID: "p1", Name: "Shop", Resources: []AmpResource{
				{ID: "s1", Name: "Shop", Settings: true},
				{ID: "r1", Name: "orders"}, {ID: "r2", Name: "payments"},
				{ID: "r3", Name: "catalog", Repo: "acme-archive/catalog-legacy", Provider: "Github"},
			}},
			{ID: "p2", Name: "Internal", Resources: []AmpResource{{ID: "s2", Name: "Internal", Settings: true}, {ID: "r4", Name: "admin"}}},
		},
	}
}

func (f *fakeBackend) ProbeAmp(ctx context.Context, co Checkout) AmpProbe {
	a := f.amp
	a.mu.Lock()
	defer a.mu.Unlock()
	a.probeCalls++
	p := a.probes[0]
	if len(a.probes) > 1 {
		a.probes = a.probes[1:]
	}
	return p
}

func (f *fakeBackend) SignInAmp(ctx context.Context, co Checkout, l AmpLogin) (AmpSignedIn, error) {
	return f.amp.signIn(ctx, l)
}

func (f *fakeBackend) RestartAmpDemo(ctx context.Context) error {
	a := f.amp
	a.mu.Lock()
	defer a.mu.Unlock()
	a.restarts++
	a.restarted = true
	return nil
}

func (a *fakeAmp) signIn(ctx context.Context, l AmpLogin) (AmpSignedIn, error) {
	a.mu.Lock()
	a.logins = append(a.logins, l)
	err := a.signErr
	a.mu.Unlock()
	if err != nil {
		return AmpSignedIn{}, err
	}
	return a.session(ctx), nil
}

func (a *fakeAmp) session(ctx context.Context) AmpSignedIn {
	a.mu.Lock()
	s := a.signed
	a.mu.Unlock()
	s.API = a
	s.Key = a.CheckAmpKey(ctx)
	return s
}

func (a *fakeAmp) UseAmpWorkspace(ctx context.Context, id string) (AmpSignedIn, error) {
	a.mu.Lock()
	a.switched = append(a.switched, id)
	for _, w := range a.signed.Workspaces {
		if w.ID == id {
			a.signed.Workspace = w
		}
	}
	a.mu.Unlock()
	return a.session(ctx), nil
}

func (a *fakeAmp) CheckAmpKey(ctx context.Context) AmpKey {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keyCalls++
	if a.restarted {
		return AmpKey{OK: true, Message: "Its authorize URL has BITBUCKET_CLIENT_ID KEY123."}
	}
	k := a.keys[0]
	if len(a.keys) > 1 {
		a.keys = a.keys[1:]
	}
	return k
}

func (a *fakeAmp) StartAmpAuth(ctx context.Context) (AuthSession, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.sess
	s.Flow = fakeAmpFlow{a}
	return s, a.startErr
}

type fakeAmpFlow struct{ a *fakeAmp }

func (fl fakeAmpFlow) Wait(ctx context.Context) (Authorized, error) { return fl.a.authorized() }
func (fl fakeAmpFlow) Paste(ctx context.Context, pasted string) (Authorized, error) {
	return fl.a.authorized()
}

func (a *fakeAmp) authorized() (Authorized, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.authErr != nil {
		return Authorized{}, a.authErr
	}
	org := a.org
	return Authorized{Identity: Identity{DisplayName: "Demo Operator", Nickname: "demo"}, API: a.bb, Org: &org}, nil
}

func (a *fakeAmp) ReuseAmpOrg(ctx context.Context, org AmpOrg) (Authorized, error) {
	a.mu.Lock()
	a.reused = append(a.reused, org)
	a.mu.Unlock()
	o := org
	return Authorized{Identity: Identity{DisplayName: "Demo Operator", Nickname: "demo"}, API: a.bb, Org: &o}, nil
}

func (a *fakeAmp) AmpProjects(ctx context.Context) ([]AmpProject, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.projects, a.projErr
}

func (a *fakeAmp) ConnectAmp(ctx context.Context, r AmpConnectRequest) (AmpConnected, error) {
	a.mu.Lock()
	hook := a.connHook
	a.mu.Unlock()
	if hook != nil {
		if err := hook(ctx); err != nil {
			return AmpConnected{}, err
		}
	}
	// As flow's ConnectAmp: a repository gone from Bitbucket is not stored.
	if rc, ok := a.bb.(interface {
		RepoExists(ctx context.Context, workspace, slug string) (bool, error)
	}); ok {
		exists, err := rc.RepoExists(ctx, r.Workspace, r.Slug)
		if err != nil {
			return AmpConnected{}, err
		}
		if !exists {
			return AmpConnected{}, &RepoGoneError{Full: r.Workspace + "/" + r.Slug}
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.connects = append(a.connects, r)
	if a.connErr != nil {
		return AmpConnected{}, a.connErr
	}
	if r.Org.ID == "" {
		return AmpConnected{}, errors.New("no git organization")
	}
	out := AmpConnected{Project: r.Target.Project.Name, Resource: r.Target.Resource.Name, Settings: r.Target.Resource.Settings,
		Repository: r.Workspace + "/" + r.Slug}
	if r.Target.Replace {
		out.Replaced = r.Target.Resource.Repo
	}
	a.connected = out
	return out, nil
}
