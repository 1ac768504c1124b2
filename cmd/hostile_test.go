package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/tui"
)

// hostileESC is server text that would retitle the window, clear the screen, plant a
// link and reverse the text if it reached the terminal raw.
const hostileESC = "\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\u202egnp.exe"

// hostileAPI is a Bitbucket stand-in whose every string carries terminal controls, and
// whose repository list fails with text that contains cobra's usage words.
func hostileAPI(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/site/oauth2/access_token":
			fmt.Fprint(w, `{"access_token":"hostile-token-0123456789","token_type":"bearer","expires_in":3600,"scopes":"account"}`)
		case r.URL.Path == "/2.0/user/workspaces":
			fmt.Fprintf(w, `{"values":[{"administrator":true,"workspace":{"slug":"acme\u202e"}}],"size":1}`)
		case strings.HasPrefix(r.URL.Path, "/2.0/workspaces/"):
			fmt.Fprintf(w, `{"name":"Acme %s"}`, jsonText(hostileESC))
		case r.URL.Path == "/2.0/repositories/acme":
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"type":"error","error":{"message":"accepts 1 arg(s), invalid argument, unknown flag %s"}}`, jsonText(hostileESC))
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, `{"type":"error","error":{"message":"no"}}`)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func jsonText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else if r == '"' || r == '\\' {
			b.WriteString(`\` + string(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// terminalSafe fails when s holds an ESC, another C0/C1 control (but newline) or a bidi
// control.
func terminalSafe(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Errorf("%s holds %U: %q", what, r, s)
			return
		}
	}
}

// TestHostileServerTextCLI: server text with ESC sequences and bidi controls reaches
// neither stdout nor stderr raw; an error whose wording contains cobra's usage phrases
// still exits 1, not 2.
func TestHostileServerTextCLI(t *testing.T) {
	api := hostileAPI(t)
	dir := demoCheckout(t)
	w := &bbapiWorld{dir: dir}
	w.writeCredentials(t, "hostileKey0123", "hostileSecret0123456789abcdefgh")
	env := map[string]string{"BBSETUP_BITBUCKET_URL": api.URL, "BBSETUP_API_URL": api.URL + "/2.0"}
	t.Run("workspaces table", func(t *testing.T) {
		matrix.Record(t, "Hostile input", "ESC sequences and bidi controls in workspace slugs and names", "the table shows the printable text only")
		r := envcmdExec(t, dir, "", env, "workspaces")
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		// Piped, the rows are tab-separated cells: each cell is terminal-safe, and a
		// server's tab or newline cannot add a cell or a row.
		for _, row := range strings.Split(strings.TrimRight(r.stdout, "\n"), "\n") {
			cells := strings.Split(row, "\t")
			if len(cells) != 3 {
				t.Errorf("row %q has %d cells, want slug, name, admin", row, len(cells))
			}
			for _, c := range cells {
				terminalSafe(t, "a stdout cell", c)
			}
		}
		if !strings.Contains(r.stdout, "pwned") && !strings.Contains(r.stdout, "Acme") {
			t.Errorf("the names are not shown: %q", r.stdout)
		}
	})
	t.Run("error text with usage words", func(t *testing.T) {
		matrix.Record(t, "Hostile input", `server error text containing "accepts ", "invalid argument", "unknown flag" and ESC sequences`, "exit 1 (not 2); stderr is terminal-safe")
		r := envcmdExec(t, dir, "", env, "repos", "list", "--workspace", "acme")
		if r.code != ExitFailure {
			t.Errorf("exit %d, want 1\n%s", r.code, r.stderr)
		}
		terminalSafe(t, "stderr", r.stderr)
		if strings.Contains(r.stderr, "--help") {
			t.Errorf("a server error is reported as a usage mistake: %q", r.stderr)
		}
	})
}

// TestHostileUsageExitCodes: the exit code of a usage mistake comes from where it arose.
func TestHostileUsageExitCodes(t *testing.T) {
	matrix.Record(t, "Hostile input", "usage mistakes (unknown command, flag, missing --workspace, extra argument)", "exit 2 from typed errors, with the --help hint")
	dir := demoCheckout(t)
	for _, args := range [][]string{
		{"nosuchcommand"}, {"--nosuchflag"}, {"repos", "list"}, {"repos", "list", "--workspace", "acme", "extra"},
		{"repos", "create", "--workspace", "acme"}, {"authorize", "--timeout", "soon"}, {"repos", "nosuch"},
	} {
		r := envcmdExec(t, dir, "", nil, args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "--help") {
			t.Errorf("bbsetup %q: exit %d, want 2 with the --help hint\n%s", args, r.code, r.stderr)
		}
	}
}

// TestHostileSecretFlagValue: a value given to the secret flag is never echoed.
func TestHostileSecretFlagValue(t *testing.T) {
	matrix.Record(t, "Hostile input", "--client-secret-stdin=VALUE", "exit 2; the error names the flag, never VALUE")
	dir := demoCheckout(t)
	const value = "pastedSecretValue0123456789abcde"
	for _, args := range [][]string{
		{"configure", "--client-id", "k", "--client-secret-stdin=" + value},
		{"configure", "--client-id", "k", "--client-secret-stdin=" + value, "--dry-run"},
	} {
		r := envcmdExec(t, dir, "", nil, args...)
		if r.code != ExitUsage {
			t.Errorf("exit %d, want 2", r.code)
		}
		if strings.Contains(r.stdout+r.stderr, value) || strings.Contains(r.stdout+r.stderr, "pastedSecret") {
			t.Errorf("the value was echoed: %q", r.stderr)
		}
		if !strings.Contains(r.stderr, "--client-secret-stdin") {
			t.Errorf("the error does not name the flag: %q", r.stderr)
		}
	}
}

// TestHostileSwappedKeyAndSecret: a "key" that looks like a secret (32 letters and
// digits) gets a warning, and --dry-run does not print it.
func TestHostileSwappedKeyAndSecret(t *testing.T) {
	matrix.Record(t, "Hostile input", "key and secret swapped, --no-verify --dry-run", "a warning that the key looks like a secret; the key is not printed")
	dir := demoCheckout(t)
	const secretLike = "Zq8XvR2mN4pL6tY0wK3sH5jD7fG9bC1a"
	r := envcmdExec(t, dir, "shortKey123456789\n", nil, "configure", "--client-id", secretLike, "--client-secret-stdin", "--no-verify", "--dry-run")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, secretLike) {
		t.Errorf("the secret-like key was printed:\n%s\n%s", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "looks like a secret") {
		t.Errorf("no warning: %q", r.stderr)
	}
}

// TestHostileMessages: messages that named the wrong cause.
func TestHostileMessages(t *testing.T) {
	dir := demoCheckout(t)
	t.Run("--api-url http://", func(t *testing.T) {
		matrix.Record(t, "Hostile input", "--api-url http:// (no host)", "exit 2; says the URL has no host, not a next-page link")
		w := &bbapiWorld{dir: dir}
		w.writeCredentials(t, "k0123", "s0123456789")
		r := envcmdExec(t, dir, "", nil, "workspaces", "--api-url", "http://")
		if r.code != ExitUsage || !strings.Contains(r.stderr, "no host") || strings.Contains(r.stderr, "next-page") {
			t.Errorf("exit %d: %q", r.code, r.stderr)
		}
		// The value as typed, and an example for the flag that was wrong.
		if !strings.Contains(r.stderr, `"http://"`) || !strings.Contains(r.stderr, DefaultAPIURL) {
			t.Errorf("--api-url http://: %q, want the value as typed and the API URL's example", r.stderr)
		}
		r = envcmdExec(t, dir, "", nil, "workspaces", "--bitbucket-url", "http://")
		if r.code != ExitUsage || !strings.Contains(r.stderr, `--bitbucket-url "http://" has no host`) || !strings.Contains(r.stderr, DefaultBitbucketURL+".") {
			t.Errorf("--bitbucket-url http://: exit %d: %q, want the value as typed and Bitbucket's URL as the example", r.code, r.stderr)
		}
	})
	t.Run("empty stdin that is not a terminal", func(t *testing.T) {
		matrix.Record(t, "Hostile input", "configure --client-secret-stdin </dev/null", "exit 2; says standard input is empty, not an ioctl error")
		null, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		defer null.Close()
		e, out, errb := testEnv(dir, nil)
		e.Stdin, e.StdinIsTerminal = null, isTerminal(null)
		code := Run(t.Context(), []string{"configure", "--client-id", "k", "--client-secret-stdin"}, e)
		if code != ExitUsage || !strings.Contains(errb.String(), "standard input is empty") || strings.Contains(errb.String(), "ioctl") {
			t.Errorf("exit %d: %q %q", code, out.String(), errb.String())
		}
	})
	t.Run("a FIFO for .env.local", func(t *testing.T) {
		matrix.Record(t, "Hostile input", "check with a FIFO as .env.local", "says it is not a regular file (a FIFO), not that there is none")
		p := filepath.Join(dir, "packages", "amplication-server", ".env.local")
		os.Remove(p)
		if err := mkfifo(p); err != nil {
			t.Skip(err)
		}
		r := envcmdExec(t, dir, "", nil, "check", "--offline")
		if !strings.Contains(r.stdout+r.stderr, "not a regular file") {
			t.Errorf("check does not say the file is not a regular file:\n%s\n%s", r.stdout, r.stderr)
		}
	})
}

// testEnv is an Env for an in-process run from dir with env as the environment.
func testEnv(dir string, env map[string]string) (Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv:    func(k string) string { return env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Getwd:     func() (string, error) { return dir, nil },
	}, &out, &errb
}

// freePortText is freePort as text, for CLIENT_HOST (which may not name port 0).
func freePortText(t *testing.T) string { return strconv.Itoa(freePort(t)) }

// TestHostileWizardAdapter: everything the wizard's adapter hands the TUI from a server
// (names, slugs, error text) is terminal-safe, and errors keep their type.
func TestHostileWizardAdapter(t *testing.T) {
	matrix.Record(t, "Hostile input", "wizard: ESC sequences and bidi controls in workspace names and error text", "the adapter hands the TUI safe text only; errors keep their type")
	api := hostileAPI(t)
	b := flow.BitbucketAPI(bitbucket.New(api.URL+"/2.0", nil, bitbucket.Options{MaxRetries: -1}))
	ws, err := b.Workspaces(t.Context())
	if err != nil || len(ws) != 1 {
		t.Fatalf("workspaces %v, %v", ws, err)
	}
	terminalSafe(t, "workspace name", ws[0].Name)
	terminalSafe(t, "workspace slug", ws[0].Slug)
	err = b.ListRepos(t.Context(), "acme", "", func([]tui.Repo, int, int) {})
	var ae *bitbucket.APIError
	if err == nil || !errors.As(err, &ae) {
		t.Fatalf("ListRepos = %v, want an *APIError inside", err)
	}
	terminalSafe(t, "error", err.Error())
}

// TestHostileWizardOutsideLink: the adapter reports a link outside the checkout as a
// tui.OutsideCheckoutError, and plans through it (showing path -> target) once allowed.
func TestHostileWizardOutsideLink(t *testing.T) {
	matrix.Record(t, "Hostile input", "wizard: .env.local linking outside the checkout", "refused until the operator allows it; the plan then shows path -> target")
	dir := demoCheckout(t)
	outside := filepath.Join(t.TempDir(), "bashrc")
	os.WriteFile(outside, []byte("alias ll='ls -l'\n"), 0o600)
	link := filepath.Join(dir, "packages", "amplication-server", ".env.local")
	os.Remove(link)
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir() // backups go under HOME/.local/state
	getenv := func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}
	a := &Factory{env: Env{Getenv: getenv, LookupEnv: func(k string) (string, bool) { v := getenv(k); return v, v != "" }},
		g: Globals{Repo: dir, BitbucketURL: "http://127.0.0.1:1", APIURL: "http://127.0.0.1:1/2.0"}}
	b := a.newWizardBackend(t.Context(), wizardOptions{noBrowser: true})
	t.Cleanup(b.Close)
	creds := tui.Credentials{ID: "key0123456789", Secret: "secret-0123456789abcdef"}
	co, err := b.FindCheckout("")
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.PlanEnv(t.Context(), co, creds)
	var oe *tui.OutsideCheckoutError
	if !errors.As(err, &oe) || oe.Target != outside {
		t.Fatalf("PlanEnv = %v, want a tui.OutsideCheckoutError for %s", err, outside)
	}
	b.AllowOutsideCheckout()
	plan, err := b.PlanEnv(t.Context(), co, creds)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range plan.Files {
		found = found || strings.Contains(f.Path, " -> "+outside)
	}
	if !found {
		t.Errorf("no planned file shows -> %s: %+v", outside, plan.Files)
	}
}

// TestHostileConfigureFiles: configure as a user would: run from a directory inside a
// checkout another user owns (refused, override spelled out and working), and over a
// .env.local others can read (tightened to 0600, and said).
func TestHostileConfigureFiles(t *testing.T) {
	const secret = "fileSecret0123456789abcdefghijk"
	t.Run("checkout owned by another user", func(t *testing.T) {
		matrix.Record(t, "Hostile input", "configure from inside a checkout another user owns", "exit 1, nothing written, names BBSETUP_SAFE_DIRECTORY; with it set, written and the checkout printed first")
		if os.Geteuid() != 0 {
			t.Skip("needs root to chown")
		}
		dir := demoCheckout(t)
		if err := os.Chown(dir, 4321, 4321); err != nil {
			t.Fatal(err)
		}
		wd := filepath.Join(dir, "packages", "amplication-server")
		args := []string{"configure", "--client-id", "fileKey0123", "--client-secret-stdin", "--no-verify"}
		r := envcmdExec(t, wd, secret+"\n", nil, args...)
		server := filepath.Join(dir, "packages", "amplication-server", ".env.local")
		if r.code != ExitFailure || !strings.Contains(r.stderr, "BBSETUP_SAFE_DIRECTORY="+dir) {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if _, err := os.Stat(server); err == nil {
			t.Fatal("a file was written")
		}
		r = envcmdExec(t, wd, secret+"\n", map[string]string{"BBSETUP_SAFE_DIRECTORY": dir}, args...)
		if r.code != ExitOK || !strings.HasPrefix(r.stdout, "Amplication checkout: "+dir+"\n") {
			t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("existing .env.local 0644", func(t *testing.T) {
		matrix.Record(t, "Hostile input", "configure over a .env.local 0644", "written 0600 and the output says the mode was tightened")
		dir := demoCheckout(t)
		server := filepath.Join(dir, "packages", "amplication-server", ".env.local")
		os.WriteFile(server, []byte("PORT=3000\n"), 0o644)
		os.Chmod(server, 0o644)
		r := envcmdExec(t, dir, secret+"\n", nil, "configure", "--client-id", "fileKey0123", "--client-secret-stdin", "--no-verify", "--repo", dir)
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if fi, _ := os.Stat(server); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %04o", fi.Mode().Perm())
		}
		if !strings.Contains(r.stdout, "its mode was 0644") || !strings.Contains(r.stdout, "now 0600") {
			t.Errorf("the tightening is not said:\n%s", r.stdout)
		}
	})
}

// TestHostileDotWorkspaceCLI: -w .. is a usage mistake, refused before any request.
func TestHostileDotWorkspaceCLI(t *testing.T) {
	matrix.Record(t, "Hostile input", "repos list / create -w ..", "exit 2 before any request (no POST /2.0/repositories/../user)")
	w := bbapiStart(t, 1, nil)
	for _, args := range [][]string{{"repos", "list", "-w", ".."}, {"repos", "create", "-w", "..", "--name", "user"}, {"repos", "list", "-w", "."}} {
		code, _, errOut := w.run(t, args...)
		if code != ExitUsage || !strings.Contains(errOut, "not a workspace slug") {
			t.Errorf("%q: exit %d: %s", args, code, errOut)
		}
	}
	for _, r := range w.srv.Controls().Log() {
		if strings.HasPrefix(r.Path, "/2.0/") {
			t.Errorf("a request reached the API: %s %s", r.Method, r.Path)
		}
	}
}

// TestHostileCheckReadableEnvFile: check fails for a .env.local others can read.
func TestHostileCheckReadableEnvFile(t *testing.T) {
	matrix.Record(t, "Hostile input", "check with a .env.local 0644 holding the secret", "exit 1; names the file, its mode and chmod 600")
	dir := demoCheckout(t)
	w := &bbapiWorld{dir: dir}
	w.writeCredentials(t, "readableKey0123", "readableSecret0123456789abcdef")
	server := filepath.Join(dir, "packages", "amplication-server", ".env.local")
	if err := os.Chmod(server, 0o644); err != nil {
		t.Fatal(err)
	}
	r := envcmdExec(t, dir, "", nil, "check", "--offline")
	if r.code != ExitFailure || !strings.Contains(r.stdout, "can be read by other users") || !strings.Contains(r.stdout, "mode 0644") || !strings.Contains(r.stdout, "chmod 600 "+server) {
		t.Errorf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
