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
}

// World is a running demo: the emulators, the consumer, and the scratch checkout.
type World struct {
	Server      *bbemu.Server
	Consumer    bbemu.Consumer
	CheckoutDir string
	ClientHost  string
	CallbackURL string
	// AmplicationURL is where the Amplication emulator listens once started: the HOST in
	// the scratch checkout's server .env.local. Nothing answers there before StartAmplication.
	AmplicationURL string
	// The demo Amplication user's sign-in (throwaway; it exists only in the emulator).
	AmplicationEmail, AmplicationPassword string

	ampOpts ampemu.Options
	ampAddr string
	ampMu   sync.Mutex
	amp     *ampemu.Server
}

// Start builds and starts the demo world. Close it when done.
func Start(o Options) (*World, error) {
	if o.Repos <= 0 {
		o.Repos = 2000
	}
	port, err := pickClientPort(o.ClientPort)
	if err != nil {
		return nil, err
	}
	clientHost := "http://localhost:" + strconv.Itoa(port)
	callback := clientHost + "/bitbucket-auth-app/callback"

	emu, consumer := bbemu.NewDemo(bbemu.Options{
		Latency:     o.Latency,
		AutoApprove: !o.ConsentPage,
	}, o.Repos)
	edited := consumer.CallbackURL != callback || o.PublicConsumer || o.Scopes != nil || o.NoCallback
	consumer.CallbackURL = callback
	if o.PublicConsumer {
		consumer.Private = false
	}
	if o.Scopes != nil {
		consumer.Scopes = slices.Clone(o.Scopes)
	}
	if o.NoCallback {
		consumer.CallbackURL = ""
	}
	if edited {
		emu.AddConsumer(consumer)
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
		AmplicationEmail: ampemu.DemoEmail, AmplicationPassword: ampemu.DemoPassword}
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
		Schema: o.AmplicationSchema, Latency: o.Latency}
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
	e, err := ampemu.New(w.ampOpts, ampemu.DemoSeed())
	if err != nil {
		return nil, fmt.Errorf("start the demo's Amplication server: %w", err)
	}
	s, err := ampemu.StartOn(e, w.ampAddr)
	if err != nil {
		return nil, fmt.Errorf("start the demo's Amplication server: %w", err)
	}
	w.amp = s
	return s, nil
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

// Close stops the emulators and removes the scratch checkout.
func (w *World) Close() error {
	w.CloseServers()
	if w.CheckoutDir != "" {
		return os.RemoveAll(w.CheckoutDir)
	}
	return nil
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
