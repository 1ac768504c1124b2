package cmd

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/tui"
)

// adapterWorld is the wizard's real adapter on a demo world whose callback port is free.
type adapterWorld struct {
	w    *demo.World
	a    *Factory
	b    *flow.Backend
	co   tui.Checkout
	port int
}

func newAdapterWorld(t *testing.T) *adapterWorld {
	t.Helper()
	return newAdapterWorldWith(t, demo.Options{})
}

// newAdapterWorldWith is newAdapterWorld with the demo world's options (Repos, ClientPort
// and TempDir are the test's).
func newAdapterWorldWith(t *testing.T, o demo.Options) *adapterWorld {
	t.Helper()
	port := freePort(t)
	o.Repos, o.ClientPort, o.AmplicationPort, o.TempDir = 20, port, freePort(t), t.TempDir()
	w, err := demo.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	a := &Factory{
		// The retry wait is 1 ms: the fault cases do not sleep through the real backoff.
		env: Env{Getenv: func(k string) string { return map[string]string{"BBSETUP_TEST_BACKOFF": "1ms"}[k] },
			LookupEnv: func(string) (string, bool) { return "", false }},
		g: Globals{Repo: w.CheckoutDir, BitbucketURL: w.Server.URL, APIURL: w.Server.APIURL},
	}
	b := a.newWizardBackend(context.Background(), wizardOptions{noBrowser: true})
	t.Cleanup(b.Close)
	co, err := b.FindCheckout("")
	if err != nil {
		t.Fatal(err)
	}
	return &adapterWorld{w: w, a: a, b: b, co: co, port: port}
}

// useAmplicationURL makes the adapter ask the Amplication server at url, as
// --amplication-url does.
func (aw *adapterWorld) useAmplicationURL(t *testing.T, url string) {
	t.Helper()
	aw.a.g.AmplicationURL = url
	aw.b = aw.a.newWizardBackend(context.Background(), wizardOptions{noBrowser: true})
	t.Cleanup(aw.b.Close)
}

// signedInAmp writes the keys, starts the Amplication server and signs in with the demo's
// email and password: the wizard up to its Amplication sign-in.
func (aw *adapterWorld) signedInAmp(ctx context.Context, t *testing.T) tui.AmpSignedIn {
	t.Helper()
	aw.writeKeys(t)
	if _, err := aw.w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	a, err := aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Email: ampemu.DemoEmail, Password: ampemu.DemoPassword})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// startAmpAuth starts Amplication's Bitbucket authorization; it returns the session and
// the state its authorize URL carries.
func (aw *adapterWorld) startAmpAuth(ctx context.Context, t *testing.T, a tui.AmpSignedIn) (tui.AuthSession, string) {
	t.Helper()
	sess, err := a.API.StartAmpAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(sess.URL)
	if err != nil {
		t.Fatal(err)
	}
	return sess, u.Query().Get("state")
}

// landedWith is the callback address a browser lands on with code and state.
func (aw *adapterWorld) landedWith(code, state string) string {
	return aw.co.CallbackURL + "?code=" + url.QueryEscape(code) + "&state=" + url.QueryEscape(state)
}

// frontInstallURL puts a server in front of the started Amplication emulator that answers
// the authorize-URL query with authorizeURL(state) and passes every other request on, and
// makes the adapter ask it.
func (aw *adapterWorld) frontInstallURL(t *testing.T, amp *ampemu.Server, authorizeURL func(state any) string) {
	t.Helper()
	aw.useAmplicationURL(t, graphQLFront(t, amp.Emulator, installURLAnswer(authorizeURL)))
}

func (aw *adapterWorld) start(t *testing.T) tui.AuthSession {
	t.Helper()
	s, err := aw.b.StartAuth(context.Background(), aw.co, tui.Credentials{ID: aw.w.Consumer.Key, Secret: aw.w.Consumer.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if s.PortInUse {
		t.Fatalf("the callback port %d is taken: %s", aw.port, s.PortMessage)
	}
	return s
}

// A pasted word that is not a code fails with paste wording, and the redirect listener keeps
// running: the browser's redirect still completes the flow afterwards.
func TestWizardAdapterFailedPasteKeepsListening(t *testing.T) {
	aw := newAdapterWorld(t)
	s := aw.start(t)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type result struct {
		id  tui.Identity
		err error
	}
	waited := make(chan result, 1)
	go func() {
		a, err := s.Wait(ctx)
		waited <- result{a.Identity, err}
	}()

	_, err := s.Paste(ctx, "junk")
	if err == nil {
		t.Fatal("a pasted word was accepted as an authorization code")
	}
	if !strings.Contains(err.Error(), "Bitbucket did not accept that code; paste the full address your browser landed on") {
		t.Errorf("failed paste says %q", err)
	}
	if strings.Contains(err.Error(), "already used") {
		t.Errorf("failed paste blames an expired code: %q", err)
	}

	// The browser's visit: follow the redirects to the callback listener.
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	resp, err := c.Get(s.URL)
	if err != nil {
		t.Fatalf("the browser could not reach the callback after a failed paste: %v", err)
	}
	resp.Body.Close()
	select {
	case r := <-waited:
		if r.err != nil || r.id.Nickname != "demo" {
			t.Fatalf("Wait = %+v, %v", r.id, r.err)
		}
	case <-ctx.Done():
		t.Fatal("Wait never returned after the browser's redirect")
	}
	// After success the port is released.
	listenFree(t, aw.port)
}

// Esc on Authorize (Wait's context cancelled) frees the callback port.
func TestWizardAdapterCancelledWaitFreesThePort(t *testing.T) {
	aw := newAdapterWorld(t)
	s := aw.start(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.Wait(ctx)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Wait succeeded on a cancelled context")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return after its context was cancelled")
	}
	listenFree(t, aw.port)
}

// listenFree fails unless port can be bound on 127.0.0.1 again.
func listenFree(t *testing.T, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("port %d is still held: %v", port, err)
	}
	ln.Close()
}

// --debug in the wizard logs each request once: the Bitbucket API client and the
// Amplication client ride on the debug transport and add no second line of their own.
func TestWizardDebugLogsEachRequestOnce(t *testing.T) {
	port := freePort(t)
	w, err := demo.Start(demo.Options{Repos: 20, ClientPort: port, AmplicationPort: freePort(t), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	log := &syncBuffer{}
	a := &Factory{
		env: Env{Getenv: func(string) string { return "" }, LookupEnv: func(string) (string, bool) { return "", false }, Stderr: log},
		g:   Globals{Repo: w.CheckoutDir, BitbucketURL: w.Server.URL, APIURL: w.Server.APIURL, Debug: true},
	}
	b := a.newWizardBackend(context.Background(), wizardOptions{noBrowser: true})
	t.Cleanup(b.Close)
	co, err := b.FindCheckout("")
	if err != nil {
		t.Fatal(err)
	}
	aw := &adapterWorld{w: w, b: b, co: co, port: port}
	s := aw.start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		c := &http.Client{Timeout: 10 * time.Second}
		defer c.CloseIdleConnections()
		if resp, err := c.Get(s.URL); err == nil { // the browser's visit
			resp.Body.Close()
		}
	}()
	auth, err := s.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := len(log.String())
	if _, err := auth.API.Projects(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(log.String()[before:]), "\n")
	if n := len(lines); n != 1 || !strings.HasPrefix(lines[0], "debug: http: GET ") || !strings.Contains(lines[0], "/workspaces/acme/projects") {
		t.Fatalf("one projects request logged as %d lines, want one debug: line:\n%s", n, strings.Join(lines, "\n"))
	}

	// The Amplication server's requests too.
	if _, err := w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	before = len(log.String())
	if p := b.ProbeAmp(ctx, co); !p.Answers {
		t.Fatalf("probe %+v", p)
	}
	got := strings.TrimSpace(log.String()[before:])
	if got == "" {
		t.Fatal("the probe logged nothing")
	}
	for _, l := range strings.Split(got, "\n") {
		if !strings.HasPrefix(l, "debug: http: POST ") {
			t.Fatalf("a second logger's line for an Amplication request: %q\n%s", l, got)
		}
	}
}
