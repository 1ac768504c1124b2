package cmd

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/tui"
)

// ttyBuffer is a stdout or stderr that says it is a terminal.
type ttyBuffer struct{ bytes.Buffer }

func (*ttyBuffer) IsTerminal() bool { return true }

// runAtTerminal runs bbsetup in-process like w.run, with stdout and stderr terminals.
func (w *bbapiWorld) runAtTerminal(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env := map[string]string{"BBSETUP_BITBUCKET_URL": w.srv.URL, "BBSETUP_API_URL": w.srv.APIURL}
	var out, errb ttyBuffer
	wd := filepath.Join(w.dir, "packages", "amplication-server")
	code = Run(context.Background(), args, Env{
		Stdin:     strings.NewReader(""),
		Stdout:    &out,
		Stderr:    &errb,
		Getenv:    func(k string) string { return env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Getwd:     func() (string, error) { return wd, nil },
	})
	if strings.Contains(out.String()+errb.String(), w.consumer.Secret) {
		t.Errorf("the client secret appears in the output")
	}
	return code, out.String(), errb.String()
}

// At a terminal, repos list is an aligned table with a header and the count, all on stdout.
func TestReposListAtTerminal(t *testing.T) {
	w := bbapiStart(t, 500, nil) // acme gets 300
	code, out, errOut := w.runAtTerminal(t, "repos", "list", "-w", "acme")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 302 || !strings.HasPrefix(lines[0], "SLUG ") || lines[301] != "300 repositories in workspace acme." {
		t.Fatalf("%d lines; first %q last %q", len(lines), lines[0], lines[len(lines)-1])
	}
	col := strings.Index(lines[0], "VISIBILITY")
	for _, l := range lines[1:301] {
		if v := l[col:]; !strings.HasPrefix(v, "private") && !strings.HasPrefix(v, "public") || strings.Contains(l, "\t") {
			t.Fatalf("misaligned row %q", l)
		}
	}
}

// repos list prints the repositories in the order the wizard's connect screen lists them:
// the wizard's own adapter, authorized in the browser, against the same world.
func TestReposListSameOrderAsWizard(t *testing.T) {
	port := freePort(t)
	world, err := demo.Start(demo.Options{Repos: 1000, ClientPort: port, AmplicationPort: freePort(t), TempDir: t.TempDir()}) // acme: 600, 6 pages
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { world.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The wizard: authorize (the browser's visit follows the redirects), then list.
	a := &Factory{
		env: Env{Getenv: func(string) string { return "" }, LookupEnv: func(string) (string, bool) { return "", false }},
		g:   Globals{Repo: world.CheckoutDir, BitbucketURL: world.Server.URL, APIURL: world.Server.APIURL},
	}
	b := a.newWizardBackend(ctx, wizardOptions{noBrowser: true})
	t.Cleanup(b.Close)
	co, err := b.FindCheckout("")
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.StartAuth(ctx, co, tui.Credentials{ID: world.Consumer.Key, Secret: world.Consumer.Secret})
	if err != nil || s.PortInUse {
		t.Fatalf("StartAuth: %v %+v", err, s)
	}
	go func() {
		c := &http.Client{Timeout: 10 * time.Second}
		defer c.CloseIdleConnections()
		if resp, err := c.Get(s.URL); err == nil {
			resp.Body.Close()
		}
	}()
	authorized, err := s.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wizard []string
	err = authorized.API.ListRepos(ctx, "acme", "", func(batch []tui.Repo, _, _ int) {
		for _, r := range batch {
			wizard = append(wizard, r.Slug)
		}
	})
	if err != nil || len(wizard) != 600 {
		t.Fatalf("wizard listing: %d repositories, %v", len(wizard), err)
	}

	// The command, on the same checkout with the same consumer.
	body := "BITBUCKET_CLIENT_ID=" + world.Consumer.Key + "\nBITBUCKET_CLIENT_SECRET=" + world.Consumer.Secret + "\n"
	for _, p := range []string{
		filepath.Join(world.CheckoutDir, "packages", "amplication-server", ".env.local"),
		filepath.Join(world.CheckoutDir, "ee", "packages", "git-sync-manager", ".env.local"),
	} {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"BBSETUP_BITBUCKET_URL": world.Server.URL, "BBSETUP_API_URL": world.Server.APIURL}
	r := envcmdExec(t, world.CheckoutDir, "", env, "repos", "list", "-w", "acme")
	if r.code != 0 {
		t.Fatalf("repos list: exit %d: %s", r.code, r.stderr)
	}
	var cli []string
	for _, l := range strings.Split(strings.TrimRight(r.stdout, "\n"), "\n") {
		cli = append(cli, strings.SplitN(l, "\t", 2)[0])
	}
	if strings.Join(cli, " ") != strings.Join(wizard, " ") {
		for i := range min(len(cli), len(wizard)) {
			if cli[i] != wizard[i] {
				t.Fatalf("repos list and the wizard differ at row %d: %s vs %s (%d and %d rows)", i, cli[i], wizard[i], len(cli), len(wizard))
			}
		}
		t.Fatalf("repos list has %d rows, the wizard %d", len(cli), len(wizard))
	}
}
