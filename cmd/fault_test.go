package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// TestFaultReposListCLI: `bbsetup repos list` against a faulty Bitbucket exits 1 with one
// sentence on stderr (and nothing on stdout), in bounded time.
func TestFaultReposListCLI(t *testing.T) {
	const ws = "/2.0/repositories/acme"
	tests := []struct {
		name, expect string
		fault        bbemu.Fault
		wrongSecret  bool
		words        []string
		requests     int // requests for the repository list the emulator saw
	}{
		{name: "403 missing scopes", expect: `exit 1, 1 attempt; names the "Repositories: Read" box`,
			fault: bbemu.Fault{PathPrefix: ws, Kind: bbemu.FaultStatus, Status: 403}, words: []string{"lacks a permission", "Repositories: Read"}, requests: 1},
		{name: "404 workspace", expect: "exit 1, 1 attempt; says to check the workspace",
			fault: bbemu.Fault{PathPrefix: ws, Kind: bbemu.FaultStatus, Status: 404}, words: []string{"404", "check the workspace"}, requests: 1},
		{name: "410 removed API", expect: "exit 1, 1 attempt; says to update bbsetup",
			fault: bbemu.Fault{PathPrefix: ws, Kind: bbemu.FaultStatus, Status: 410}, words: []string{"removed an API", "update bbsetup"}, requests: 1},
		{name: "429 rate limit, retries used up", expect: "exit 1 after 5 attempts; says to wait a few minutes",
			fault: bbemu.Fault{PathPrefix: ws, Kind: bbemu.FaultStatus, Status: 429}, words: []string{"rate limit", "wait a few minutes"}, requests: 5},
		{name: "503 forever", expect: "exit 1 after 5 attempts; says try again in a few minutes",
			fault: bbemu.Fault{PathPrefix: ws, Kind: bbemu.FaultStatus, Status: 503}, words: []string{"503", "try again in a few minutes"}, requests: 5},
		{name: "malformed JSON", expect: "exit 1, 1 attempt; says the answer is not the API's JSON, check --api-url",
			fault: bbemu.Fault{PathPrefix: ws, Kind: bbemu.FaultMalformedJSON}, words: []string{"not the JSON", "--api-url"}, requests: 1},
		{name: "50 MB body", expect: "exit 1, 1 attempt; says the answer is too large",
			fault: bbemu.Fault{PathPrefix: ws, Kind: bbemu.FaultHugeBody}, words: []string{"larger than 16 MB"}, requests: 1},
		{name: "wrong secret in .env.local", expect: "exit 1 before any API request; says Bitbucket rejected the key or secret",
			wrongSecret: true, words: []string{"rejected the key or secret"}, requests: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			matrix.Record(t, "bbsetup repos list", tc.name, tc.expect)
			w := bbapiStart(t, 30, nil)
			if tc.wrongSecret {
				w.writeCredentials(t, w.consumer.Key, "wrongSecretValue0123456789")
			} else {
				w.srv.Controls().SetFaults(tc.fault)
			}
			done := make(chan struct{})
			var code int
			var out, errOut string
			go func() {
				defer close(done)
				code, out, errOut = w.run(t, "repos", "list", "--workspace", "acme")
			}()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("bbsetup repos list did not end")
			}
			if code != ExitFailure {
				t.Fatalf("exit %d, want 1\nstderr: %s", code, errOut)
			}
			if out != "" {
				t.Errorf("stdout is not empty: %q", out)
			}
			line := strings.TrimSuffix(errOut, "\n")
			if strings.Contains(line, "\n") || !strings.HasPrefix(line, "bbsetup: ") {
				t.Errorf("stderr is not one bbsetup: line: %q", errOut)
			}
			for _, word := range tc.words {
				if !strings.Contains(line, word) {
					t.Errorf("stderr %q lacks %q", line, word)
				}
			}
			n := 0
			for _, r := range w.srv.Controls().Log() {
				if r.Path == ws {
					n++
				}
			}
			if n != tc.requests {
				t.Errorf("%d requests for the list, want %d", n, tc.requests)
			}
			if strings.Contains(errOut, "wrongSecretValue") {
				t.Errorf("the secret was printed")
			}
		})
	}
}

// tapWorld is the demo emulator behind a recording proxy handler: it learns every access
// token, refresh token and authorization code Bitbucket hands out, so a test can look for
// them in bbsetup's output.
type tapWorld struct {
	*bbapiWorld
	mu      sync.Mutex
	secrets []string
}

func (tw *tapWorld) learned() []string {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return append([]string(nil), tw.secrets...)
}

type captureWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (c *captureWriter) Write(p []byte) (int, error) {
	c.body.Write(p)
	return c.ResponseWriter.Write(p)
}

func startTap(t *testing.T, callback string) *tapWorld {
	t.Helper()
	e, demo := bbemu.NewDemo(bbemu.Options{AutoApprove: true}, 30)
	cons := demo
	cons.Key, cons.Secret, cons.CallbackURL = "tapKey0123456789", "tapSecret-0123456789abcdefghij", callback
	e.AddConsumer(cons)
	tw := &tapWorld{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &captureWriter{ResponseWriter: w}
		e.ServeHTTP(cw, r)
		tw.mu.Lock()
		defer tw.mu.Unlock()
		if loc := w.Header().Get("Location"); loc != "" {
			if u, err := http.NewRequest("GET", loc, nil); err == nil {
				if c := u.URL.Query().Get("code"); c != "" {
					tw.secrets = append(tw.secrets, c)
				}
			}
		}
		if r.URL.Path == "/site/oauth2/access_token" {
			var tok struct {
				Access  string `json:"access_token"`
				Refresh string `json:"refresh_token"`
			}
			if json.Unmarshal(cw.body.Bytes(), &tok) == nil {
				for _, s := range []string{tok.Access, tok.Refresh} {
					if s != "" {
						tw.secrets = append(tw.secrets, s)
					}
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	es := &bbemu.Server{Emulator: e, URL: srv.URL, APIURL: srv.URL + "/2.0"}
	tw.bbapiWorld = &bbapiWorld{srv: es, dir: authzCheckout(t, strings.TrimSuffix(callback, "/bitbucket-auth-app/callback"), cons.Key, cons.Secret), consumer: cons}
	tw.secrets = append(tw.secrets, cons.Secret)
	return tw
}

// TestFaultDebugLogRedacts runs each command with --debug against the emulator and checks
// that the debug log is there and never shows the secret, a token or a code.
func TestFaultDebugLogRedacts(t *testing.T) {
	host := "http://127.0.0.1:" + freePortText(t)
	tests := []struct {
		name, expect string
		args         []string
		stdin        bool // configure: the secret on stdin
		authorize    bool
		debugWords   []string
	}{
		{name: "configure --debug", expect: "debug lines for the plan and the token request; no secret",
			args: []string{"configure", "--client-id", "tapKey0123456789", "--client-secret-stdin"}, stdin: true,
			debugWords: []string{"debug: plan:", "debug: http: POST", "/site/oauth2/access_token: 200", "debug: credential check: ok"}},
		{name: "check --debug", expect: "debug lines for the findings and the token request; no secret",
			args:       []string{"check"},
			debugWords: []string{"debug: checkout", "debug: finding credentials: ok=true", "debug: http: POST"}},
		{name: "authorize --debug", expect: "debug lines for the callback, exchange and /user; no secret, code or token",
			args: []string{"authorize", "--no-browser", "--debug"}, authorize: true,
			debugWords: []string{"debug: listening for the callback", "debug: http: POST", "debug: http: GET", "/2.0/user: 200", "debug: granted scopes:"}},
		{name: "workspaces --debug", expect: "token and API request lines; no secret or token",
			args:       []string{"workspaces"},
			debugWords: []string{"debug: http: POST", "debug: http: GET", "/2.0/user/workspaces?pagelen=100: 200"}},
		{name: "repos list --debug", expect: "token and API request lines; no secret or token",
			args:       []string{"repos", "list", "--workspace", "acme"},
			debugWords: []string{"debug: http: POST", "debug: http: GET", "/2.0/repositories/acme?pagelen=100: 200"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			matrix.Record(t, "Secrets", tc.name, tc.expect)
			tw := startTap(t, host+"/bitbucket-auth-app/callback")
			var stdout, stderr string
			var code int
			if tc.authorize {
				ss := authzStart(t, tw.dir, tw.srv, nil, tc.args[1:]...)
				loc := ss.land(t, ss.authorizeURL(t))
				if _, err := io.WriteString(ss.stdinW, loc+"\n"); err != nil {
					t.Fatal(err)
				}
				code = ss.wait(t)
				stdout, stderr = ss.outText(), ss.errText()
			} else {
				args := append(append([]string{}, tc.args...), "--debug")
				env := map[string]string{"BBSETUP_BITBUCKET_URL": tw.srv.URL, "BBSETUP_API_URL": tw.srv.APIURL, "XDG_STATE_HOME": t.TempDir()}
				var out, errb bytes.Buffer
				stdin := ""
				if tc.stdin {
					stdin = tw.consumer.Secret + "\n"
				}
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				code = Run(ctx, args, Env{
					Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
					Getenv:    func(k string) string { return env[k] },
					LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
					Getwd:     func() (string, error) { return tw.dir, nil },
				})
				stdout, stderr = out.String(), errb.String()
			}
			if code != ExitOK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			for _, w := range tc.debugWords {
				if !strings.Contains(stderr, w) {
					t.Errorf("the debug log lacks %q:\n%s", w, stderr)
				}
			}
			secrets := tw.learned()
			if len(secrets) < 2 {
				t.Fatalf("the tap learned only %d secrets", len(secrets))
			}
			for _, s := range secrets {
				if strings.Contains(stdout, s) || strings.Contains(stderr, s) {
					t.Errorf("the output shows a secret (%d characters, starts %q)", len(s), s[:3])
				}
			}
		})
	}
}

// TestFaultSecretNotInProcessList builds bbsetup, runs `configure --client-secret-stdin`
// with the secret trickling in on a pipe held open, and scans every process's argv
// (/proc/*/cmdline) and the child's environment while it runs.
func TestFaultSecretNotInProcessList(t *testing.T) {
	matrix.Record(t, "Secrets", "process list during configure", "the secret is in no /proc/*/cmdline and not in the child's environ, before, during and after it is typed")
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("no /proc")
	}
	bin := buildBinary(t)
	tw := startTap(t, "http://localhost:3001/bitbucket-auth-app/callback")
	for _, p := range []string{
		filepath.Join(tw.dir, "packages", "amplication-server", ".env.local"),
		filepath.Join(tw.dir, "ee", "packages", "git-sync-manager", ".env.local"),
	} {
		os.Remove(p)
	}
	secret := tw.consumer.Secret

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "configure", "--client-id", tw.consumer.Key, "--client-secret-stdin",
		"--repo", tw.dir, "--bitbucket-url", tw.srv.URL, "--api-url", tw.srv.APIURL, "--debug")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	scans, sawChild := 0, false
	scan := func() {
		scans++
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			if _, err := strconv.Atoi(e.Name()); err != nil {
				continue
			}
			b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			if err != nil {
				continue
			}
			if e.Name() == strconv.Itoa(pid) && bytes.Contains(b, []byte("configure")) {
				sawChild = true
			}
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("process %s has the secret in its argv: %q", e.Name(), bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
			}
		}
		if env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ")); err == nil && bytes.Contains(env, []byte(secret)) {
			t.Errorf("the child's environment holds the secret")
		}
	}
	for i := 0; i < 5; i++ {
		scan()
		time.Sleep(20 * time.Millisecond)
	}
	// Type the secret slowly, scanning between the pieces.
	w := bufio.NewWriter(stdin)
	for i := 0; i < len(secret); i += 5 {
		w.WriteString(secret[i:min(i+5, len(secret))])
		w.Flush()
		scan()
		time.Sleep(10 * time.Millisecond)
	}
	w.WriteString("\n")
	w.Flush()
	for i := 0; i < 5; i++ {
		scan()
		time.Sleep(10 * time.Millisecond)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("bbsetup configure: %v\nstderr:\n%s", err, errb.String())
	}
	if !sawChild {
		t.Fatal("the scan never saw the configure process: it tested nothing")
	}
	if strings.Contains(out.String()+errb.String(), secret) {
		t.Error("the secret was printed")
	}
	if !strings.Contains(errb.String(), "debug: ") {
		t.Errorf("no debug log:\n%s", errb.String())
	}
	data, err := os.ReadFile(filepath.Join(tw.dir, "packages", "amplication-server", ".env.local"))
	if err != nil || !bytes.Contains(data, []byte(secret)) {
		t.Errorf("configure did not write the secret: %v", err)
	}
	t.Logf("%d scans of /proc", scans)
}
