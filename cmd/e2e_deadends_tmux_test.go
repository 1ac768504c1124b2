package cmd

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/testkit"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
)

// Issue 23 §1 "Done when": the built binary in tmux; at each wizard screen after a
// credential was obtained, the Amplication emulator is restarted refusing the old session
// and the Bitbucket emulator refuses the old token (invalid_grant on renewal). Everywhere
// the wizard must find a way forward without q: ctrl+l redoes the step in place and comes
// back, keeping what was chosen.

var deadSeq atomic.Int64

// runDead is w.run on a tmux server of its own named dead-<pid>-<n>.
func (w *e2eWorld) runDead(t *testing.T, args ...string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: tmux is not installed; the end-to-end terminal test needs it (CI installs it: apt-get install -y tmux)")
	}
	argv := append([]string{w.bin, "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL}, args...)
	tt := &tmuxTerm{t: t, secret: w.Consumer.Secret, socket: fmt.Sprintf("dead-%d-%d", os.Getpid(), deadSeq.Add(1))}
	shell := strings.Join(quoteAll(argv), " ") + `; echo "EXIT=$?"; sleep 60`
	tt.tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", "-e", "BROWSER="+w.browser, "-e", "TERM=xterm-256color", shell)
	t.Cleanup(func() { exec.Command("tmux", "-L", tt.socket, "kill-server").Run() })
	return tt
}

// restartBoth restarts the Amplication emulator so that it refuses the old session, and
// makes the Bitbucket emulator refuse every token issued so far.
func (w *e2eWorld) restartBoth(t *testing.T) {
	t.Helper()
	s, err := w.RestartAmplication()
	if err != nil {
		t.Fatal(err)
	}
	s.EndSessions()
	w.Server.Controls().RevokeTokens()
}

// wantNoQ checks the screen names no key that does not work there (ctrl+t outside the
// sign-in screen).
func wantNoDeadAdvice(t *testing.T, screen string) {
	t.Helper()
	if strings.Contains(screen, "ctrl+t") && !strings.Contains(screen, "Sign in to Amplication") {
		t.Fatalf("the screen advises ctrl+t, which does not work there:\n%s", screen)
	}
}

func TestE2EDeadEndsInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	matrix.Record(t, "Terminal (the built binary in tmux)", "both emulators restarted at every screen after sign-in/authorize",
		"ctrl+l signs in or authorizes again in place and comes back; never only q")
	t.Parallel() // after Record (the matrix keeps source order)
	w := newE2EWorld(t)

	// Inside Amplication: configure, sign in, authorize Amplication.
	tt := w.runDead(t)
	tt.waitFor("Callback URL to register", w.CallbackURL)
	w.toEnvDiff(tt)
	w.writeAndSignIn(t, tt, true)
	tt.waitFor("Amplication is connected to Bitbucket as demo")

	// Authorize (done) and Workspace: both restarted; bbsetup's own Bitbucket access (the
	// consumer's client credentials) renews by itself.
	w.restartBoth(t)
	tt.keys("Enter")
	tt.waitFor("Acme Corporation")
	// Choice, then Create.
	tt.keys("Enter")
	tt.waitFor("Create or connect", "Create a new repository")
	w.restartBoth(t)
	tt.keys("Down", "Enter")
	tt.waitFor("Create repository", "Name")
	w.restartBoth(t)
	tt.typeText("Dead End")
	tt.waitFor("Slug: acme/dead-end")
	tt.keys("Enter")
	tt.waitFor("Create this repository?")
	tt.keys("Enter")
	tt.waitFor("✓ Created acme/dead-end")
	// Target: the restarted server refuses the session; ctrl+l signs in again and comes back.
	w.restartBoth(t)
	tt.keys("Enter")
	s := tt.waitFor("The projects could not be read", "ctrl+l sign in again", "Press ctrl+l to sign in again")
	wantNoDeadAdvice(t, s)
	tt.keys("C-l")
	tt.waitFor("Sign in to Amplication")
	tt.keys("Enter") // the email and password are still there
	tt.waitFor("Which Amplication project or service", "orders")
	// Connect in Amplication: the same.
	tt.keys("Enter")
	tt.waitFor("Connect in Amplication", "Nothing is stored in Amplication until you press enter")
	w.restartBoth(t)
	tt.keys("Enter")
	s = tt.waitFor("The connect did not work", "ctrl+l sign in again")
	wantNoDeadAdvice(t, s)
	tt.keys("C-l")
	tt.waitFor("Sign in to Amplication")
	tt.keys("Enter")
	tt.waitFor("Connect in Amplication", "acme/dead-end", "Nothing is stored in Amplication until you press enter")
	tt.keys("Enter")
	tt.waitFor("✓ orders (project Shop) → acme/dead-end")
	tt.keys("Enter")
	tt.waitFor("Summary")
	tt.keys("Enter")
	if code := tt.exitCode(); code != 0 {
		t.Fatalf("wizard exit %d", code)
	}
	w.wantRepo(t, ampemu.DemoOrdersID, "acme", "dead-end")

	// Amplication skipped: bbsetup's own authorization (a refresh token) is refused.
	tt = w.runDead(t)
	tt.waitFor("already configured", "› Keep them")
	tt.keys("Enter")
	tt.waitFor("Bitbucket accepted the key and secret")
	tt.keys("Enter")
	tt.waitFor("The Amplication server answers")
	tt.keys("s")
	tt.waitFor("Skip Amplication?")
	tt.keys("y")
	tt.waitFor("Connected as Demo Operator")
	tt.keys("Enter")
	tt.waitFor("Acme Corporation")
	// Workspace.
	w.restartBoth(t)
	tt.keys("r")
	s = tt.waitFor("Could not list your workspaces", "Press ctrl+l to authorize again", "ctrl+l authorize again")
	wantNoDeadAdvice(t, s)
	tt.keys("C-l")
	tt.waitFor("Connected as Demo Operator")
	tt.keys("Enter")
	tt.waitFor("Acme Corporation")
	tt.keys("Enter")
	// Connect: the listing refused (ctrl+r lists again at any time).
	tt.waitFor("Create or connect", "Connect an existing repository")
	tt.keys("Enter")
	tt.waitFor("repositories")
	w.restartBoth(t)
	tt.keys("C-r")
	tt.waitFor("ctrl+l authorize again")
	tt.keys("C-l")
	tt.waitFor("Connected as Demo Operator")
	tt.keys("Enter")
	tt.waitFor("Connect a repository in acme", "repositories")
	// Create: back to the choice, then the projects and the create refused.
	tt.keys("Escape")
	tt.waitFor("Create or connect")
	w.restartBoth(t)
	tt.keys("Down", "Enter")
	tt.waitFor("Create repository", "Press ctrl+l to authorize again")
	tt.typeText("Skip Dead")
	tt.keys("C-l")
	tt.waitFor("Connected as Demo Operator")
	tt.keys("Enter")
	tt.waitFor("Create repository", "Slug: acme/skip-dead")
	tt.keys("Enter")
	tt.waitFor("Create this repository?")
	tt.keys("Enter")
	tt.waitFor("✓ Created acme/skip-dead")
	tt.keys("Enter")
	tt.waitFor("Summary")
	tt.keys("Enter")
	if code := tt.exitCode(); code != 0 {
		t.Fatalf("wizard exit %d", code)
	}
	w.scanPanes(t, tt)
}

// authorizeURLOnScreen is the authorize URL printed above the frame (wrapped lines joined).
func (tt *tmuxTerm) authorizeURLOnScreen() string {
	tt.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := tt.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "e2e")
		var last string
		for _, l := range strings.Split(s, "\n") {
			if i := strings.Index(l, "/site/oauth2/authorize?"); i >= 0 && strings.HasPrefix(strings.TrimSpace(l), "http") {
				last = strings.TrimSpace(l)
			}
		}
		if last != "" {
			return last
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("no authorize URL on screen:\n%s", s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// visit is the operator's browser: Bitbucket (auto-approving) redirects to the callback.
func visit(t *testing.T, u string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("the browser's visit: %v", err)
	}
	resp.Body.Close()
}

// The server screen signed in (the server must be restarted) and Authorize waiting for
// the browser: both emulators restarted there.
func TestE2EDeadEndsServerAndAuthorizeInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	matrix.Record(t, "Terminal (the built binary in tmux)", "both emulators restarted on the server screen (signed in) and while Authorize waits",
		"ctrl+l signs in again and comes back; the authorization finishes")
	t.Parallel() // after Record (the matrix keeps source order)
	w := newE2EWorldWith(t, demo.Options{Repos: 30, StaleServer: true})
	// A browser that opens nothing: the test visits the URL itself, when it chooses.
	w.browser = "/bin/true"
	tt := w.runDead(t)
	tt.waitFor("Callback URL to register", w.CallbackURL)
	w.toEnvDiff(tt)
	w.writeAndSignIn(t, tt, false) // the stale server runs already
	// Signed in, the server still runs with the placeholder key: the operator restarts it,
	// and the restart ends the session.
	tt.waitFor("The server must be restarted")
	w.restartBoth(t)
	tt.keys("r")
	s := tt.waitFor("Press ctrl+l to sign in again", "ctrl+l sign in again")
	wantNoDeadAdvice(t, s)
	tt.keys("C-l")
	tt.waitFor("Sign in to Amplication")
	tt.keys("Enter")
	// Back on the path: the server uses the key now, so on to Authorize.
	tt.waitFor("Authorize Amplication with Bitbucket", "Waiting for Bitbucket")
	u := tt.authorizeURLOnScreen()
	// Both restart while Authorize waits; then the browser comes back.
	w.restartBoth(t)
	visit(t, u)
	s = tt.waitFor("Authorization failed", "ctrl+l sign in again")
	wantNoDeadAdvice(t, s)
	tt.keys("C-l")
	tt.waitFor("Sign in to Amplication")
	tt.keys("Enter")
	tt.waitFor("Authorize Amplication with Bitbucket", "Waiting for Bitbucket")
	u2 := tt.authorizeURLOnScreen()
	if u2 == u {
		t.Fatal("the authorization after signing in again reuses the old URL")
	}
	visit(t, u2)
	tt.waitFor("Amplication is connected to Bitbucket as demo")
	tt.keys("Enter")
	tt.waitFor("Acme Corporation")
	tt.keys("C-c")
	tt.waitFor("EXIT=")
	w.scanPanes(t, tt)
}
