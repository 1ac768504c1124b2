package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/testkit"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/mask"
)

const (
	envcmdKey    = "envcmdKey0123456789"
	envcmdSecret = "envcmd$9ecret 'quoted' #hash\\end9876"
)

// envcmdLayouts maps each fixture layout to its PR-service directory and nx project.
var envcmdLayouts = map[string][2]string{
	"older":   {"packages/amplication-git-pull-request-service", "amplication-git-pull-request-service"},
	"current": {"ee/packages/git-sync-manager", "git-sync-manager"},
}

// envcmdCheckout copies testdata/amplication/<layout> into a temp dir.
func envcmdCheckout(t *testing.T, layout string) string {
	t.Helper()
	return testkit.AmplicationCheckout(t, layout)
}

type envcmdRun struct {
	code           int
	stdout, stderr string
}

// envcmdExec runs bbsetup in-process like a user would: args, a working directory, stdin
// and environment variables.
func envcmdExec(t *testing.T, wd, stdin string, env map[string]string, args ...string) envcmdRun {
	t.Helper()
	var out, errOut bytes.Buffer
	if _, ok := env["XDG_STATE_HOME"]; !ok {
		withState := map[string]string{"XDG_STATE_HOME": os.Getenv("XDG_STATE_HOME")}
		for k, v := range env {
			withState[k] = v
		}
		env = withState
	}
	e := Env{
		Stdin:     strings.NewReader(stdin),
		Stdout:    &out,
		Stderr:    &errOut,
		Getenv:    func(k string) string { return env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Getwd:     func() (string, error) { return wd, nil },
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := Run(ctx, args, e)
	r := envcmdRun{code: code, stdout: out.String(), stderr: errOut.String()}
	for _, s := range []string{envcmdSecret, "wrongSecretValue1234"} {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Errorf("bbsetup %v printed the secret:\nstdout:\n%s\nstderr:\n%s", args, r.stdout, r.stderr)
		}
	}
	return r
}

func envcmdRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConfigureBothLayouts(t *testing.T) {
	for layout, pr := range envcmdLayouts {
		t.Run(layout, func(t *testing.T) {
			root := envcmdCheckout(t, layout)
			server := filepath.Join(root, "packages", "amplication-server")
			prDir := filepath.Join(root, filepath.FromSlash(pr[0]))
			serverEnv := envcmdRead(t, filepath.Join(server, ".env"))

			// Run from a subdirectory: the checkout is found by walking up.
			r := envcmdExec(t, prDir, envcmdSecret+"\r\n", nil,
				"configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			srv := envfile.Parse(envcmdRead(t, filepath.Join(server, ".env.local")))
			if srv["BITBUCKET_CLIENT_ID"] != envcmdKey || srv["BITBUCKET_CLIENT_SECRET"] != envcmdSecret || srv["BILLING_ENABLED"] != "false" {
				t.Errorf("server .env.local parses to %q", srv)
			}
			prv := envfile.Parse(envcmdRead(t, filepath.Join(prDir, ".env.local")))
			if prv["BITBUCKET_CLIENT_ID"] != envcmdKey || prv["BITBUCKET_CLIENT_SECRET"] != envcmdSecret {
				t.Errorf("PR .env.local parses to %q", prv)
			}
			if _, ok := prv["BILLING_ENABLED"]; ok {
				t.Errorf("BILLING_ENABLED written to the PR service")
			}
			if !bytes.Equal(envcmdRead(t, filepath.Join(server, ".env")), serverEnv) {
				t.Errorf("the committed .env was changed")
			}
			// The callback URL to register alone on its line, unindented (issue 16 item 8).
			for _, want := range []string{"created", "\nhttp://localhost:3001/bitbucket-auth-app/callback\n", "npx nx serve " + pr[1], "npx nx serve amplication-client", "not checked"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if fi, _ := os.Stat(filepath.Join(server, ".env.local")); fi.Mode().Perm() != 0o600 {
				t.Errorf("new .env.local mode %v, want 0600", fi.Mode().Perm())
			}

			// The same values again: unchanged, not rewritten.
			old := time.Now().Add(-time.Hour).Truncate(time.Second)
			os.Chtimes(filepath.Join(server, ".env.local"), old, old)
			r = envcmdExec(t, root, envcmdSecret+"\n", nil,
				"configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify")
			if r.code != 0 || strings.Count(r.stdout, ": unchanged") != 2 {
				t.Fatalf("second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if fi, _ := os.Stat(filepath.Join(server, ".env.local")); !fi.ModTime().Equal(old) {
				t.Errorf("second run rewrote the server file")
			}

			// A new secret: updated in place, with a backup of the previous content.
			r = envcmdExec(t, root, "", map[string]string{"BBSETUP_CLIENT_SECRET": "otherSecret12345678"},
				"configure", "--repo", root, "--client-id", envcmdKey, "--no-verify")
			if r.code != 0 || strings.Count(r.stdout, "updated (previous content in ") != 2 {
				t.Fatalf("third run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if got := envfile.Parse(envcmdRead(t, filepath.Join(prDir, ".env.local")))["BITBUCKET_CLIENT_SECRET"]; got != "otherSecret12345678" {
				t.Errorf("PR secret = %q", got)
			}
			// The backup is under the state directory, outside the checkout, named in the output.
			m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(filepath.Join(prDir, ".env.local")) + `: updated \(previous content in (.+)\)$`).FindStringSubmatch(r.stdout)
			if m == nil {
				t.Fatalf("the output does not name the PR file's backup:\n%s", r.stdout)
			}
			if !strings.HasPrefix(m[1], os.Getenv("XDG_STATE_HOME")+string(filepath.Separator)+filepath.Join("bbsetup", "backups")) {
				t.Errorf("backup %s is not under the state directory", m[1])
			}
			if envfile.Parse(envcmdRead(t, m[1]))["BITBUCKET_CLIENT_SECRET"] != envcmdSecret {
				t.Errorf("backup does not hold the previous secret")
			}
			if fi, err := os.Stat(m[1]); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("backup mode %v (%v), want 0600", fi.Mode().Perm(), err)
			}
			if _, err := os.Stat(filepath.Join(prDir, ".env.local.bak")); err == nil {
				t.Errorf("a .env.local.bak was written inside the checkout, where git can see it")
			}
		})
	}
}

func TestConfigureDryRunWritesNothing(t *testing.T) {
	root := envcmdCheckout(t, "current")
	r := envcmdExec(t, root, envcmdSecret, nil,
		"configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify", "--dry-run")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"nothing was written", "would be created", "+BITBUCKET_CLIENT_SECRET=" + mask.Secret(envcmdSecret), "+BITBUCKET_CLIENT_ID=" + envcmdKey, "+BILLING_ENABLED=false"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, p := range []string{"packages/amplication-server/.env.local", "ee/packages/git-sync-manager/.env.local"} {
		if _, err := os.Stat(filepath.Join(root, p)); err == nil {
			t.Errorf("dry run wrote %s", p)
		}
	}
	r = envcmdExec(t, root, envcmdSecret, nil,
		"configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify", "--dry-run", "--json")
	var res configureResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	if !res.DryRun || res.Verified || res.Layout != "current" || len(res.Files) != 2 || !res.Files[0].Changed || res.Files[0].Backup != "" {
		t.Errorf("json result %+v", res)
	}
}

func TestConfigureVerifiesWithEmulator(t *testing.T) {
	e, consumer := bbemu.NewDemo(bbemu.Options{}, 3)
	srv, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	t.Run("good credentials", func(t *testing.T) {
		root := envcmdCheckout(t, "older")
		r := envcmdExec(t, root, consumer.Secret+"\n", nil,
			"configure", "--bitbucket-url", srv.URL, "--client-id", consumer.Key, "--client-secret-stdin", "--json")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, consumer.Secret) {
			t.Errorf("output shows the secret")
		}
		var res configureResult
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("json: %v\n%s", err, r.stdout)
		}
		if !res.Verified || res.DryRun || res.Layout != "older" || res.Repo != root || len(res.Files) != 2 ||
			res.CallbackURL != "http://localhost:3001/bitbucket-auth-app/callback" || !strings.HasSuffix(res.Files[1].Path, "amplication-git-pull-request-service/.env.local") {
			t.Errorf("json result %+v", res)
		}
		if envfile.Parse(envcmdRead(t, filepath.Join(root, "packages", "amplication-server", ".env.local")))["BITBUCKET_CLIENT_SECRET"] != consumer.Secret {
			t.Errorf("secret not written")
		}
	})
	t.Run("wrong secret writes nothing", func(t *testing.T) {
		root := envcmdCheckout(t, "current")
		r := envcmdExec(t, root, "wrongSecretValue1234\n", nil,
			"configure", "--bitbucket-url", srv.URL, "--client-id", consumer.Key, "--client-secret-stdin")
		if r.code != 1 || !strings.Contains(r.stderr, "rejected") || !strings.Contains(r.stderr, "Nothing was written") {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
		for _, p := range []string{"packages/amplication-server/.env.local", "ee/packages/git-sync-manager/.env.local"} {
			if _, err := os.Stat(filepath.Join(root, p)); err == nil {
				t.Errorf("a failed verification wrote %s", p)
			}
		}
	})
}

func TestConfigureErrors(t *testing.T) {
	root := envcmdCheckout(t, "current")
	cases := []struct {
		name   string
		wd     string
		stdin  string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"no client id", root, envcmdSecret, nil, []string{"configure", "--client-secret-stdin", "--no-verify"}, 2, "--client-id is required"},
		{"no secret", root, "", nil, []string{"configure", "--client-id", envcmdKey, "--no-verify"}, 2, "BBSETUP_CLIENT_SECRET"},
		{"empty stdin", root, "", nil, []string{"configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify"}, 2, "standard input is empty"},
		{"secret as argument", root, "", nil, []string{"configure", "--client-id", envcmdKey, "--no-verify", "wrongSecretValue1234"}, 2, "takes no arguments"},
		{"control character", root, "wrongSecretValue1234\x01x\n", nil, []string{"configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify"}, 1, "client secret contains a control character"},
		{"not a checkout", t.TempDir(), envcmdSecret, nil, []string{"configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify"}, 1, "--repo"},
		{"bad --repo", root, envcmdSecret, nil, []string{"configure", "--repo", filepath.Join(root, "ee"), "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify"}, 1, "no packages/amplication-server"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := envcmdExec(t, c.wd, c.stdin, c.env, c.args...)
			if r.code != c.code || !strings.Contains(r.stderr, c.stderr) {
				t.Errorf("exit %d, want %d; stderr %q, want it to contain %q", r.code, c.code, r.stderr, c.stderr)
			}
		})
	}
	for _, p := range []string{"packages/amplication-server/.env.local", "ee/packages/git-sync-manager/.env.local"} {
		if _, err := os.Stat(filepath.Join(root, p)); err == nil {
			t.Errorf("a failing configure wrote %s", p)
		}
	}
}

func TestConfigureReadOnlyFileChangesNothing(t *testing.T) {
	root := envcmdCheckout(t, "current")
	pr := filepath.Join(root, "ee", "packages", "git-sync-manager", ".env.local")
	if err := os.WriteFile(pr, []byte("X=1\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	r := envcmdExec(t, root, envcmdSecret, nil, "configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify")
	if r.code != 1 || !strings.Contains(r.stderr, "read-only") || !strings.Contains(r.stderr, "chmod u+w") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(root, "packages", "amplication-server", ".env.local")); err == nil {
		t.Errorf("the server file was written although the PR file is read-only")
	}
	if string(envcmdRead(t, pr)) != "X=1\n" {
		t.Errorf("the read-only file changed")
	}
}

// A temp file left by a killed configure is removed by the next one, which says so.
func TestConfigureRemovesLeftOverTemp(t *testing.T) {
	root := envcmdCheckout(t, "current")
	left := filepath.Join(root, "packages", "amplication-server", "..env.local.bbsetup-31415")
	if err := os.WriteFile(left, []byte("BITBUCKET_CLIENT_SECRET="+envcmdSecret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := envcmdExec(t, root, envcmdSecret, nil, "check", "--offline")
	if r.code != 1 || !strings.Contains(r.stdout, "✗ temporary files from an interrupted write are left in the checkout") {
		t.Errorf("check: exit %d\n%s", r.code, r.stdout)
	}
	r = envcmdExec(t, root, envcmdSecret, nil, "configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify")
	if r.code != 0 || !strings.Contains(r.stdout, "Removed "+left+", a temporary file an interrupted write had left") {
		t.Fatalf("configure: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(left); err == nil {
		t.Errorf("the temp file is still there")
	}
}

// A secret with $ on the Nx Amplication pins (verified: passed unchanged) gets no warning;
// on another Nx, or none found, a note says it is unverified.
func TestConfigureDollarByNxVersion(t *testing.T) {
	for _, c := range []struct {
		pkg, want string
	}{
		{`{"devDependencies": {"nx": "16.9.1"}}`, ""},
		{`{"devDependencies": {"nx": "^19.0.0"}}`, "Nx ^19.0.0 is unverified"},
		{"", "Nx version was not found"},
	} {
		root := envcmdCheckout(t, "current")
		if c.pkg != "" {
			if err := os.WriteFile(filepath.Join(root, "package.json"), []byte(c.pkg), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r := envcmdExec(t, root, "dollar$HOMEsecret1234", nil, "configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify")
		if r.code != 0 {
			t.Fatalf("configure: exit %d %s", r.code, r.stderr)
		}
		switch {
		case c.want == "" && strings.Contains(r.stderr, "$NAME"):
			t.Errorf("Nx 16.9.1: a note about $ although it passes values unchanged:\n%s", r.stderr)
		case c.want != "" && (!strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "warning")):
			t.Errorf("package.json %q: stderr lacks a note %q:\n%s", c.pkg, c.want, r.stderr)
		}
	}
}
