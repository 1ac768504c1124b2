//go:build linux

package line_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bbsetup/bbsetup/cmd"
	"github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/mask"
)

// TestLineModeFromFirstPromptToConnect goes through the line mode as an operator would,
// on a pseudo-terminal with typed lines, against both emulators: TERM=dumb chooses it
// (no flag), a fresh checkout, the consumer steps, the key typed and the secret typed at
// a hidden prompt, the diff and the write, the Amplication server started by the operator
// once the files are written, the sign-in with a hidden password, the browser's trip, a
// new repository, orders as the target, the connect. Then the end state: the env files
// hold the key and secret, Amplication's emulator stores the connection, and the terminal
// never showed the secret, the password, a token or an escape sequence.
func TestLineModeFromFirstPromptToConnect(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w := newWorld(t)
	serverEnv := filepath.Join(w.CheckoutDir, "packages", "amplication-server", ".env.local")
	prEnv := filepath.Join(w.CheckoutDir, "ee", "packages", "git-sync-manager", ".env.local")
	env := map[string]string{"TERM": "dumb", "XDG_STATE_HOME": t.TempDir(), "HOME": t.TempDir()}
	p := startPty(t, env, "--no-browser", "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL)

	p.waitFor("(line mode)", "Callback URL to register on the consumer:", w.CallbackURL, "Press enter to start")
	p.typeLine("")
	p.waitFor("Workspace slug (the part after bitbucket.org/): ")
	p.typeLine("acme")
	p.waitFor(w.Server.URL+"/acme/workspace/settings/api", "Callback URL:", w.CallbackURL, "Press enter for the permissions")
	p.typeLine("")
	p.waitFor("1. Account: Read", "6. ", "Are all 6 rows ticked? [Y/n]: ")
	p.typeLine("")
	p.waitFor("Key: ")
	p.typeLine(w.Consumer.Key)
	p.waitFor("Secret (hidden): ")
	p.wantEchoOff()
	p.typeLine(w.Consumer.Secret)
	p.waitFor("… Asking Bitbucket", "✓ Bitbucket accepted the key and secret", "Webhooks: Read and write")
	// The diff, secret masked; nothing is written before the confirm.
	p.waitFor("BITBUCKET_CLIENT_ID="+w.Consumer.Key, mask.Secret(w.Consumer.Secret), "Write these files? [Y/n]: ")
	p.wantEchoOn()
	if _, err := os.Stat(prEnv); !os.IsNotExist(err) {
		t.Fatalf("the PR service's .env.local exists before the confirm (err %v)", err)
	}
	p.typeLine("")
	p.waitFor("✓ written", "npx nx serve git-sync-manager", "Press enter to check the server.")
	p.typeLine("")
	// The server is not started yet: the line mode says how to start it and keeps checking.
	p.waitFor("! The Amplication server does not answer", "Start it in its own terminal, from "+w.CheckoutDir+":",
		"  npx nx serve amplication-server", "Checking again every few seconds; press enter to check now")
	p.typeLine("")
	p.waitFor("… Checking…", "! Still does not answer (checked 2 times).")
	// The operator starts the Amplication server now, after the keys are written; the
	// next check finds it.
	if _, err := w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("✓ The Amplication server answers", "Press enter to sign in to Amplication")
	p.typeLine("")
	p.waitFor("Email (or type token to sign in with an API token): ")
	p.typeLine(w.AmplicationEmail)
	p.waitFor("Password (hidden): ")
	p.wantEchoOff()
	p.typeLine(w.AmplicationPassword)
	p.waitFor("✓ Signed in as", "Authorize Amplication with Bitbucket", "click Grant access:")
	out := p.waitFor("Waiting for Bitbucket…")
	authURL, err := firstURL(out)
	if err != nil || !strings.Contains(authURL, "client_id="+w.Consumer.Key) {
		t.Fatalf("no authorize URL with the key on its own line: %q (%v) in\n%s", authURL, err, out)
	}
	visit(t, authURL)
	p.waitFor("✓ Amplication is connected to Bitbucket as demo", "acme", "[admin]", "Choose 1-")
	p.typeLine("")
	p.waitFor("1. Connect an existing repository", "2. Create a new repository in acme", "Choose 1-2 [1]: ")
	p.typeLine("2")
	p.waitFor("Name: ")
	p.typeLine("Line Service")
	p.waitFor("Slug: acme/line-service", "Description (optional): ")
	p.typeLine("")
	p.waitFor("Private (only people with access can see it)? [Y/n]: ")
	p.typeLine("")
	p.waitFor("Project:", "1. Bitbucket's default project (the workspace's oldest)", "Choose 1-")
	p.typeLine("")
	p.waitFor("Create this repository? A private repository acme/line-service", "Create it? [Y/n]: ")
	p.typeLine("")
	p.waitFor("✓ Created acme/line-service", "Which Amplication project or service pushes to acme/line-service?", "orders (project Shop)  not connected", "Choose 1-")
	p.typeLine("")
	p.waitFor("Amplication  orders (project Shop)", "Repository   acme/line-service", "Nothing is stored in Amplication until you confirm.", "Connect? [Y/n]: ")
	if r, _ := w.Amplication().Resource(amplication.DemoOrdersID); r.Repo != nil {
		t.Fatalf("stored in Amplication before the confirm: %+v", r.Repo)
	}
	p.typeLine("")
	p.waitFor("✓ orders (project Shop) → acme/line-service", "== Summary ==", "orders (project Shop) → acme/line-service", "Next steps")
	if code := p.exitCode(); code != cmd.ExitOK {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, p.output())
	}

	// The end state: Amplication stores the connection, the files hold the key and secret.
	if r, ok := w.Amplication().Resource(amplication.DemoOrdersID); !ok || r.Repo == nil || r.Repo.GroupName != "acme" || r.Repo.Name != "line-service" {
		t.Fatalf("the Amplication emulator's orders has %+v, want acme/line-service", r.Repo)
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
		if _, has := kv["BILLING_ENABLED"]; has != wantBilling {
			t.Errorf("%s: BILLING_ENABLED set: %v, want %v", path, has, wantBilling)
		}
	}
	all := p.output() + secondRun(t, w, env)
	if d := os.Getenv("LINE_DUMP"); d != "" {
		_ = os.WriteFile(d, []byte(all), 0o600)
	}
	wantPlain(t, all)
	for what, secret := range map[string]string{"the consumer's secret": w.Consumer.Secret, "the Amplication password": w.AmplicationPassword, "a token": "eyJ"} {
		if strings.Contains(all, secret) {
			t.Errorf("the terminal showed %s (echoed or printed)", what)
		}
	}
}

// secondRun runs the line mode again on w, now configured and connected: it keeps the
// key, authorizes Amplication again with the callback port taken (so the landed URL is
// pasted), connects the repository by filtering, and replaces catalog's repository after
// the question.
func secondRun(t *testing.T, w *demo.World, env map[string]string) string {
	// Something else holds the callback port (as the Amplication client does on 3001).
	port := strings.TrimPrefix(w.ClientHost[strings.LastIndex(w.ClientHost, ":"):], ":")
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p := startPty(t, env, "--accessible", "--no-browser", "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL)
	p.waitFor("✓ A key and secret are already configured (key "+w.Consumer.Key+").", "1. Keep them: check them with Bitbucket, then authorize", "3. Another checkout", "Choose 1-3 [1]: ")
	p.typeLine("")
	p.waitFor("✓ Bitbucket accepted the key and secret", "✓ The Amplication server answers", "Press enter to sign in")
	p.typeLine("")
	p.waitFor("Email (or type token to sign in with an API token): ")
	p.typeLine(w.AmplicationEmail)
	p.waitFor("Password (hidden): ")
	p.wantEchoOff()
	p.typeLine("wrong-" + w.AmplicationPassword)
	p.waitFor("✗ The sign-in did not work", "or type token at the Email prompt and paste an API token.", "Email (or type token to sign in with an API token): ")
	p.wantEchoOn()
	p.typeLine(w.AmplicationEmail)
	p.waitFor("Password (hidden): ")
	p.typeLine(w.AmplicationPassword)
	p.waitFor("Amplication is already connected to Bitbucket as demo.", "1. Use the connection as demo (bbsetup's own account)", "2. Authorize again (a browser trip)", "Choose 1-2 [1]: ")
	p.typeLine("2")
	out := p.waitFor("click Grant access:", "! The callback port is taken", "Paste the URL from the browser's address bar")
	authURL, err := firstURL(out[strings.Index(out, "click Grant access:"):])
	if err != nil {
		t.Fatal(err)
	}
	p.typeLine(landed(t, authURL))
	p.waitFor("✓ Amplication is connected to Bitbucket as demo", "Choose 1-3 [1]: ")
	p.typeLine("")
	p.waitFor("Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("repositories", "Number of the repository to connect")
	p.typeLine("line-serv")
	p.waitFor("1 match for \"line-serv\"", "1. line-service", "[1]: ")
	p.typeLine("")
	p.waitFor("orders (project Shop)  → acme/line-service", "catalog (project Shop)  → acme-archive/catalog-legacy", "Choose 1-")
	p.typeLine("4")
	p.waitFor("! Replace its repository? catalog (project Shop) is connected to acme-archive/catalog-legacy", "Replace it? [y/N]: ")
	p.typeLine("y")
	p.waitFor("Replaces     acme-archive/catalog-legacy", "Connect? [Y/n]: ")
	p.typeLine("")
	p.waitFor("✓ catalog (project Shop) → acme/line-service", "It was connected to acme-archive/catalog-legacy before.", "== Summary ==")
	if code := p.exitCode(); code != cmd.ExitOK {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, p.output())
	}
	if r, ok := w.Amplication().Resource(amplication.DemoCatalogID); !ok || r.Repo == nil || r.Repo.GroupName != "acme" || r.Repo.Name != "line-service" {
		t.Fatalf("the Amplication emulator's catalog has %+v, want acme/line-service", r.Repo)
	}
	return p.output()
}

// TestLineModeDemo runs `bbsetup demo --accessible` and presses enter at every prompt
// (and picks the first repository), as the README says for the wizard: from the first
// prompt to "orders (project Shop) → acme/…", the demo's browser visit included. With
// --stale-server the server runs with the placeholder key: the line mode says it must be
// restarted, and the demo restarts it. Skipping Amplication authorizes bbsetup alone and
// ends with what stays to do.
// demoPort serializes the demo runs, which take the callback port 3001 when free.
var demoPort sync.Mutex

func TestLineModeDemo(t *testing.T) {
	t.Parallel()
	// The demo takes the callback port 3001 when it is free: one demo at a time in this
	// process (-count=N runs copies of this test side by side).
	demoPort.Lock()
	defer demoPort.Unlock()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	for _, tc := range []struct {
		name        string
		args        []string
		stale, skip bool
	}{
		{name: "enter everywhere, --json", args: []string{"--json"}},
		{name: "stale server", args: []string{"--stale-server"}, stale: true},
		{name: "skip Amplication", skip: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"TERM": "xterm-256color", "XDG_STATE_HOME": t.TempDir(), "HOME": t.TempDir()}
			asJSON := len(tc.args) > 0 && tc.args[0] == "--json"
			var stdout syncBuffer
			var out io.Writer // the terminal
			if asJSON {
				out = &stdout // the JSON; the line mode writes on stderr, the terminal
			}
			p := startPtyOut(t, env, out, append([]string{"demo", "--accessible", "--repos", "60"}, tc.args...)...)
			p.waitFor("bbsetup demo", "demo: the emulated Bitbucket and Amplication servers", "Press enter to start")
			p.typeLine("")
			p.waitFor("Workspace slug (the part after bitbucket.org/) [acme]: ")
			p.typeLine("")
			p.waitFor("Press enter for the permissions")
			p.typeLine("")
			p.waitFor("Are all 6 rows ticked? [Y/n]: ")
			p.typeLine("")
			p.waitFor("Key [")
			p.typeLine("")
			p.waitFor("Secret (hidden; press enter for the demo consumer's, ••••")
			p.wantEchoOff()
			p.typeLine("")
			p.waitFor("✓ Bitbucket accepted the key and secret", "Write these files? [Y/n]: ")
			p.typeLine("")
			p.waitFor("Press enter to check the server.")
			p.typeLine("")
			p.waitFor("✓ The Amplication server answers", "Press enter to sign in to Amplication, or type s and enter to skip Amplication: ")
			if tc.skip {
				p.typeLine("s")
				p.waitFor("! Skip Amplication? Amplication itself stays unconnected", "Skip Amplication? [y/N]: ")
				p.typeLine("y")
				p.waitFor("Authorize bbsetup with your Bitbucket account")
			} else {
				p.typeLine("")
				p.waitFor("(demo: the emulated server's user is filled in)", "Email (or type token to sign in with an API token) [")
				p.typeLine("")
				p.waitFor("Password (hidden; press enter for the demo user's): ")
				p.typeLine("")
				if tc.stale {
					p.waitFor("! The server must be restarted", "npx nx serve amplication-server",
						"(demo: restarting the emulated server for you", "✓ The server uses the new key")
				}
				// The demo's colleague (casey) connected Bitbucket earlier: listed, but the
				// choice starts on authorizing again, never on a colleague's connection.
				p.waitFor("Amplication is already connected to Bitbucket as casey.", "1. Use the connection as casey", "Choose 1-2 [2]: ")
				p.typeLine("")
			}
			// The demo makes the browser's visit; when something else took the callback
			// port meanwhile (3001 by default), the landed URL is pasted instead.
			if i, out := p.waitForAny("The demo visited the page for you", "! The callback port is taken"); i == 1 {
				u, err := firstURL(out[strings.Index(out, "click Grant access:"):])
				if err != nil {
					t.Fatal(err)
				}
				p.waitFor("Paste the URL")
				p.typeLine(landed(t, u))
			}
			if tc.skip {
				p.waitFor("✓ Connected as Demo Operator", "Choose 1-")
			} else {
				p.waitFor("✓ Amplication is connected to Bitbucket as demo", "Choose 1-")
			}
			p.typeLine("")
			p.waitFor("1. Connect an existing repository", "Choose 1-2 [1]: ")
			p.typeLine("")
			p.waitFor("repositories", "  1. ", "Number of the repository to connect")
			p.typeLine("1")
			if tc.skip {
				p.waitFor("== Summary ==", "✓ Bitbucket is set up; Amplication itself is not connected yet", "Amplication was skipped")
			} else {
				p.waitFor("Which Amplication project or service pushes to acme/", "Choose 1-")
				p.typeLine("")
				p.waitFor("Connect? [Y/n]: ")
				p.typeLine("")
				p.waitFor("== Summary ==", "orders (project Shop) → acme/")
			}
			if code := p.exitCode(); code != cmd.ExitOK {
				t.Fatalf("exit %d; the terminal shows:\n%s", code, p.output())
			}
			wantPlain(t, p.output())
			if !asJSON {
				return
			}
			// The summary the line mode returns is the wizard's: the --json output.
			var sum struct {
				Completed   bool   `json:"completed"`
				ClientID    string `json:"client_id"`
				Verified    bool   `json:"verified"`
				Workspace   string `json:"workspace"`
				Amplication struct {
					GitOrganization struct{ Name string } `json:"git_organization"`
					Connected       struct{ Resource, Project, Repository string }
				} `json:"amplication"`
				Files []struct{ Changed bool } `json:"files"`
			}
			if err := json.Unmarshal([]byte(stdout.String()), &sum); err != nil {
				t.Fatalf("--json: %v\n%s", err, stdout.String())
			}
			c := sum.Amplication.Connected
			if !sum.Completed || !sum.Verified || sum.ClientID == "" || sum.Workspace != "acme" || len(sum.Files) != 2 ||
				sum.Amplication.GitOrganization.Name != "demo" || c.Resource != "orders" || c.Project != "Shop" || !strings.HasPrefix(c.Repository, "acme/") {
				t.Fatalf("--json summary %+v\n%s", sum, stdout.String())
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the writer and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLineModeEndOfInput: BBSETUP_ACCESSIBLE=1 chooses the line mode; ctrl+d at the first
// prompt leaves it as q leaves the wizard (exit 130), saying that nothing was written.
func TestLineModeEndOfInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	env := map[string]string{"TERM": "xterm-256color", "BBSETUP_ACCESSIBLE": "1", "XDG_STATE_HOME": t.TempDir()}
	p := startPty(t, env, "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL)
	p.waitFor("(line mode)", "Press enter to start")
	if _, err := p.ptmx.Write([]byte{4}); err != nil { // ctrl+d
		t.Fatal(err)
	}
	p.waitFor("bbsetup: setup stopped; nothing was written.")
	if code := p.exitCode(); code != cmd.ExitInterrupted {
		t.Fatalf("exit %d, want %d", code, cmd.ExitInterrupted)
	}
	wantPlain(t, p.output())
}

// TestLineModeMissingPermissions: a consumer without every permission box is named by
// the live check, which sends the operator back to the checklist with the missing rows
// marked; once they are ticked on Bitbucket, the key and the secret typed before are
// kept (enter) and the check passes.
func TestLineModeMissingPermissions(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w, err := demo.Start(demo.Options{Repos: 30, ClientPort: freePort(t), AmplicationPort: freePort(t), TempDir: t.TempDir(), Scopes: []string{"account", "repository"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	env := map[string]string{"TERM": "xterm-256color", "XDG_STATE_HOME": t.TempDir()}
	p := startPty(t, env, "--accessible", "--no-browser", "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL)
	p.waitFor("Press enter to start")
	p.typeLine("")
	p.waitFor("Workspace slug (the part after bitbucket.org/): ")
	p.typeLine("https://bitbucket.org/acme/workspace/settings/api") // a pasted URL works
	p.waitFor("/acme/workspace/settings/api", "Press enter for the permissions")
	p.typeLine("")
	p.waitFor("Are all 6 rows ticked? [Y/n]: ")
	p.typeLine("n")
	p.waitFor("! Not every row is ticked", "Continue anyway? [y/N]: ")
	p.typeLine("y")
	p.waitFor("Key: ")
	p.typeLine(w.Consumer.Key)
	p.waitFor("Secret (hidden): ")
	p.typeLine(w.Consumer.Secret)
	p.waitFor("✗ Some permission boxes are not ticked", "Missing:", "Webhooks: Read and write", "== Permissions ==",
		"Bitbucket says the rows marked missing are not ticked", "Webhooks: Read and write ← missing", "Are all 6 rows ticked? [Y/n]: ")
	// The operator ticks them on Bitbucket and saves.
	c := w.Consumer
	c.Scopes = bbemu.DemoScopes()
	w.Server.AddConsumer(c)
	p.typeLine("")
	p.waitFor("Key [" + w.Consumer.Key + "]: ")
	p.typeLine("")
	p.waitFor("Secret (hidden; press enter for the one typed before, " + mask.Secret(w.Consumer.Secret) + "): ")
	p.wantEchoOff()
	p.typeLine("")
	p.waitFor("✓ Bitbucket accepted the key and secret", "Write these files? [Y/n]: ")
	p.typeLine("n")
	p.waitFor("Nothing was written.", "== Key and secret ==", "Key [")
	if _, err := p.ptmx.Write([]byte{4}); err != nil { // ctrl+d
		t.Fatal(err)
	}
	p.waitFor("bbsetup: setup stopped; nothing was written.")
	if code := p.exitCode(); code != cmd.ExitInterrupted {
		t.Fatalf("exit %d, want %d", code, cmd.ExitInterrupted)
	}
	all := p.output()
	wantPlain(t, all)
	if strings.Contains(all, w.Consumer.Secret) {
		t.Error("the terminal showed the secret")
	}
}

// TestLineModeNoCheckoutThenAPath: started outside any checkout, the line mode says so and
// asks for the path; the typed path (with ~ for the home directory) is the checkout.
func TestLineModeNoCheckoutThenAPath(t *testing.T) {
	w := newWorld(t)
	home := filepath.Dir(w.CheckoutDir)
	t.Setenv("HOME", home) // ~ is expanded as a shell would
	env := map[string]string{"TERM": "dumb", "XDG_STATE_HOME": t.TempDir(), "HOME": home}
	p := startPty(t, env, "--repo", t.TempDir(), "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL)
	p.waitFor("✗ No usable Amplication checkout", "Path of the Amplication checkout: ")
	p.typeLine("")
	p.waitFor("Path of the Amplication checkout: ")
	p.typeLine("~/" + filepath.Base(w.CheckoutDir))
	p.waitFor("Checkout: "+w.CheckoutDir, "Press enter to start")
	if _, err := p.ptmx.Write([]byte{4}); err != nil { // ctrl+d
		t.Fatal(err)
	}
	if code := p.exitCode(); code != cmd.ExitInterrupted {
		t.Fatalf("exit %d, want %d", code, cmd.ExitInterrupted)
	}
	wantPlain(t, p.output())
}
