package cmd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/mask"
	"github.com/bbsetup/bbsetup/tui"
)

// teaRun is a teatest run of the real wizard (tui.New with the real adapter) against the
// emulator on loopback, at a fixed 80x24.
type teaRun struct {
	t      *testing.T
	tm     *teatest.TestModel
	all    bytes.Buffer
	mark   int
	secret string
}

func (r *teaRun) waitFor(texts ...string) {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	buf := make([]byte, 64<<10)
	for {
		n, err := r.tm.Output().Read(buf)
		r.all.Write(buf[:n])
		screen := ansi.Strip(r.all.String()[r.mark:])
		if strings.Contains(ansi.Strip(r.all.String()), r.secret) {
			r.t.Fatal("the secret reached the terminal")
		}
		found := true
		for _, x := range texts {
			if !strings.Contains(screen, x) {
				found = false
			}
		}
		if found {
			r.mark = r.all.Len()
			return
		}
		if err != nil && !errors.Is(err, io.EOF) {
			r.t.Fatal(err)
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("never saw %q; output since the last screen:\n%s", texts, screen)
		}
		if n == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func (r *teaRun) keys(ks ...tea.KeyType) {
	for _, k := range ks {
		r.tm.Send(tea.KeyMsg{Type: k})
	}
}

func (r *teaRun) runes(s string) { r.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }

func (r *teaRun) paste(s string) {
	r.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true})
}

// landedURL makes the browser's visit to the authorize URL without following the redirect,
// and returns where the browser would land: what the operator copies from the address bar.
func landedURL(t *testing.T, authURL string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer c.CloseIdleConnections()
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

func TestWizardTeatestAgainstEmulatorPastePath(t *testing.T) {
	t.Parallel()
	w, err := demo.Start(demo.Options{Repos: 250, ClientPort: freePort(t), AmplicationPort: freePort(t), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	a := &Factory{
		env: Env{Getenv: func(string) string { return "" }, LookupEnv: func(string) (string, bool) { return "", false }},
		g:   Globals{Repo: w.CheckoutDir, BitbucketURL: w.Server.URL, APIURL: w.Server.APIURL},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := a.newWizardBackend(ctx, wizardOptions{noBrowser: true})
	defer b.Close()
	m := tui.New(b, tui.Options{NoBrowser: true, RepoDir: w.CheckoutDir, BitbucketURL: w.Server.URL, NoColor: true})
	r := &teaRun{t: t, secret: w.Consumer.Secret, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))}

	r.waitFor("Callback URL to register")
	r.keys(tea.KeyEnter)
	r.waitFor("Workspace slug")
	r.runes("acme")
	r.keys(tea.KeyEnter)
	r.waitFor("acme/workspace/settings/api")
	r.keys(tea.KeyEnter)
	r.waitFor("0 of 6 rows ticked")
	r.runes("a")
	r.keys(tea.KeyEnter)
	r.waitFor("Secret")
	r.paste(w.Consumer.Key + "\n") // pasted whitespace is trimmed
	r.keys(tea.KeyTab)
	r.paste(" " + w.Consumer.Secret + "\r\n")
	r.keys(tea.KeyEnter)
	r.waitFor("Bitbucket accepted the key and secret")
	r.keys(tea.KeyEnter)
	r.waitFor("will change", mask.Secret(w.Consumer.Secret))
	r.keys(tea.KeyEnter)
	r.waitFor("✓ written")
	r.keys(tea.KeyEnter)
	// Nothing started the Amplication server: the screen says how; the operator skips it
	// and authorizes bbsetup alone (the older path).
	r.waitFor("does not answer", "npx nx serve amplication-server")
	r.runes("s")
	r.waitFor("Skip Amplication?")
	r.runes("y")
	r.waitFor("Waiting for Bitbucket")
	// No browser: the operator opens the URL elsewhere and pastes where it landed.
	authURL := b.AuthURL()
	landed := landedURL(t, authURL)
	r.runes("p")
	r.waitFor("Paste")
	r.paste("  " + landed + "  ")
	r.keys(tea.KeyEnter)
	r.waitFor("Connected as Demo Operator (demo)")
	r.keys(tea.KeyEnter)
	r.waitFor("Acme Corporation")
	r.keys(tea.KeyDown, tea.KeyEnter) // acme-labs
	r.waitFor("Connect an existing repository")
	r.keys(tea.KeyEnter)
	r.waitFor("repositories")
	r.keys(tea.KeyEnter)
	r.waitFor("(chosen)")
	r.keys(tea.KeyEnter)
	r.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	sum := r.tm.FinalModel(t).(tui.Model).Summary()
	if !sum.Completed || sum.Workspace != "acme-labs" || sum.Repository == nil || sum.CreatedRepo ||
		sum.ConnectedAs == nil || sum.ConnectedAs.Nickname != "demo" || len(sum.Files) != 2 {
		t.Errorf("summary %+v", sum)
	}
	for _, p := range []string{"packages/amplication-server/.env.local", "ee/packages/git-sync-manager/.env.local"} {
		data, err := os.ReadFile(filepath.Join(w.CheckoutDir, p))
		if err != nil {
			t.Fatal(err)
		}
		kv := envfile.Parse(data)
		if kv["BITBUCKET_CLIENT_ID"] != w.Consumer.Key || kv["BITBUCKET_CLIENT_SECRET"] != w.Consumer.Secret {
			t.Errorf("%s: the key and secret do not parse back (pasted whitespace must be trimmed)", p)
		}
	}
}

// ampTeaRun starts the demo world (both emulators) and the real wizard with the demo's
// options, as bbsetup demo does.
func ampTeaRun(t *testing.T, do demo.Options) (*teaRun, *demo.World) {
	t.Helper()
	do.Repos, do.ClientPort, do.AmplicationPort, do.TempDir = 250, freePort(t), freePort(t), t.TempDir()
	w, err := demo.Start(do)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	a := &Factory{
		env: Env{Getenv: func(string) string { return "" }, LookupEnv: func(string) (string, bool) { return "", false }},
		g:   Globals{Repo: w.CheckoutDir, BitbucketURL: w.Server.URL, APIURL: w.Server.APIURL},
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	o := demoWizardOptions(wizardOptions{}, w)
	b := a.newWizardBackend(ctx, o)
	t.Cleanup(b.Close)
	m := tui.New(b, tui.Options{Demo: true, RepoDir: w.CheckoutDir, BitbucketURL: w.Server.URL, NoColor: true,
		Prefill: o.prefill, Workspace: o.workspace, AmpEmail: o.ampEmail, AmpPassword: o.ampPassword})
	r := &teaRun{t: t, secret: w.Consumer.Secret, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))}
	return r, w
}

// toAmpWritten drives the demo wizard to the written env files, pressing only enter (and
// a to tick the permissions), as the demo's operator does.
func (r *teaRun) toAmpWritten() {
	r.waitFor("Callback URL to register")
	r.keys(tea.KeyEnter)
	r.waitFor("Workspace slug")
	r.keys(tea.KeyEnter)
	r.waitFor("open in browser")
	r.keys(tea.KeyEnter)
	r.waitFor("0 of 6 rows ticked")
	r.runes("a")
	r.keys(tea.KeyEnter)
	r.waitFor("Secret")
	r.keys(tea.KeyEnter)
	r.waitFor("Bitbucket accepted the key and secret")
	r.keys(tea.KeyEnter)
	r.waitFor("will change")
	r.keys(tea.KeyEnter)
	r.waitFor("✓ written")
	r.keys(tea.KeyEnter)
}

// The whole wizard against both emulators, as bbsetup demo runs it: the Amplication
// server starts once the env files are written; sign in with the pre-filled user;
// Amplication authorizes (one browser trip, the demo's visit); create a repository; the
// first unconnected service (orders) is connected; the emulator has it.
func TestWizardTeatestAmplicationCreatePath(t *testing.T) {
	t.Parallel()
	r, w := ampTeaRun(t, demo.Options{})
	r.toAmpWritten()
	r.waitFor("The Amplication server answers", w.AmplicationURL)
	r.keys(tea.KeyEnter)
	r.waitFor("Sign in to Amplication", "Email", w.AmplicationEmail)
	r.keys(tea.KeyEnter)
	r.waitFor("Authorize Amplication with Bitbucket")
	r.waitFor("Amplication is connected to Bitbucket as demo")
	r.keys(tea.KeyEnter)
	r.waitFor("Acme Corporation")
	r.keys(tea.KeyEnter)
	r.waitFor("Connect an existing repository")
	r.keys(tea.KeyDown, tea.KeyEnter)
	r.waitFor("Create repository")
	r.runes("Checkout Service")
	r.waitFor("acme/checkout-service")
	r.keys(tea.KeyEnter)
	r.waitFor("Create this repository?")
	r.keys(tea.KeyEnter)
	r.waitFor("✓ Created acme/checkout-service")
	r.keys(tea.KeyEnter)
	r.waitFor("Which Amplication project or service", "catalog", "acme-archive/catalog-legacy (GitHub)", "›   orders")
	r.keys(tea.KeyEnter)
	r.waitFor("Connect in Amplication", "Nothing is stored in Amplication until you press enter")
	if res, _ := w.Amplication().Resource(ampemu.DemoOrdersID); res.Repo != nil {
		t.Fatalf("something was stored before the confirm: %+v", res.Repo)
	}
	r.keys(tea.KeyEnter)
	r.waitFor("✓ orders (project Shop) → acme/checkout-service", "Read back")
	r.keys(tea.KeyEnter)
	r.waitFor("orders (project Shop) → acme/checkout-service", "Next steps")
	r.keys(tea.KeyEnter)
	r.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	rest, _ := io.ReadAll(r.tm.FinalOutput(t))
	r.all.Write(rest)
	if final := ansi.Strip(string(rest)); !strings.Contains(final, "git-sync-manager (opens the pull requests in") ||
		!strings.Contains(final, "Nothing is pushed yet") || !strings.Contains(final, "commit a change to orders") {
		t.Errorf("the final summary lacks the PR service's part or what is left to push:\n%s", final)
	}
	if strings.Contains(r.all.String(), w.AmplicationPassword) {
		t.Error("the Amplication password reached the terminal")
	}
	sum := r.tm.FinalModel(t).(tui.Model).Summary()
	if !sum.Completed || sum.Amplication == nil || sum.Amplication.Connected == nil ||
		sum.Amplication.Connected.Repository != "acme/checkout-service" || sum.Amplication.GitOrganization == nil {
		t.Fatalf("summary %+v (amplication %+v)", sum, sum.Amplication)
	}
	res, _ := w.Amplication().Resource(ampemu.DemoOrdersID)
	if res.Repo == nil || res.Repo.GroupName != "acme" || res.Repo.Name != "checkout-service" {
		t.Fatalf("the emulator's orders resource has %+v, want acme/checkout-service", res.Repo)
	}
}

// --stale-server: the server runs with the placeholder key; the server screen says to
// restart it, the demo restarts it (saying so), and the wizard goes on once it uses the key.
func TestWizardTeatestAmplicationStaleServer(t *testing.T) {
	t.Parallel()
	r, w := ampTeaRun(t, demo.Options{StaleServer: true})
	r.toAmpWritten()
	r.waitFor("The Amplication server answers")
	r.keys(tea.KeyEnter)
	r.waitFor("Sign in to Amplication")
	r.keys(tea.KeyEnter)
	r.waitFor("The server must be restarted", "placeholder", "npx nx serve amplication-server")
	r.waitFor("The server uses the new key")
	if got := w.Amplication().LoadedClientID(); got != w.Consumer.Key {
		t.Fatalf("the emulator loaded %q after the demo's restart", got)
	}
	r.keys(tea.KeyEnter)
	r.waitFor("Amplication is connected to Bitbucket as demo")
}
