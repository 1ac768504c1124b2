package checkout

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/mask"
)

// checkout copies a fixture layout ("older" or "current") into a temp dir.
func checkout(t *testing.T, layout string) string {
	t.Helper()
	dst := t.TempDir()
	copyFixture(t, layout, dst)
	return dst
}

func TestFind(t *testing.T) {
	root := checkout(t, "current")
	deep := filepath.Join(root, "ee", "packages", "git-sync-manager")
	for _, start := range []string{root, deep, filepath.Join(root, "packages", "amplication-server")} {
		got, err := Find(start)
		if err != nil || got != root {
			t.Errorf("Find(%s) = %s, %v; want %s", start, got, err, root)
		}
	}
	_, err := Find(t.TempDir())
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "looked for a directory with packages/amplication-server") || strings.Contains(err.Error(), "--repo") {
		t.Errorf("Find(empty dir) error = %v, want ErrNotFound saying what was looked for, naming no flag (the command line adds --repo)", err)
	}
}

func TestOpenLayouts(t *testing.T) {
	cases := []struct {
		layout, project string
	}{
		{"older", "amplication-git-pull-request-service"},
		{"current", "git-sync-manager"},
	}
	for _, c := range cases {
		t.Run(c.layout, func(t *testing.T) {
			root := checkout(t, c.layout)
			co, err := Open(root)
			if err != nil {
				t.Fatal(err)
			}
			if co.Layout() != c.layout || len(co.PRServices) != 1 || co.PRServices[0].Project != c.project {
				t.Errorf("layout %q services %+v", co.Layout(), co.PRServices)
			}
			if co.ClientHost != "http://localhost:3001" || co.CallbackURL != "http://localhost:3001/bitbucket-auth-app/callback" {
				t.Errorf("ClientHost %q CallbackURL %q", co.ClientHost, co.CallbackURL)
			}
			sv := co.Services()
			if len(sv) != 5 || sv[0] != "npx nx serve amplication-server" || sv[4] != "npx nx serve "+c.project {
				t.Errorf("Services() = %q", sv)
			}
			if _, ok := co.Current(); ok {
				t.Errorf("Current() ok with the committed placeholders")
			}
		})
	}
}

func TestOpenBothAndNone(t *testing.T) {
	root := checkout(t, "current")
	os.MkdirAll(filepath.Join(root, "packages", "amplication-git-pull-request-service"), 0o755)
	co, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if co.Layout() != "older+current" || len(co.EnvFiles()) != 3 {
		t.Errorf("Layout %q files %q", co.Layout(), co.EnvFiles())
	}

	none := t.TempDir()
	os.MkdirAll(filepath.Join(none, "packages", "amplication-server"), 0o755)
	_, err = Open(none)
	if !errors.Is(err, ErrNoPRService) || !strings.Contains(err.Error(), "git-sync-manager") {
		t.Errorf("Open without PR service: %v", err)
	}
	for _, d := range []string{"ee", "packages/amplication-git-pull-request-service"} {
		if _, err := os.Stat(filepath.Join(none, d)); err == nil {
			t.Errorf("Open created %s", d)
		}
	}
	if _, err := Open(filepath.Join(none, "packages")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(not a checkout) = %v, want ErrNotFound", err)
	}
}

func TestClientHostFromEnvLocal(t *testing.T) {
	root := checkout(t, "older")
	os.WriteFile(filepath.Join(root, "packages", "amplication-server", ".env.local"), []byte("CLIENT_HOST='http://127.0.0.1:4200/'\n"), 0o600)
	co, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if co.CallbackURL != "http://127.0.0.1:4200/bitbucket-auth-app/callback" {
		t.Errorf("CallbackURL = %q", co.CallbackURL)
	}
	os.Remove(filepath.Join(root, "packages", "amplication-server", ".env"))
	os.Remove(filepath.Join(root, "packages", "amplication-server", ".env.local"))
	co, _ = Open(root)
	if co.ClientHost != DefaultClientHost {
		t.Errorf("default ClientHost = %q", co.ClientHost)
	}
}

const secret = "Xy7secretValueForTests42"

func TestPlanWritesBothLayouts(t *testing.T) {
	for _, layout := range []string{"older", "current"} {
		t.Run(layout, func(t *testing.T) {
			root := checkout(t, layout)
			co, _ := Open(root)
			envBefore := map[string][]byte{}
			for _, f := range co.EnvFiles() {
				envBefore[f] = mustRead(t, filepath.Join(filepath.Dir(f), ".env"))
			}
			p, err := co.Plan(Credentials{ClientID: "KeyAbc123", ClientSecret: secret})
			if err != nil {
				t.Fatal(err)
			}
			if p.Files[0].Path != co.ServerEnvLocal {
				t.Errorf("server file is not first: %s", p.Files[0].Path)
			}
			if _, err := p.Apply(); err != nil {
				t.Fatal(err)
			}
			srv := envfile.Parse(mustRead(t, co.ServerEnvLocal))
			if srv[KeyClientID] != "KeyAbc123" || srv[KeyClientSecret] != secret || srv[KeyBillingEnabled] != "false" || len(srv) != 3 {
				t.Errorf("server .env.local = %q", srv)
			}
			pr := envfile.Parse(mustRead(t, co.PRServices[0].EnvLocal))
			if pr[KeyClientID] != "KeyAbc123" || pr[KeyClientSecret] != secret || len(pr) != 2 {
				t.Errorf("PR .env.local = %q", pr)
			}
			for f, b := range envBefore {
				if string(mustRead(t, filepath.Join(filepath.Dir(f), ".env"))) != string(b) {
					t.Errorf("the committed .env next to %s was changed", f)
				}
			}
			cr, ok := co.Current()
			if !ok || cr.ClientSecret != secret {
				t.Errorf("Current() = %v, %v", cr.ClientID, ok)
			}
			p2, _ := co.Plan(Credentials{ClientID: "KeyAbc123", ClientSecret: secret})
			if p2.Changed() {
				t.Errorf("second plan changes files")
			}
			for _, f := range co.CheckOffline(nil) {
				if !f.OK {
					t.Errorf("after configure: %+v", f)
				}
			}
		})
	}
}

func TestPlanRejectsBadValues(t *testing.T) {
	co, _ := Open(checkout(t, "current"))
	for _, cr := range []Credentials{{"", secret}, {"id", ""}, {"id", secret + "\n"}, {"id\x00", secret}} {
		if _, err := co.Plan(cr); err == nil {
			t.Errorf("Plan(%q) = nil error", cr.ClientID)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows the secret: %v", err)
		}
	}
	if _, err := os.Stat(co.ServerEnvLocal); err == nil {
		t.Errorf("a rejected plan wrote a file")
	}
}

func findings(fs []Finding) map[string]Finding {
	m := map[string]Finding{}
	for _, f := range fs {
		m[f.ID] = f
	}
	return m
}

func TestCheckOffline(t *testing.T) {
	root := checkout(t, "older")
	co, _ := Open(root)
	all := co.CheckOffline(nil)
	got := findings(all)
	// One cause, one finding: a package without .env.local is one failed check, naming
	// the placeholders, not one for the file and another for the keys.
	for _, id := range []string{"server-keys", "amplication-git-pull-request-service-keys"} {
		if !got[id].Failed() || got[id].Hint == "" || !strings.Contains(got[id].Title, "has no .env.local") || !strings.Contains(got[id].Detail, "placeholder") {
			t.Errorf("fresh checkout: %s = %+v, want one failing check naming the missing file and the placeholders, with a hint", id, got[id])
		}
	}
	failed := 0
	for _, f := range all {
		if f.Failed() {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("fresh checkout: %d failed checks, want 2 (one per missing .env.local): %+v", failed, all)
	}
	if _, ok := got["keys-identical"]; ok {
		t.Errorf("placeholders compared as if they were keys: %+v", got["keys-identical"])
	}
	for _, id := range []string{"billing-disabled", "no-serve-env-override", "no-shell-override", "no-temp-files"} {
		if got[id].Kind != KindCheck || !got[id].OK {
			t.Errorf("fresh checkout: %s = %+v, want a passing check", id, got[id])
		}
	}
	// Instructions and facts are notes, never a ✓.
	for _, id := range []string{"callback-url", "callback-port", "services", "nx-version"} {
		if got[id].Kind != KindNote || !got[id].OK || got[id].Failed() {
			t.Errorf("fresh checkout: %s = %+v, want a note", id, got[id])
		}
	}
	if !strings.Contains(got["services"].Title, "amplication-git-pull-request-service") || !strings.Contains(got["services"].Detail, "npx nx serve amplication-git-pull-request-service") {
		t.Errorf("services note does not name the older layout's PR service: %+v", got["services"])
	}
	if !strings.Contains(got["callback-url"].Title, "http://localhost:3001/bitbucket-auth-app/callback") {
		t.Errorf("callback-url: %+v", got["callback-url"])
	}

	p, _ := co.Plan(Credentials{ClientID: "KeyAbc123", ClientSecret: secret})
	if _, err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	srvDir := co.ServerDir
	prDir := co.PRServices[0].Dir

	t.Run("serve env override", func(t *testing.T) {
		f := filepath.Join(prDir, ".env.serve.local")
		os.WriteFile(f, []byte("BITBUCKET_CLIENT_SECRET=other\n"), 0o600)
		defer os.Remove(f)
		g := findings(co.CheckOffline(nil))["no-serve-env-override"]
		if g.OK || !strings.Contains(g.Detail, ".env.serve.local sets BITBUCKET_CLIENT_SECRET") {
			t.Errorf("%+v", g)
		}
		if strings.Contains(g.Detail, "other") {
			t.Errorf("detail shows a value: %q", g.Detail)
		}
	})
	t.Run("shell override", func(t *testing.T) {
		env := map[string]string{"BITBUCKET_CLIENT_SECRET": "shellSecretValue99", "BILLING_ENABLED": "true"}
		look := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		g := findings(co.CheckOffline(look))
		if g["no-shell-override"].OK || strings.Contains(g["no-shell-override"].Detail, "shellSecretValue99") {
			t.Errorf("%+v", g["no-shell-override"])
		}
		if g["billing-disabled"].OK || !strings.Contains(g["billing-disabled"].Detail, "shell") {
			t.Errorf("%+v", g["billing-disabled"])
		}
	})
	t.Run("shell agrees with the files", func(t *testing.T) {
		// SPEC: check warns about the keys set in the shell even when they match: the shell
		// still decides, and a later configure would not take effect.
		env := map[string]string{KeyClientID: "KeyAbc123", KeyClientSecret: secret, KeyBillingEnabled: "false"}
		look := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		g := findings(co.CheckOffline(look))["no-shell-override"]
		if !g.OK || !strings.Contains(g.Detail, "also set in the shell") || !strings.Contains(g.Detail, "win") ||
			!strings.Contains(g.Detail, "unset") || !strings.Contains(g.Detail, KeyClientID+"=KeyAbc123") ||
			!strings.Contains(g.Detail, KeyClientSecret+"="+mask.Secret(secret)) || !strings.Contains(g.Detail, "BILLING_ENABLED=false") {
			t.Errorf("matching shell variables: %+v, want an OK finding saying they are also set in the shell and win", g)
		}
		if strings.Contains(g.Title+g.Detail+g.Hint, secret) {
			t.Errorf("finding shows the secret: %+v", g)
		}
		// Only one of them set and different: failing, the matching one still named.
		env = map[string]string{KeyClientID: "KeyAbc123", KeyClientSecret: "otherSecretValue77"}
		g = findings(co.CheckOffline(look))["no-shell-override"]
		if g.OK || !strings.Contains(g.Detail, "differs") || !strings.Contains(g.Detail, KeyClientID+"=KeyAbc123") || strings.Contains(g.Detail, "otherSecretValue77") {
			t.Errorf("one differing: %+v", g)
		}
		// Set but empty: it still wins (empty), so failing.
		env = map[string]string{KeyClientID: ""}
		if g = findings(co.CheckOffline(look))["no-shell-override"]; g.OK || !strings.Contains(g.Detail, "(empty)") {
			t.Errorf("empty shell variable: %+v", g)
		}
	})
	t.Run("inconsistent", func(t *testing.T) {
		f := filepath.Join(prDir, ".env.local")
		old := mustRead(t, f)
		defer os.WriteFile(f, old, 0o600)
		os.WriteFile(f, []byte("BITBUCKET_CLIENT_ID=KeyAbc123\nBITBUCKET_CLIENT_SECRET=differentSecret1234\n"), 0o600)
		g := findings(co.CheckOffline(nil))["keys-identical"]
		if g.OK || strings.Contains(g.Detail, "differentSecret1234") || strings.Contains(g.Detail, secret) {
			t.Errorf("%+v", g)
		}
		if _, ok := co.Current(); ok {
			t.Errorf("Current() ok with different secrets")
		}
	})
	t.Run("billing true in env.local", func(t *testing.T) {
		f := filepath.Join(srvDir, ".env.local")
		old := mustRead(t, f)
		defer os.WriteFile(f, old, 0o600)
		os.WriteFile(f, []byte(strings.Replace(string(old), "BILLING_ENABLED=false", "BILLING_ENABLED=true", 1)), 0o600)
		g := findings(co.CheckOffline(nil))["billing-disabled"]
		if g.OK || !strings.Contains(g.Detail, ".env.local") {
			t.Errorf("%+v", g)
		}
		// The shell disables it, the files enable it: the shell wins, but they differ.
		look := func(k string) (string, bool) { return "false", k == KeyBillingEnabled }
		if g := findings(co.CheckOffline(look))["no-shell-override"]; g.OK || !strings.Contains(g.Detail, "differs from the env files") {
			t.Errorf("shell false, file true: %+v", g)
		}
	})
	t.Run("expansion", func(t *testing.T) {
		f := filepath.Join(srvDir, ".env.local")
		old := mustRead(t, f)
		defer os.WriteFile(f, old, 0o600)
		os.WriteFile(f, []byte(strings.Replace(string(old), secret, "abc$HOME", 1)), 0o600)
		// No Nx version found: a note, not a failure.
		g := findings(co.CheckOffline(nil))
		if d := g["nx-dollar"]; d.Kind != KindNote || !strings.Contains(d.Detail, "amplication-server's BITBUCKET_CLIENT_SECRET") || !strings.Contains(d.Title, "no Nx version") {
			t.Errorf("no Nx version: %+v", d)
		}
		if !g["server-keys"].OK {
			t.Errorf("server-keys: %+v", g["server-keys"])
		}
		// Nx 16.9.1 (verified with the real package) passes $ unchanged: a passing check.
		pj := filepath.Join(root, "package.json")
		writeFile(t, pj, `{"devDependencies": {"nx": "16.9.1"}}`)
		defer os.Remove(pj)
		if d := findings(co.CheckOffline(nil))["nx-dollar"]; d.Kind != KindCheck || !d.OK || !strings.Contains(d.Title, "16.9.1") {
			t.Errorf("Nx 16.9.1: %+v", d)
		}
		// A newer installed Nx wins over the declared one, and is unverified: a note.
		os.MkdirAll(filepath.Join(root, "node_modules", "nx"), 0o755)
		defer os.RemoveAll(filepath.Join(root, "node_modules"))
		writeFile(t, filepath.Join(root, "node_modules", "nx", "package.json"), `{"name": "nx", "version": "20.1.0"}`)
		g = findings(co.CheckOffline(nil))
		if d := g["nx-dollar"]; d.Kind != KindNote || !strings.Contains(d.Title, "20.1.0 is unverified") {
			t.Errorf("Nx 20.1.0: %+v", d)
		}
		if n := g["nx-version"]; n.Kind != KindNote || !strings.Contains(n.Title, "20.1.0") || !strings.Contains(n.Title, "node_modules/nx/package.json") {
			t.Errorf("nx-version: %+v", n)
		}
	})
	for _, f := range co.CheckOffline(nil) {
		if strings.Contains(f.Title+f.Detail+f.Hint, secret) {
			t.Errorf("finding shows the secret: %+v", f)
		}
	}
}

func TestCallbackPort(t *testing.T) {
	root := checkout(t, "current")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	os.WriteFile(filepath.Join(root, "packages", "amplication-server", ".env.local"), []byte("CLIENT_HOST=http://"+addr+"\n"), 0o600)
	co, _ := Open(root)
	g := findings(co.CheckOffline(nil))["callback-port"]
	if !g.OK || !strings.Contains(g.Title, "in use") || !strings.Contains(g.Title, "client is already running") {
		t.Errorf("taken port: %+v", g)
	}
	l.Close()
	g = findings(co.CheckOffline(nil))["callback-port"]
	if !g.OK || !strings.Contains(g.Title, "free") {
		t.Errorf("free port: %+v", g)
	}
}

func TestExpansionRisk(t *testing.T) {
	for v, want := range map[string]bool{"abc": false, "a$": false, "a$1": false, "$HOME": true, "x${Y}": true, `a\$b`: true, "$_x": true} {
		if got := ExpansionRisk(v); got != want {
			t.Errorf("ExpansionRisk(%q) = %v", v, got)
		}
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A PR service whose .env.local is a symlink to the server's: the file is written once,
// with the key, the secret and BILLING_ENABLED=false, and the plan names both paths.
func TestPlanSymlinkedEnvLocal(t *testing.T) {
	root := checkout(t, "older")
	co, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(co.ServerEnvLocal, []byte("PORT=3000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pr := co.PRServices[0].EnvLocal
	os.Remove(pr)
	if err := os.Symlink(co.ServerEnvLocal, pr); err != nil {
		t.Fatal(err)
	}
	p, err := co.Plan(Credentials{ClientID: "KeyAbc123", ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || p.Files[0].Path != co.ServerEnvLocal || len(p.Files[0].Aliases) != 1 || p.Files[0].Aliases[0] != pr {
		t.Fatalf("plan files %+v, want one change for the server's file naming the PR service's", p.Files)
	}
	res, err := p.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || !res[0].Changed || !strings.Contains(res[0].SameFile(), "the same file as "+pr) {
		t.Errorf("results %+v", res)
	}
	got := envfile.Parse(mustRead(t, co.ServerEnvLocal))
	if got[KeyClientID] != "KeyAbc123" || got[KeyClientSecret] != secret || got[KeyBillingEnabled] != "false" || got["PORT"] != "3000" {
		t.Errorf("server .env.local = %q, want the key, the secret and BILLING_ENABLED=false", got)
	}
	if cr, ok := co.Current(); !ok || cr.ClientSecret != secret {
		t.Errorf("Current() ok=%v", ok)
	}
}
