package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// bbapiWorld is an emulator (the demo world) and an Amplication checkout whose
// .env.local files carry a consumer's key and secret.
type bbapiWorld struct {
	srv      *bbemu.Server
	dir      string
	consumer bbemu.Consumer
}

// bbapiStart serves the demo world with nRepos repositories on 127.0.0.1:0 and writes a
// temp checkout (the demo package's copy of the current-layout fixture) with the demo
// consumer's key and secret; edit changes the consumer first (e.g. fewer scopes).
func bbapiStart(t *testing.T, nRepos int, edit func(*bbemu.Consumer)) *bbapiWorld {
	t.Helper()
	e, demo := bbemu.NewDemo(bbemu.Options{}, nRepos)
	cons := demo
	if edit != nil {
		cons.Key, cons.Secret = "edited-key-0123456789", "edited-secret-0123456789abcdefghij"
		edit(&cons)
		e.AddConsumer(cons)
	}
	srv, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dir := demoCheckout(t)
	w := &bbapiWorld{srv: srv, dir: dir, consumer: cons}
	w.writeCredentials(t, cons.Key, cons.Secret)
	return w
}

func (w *bbapiWorld) writeCredentials(t *testing.T, key, secret string) {
	t.Helper()
	body := "BITBUCKET_CLIENT_ID=" + key + "\nBITBUCKET_CLIENT_SECRET=" + secret + "\n"
	for _, p := range []string{
		filepath.Join(w.dir, "packages", "amplication-server", ".env.local"),
		filepath.Join(w.dir, "ee", "packages", "git-sync-manager", ".env.local"),
	} {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs bbsetup in-process from a subdirectory of the checkout, with the emulator's
// URLs in BBSETUP_BITBUCKET_URL and BBSETUP_API_URL.
func (w *bbapiWorld) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env := map[string]string{"BBSETUP_BITBUCKET_URL": w.srv.URL, "BBSETUP_API_URL": w.srv.APIURL, "BBSETUP_TEST_BACKOFF": "1ms"}
	var out, errb bytes.Buffer
	wd := filepath.Join(w.dir, "packages", "amplication-server")
	code = Run(context.Background(), args, Env{
		Stdin:     strings.NewReader(""),
		Stdout:    &out,
		Stderr:    &errb,
		Getenv:    func(k string) string { return env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Getwd:     func() (string, error) { return wd, nil },
	})
	all := out.String() + errb.String()
	if strings.Contains(all, w.consumer.Secret) {
		t.Errorf("the client secret appears in the output")
	}
	return code, out.String(), errb.String()
}

func TestWorkspacesCmd(t *testing.T) {
	w := bbapiStart(t, 0, nil)
	// At a terminal: an aligned table with a header, then the count, all on stdout.
	code, out, errOut := w.runAtTerminal(t, "workspaces")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "SLUG") || lines[4] != "3 workspaces of demo (the OAuth consumer's owner)." {
		t.Fatalf("table:\n%s", out)
	}
	// Columns are aligned: NAME starts at the same offset on every line.
	col := strings.Index(lines[0], "NAME")
	for _, l := range lines[1:4] {
		if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' || strings.Contains(l, "\t") {
			t.Errorf("misaligned row %q (NAME at %d)", l, col)
		}
	}
	if !strings.Contains(lines[1], "acme") || !strings.Contains(lines[1], "Acme Corporation") || !strings.HasSuffix(lines[1], "yes") {
		t.Errorf("acme row %q", lines[1])
	}
	if !strings.HasPrefix(lines[3], "playground") || !strings.HasSuffix(lines[3], "no") {
		t.Errorf("playground row %q", lines[3])
	}

	// Piped (like repos list and gh): tab-separated rows only, no header; the count on stderr.
	code, out, errOut = w.run(t, "workspaces")
	if code != 0 || errOut != "3 workspaces of demo (the OAuth consumer's owner).\n" {
		t.Fatalf("piped: exit %d, stderr %q", code, errOut)
	}
	rows := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(rows) != 3 || rows[0] != "acme\tAcme Corporation\tyes" || !strings.HasPrefix(rows[2], "playground\t") {
		t.Fatalf("piped rows:\n%s", out)
	}
	for _, r := range rows {
		if len(strings.Split(r, "\t")) != 3 {
			t.Errorf("piped row %q is not slug, name, admin", r)
		}
	}

	code, out, errOut = w.run(t, "workspaces", "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errOut)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if len(got) != 3 || got[0]["slug"] != "acme" || got[0]["name"] != "Acme Corporation" || got[0]["administrator"] != true ||
		got[1]["slug"] != "acme-labs" || got[1]["administrator"] != false {
		t.Errorf("--json: %v", got)
	}
	for _, k := range []string{"slug", "name", "uuid", "administrator", "html_url"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("--json lacks %q", k)
		}
	}
}

func TestWorkspacesCmdErrors(t *testing.T) {
	t.Run("placeholders", func(t *testing.T) {
		w := bbapiStart(t, 0, nil)
		w.writeCredentials(t, "[bitbucket-client-id]", "[bitbucket-client-secret]")
		code, _, errOut := w.run(t, "workspaces")
		if code != 1 || !strings.Contains(errOut, "not set in") || !strings.Contains(errOut, "run bbsetup configure first") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("no checkout", func(t *testing.T) {
		w := bbapiStart(t, 0, nil)
		code, _, errOut := w.run(t, "workspaces", "--repo", t.TempDir())
		if code != 1 || !strings.Contains(errOut, "--repo") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		w := bbapiStart(t, 0, nil)
		w.writeCredentials(t, w.consumer.Key, "not-the-secret-0123456789")
		code, _, errOut := w.run(t, "workspaces")
		if code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.HasPrefix(errOut, "bbsetup: ") {
			t.Errorf("exit %d: %q, want one error line", code, errOut)
		}
		if strings.Contains(errOut, "could not reach") {
			t.Errorf("a credentials problem reported as a network problem: %s", errOut)
		}
	})
	t.Run("missing scope", func(t *testing.T) {
		w := bbapiStart(t, 0, func(c *bbemu.Consumer) { c.Scopes = []string{"repository"} })
		code, _, errOut := w.run(t, "workspaces")
		if code != 1 || !strings.Contains(errOut, `tick "Account: Read"`) {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("transient 503 is retried", func(t *testing.T) {
		w := bbapiStart(t, 0, nil)
		w.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/user/workspaces", Times: 1, Kind: bbemu.FaultStatus, Status: 503})
		if code, _, errOut := w.run(t, "workspaces"); code != 0 {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("removed", func(t *testing.T) {
		w := bbapiStart(t, 0, nil)
		w.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/user/workspaces", Kind: bbemu.FaultStatus, Status: 410})
		code, _, errOut := w.run(t, "workspaces")
		if code != 1 || !strings.Contains(errOut, "CHANGE-2770") || !strings.Contains(errOut, "update bbsetup") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
}
