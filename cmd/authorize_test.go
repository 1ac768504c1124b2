package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

const (
	authzKey    = "authzKey0123456789"
	authzSecret = "authzSecret0123456789abcdefghijkl"
)

// authzCheckout copies the current-layout Amplication fixture (the demo package's copy of
// testdata/amplication/current) into a temp dir and writes both .env.local files.
func authzCheckout(t *testing.T, clientHost, key, secret string) string {
	t.Helper()
	dir := demoCheckout(t)
	if key != "" {
		server := "CLIENT_HOST=" + clientHost + "\nBITBUCKET_CLIENT_ID=" + key + "\nBITBUCKET_CLIENT_SECRET=" + secret + "\n"
		pr := "BITBUCKET_CLIENT_ID=" + key + "\nBITBUCKET_CLIENT_SECRET=" + secret + "\n"
		for p, s := range map[string]string{
			filepath.Join(dir, "packages", "amplication-server", ".env.local"):     server,
			filepath.Join(dir, "ee", "packages", "git-sync-manager", ".env.local"): pr,
		} {
			if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// authzEmulator serves an emulator with the demo operator and one consumer.
func authzEmulator(t *testing.T, callback string, scopes []string) *bbemu.Server {
	t.Helper()
	e := bbemu.New(bbemu.Options{AutoApprove: true})
	e.AddUser(bbemu.User{AccountID: "557058:authz", DisplayName: "Demo Operator", Nickname: "demo"})
	e.AddConsumer(bbemu.Consumer{Key: authzKey, Secret: authzSecret, Name: "Amplication", CallbackURL: callback,
		Private: true, Scopes: scopes, Owner: "557058:authz"})
	s, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func authzAllScopes() []string {
	var out []string
	for _, p := range oauth.RequiredPermissions() {
		out = append(out, p.Scope)
	}
	return out
}

// authzRun runs `bbsetup authorize` in-process; the returned session lets the test read
// stderr as it is written and type into stdin.
type authzSession struct {
	stdinW  *io.PipeWriter
	lines   chan string // stderr, line by line
	mu      sync.Mutex
	stderr  bytes.Buffer
	stdout  bytes.Buffer
	done    chan int      // the exit code
	errDone chan struct{} // closed once all of stderr is in the buffer
	cancel  context.CancelFunc
	browser *http.Client
}

func authzStart(t *testing.T, dir string, s *bbemu.Server, env map[string]string, args ...string) *authzSession {
	t.Helper()
	full := append([]string{"authorize", "--repo", dir, "--bitbucket-url", s.URL, "--api-url", s.APIURL}, args...)
	return startSession(t, full, env, dir)
}

// startSession runs bbsetup with args in-process, in the working directory wd with the
// environment env (read when bbsetup asks), and returns at once: the session collects
// stderr line by line as it is written, can type into stdin, and visits URLs as a browser
// that does not follow redirects.
func startSession(t *testing.T, args []string, env map[string]string, wd string) *authzSession {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()
	errR, errW := io.Pipe()
	ss := &authzSession{stdinW: inW, lines: make(chan string, 100), done: make(chan int, 1), errDone: make(chan struct{}), cancel: cancel,
		browser: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	go func() {
		buf := make([]byte, 4096)
		var line []byte
		for {
			n, err := errR.Read(buf)
			for _, b := range buf[:n] {
				if b == '\n' {
					ss.mu.Lock()
					ss.stderr.Write(append(line, '\n'))
					ss.mu.Unlock()
					select {
					case ss.lines <- string(line):
					default:
					}
					line = nil
					continue
				}
				line = append(line, b)
			}
			if err != nil {
				ss.mu.Lock()
				ss.stderr.Write(line)
				ss.mu.Unlock()
				close(ss.lines)
				close(ss.errDone)
				return
			}
		}
	}()
	stdout := &lockedWriter{mu: &ss.mu, w: &ss.stdout}
	go func() {
		code := Run(ctx, args, Env{
			Stdin:     inR,
			Stdout:    stdout,
			Stderr:    errW,
			Getenv:    func(k string) string { return env[k] },
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
			Getwd:     func() (string, error) { return wd, nil },
		})
		errW.Close()
		ss.done <- code
	}()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		inR.Close()
		ss.browser.CloseIdleConnections()
	})
	return ss
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// authorizeURL waits (bounded) for the URL the command prints, and checks it is alone on
// its line.
func (ss *authzSession) authorizeURL(t *testing.T) string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-ss.lines:
			if !ok {
				t.Fatalf("the command ended without printing a URL:\n%s", ss.errText())
			}
			if i := strings.Index(l, "http"); i >= 0 && strings.Contains(l, "/site/oauth2/authorize?") {
				// On a line of its own, unindented: the terminal wraps it and a mouse
				// selection (or a double click) copies exactly the URL (issue 16 item 8).
				if i != 0 || strings.TrimSpace(l) != l {
					t.Errorf("the URL is not alone on its line, unindented: %q", l)
				}
				return strings.TrimSpace(l[i:])
			}
		case <-deadline:
			t.Fatalf("no authorize URL printed:\n%s", ss.errText())
		}
	}
}

func (ss *authzSession) errText() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.stderr.String()
}

func (ss *authzSession) outText() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.stdout.String()
}

func (ss *authzSession) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-ss.done:
		<-ss.errDone // the writer is closed: the reader ends at once
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("the command did not end:\n%s", ss.errText())
		return -1
	}
}

// land plays the browser: it opens the authorize URL and returns where Bitbucket sends it.
func (ss *authzSession) land(t *testing.T, authURL string) string {
	t.Helper()
	resp, err := ss.browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("authorize answered %d with Location %q", resp.StatusCode, loc)
	}
	return loc
}

// authzHoldPort takes a loopback port as the Amplication client would, and returns the
// CLIENT_HOST that points at it.
func authzHoldPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return "http://" + l.Addr().String()
}

func TestAuthorizePastePath(t *testing.T) {
	host := authzHoldPort(t)
	callback := host + "/bitbucket-auth-app/callback"
	s := authzEmulator(t, callback, authzAllScopes())
	dir := authzCheckout(t, host, authzKey, authzSecret)

	ss := authzStart(t, dir, s, nil, "--no-browser", "--timeout", "1m")
	authURL := ss.authorizeURL(t)
	loc := ss.land(t, authURL)
	// A mistyped paste first, then the real one with junk around it.
	io.WriteString(ss.stdinW, "not a url at all\n")
	io.WriteString(ss.stdinW, "  \""+loc+"\"  \n")
	if code := ss.wait(t); code != ExitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, ss.errText())
	}
	errText, out := ss.errText(), ss.outText()
	for _, want := range []string{"is in use", "paste it here", "That did not work"} {
		if !strings.Contains(errText, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errText)
		}
	}
	if !strings.Contains(out, "Connected as Demo Operator (demo)") || !strings.Contains(out, "✓ Webhooks: Read and write") {
		t.Errorf("stdout:\n%s", out)
	}
	if strings.Contains(errText+out, authzSecret) {
		t.Error("the secret was printed")
	}
	if u := strings.Index(errText, authURL); u < 0 || u > strings.Index(errText, "is in use") {
		t.Errorf("the URL must come first:\n%s", errText)
	}
}

func TestAuthorizeCallbackJSONMissing(t *testing.T) {
	// CLIENT_HOST on a free port; the test pastes anyway (whichever comes first), and the
	// consumer lacks two boxes. (Port 0 is refused in CLIENT_HOST.)
	host := "http://127.0.0.1:" + freePortText(t)
	scopes := []string{"account", "team:write", "project", "repository:admin", "pullrequest:write"}
	s := authzEmulator(t, host+"/bitbucket-auth-app/callback", scopes)
	dir := authzCheckout(t, host, authzKey, authzSecret)

	ss := authzStart(t, dir, s, nil, "--no-browser", "--json")
	loc := ss.land(t, ss.authorizeURL(t))
	io.WriteString(ss.stdinW, loc+"\n")
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d, want 1 for missing permissions\nstderr:\n%s", code, ss.errText())
	}
	var res struct {
		DisplayName string   `json:"display_name"`
		Nickname    string   `json:"nickname"`
		AccountID   string   `json:"account_id"`
		Scopes      []string `json:"scopes"`
		Missing     []string `json:"missing"`
	}
	if err := json.Unmarshal([]byte(ss.outText()), &res); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, ss.outText())
	}
	if res.DisplayName != "Demo Operator" || res.Nickname != "demo" || res.AccountID != "557058:authz" {
		t.Errorf("%+v", res)
	}
	if want := []string{"Projects: Admin", "Webhooks: Read and write"}; !reflect.DeepEqual(res.Missing, want) {
		t.Errorf("missing %q, want %q", res.Missing, want)
	}
	if !strings.Contains(ss.errText(), "Webhooks: Read and write") || !strings.Contains(ss.errText(), "Waiting up to") {
		t.Errorf("stderr:\n%s", ss.errText())
	}
}

func TestAuthorizeTimeoutAndInterrupt(t *testing.T) {
	host := authzHoldPort(t)
	s := authzEmulator(t, host+"/bitbucket-auth-app/callback", authzAllScopes())
	dir := authzCheckout(t, host, authzKey, authzSecret)

	ss := authzStart(t, dir, s, nil, "--no-browser", "--timeout", "100ms")
	if code := ss.wait(t); code != ExitFailure || !strings.Contains(ss.errText(), "no answer within 100ms") {
		t.Errorf("timeout: exit %d\n%s", code, ss.errText())
	}

	ss = authzStart(t, dir, s, nil, "--no-browser")
	ss.authorizeURL(t)
	ss.cancel()
	if code := ss.wait(t); code != ExitInterrupted {
		t.Errorf("interrupt: exit %d\n%s", code, ss.errText())
	}
}

func TestAuthorizeStateMismatchAndDenied(t *testing.T) {
	host := authzHoldPort(t)
	s := authzEmulator(t, host+"/bitbucket-auth-app/callback", authzAllScopes())
	dir := authzCheckout(t, host, authzKey, authzSecret)
	ss := authzStart(t, dir, s, nil, "--no-browser", "--timeout", "1m")
	authURL := ss.authorizeURL(t)
	loc := ss.land(t, authURL)
	io.WriteString(ss.stdinW, strings.Replace(loc, "state=", "state=x", 1)+"\n")
	io.WriteString(ss.stdinW, host+"/bitbucket-auth-app/callback?error=access_denied&error_description=The+user+denied\n")
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d\n%s", code, ss.errText())
	}
	if e := ss.errText(); !strings.Contains(e, "different authorization attempt") || !strings.Contains(e, "denied in the browser") {
		t.Errorf("stderr:\n%s", e)
	}
}

func TestAuthorizeBrowserFailureIsNotAnError(t *testing.T) {
	host := authzHoldPort(t)
	s := authzEmulator(t, host+"/bitbucket-auth-app/callback", authzAllScopes())
	dir := authzCheckout(t, host, authzKey, authzSecret)
	ss := authzStart(t, dir, s, map[string]string{"BROWSER": "false"}, "--timeout", "1m")
	loc := ss.land(t, ss.authorizeURL(t))
	deadline := time.After(20 * time.Second)
	for !strings.Contains(ss.errText(), "open the URL above yourself") {
		select {
		case <-deadline:
			t.Fatalf("no browser note:\n%s", ss.errText())
		case <-time.After(10 * time.Millisecond):
		}
	}
	io.WriteString(ss.stdinW, loc+"\n")
	if code := ss.wait(t); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, ss.errText())
	}
}

func TestAuthorizeNeedsConfiguredCheckout(t *testing.T) {
	s := authzEmulator(t, "http://localhost:3001/bitbucket-auth-app/callback", authzAllScopes())
	dir := authzCheckout(t, "", "", "")
	ss := authzStart(t, dir, s, nil, "--no-browser")
	if code := ss.wait(t); code != ExitFailure || !strings.Contains(ss.errText(), "bbsetup configure") {
		t.Errorf("exit %d\n%s", code, ss.errText())
	}
	ss = authzStart(t, t.TempDir(), s, nil, "--no-browser")
	if code := ss.wait(t); code != ExitFailure || !strings.Contains(ss.errText(), "--repo") {
		t.Errorf("no checkout: exit %d\n%s", code, ss.errText())
	}
	ss = authzStart(t, dir, s, nil, "--timeout", "0s")
	if code := ss.wait(t); code != ExitUsage {
		t.Errorf("--timeout 0s: exit %d\n%s", code, ss.errText())
	}
}

func TestAuthorizeCallbackPath(t *testing.T) {
	// CLIENT_HOST on a free port: the command listens there and says so with --debug; the
	// test's "browser" follows Bitbucket's redirect to that port.
	port0 := freePortText(t)
	host := "http://127.0.0.1:" + port0
	s := authzEmulator(t, host+"/bitbucket-auth-app/callback", authzAllScopes())
	dir := authzCheckout(t, host, authzKey, authzSecret)

	ss := authzStart(t, dir, s, nil, "--no-browser", "--debug")
	loc := ss.land(t, ss.authorizeURL(t))
	const marker = "debug: listening for the callback on 127.0.0.1:"
	i := strings.Index(ss.errText(), marker)
	if i < 0 {
		t.Fatalf("no listening address in:\n%s", ss.errText())
	}
	port := strings.Fields(ss.errText()[i+len(marker):])[0]
	if port != port0 {
		t.Fatalf("listening on port %s, CLIENT_HOST says %s", port, port0)
	}
	resp, err := ss.browser.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "return to the terminal") {
		t.Errorf("callback page: %d %s", resp.StatusCode, page)
	}
	if code := ss.wait(t); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, ss.errText())
	}
	if !strings.Contains(ss.outText(), "Connected as Demo Operator (demo)") {
		t.Errorf("stdout:\n%s", ss.outText())
	}
	if strings.Contains(ss.errText()+ss.outText(), authzSecret) {
		t.Error("the secret was printed")
	}
}
