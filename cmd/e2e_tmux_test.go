package cmd

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/testkit"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/mask"
)

// The end-to-end test runs the built bbsetup binary in a real terminal (tmux), types
// into it with send-keys and reads it with capture-pane, against the emulator on
// loopback and a scratch checkout on disk. The "browser" is a BROWSER script that fetches
// the authorize URL with curl and follows its redirect to the wizard's callback listener.

// buildBinary builds bbsetup once per test into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce()
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// buildOnce builds the binary, once per test run.
func buildOnce() {
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bbsetup-bin-")
		if err != nil {
			binErr = err
			return
		}
		binDir = dir
		bin := filepath.Join(dir, "bbsetup")
		build := exec.Command("go", "build", "-o", bin, "github.com/bbsetup/bbsetup")
		build.Env = append(os.Environ(), "CGO_ENABLED=0") // static: TestFaultSecretNotInProcessList reads its /proc entries
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binPath = bin
	})
}

// The binary is built once per test run (each build links for seconds) and removed by
// TestMain.
var (
	binOnce         sync.Once
	binPath, binDir string
	binErr          error
)

// tmuxTerm is one tmux server with one 80x24 session running a command.
type tmuxTerm struct {
	t      *testing.T
	socket string
	secret string   // must never appear on screen
	panes  []string // every capture, for the secret scan
}

func newTmuxTerm(t *testing.T, secret string, env []string, stdout string, argv ...string) *tmuxTerm {
	t.Helper()
	shell := strings.Join(quoteAll(argv), " ")
	if stdout != "" {
		shell += " > " + quoteAll([]string{stdout})[0]
	}
	return newTmuxShell(t, secret, env, shell)
}

// newTmuxShell runs a shell command line in a new 80x24 tmux session.
func newTmuxShell(t *testing.T, secret string, env []string, shell string) *tmuxTerm {
	t.Helper()
	return newTmuxShellOn(t, fmt.Sprintf("bbsetup-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), secret, env, shell)
}

// newTmuxShellOn is newTmuxShell on the tmux socket given (a name of the test's own).
func newTmuxShellOn(t *testing.T, socket, secret string, env []string, shell string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: tmux is not installed; the end-to-end terminal test needs it (CI installs it: apt-get install -y tmux)")
	}
	tt := &tmuxTerm{t: t, secret: secret, socket: socket}
	args := []string{"new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24"}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	// Keep the pane after the program exits so its last screen can still be read.
	shell += `; echo "EXIT=$?"; sleep 60`
	args = append(args, shell)
	tt.tmux(args...)
	t.Cleanup(func() { exec.Command("tmux", "-L", tt.socket, "kill-server").Run() })
	return tt
}

func quoteAll(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return out
}

func (tt *tmuxTerm) tmux(args ...string) string {
	tt.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tt.socket}, args...)...).CombinedOutput()
	if err != nil {
		tt.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys presses keys by tmux name (Enter, Tab, Down, C-c...).
func (tt *tmuxTerm) keys(keys ...string) {
	tt.t.Helper()
	tt.tmux(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// typeText types text literally.
func (tt *tmuxTerm) typeText(s string) {
	tt.t.Helper()
	tt.tmux("send-keys", "-t", "e2e", "-l", s)
}

// paste pastes text through a tmux buffer loaded from stdin, so it is in no argv.
func (tt *tmuxTerm) paste(s string) {
	tt.t.Helper()
	load := exec.Command("tmux", "-L", tt.socket, "load-buffer", "-b", "e2e", "-")
	load.Stdin = strings.NewReader(s)
	if out, err := load.CombinedOutput(); err != nil {
		tt.t.Fatalf("tmux load-buffer: %v\n%s", err, out)
	}
	tt.tmux("paste-buffer", "-d", "-b", "e2e", "-t", "e2e")
}

func (tt *tmuxTerm) capture() string {
	tt.t.Helper()
	s := tt.tmux("capture-pane", "-p", "-t", "e2e")
	tt.panes = append(tt.panes, s)
	if tt.secret != "" && strings.Contains(s, tt.secret) {
		tt.t.Fatalf("the secret is on screen:\n%s", s)
	}
	return s
}

// waitFor polls the screen until every text is on it, for at most 15 seconds.
func (tt *tmuxTerm) waitFor(texts ...string) string {
	tt.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := tt.capture()
		ok := true
		for _, x := range texts {
			if !strings.Contains(s, x) {
				ok = false
			}
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("never saw %q on screen; last screen:\n%s", texts, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantWholeAuthorizeURL finds the authorize URL in the pane with wrapped lines joined, and
// checks it is complete and starts its line.
func (tt *tmuxTerm) wantWholeAuthorizeURL(clientID string, redirect bool) {
	tt.t.Helper()
	s := tt.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "e2e")
	for _, l := range strings.Split(s, "\n") {
		i := strings.Index(l, "/site/oauth2/authorize?")
		if i < 0 {
			continue
		}
		if !strings.HasPrefix(l, "http") {
			tt.t.Fatalf("the authorize URL does not start its line: %q\n%s", l, s)
		}
		if strings.TrimSpace(l) != strings.Fields(l)[0] {
			tt.t.Fatalf("the authorize URL shares its line: %q\n%s", l, s)
		}
		u, err := url.Parse(strings.TrimSpace(l))
		if err != nil {
			tt.t.Fatalf("the authorize URL line does not parse: %v: %q", err, l)
		}
		q := u.Query()
		if q.Get("client_id") != clientID || q.Get("state") == "" || (q.Get("redirect_uri") != "") != redirect || q.Get("response_type") != "code" {
			tt.t.Fatalf("the authorize URL on screen is not whole: %q\n%s", l, s)
		}
		return
	}
	tt.t.Fatalf("no authorize URL on screen:\n%s", s)
}

// exitCode waits for the program to end and returns its exit code.
func (tt *tmuxTerm) exitCode() int {
	tt.t.Helper()
	s := tt.waitFor("EXIT=")
	i := strings.LastIndex(s, "EXIT=")
	code, err := strconv.Atoi(strings.Fields(s[i+len("EXIT="):])[0])
	if err != nil {
		tt.t.Fatalf("exit line: %v\n%s", err, s)
	}
	return code
}

// e2eWorld is the demo world with the callback on a port of the test's choosing, plus a
// BROWSER script standing in for the operator's browser.
type e2eWorld struct {
	*demo.World
	bin     string
	browser string
}

func newE2EWorld(t *testing.T) *e2eWorld {
	t.Helper()
	return newE2EWorldWith(t, demo.Options{Repos: 300})
}

// newE2EWorldWith is newE2EWorld with the demo world's options (a colleague's git
// organization, an empty main branch, the consumer in another account, a generation, a
// stale server, services down); Repos defaults to 40, the callback port and the temporary
// directory are the test's.
func newE2EWorldWith(t *testing.T, o demo.Options) *e2eWorld {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: curl is not installed; the end-to-end test's stand-in browser needs it (CI installs it)")
	}
	if o.Repos == 0 {
		o.Repos = 40
	}
	o.ClientPort, o.AmplicationPort, o.TempDir = freePort(t), freePort(t), t.TempDir()
	w, err := demo.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	browser := filepath.Join(t.TempDir(), "browser")
	script := "#!/bin/sh\nexec curl -sS -L --max-time 20 -o /dev/null \"$1\"\n"
	if err := os.WriteFile(browser, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return &e2eWorld{World: w, bin: buildBinary(t), browser: browser}
}

// run starts bbsetup with args in tmux; stdout goes to the terminal, or to a file when
// stdout is set.
func (w *e2eWorld) run(t *testing.T, stdout string, args ...string) *tmuxTerm {
	argv := append([]string{w.bin, "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL}, args...)
	return newTmuxTerm(t, w.Consumer.Secret, []string{"BROWSER=" + w.browser, "TERM=xterm-256color"}, stdout, argv...)
}

func TestE2EWizardInTmuxCreateThenConnect(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	matrix.Record(t, "Terminal (the built binary in tmux)", "create, then connect (already configured, --json), 80x24",
		"completes; files on disk parse back; no captured pane contains the secret")
	t.Parallel() // after Record (the matrix keeps source order)
	// Both runs finish inside Amplication (sign-in, Amplication's authorization, then the
	// second run reuses it; orders, then catalog with the replace prompt), and the
	// Amplication emulator's state is checked after each.
	w := newE2EWorld(t)
	serverEnv := filepath.Join(w.CheckoutDir, "packages", "amplication-server", ".env.local")
	prEnv := filepath.Join(w.CheckoutDir, "ee", "packages", "git-sync-manager", ".env.local")
	before, err := os.ReadFile(serverEnv)
	if err != nil {
		t.Fatal(err)
	}

	// First run: a fresh checkout, the "create" path.
	tt := w.run(t, "")
	tt.waitFor("Callback URL to register", w.CallbackURL)
	tt.keys("Enter")
	tt.waitFor("Workspace slug")
	tt.typeText("acme")
	tt.keys("Enter")
	tt.waitFor("/acme/workspace/settings/api", "o open in browser")
	tt.keys("Enter")
	tt.waitFor("0 of 6 rows ticked")
	tt.keys("Space", "Down", "Space")
	tt.waitFor("2 of 6 rows ticked")
	tt.keys("a")
	tt.waitFor("6 of 6 rows ticked")
	tt.keys("Enter")
	tt.waitFor("Key", "Secret")
	tt.paste(w.Consumer.Key)
	tt.keys("Tab")
	tt.paste(w.Consumer.Secret)
	tt.waitFor("••••")
	tt.keys("Enter")
	tt.waitFor("Bitbucket accepted the key and secret", "Webhooks: Read and write")
	tt.keys("Enter")
	// The live check passed and the diff is shown, masked; nothing is written yet.
	tt.waitFor("will change", "BITBUCKET_CLIENT_ID="+w.Consumer.Key, mask.Secret(w.Consumer.Secret))
	if _, err := os.Stat(prEnv); !os.IsNotExist(err) {
		t.Fatalf("the PR service's .env.local exists before the confirm (err %v)", err)
	}
	tt.keys("Enter")
	tt.waitFor("✓ written", "npx nx serve git-sync-manager")
	// The operator starts the Amplication server now, after the keys are written.
	if _, err := w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	tt.keys("Enter")
	tt.waitFor("The Amplication server answers", w.AmplicationURL)
	tt.keys("Enter")
	w.signIn(tt)
	tt.waitFor("Amplication is connected to Bitbucket as demo")
	// The authorize URL (the Amplication server's: its key, a state, no redirect_uri) was
	// on screen whole (now in the scrollback: done, the frame took its rows back):
	// unindented on its own line, wrapped by the terminal (capture-pane -J joins what the
	// terminal wrapped), so a mouse selection copies it in one piece (issue 16 item 8).
	tt.wantWholeAuthorizeURL(w.Consumer.Key, false)
	tt.keys("Enter")
	tt.waitFor("acme", "Acme Corporation", "[admin]", "playground")
	tt.keys("Enter")
	tt.waitFor("Create or connect", "Create a new repository")
	tt.keys("Down", "Enter")
	tt.waitFor("Create repository", "Name")
	tt.typeText("E2E Service")
	tt.waitFor("Slug: acme/e2e-service")
	tt.keys("Enter")
	tt.waitFor("Create this repository?")
	tt.keys("Enter")
	tt.waitFor("✓ Created acme/e2e-service")
	tt.keys("Enter")
	tt.waitFor("Which Amplication project or service", "›   orders ", "not connected", "catalog-legacy")
	tt.keys("Enter")
	tt.waitFor("Connect in Amplication", "Nothing is stored in Amplication until you press enter")
	if r, _ := w.Amplication().Resource(ampemu.DemoOrdersID); r.Repo != nil {
		t.Fatalf("stored in Amplication before the confirm: %+v", r.Repo)
	}
	tt.keys("Enter")
	tt.waitFor("✓ orders (project Shop) → acme/e2e-service", "Read back")
	tt.keys("Enter")
	tt.waitFor("Summary", "orders (project Shop) → acme/e2e-service", "acme/e2e-service (created)")
	tt.keys("Enter")
	if code := tt.exitCode(); code != 0 {
		t.Fatalf("wizard exit %d", code)
	}
	w.wantRepo(t, ampemu.DemoOrdersID, "acme", "e2e-service")
	w.scanPanes(t, tt)

	// The files on disk: every original byte kept, the keys parse back exactly.
	after, err := os.ReadFile(serverEnv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(after), string(before)) {
		t.Errorf("the server's .env.local lost its original lines:\n%s", after)
	}
	for path, wantBilling := range map[string]bool{serverEnv: true, prEnv: false} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		kv := envfile.Parse(data)
		if kv["BITBUCKET_CLIENT_ID"] != w.Consumer.Key || kv["BITBUCKET_CLIENT_SECRET"] != w.Consumer.Secret {
			t.Errorf("%s: the key and secret do not parse back", path)
		}
		if _, has := kv["BILLING_ENABLED"]; has != wantBilling || (wantBilling && kv["BILLING_ENABLED"] != "false") {
			t.Errorf("%s: BILLING_ENABLED=%q (set: %v), want it only in the server's file, false", path, kv["BILLING_ENABLED"], has)
		}
	}

	// Second run: already configured, keep the key and go straight to authorize, then the
	// "connect" path with a filter.
	jsonOut := filepath.Join(t.TempDir(), "summary.json")
	tt = w.run(t, jsonOut, "--json")
	tt.waitFor("already configured (key "+w.Consumer.Key+")", "› Keep them")
	tt.keys("Enter")
	// Kept: checked with Bitbucket first (issue 16 item 2), then authorized.
	tt.waitFor("Bitbucket accepted the key and secret", "nothing needs writing")
	tt.keys("Enter")
	tt.waitFor("The Amplication server answers")
	tt.keys("Enter")
	w.signIn(tt)
	// Amplication has its Bitbucket connection from the first run: reuse it.
	tt.waitFor("already connected to Bitbucket as demo", "› Use the connection as demo (bbsetup's own account)")
	tt.keys("Enter")
	tt.waitFor("Amplication keeps its Bitbucket connection as demo")
	tt.keys("Enter")
	tt.waitFor("Acme Corporation")
	tt.keys("Enter")
	tt.waitFor("Connect an existing repository")
	tt.keys("Enter")
	tt.waitFor("repositories", "amber-api-00001")
	tt.typeText("e2e-serv")
	tt.waitFor("1 match", "e2e-service")
	tt.keys("Enter")
	// orders has it now; catalog is connected elsewhere: replacing it asks first.
	tt.waitFor("Which Amplication project or service", "orders          → acme/e2e-service", "›   payments        not connected")
	tt.keys("Down", "Enter")
	tt.waitFor("Replace its repository?", "catalog (project Shop) is connected to acme-archive/catalog-legacy")
	tt.keys("y")
	tt.waitFor("Replaces", "catalog-legacy", "Nothing is stored in Amplication until you press enter")
	tt.keys("Enter")
	tt.waitFor("✓ catalog (project Shop) → acme/e2e-service")
	tt.keys("Enter")
	tt.waitFor("Summary")
	tt.keys("Enter")
	tt.waitFor("EXIT=0")
	w.wantRepo(t, ampemu.DemoCatalogID, "acme", "e2e-service")
	w.scanPanes(t, tt)
	var sum struct {
		ClientID    string `json:"client_id"`
		Completed   bool   `json:"completed"`
		Workspace   string `json:"workspace"`
		ConnectedAs struct {
			DisplayName string `json:"display_name"`
		} `json:"connected_as"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
		Amplication struct {
			GitOrganization struct {
				Name string `json:"name"`
			} `json:"git_organization"`
			Reused    bool `json:"git_organization_reused"`
			Connected struct {
				Resource, Project, Repository, Replaced string
			} `json:"connected"`
		} `json:"amplication"`
	}
	data, err := os.ReadFile(jsonOut)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatalf("--json summary: %v\n%s", err, data)
	}
	if !sum.Completed || sum.ClientID != w.Consumer.Key || sum.Workspace != "acme" || sum.Repository.FullName != "acme/e2e-service" || sum.ConnectedAs.DisplayName != "Demo Operator" {
		t.Errorf("--json summary %+v", sum)
	}
	if c := sum.Amplication.Connected; c.Resource != "catalog" || c.Project != "Shop" || c.Repository != "acme/e2e-service" || c.Replaced != "acme-archive/catalog-legacy" ||
		sum.Amplication.GitOrganization.Name != "demo" || !sum.Amplication.Reused {
		t.Errorf("--json summary's amplication part %+v", sum.Amplication)
	}
	if strings.Contains(string(data), w.AmplicationPassword) || strings.Contains(string(data), "eyJ") {
		t.Error("the --json summary contains the Amplication password or a token")
	}
	if strings.Contains(string(data), w.Consumer.Secret) {
		t.Error("the --json summary contains the secret")
	}
	if len(tt.panes) == 0 {
		t.Fatal("no screen was captured")
	}
}

func TestE2EWizardInTmuxQuitWritesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	matrix.Record(t, "Terminal (the built binary in tmux)", "Ctrl+C on the diff screen, before the write confirm",
		"exit 130, 'nothing was written', no file created")
	t.Parallel() // after Record (the matrix keeps source order)
	w := newE2EWorld(t)
	prEnv := filepath.Join(w.CheckoutDir, "ee", "packages", "git-sync-manager", ".env.local")
	tt := w.run(t, "")
	w.toEnvDiff(tt)
	tt.keys("C-c")
	s := tt.waitFor("EXIT=")
	if !strings.Contains(s, "Nothing was written") || !strings.Contains(s, "EXIT=130") {
		t.Errorf("Ctrl+C before the confirm: want 'Nothing was written' and exit 130; screen:\n%s", s)
	}
	if n := strings.Count(strings.ToLower(s), "nothing was written"); n != 1 {
		t.Errorf("Ctrl+C before the confirm: 'nothing was written' said %d times, want once; screen:\n%s", n, s)
	}
	if _, err := os.Stat(prEnv); !os.IsNotExist(err) {
		t.Errorf("Ctrl+C before the confirm wrote %s", prEnv)
	}
}

// toEnvDiff walks a fresh checkout's wizard from the welcome screen to the env files'
// diff as an operator would: workspace acme, every permission row ticked, the consumer's
// key and secret pasted, the live check passed. Each key goes to the screen it is meant
// for: typed before that screen is up (the slug check, the live check are asynchronous),
// it would land on the previous one.
func (w *e2eWorld) toEnvDiff(tt *tmuxTerm) {
	tt.t.Helper()
	tt.waitFor("Callback URL to register")
	tt.keys("Enter")
	tt.waitFor("Workspace slug")
	tt.typeText("acme")
	tt.keys("Enter")
	tt.waitFor("/acme/workspace/settings/api", "o open in browser")
	tt.keys("Enter")
	tt.waitFor("0 of 6 rows ticked")
	tt.keys("a")
	tt.waitFor("6 of 6 rows ticked")
	tt.keys("Enter")
	tt.waitFor("Key", "Secret")
	tt.paste(w.Consumer.Key)
	tt.keys("Tab")
	tt.paste(w.Consumer.Secret)
	tt.waitFor("••••")
	tt.keys("Enter")
	tt.waitFor("Bitbucket accepted the key and secret")
	tt.keys("Enter")
	tt.waitFor("will change")
}

// writeAndSignIn goes on from the diff: the files are written, the Amplication server is
// started then (start; false: it already runs), its screen says it answers, and the
// operator signs in. It returns the server it started (nil when it did not start one).
func (w *e2eWorld) writeAndSignIn(t *testing.T, tt *tmuxTerm, start bool) *ampemu.Server {
	t.Helper()
	tt.keys("Enter")
	tt.waitFor("✓ written")
	var amp *ampemu.Server
	if start {
		var err error
		if amp, err = w.StartAmplication(); err != nil {
			t.Fatal(err)
		}
	}
	tt.keys("Enter")
	tt.waitFor("The Amplication server answers")
	tt.keys("Enter")
	w.signIn(tt)
	return amp
}

// signIn signs in to Amplication on its screen as an operator would: the email typed,
// the password pasted (through a tmux buffer: in no argv).
func (w *e2eWorld) signIn(tt *tmuxTerm) {
	tt.t.Helper()
	tt.waitFor("Sign in to Amplication", "Email", "Password")
	tt.typeText(w.AmplicationEmail)
	tt.keys("Enter")
	tt.paste(w.AmplicationPassword)
	tt.waitFor("•••")
	tt.keys("Enter")
}

// wantRepo checks the Amplication emulator's state: the resource pushes to group/slug.
func (w *e2eWorld) wantRepo(t *testing.T, id, group, slug string) {
	t.Helper()
	r, ok := w.Amplication().Resource(id)
	if !ok || r.Repo == nil || r.Repo.GroupName != group || r.Repo.Name != slug {
		t.Fatalf("the Amplication emulator's resource %s has %+v, want %s/%s", id, r.Repo, group, slug)
	}
}

// scanPanes checks every captured pane for the Amplication password and any token (a JWT
// starts with eyJ); the consumer's secret is checked on every capture already.
func (w *e2eWorld) scanPanes(t *testing.T, tt *tmuxTerm) {
	t.Helper()
	for _, p := range tt.panes {
		if strings.Contains(p, w.AmplicationPassword) || strings.Contains(p, "eyJ") {
			t.Fatalf("a pane shows the Amplication password or a token:\n%s", p)
		}
	}
}

// freePort returns a loopback port nothing listens on, for a server the code under test
// starts later (testkit.UnusedPort: outside the ephemeral range, so no test running
// beside this one is handed it meanwhile).
func freePort(t *testing.T) int {
	t.Helper()
	return testkit.UnusedPort(t)
}
