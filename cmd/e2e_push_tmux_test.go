package cmd

// Issue 20 in the wizard: the built binary in tmux (each test its own socket, wire-PID-…)
// against the demo world's emulators, then the emulators' state is read: which git
// organization the connect stored, whether the service overrides its project, which main
// branch the new repository has.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
)

// configured writes the consumer's key and secret with bbsetup configure (as an operator
// who ran it before the wizard) and starts the Amplication server after it.
func (w *e2eWorld) configured(t *testing.T) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := map[string]string{"XDG_STATE_HOME": t.TempDir()} // where configure keeps its backups
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := Run(ctx, []string{"configure", "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL,
		"--client-id", w.Consumer.Key, "--client-secret-stdin"}, Env{
		Stdin: strings.NewReader(w.Consumer.Secret + "\n"), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return env[k] }, LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Getwd: func() (string, error) { return w.CheckoutDir, nil },
	})
	if code != ExitOK {
		t.Fatalf("configure: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if _, err := w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
}

// runWire is run on a tmux socket of these tests' own (wire-PID-NANOS).
func (w *e2eWorld) runWire(t *testing.T, args ...string) *tmuxTerm {
	t.Helper()
	argv := append([]string{w.bin, "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL}, args...)
	socket := fmt.Sprintf("wire-%d-%d", os.Getpid(), time.Now().UnixNano())
	return newTmuxShellOn(t, socket, w.Consumer.Secret, []string{"BROWSER=" + w.browser, "TERM=xterm-256color"}, strings.Join(quoteAll(argv), " "))
}

// toSignedIn goes from "already configured" to the Amplication sign-in, checking the PR
// service is reported on the server screen.
func (w *e2eWorld) toSignedIn(t *testing.T, tt *tmuxTerm) {
	t.Helper()
	tt.waitFor("already configured (key "+w.Consumer.Key+")", "› Keep them")
	tt.keys("Enter")
	tt.waitFor("Bitbucket accepted the key and secret")
	tt.keys("Enter")
	tt.waitFor("The Amplication server answers", "The PR service")
	tt.keys("Enter")
	w.signIn(tt)
}

// orgName is the name of the git organization with id in the Demo workspace.
func (w *e2eWorld) orgName(id string) string {
	for _, g := range w.Amplication().GitOrganizations(ampemu.DemoWorkspaceID) {
		if g.ID == id {
			return g.Name
		}
	}
	return ""
}

// A colleague's Bitbucket connection is listed but not the default: enter everywhere
// authorizes again, so the connect goes through the operator's own organization; the
// repository the wizard creates gets README.md on main (the emulator reports
// mainbranch null), and the result names who pushes.
func TestE2EPushColleagueAndEmptyRepository(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w := newE2EWorldWith(t, demo.Options{Colleague: true, EmptyMainbranch: true})
	w.configured(t)
	tt := w.runWire(t)
	w.toSignedIn(t, tt)
	tt.waitFor("already connected to Bitbucket as casey", "Use the connection as casey", "› Authorize again")
	tt.keys("Enter")
	tt.waitFor("Amplication is connected to Bitbucket as demo")
	tt.keys("Enter")
	tt.waitFor("Acme Corporation")
	tt.keys("Enter")
	tt.waitFor("Create or connect", "Create a new repository")
	tt.keys("Down", "Enter")
	tt.waitFor("Create repository", "Name")
	tt.typeText("Push Service")
	tt.waitFor("Slug: acme/push-service")
	tt.keys("Enter")
	tt.waitFor("Create this repository?")
	tt.keys("Enter")
	tt.waitFor("✓ Created acme/push-service", "Added README.md on main")
	if st, ok := w.Server.Repo("acme", "push-service"); !ok || st.Mainbranch != "main" {
		t.Fatalf("acme/push-service in the Bitbucket emulator: %+v, %v", st, ok)
	}
	tt.keys("Enter")
	tt.waitFor("Which Amplication project or service", "›   orders ")
	tt.keys("Enter")
	tt.waitFor("Connect in Amplication")
	tt.keys("Enter")
	tt.waitFor("✓ orders (project Shop) → acme/push-service", "Amplication will push as", "the Bitbucket account demo (bbsetup's own account")
	w.wantRepo(t, ampemu.DemoOrdersID, "acme", "push-service")
	r, _ := w.Amplication().Resource(ampemu.DemoOrdersID)
	if r.Repo.GitOrganizationID == demo.ColleagueOrgID || w.orgName(r.Repo.GitOrganizationID) != "demo" {
		t.Errorf("orders connected through %s (%s), want the operator's own organization", r.Repo.GitOrganizationID, w.orgName(r.Repo.GitOrganizationID))
	}
	if !r.GitRepositoryOverride {
		t.Errorf("orders does not override its project in the emulator")
	}
	tt.keys("Enter")
	tt.waitFor("Summary")
	tt.keys("Enter")
	tt.waitFor("EXIT=0")
	w.scanPanes(t, tt)
}

// The consumer hosted by another account, on a v3.6.2 server: the wizard connects a
// service through the operator's organization, marks its override with v3.6.2's
// updateResource (read in the emulator), and says Amplication pushes as demo, not as
// bbsetup's own account (hosting), with both names.
func TestE2EPushConsumerAccountOnV36(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w := newE2EWorldWith(t, demo.Options{ConsumerAccount: "hosting", AmplicationSchema: ampemu.SchemaV36})
	w.configured(t)
	tt := w.runWire(t)
	w.toSignedIn(t, tt)
	tt.waitFor("Amplication is connected to Bitbucket as demo")
	tt.keys("Enter")
	tt.waitFor("Acme Corporation")
	tt.keys("Enter")
	tt.waitFor("Create or connect", "Connect an existing repository")
	tt.keys("Enter")
	tt.waitFor("repositories")
	tt.keys("Enter")
	tt.waitFor("Which Amplication project or service", "›   orders ")
	tt.keys("Enter")
	tt.waitFor("Connect in Amplication")
	tt.keys("Enter")
	tt.waitFor("✓ orders (project Shop) →", "not bbsetup's own", "hosting")
	r, _ := w.Amplication().Resource(ampemu.DemoOrdersID)
	if r.Repo == nil || w.orgName(r.Repo.GitOrganizationID) != "demo" || !r.GitRepositoryOverride {
		t.Errorf("orders in the emulator: override %v, %+v", r.GitRepositoryOverride, r.Repo)
	}
	found := false
	for _, q := range w.Amplication().Log() {
		found = found || q.Operation == "UpdateResourceGitOverride"
	}
	if !found {
		t.Error("the v3.6.2 server was not asked to mark the override with updateResource")
	}
	tt.keys("Enter")
	tt.waitFor("Summary")
	tt.keys("Enter")
	tt.waitFor("EXIT=0")
}

// A server before v3.5.0 refuses Bitbucket: the wizard says so on the server screen and
// what to do, and no Bitbucket URL is ever shown.
func TestE2EPushOldServerStops(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w := newE2EWorldWith(t, demo.Options{AmplicationSchema: ampemu.SchemaV1})
	w.configured(t)
	tt := w.runWire(t)
	tt.waitFor("already configured (key "+w.Consumer.Key+")", "› Keep them")
	tt.keys("Enter")
	tt.waitFor("Bitbucket accepted the key and secret")
	tt.keys("Enter")
	tt.waitFor("The Amplication server refuses Bitbucket", "older than v3.5.0", "git pull")
	tt.keys("Enter") // not ready: enter does not go on
	time.Sleep(300 * time.Millisecond)
	if p := tt.capture(); strings.Contains(p, "Sign in to Amplication") || strings.Contains(p, "oauth2/authorize") || strings.Contains(p, w.Server.URL+"/site") {
		t.Fatalf("went on to a Bitbucket authorization:\n%s", p)
	}
	tt.keys("C-c")
	tt.waitFor("EXIT=")
}

// The line mode (--accessible) on a server before v3.5.0: it says the server refuses
// Bitbucket and what to do, and never prints a Bitbucket URL.
func TestE2EPushOldServerStopsLineMode(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w := newE2EWorldWith(t, demo.Options{AmplicationSchema: ampemu.SchemaV1})
	w.configured(t)
	tt := w.runWire(t, "--accessible")
	tt.waitFor("already configured", "Choose 1-3 [1]:")
	tt.keys("Enter")
	tt.waitFor("! The Amplication server refuses Bitbucket", "older than v3.5.0", "git pull")
	tt.keys("Enter")
	tt.waitFor("Still refuses Bitbucket")
	if p := tt.capture(); strings.Contains(p, "oauth2/authorize") || strings.Contains(p, "Email (or type token") {
		t.Fatalf("went on to a Bitbucket authorization:\n%s", p)
	}
	tt.keys("C-c")
	tt.waitFor("EXIT=")
}
