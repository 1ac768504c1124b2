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
	w, err := demo.Start(demo.Options{Repos: 250, ClientPort: freePort(t), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	a := &app{
		env: Env{Getenv: func(string) string { return "" }, LookupEnv: func(string) (string, bool) { return "", false }},
		g:   Globals{Repo: w.CheckoutDir, BitbucketURL: w.Server.URL, APIURL: w.Server.APIURL},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := a.newWizardBackend(ctx, wizardOptions{noBrowser: true})
	defer b.close()
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
	r.waitFor("Waiting for Bitbucket")
	// No browser: the operator opens the URL elsewhere and pastes where it landed.
	b.mu.Lock()
	authURL := b.auth.flow.AuthURL()
	b.mu.Unlock()
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
