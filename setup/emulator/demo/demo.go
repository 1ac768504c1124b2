// Package demo builds bbsetup's demo world: the Bitbucket Cloud emulator with a demo
// consumer and a few thousand repositories, a scratch Amplication checkout (current
// layout, with Amplication's committed .env files) in a temporary directory, and an
// Amplication server emulator for that checkout (DemoSeed: a demo user, projects Shop and
// Internal) that "starts" when asked, normally after the env files are written, as an
// operator starts `npx nx serve amplication-server`. `bbsetup demo` runs the wizard
// against it, and the end-to-end tests use it too.
package demo

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

//go:embed all:checkout
var checkoutFS embed.FS

// DefaultClientPort is the Amplication client's dev-server port, the callback's port.
const DefaultClientPort = 3001

// Options tune the demo world.
type Options struct {
	// Repos is how many repositories the three workspaces hold together (default 2,000).
	Repos int
	// Latency is added to every emulator request, to feel like a real network.
	Latency time.Duration
	// ClientPort is the port of CLIENT_HOST in the scratch checkout, and so of the callback.
	// 0 means 3001 when it is free, otherwise a free port the system picks.
	ClientPort int
	// TempDir is where the scratch checkout is made (default: the system's temp dir).
	TempDir string
	// ConsentPage makes the emulator show its consent page instead of approving at once.
	ConsentPage bool

	// The demo consumer's mistakes, to rehearse what bbsetup says about them:
	// PublicConsumer leaves "This is a private consumer" unticked (Bitbucket then refuses
	// the client_credentials grant), Scopes, when not nil, are its only permissions (an
	// empty list: none), and NoCallback leaves its Callback URL empty.
	PublicConsumer bool
	Scopes         []string
	NoCallback     bool
	// StaleServer starts the Amplication emulator at once, before anything writes the
	// keys: it keeps the committed placeholders until RestartAmplication (the restart path).
	StaleServer bool
	// AmplicationSchema is the generation the Amplication emulator plays (default
	// ampemu.SchemaV3).
	AmplicationSchema string
	// AmplicationPort is the Amplication emulator's port on 127.0.0.1, written to the
	// scratch checkout as HOST and PORT; 0 picks a free one.
	AmplicationPort int

	// Issue 20 and 21's cases, to rehearse what bbsetup says about them:
	//
	// PRServiceStale runs the PR service (git-sync-manager) with the committed placeholders,
	// as one started before the keys were written, and stores the git organization's tokens
	// as due for a refresh (as two hours after the authorization): every push fails at the
	// refresh. PRServiceDown and GeneratorDown leave the PR service, or the build manager and
	// the code generator, stopped (StartService starts them). EmptyMainbranch makes a
	// repository created through the API report mainbranch null until its first commit.
	// ConsumerAccount, when set, hosts the consumer in a separate Bitbucket account of that
	// name (client-credentials tokens act as it): it administers the three workspaces, and the
	// demo operator, who authorizes Amplication, keeps only acme. Colleague adds a colleague's
	// Bitbucket git organization ("casey", who can read acme) to the Amplication workspace, as
	// if they had connected their account earlier.
	PRServiceStale  bool
	PRServiceDown   bool
	GeneratorDown   bool
	EmptyMainbranch bool
	ConsumerAccount string
	Colleague       bool
	// StepDelay paces the emulated code generation and push (see ampemu.Options.StepDelay).
	StepDelay time.Duration
	// StateDir makes the demo its own state directory (World.StateDir), for the backups of
	// the scratch checkout's files: they belong to the throwaway world and go with it.
	StateDir bool
}

// Demo world accounts added by the options above.
const (
	// ConsumerOwnerAccountID is the account_id of the --consumer-account user.
	ConsumerOwnerAccountID = "5f0c1d2e3a4b5c6d7e8f9a1c"
	// ColleagueAccountID and ColleagueUUID are the colleague's Bitbucket account; the
	// colleague's Amplication git organization is ampemu id ColleagueOrgID, named "casey".
	ColleagueAccountID = "5f0c1d2e3a4b5c6d7e8f9a2d"
	ColleagueUUID      = "{c0113a9e-0000-4000-8000-00000000ca5e}"
	ColleagueOrgID     = "cldemoorg0000000000000002"
	ColleagueNickname  = "casey"
)

// World is a running demo: the emulators, the consumer, and the scratch checkout.
type World struct {
	Server      *bbemu.Server
	Consumer    bbemu.Consumer
	CheckoutDir string
	// StateDir is the demo's own state directory (Options.StateDir), "" when none.
	StateDir    string
	ClientHost  string
	CallbackURL string
	// AmplicationURL is where the Amplication emulator listens once started: the HOST in
	// the scratch checkout's server .env.local. Nothing answers there before StartAmplication.
	AmplicationURL string
	// The demo Amplication user's sign-in (throwaway; it exists only in the emulator).
	AmplicationEmail, AmplicationPassword string

	ampOpts ampemu.Options
	ampSeed ampemu.Seed
	ampAddr string
	ampMu   sync.Mutex
	amp     *ampemu.Server
	// running is which emulated services run (or will, once Amplication starts); stale is
	// Options.PRServiceStale.
	running map[ampemu.Service]bool
	stale   bool
}

// Start builds and starts the demo world. Close it when done.
func Start(o Options) (*World, error) {
	if o.Repos <= 0 {
		o.Repos = 2000
	}
	var state string
	if o.StateDir {
		var err error
		if state, err = os.MkdirTemp(o.TempDir, "bbsetup-demo-state-"); err != nil {
			return nil, fmt.Errorf("cannot make the demo's state directory: %w", err)
		}
	}
	w, err := start(o)
	if err != nil {
		os.RemoveAll(state)
		return nil, err
	}
	w.StateDir = state
	return w, nil
}

// start is Start without the state directory.
func start(o Options) (*World, error) {
	port, err := pickClientPort(o.ClientPort)
	if err != nil {
		return nil, err
	}
	clientHost := "http://localhost:" + strconv.Itoa(port)
	callback := clientHost + "/bitbucket-auth-app/callback"

	emu, consumer := bbemu.NewDemo(bbemu.Options{
		Latency:         o.Latency,
		AutoApprove:     !o.ConsentPage,
		EmptyMainbranch: o.EmptyMainbranch,
	}, o.Repos)
	edited := consumer.CallbackURL != callback || o.mistakes().Any()
	if o.ConsumerAccount != "" {
		if o.ConsumerAccount == "demo" {
			return nil, errors.New("the consumer account must not be the demo operator's (demo): name another account")
		}
		emu.AddUser(bbemu.User{AccountID: ConsumerOwnerAccountID, DisplayName: o.ConsumerAccount, Nickname: o.ConsumerAccount})
		me := bbemu.DemoUserAccountID
		emu.AddWorkspace(bbemu.Workspace{Slug: "acme", Name: "Acme Corporation"}, map[string]bool{me: true, ConsumerOwnerAccountID: true})
		emu.AddWorkspace(bbemu.Workspace{Slug: "acme-labs", Name: "Acme Labs"}, map[string]bool{ConsumerOwnerAccountID: true})
		emu.AddWorkspace(bbemu.Workspace{Slug: "playground", Name: "Playground"}, map[string]bool{ConsumerOwnerAccountID: true})
		consumer.Owner = ConsumerOwnerAccountID
		edited = true
	}
	consumer.CallbackURL = callback
	o.mistakes().Apply(&consumer)
	if edited {
		emu.AddConsumer(consumer)
	}
	seed := ampemu.DemoSeed()
	if o.Colleague {
		emu.AddUser(bbemu.User{AccountID: ColleagueAccountID, UUID: ColleagueUUID, DisplayName: "Casey Colleague", Nickname: ColleagueNickname})
		addMember(emu, "acme", ColleagueAccountID)
		access, refresh := emu.IssueTokens(consumer.Key, ColleagueAccountID)
		seed.Workspaces[0].GitOrganizations = append(seed.Workspaces[0].GitOrganizations, ampemu.GitOrganization{
			ID: ColleagueOrgID, Name: ColleagueNickname, Provider: "Bitbucket", Type: "Organization",
			InstallationID: ColleagueUUID, AccessToken: access, RefreshToken: refresh,
			ExpiresAt: time.Now().Add(bbemu.AccessTokenLifetime)})
	}
	srv, err := bbemu.Start(emu)
	if err != nil {
		return nil, fmt.Errorf("start the Bitbucket emulator: %w", err)
	}
	dir, err := os.MkdirTemp(o.TempDir, "bbsetup-demo-")
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("make the scratch checkout: %w", err)
	}
	w := &World{Server: srv, Consumer: consumer, CheckoutDir: dir, ClientHost: clientHost, CallbackURL: callback,
		AmplicationEmail: ampemu.DemoEmail, AmplicationPassword: ampemu.DemoPassword, ampSeed: seed,
		stale: o.PRServiceStale, running: map[ampemu.Service]bool{
			ampemu.BuildManager: !o.GeneratorDown, ampemu.CodeGenerator: !o.GeneratorDown, ampemu.PRService: !o.PRServiceDown}}
	ampPort := o.AmplicationPort
	if ampPort == 0 {
		if ampPort, err = freePort(); err != nil {
			w.Close()
			return nil, err
		}
	}
	w.ampAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ampPort))
	w.AmplicationURL = "http://" + w.ampAddr
	w.ampOpts = ampemu.Options{CheckoutDir: dir, BitbucketURL: srv.URL, BitbucketAPIURL: srv.APIURL,
		Schema: o.AmplicationSchema, Latency: o.Latency, ClientHost: clientHost, StepDelay: o.StepDelay,
		// A PR service the operator (re)started after the keys were written reads them;
		// a stale one holds the placeholders (below) and its tokens are due.
		PRServiceFollowsCheckout: !o.PRServiceStale, StaleGitTokens: o.PRServiceStale}
	if err := writeCheckout(dir, clientHost, w.AmplicationURL, ampPort); err != nil {
		w.Close()
		return nil, err
	}
	if o.StaleServer {
		if _, err := w.StartAmplication(); err != nil {
			w.Close()
			return nil, err
		}
	}
	return w, nil
}

// StartAmplication starts the Amplication emulator on AmplicationURL if it is not running
// yet: this is the moment it reads the scratch checkout's server env (the keys it will use
// until RestartAmplication). Call it after the env files are written; calling it again
// returns the running server.
func (w *World) StartAmplication() (*ampemu.Server, error) {
	w.ampMu.Lock()
	defer w.ampMu.Unlock()
	if w.amp != nil {
		return w.amp, nil
	}
	e, err := ampemu.New(w.ampOpts, w.ampSeed)
	if err != nil {
		return nil, fmt.Errorf("start the demo's Amplication server: %w", err)
	}
	s, err := ampemu.StartOn(e, w.ampAddr)
	if err != nil {
		return nil, fmt.Errorf("start the demo's Amplication server: %w", err)
	}
	if w.stale {
		e.Services().MarkPRServiceStale()
	}
	for _, name := range ampemu.AllServices {
		if w.running[name] {
			_ = e.Services().Start(name)
		}
	}
	w.amp = s
	return s, nil
}

// StartService starts an emulated service of the demo's Amplication (the build manager,
// the code generator or the PR service), as the operator would run `npx nx serve NAME` in
// another terminal: waiting builds go on. Before the Amplication server starts it is noted
// and applied when it does. The wizard's Build screen calls it in the demo.
func (w *World) StartService(name ampemu.Service) error {
	if !slices.Contains(ampemu.AllServices, name) {
		return fmt.Errorf("the demo has no service %q; it has %s, %s and %s", name, ampemu.BuildManager, ampemu.CodeGenerator, ampemu.PRService)
	}
	w.ampMu.Lock()
	defer w.ampMu.Unlock()
	w.running[name] = true
	if w.amp != nil {
		return w.amp.Services().Start(name)
	}
	return nil
}

// ServiceRunning reports whether an emulated service runs (or will when the Amplication
// server starts).
func (w *World) ServiceRunning(name ampemu.Service) bool {
	w.ampMu.Lock()
	defer w.ampMu.Unlock()
	if w.amp != nil {
		return w.amp.Services().Running(name)
	}
	return w.running[name]
}

// StoppedServices lists the emulated services that do not run, in start order.
func (w *World) StoppedServices() []ampemu.Service {
	var out []ampemu.Service
	for _, n := range ampemu.AllServices {
		if !w.ServiceRunning(n) {
			out = append(out, n)
		}
	}
	return out
}

// addMember makes accountID a (non-admin) member of a demo workspace, keeping its members.
func addMember(emu *bbemu.Emulator, slug, accountID string) {
	names := map[string]string{"acme": "Acme Corporation", "acme-labs": "Acme Labs", "playground": "Playground"}
	members := emu.Members(slug)
	members[accountID] = false
	emu.AddWorkspace(bbemu.Workspace{Slug: slug, Name: names[slug]}, members)
}

// Amplication is the running Amplication emulator, nil before StartAmplication.
func (w *World) Amplication() *ampemu.Server {
	w.ampMu.Lock()
	defer w.ampMu.Unlock()
	return w.amp
}

// RestartAmplication is what the operator's restart of `npx nx serve amplication-server`
// does: the server reads the env files again (its data and sign-ins survive). It starts
// the server when it is not running.
func (w *World) RestartAmplication() (*ampemu.Server, error) {
	w.ampMu.Lock()
	s := w.amp
	w.ampMu.Unlock()
	if s == nil {
		return w.StartAmplication()
	}
	s.Restart()
	return s, nil
}

// CloseServers stops both emulators and keeps the scratch checkout.
func (w *World) CloseServers() {
	w.ampMu.Lock()
	if w.amp != nil {
		w.amp.Close()
		w.amp = nil
	}
	w.ampMu.Unlock()
	if w.Server != nil {
		w.Server.Close()
	}
}

// Close stops the emulators and removes the scratch checkout (and the state directory).
func (w *World) Close() error {
	w.CloseServers()
	return w.RemoveFiles()
}

// RemoveFiles removes the scratch checkout and the state directory, and nothing else: a
// second signal ends bbsetup before Close runs, the throwaway world goes all the same.
func (w *World) RemoveFiles() error {
	var errs []error
	for _, d := range []string{w.CheckoutDir, w.StateDir} {
		if d != "" {
			errs = append(errs, os.RemoveAll(d))
		}
	}
	return errors.Join(errs...)
}

// writeCheckout copies the embedded checkout into dir and gives the server a .env.local
// that sets CLIENT_HOST, HOST and PORT, as an operator's own local overrides would (HOST
// and PORT where the demo's Amplication server listens).
func writeCheckout(dir, clientHost, ampURL string, ampPort int) error {
	err := fs.WalkDir(checkoutFS, "checkout", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("checkout", filepath.FromSlash(p))
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := checkoutFS.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("write the scratch checkout in %s: %w", dir, err)
	}
	local := "# Local overrides of the demo checkout (bbsetup keeps every line of this file)\n" +
		"CLIENT_HOST=" + clientHost + "\n" +
		"HOST=" + ampURL + "\n" +
		"PORT=" + strconv.Itoa(ampPort) + "\n"
	p := filepath.Join(dir, "packages", "amplication-server", ".env.local")
	if err := os.WriteFile(p, []byte(local), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// pickClientPort returns want when it is set, else 3001 when it is free on localhost,
// else a port the system picks.
func pickClientPort(want int) (int, error) {
	if want > 0 {
		return want, nil
	}
	if portFree(DefaultClientPort) {
		return DefaultClientPort, nil
	}
	p, err := freePort()
	if err != nil {
		return 0, fmt.Errorf("find a free port for the demo's callback: %w", err)
	}
	return p, nil
}

// freePort is a port the system picks on 127.0.0.1 (free now; taken again when used).
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("find a free port: unexpected address")
	}
	return addr.Port, nil
}

func portFree(port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// PRServiceLines says how the demo's emulated PR service stands, in the words the wizard
// shows for a real one (flow.PRServiceLines): there is no process to look for here.
func (w *World) PRServiceLines() []string {
	name := string(ampemu.PRService)
	switch {
	case !w.ServiceRunning(ampemu.PRService):
		return []string{"• " + name + " is not running (demo: the emulated one is stopped, --pr-service-down; the Build screen's s starts it)"}
	case w.stale:
		return []string{"✗ " + name + " started before .env.local was written: it still holds the placeholder key, so its pushes fail once Amplication's token needs renewing (demo: --pr-service-stale) → restart it: npx nx serve " + name}
	}
	return []string{"✓ " + name + " runs with the keys just written (demo: the emulated one)"}
}
