package cmd

import (
	"strings"
	"testing"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
)

// TestE2EWizardBuildScreenInTmux drives the built wizard in a real terminal from the
// welcome screen to Connect, then the summary's b: the Build screen names the stalled
// generation's services, then the stalled push's, as the operator starts each in "another
// terminal" (the emulator's services), and ends on the pull request (c copies, o opens);
// the summary and the quit message carry the URL.
func TestE2EWizardBuildScreenInTmux(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	// The demo world with the build manager, the code generator and the PR service stopped,
	// as on a machine where only the server was started.
	w := newE2EWorldWith(t, demo.Options{Repos: 300, GeneratorDown: true, PRServiceDown: true})
	argv := []string{w.bin, "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL}
	tt := newTmuxTerm(t, w.Consumer.Secret, []string{"BROWSER=" + w.browser, "TERM=xterm-256color", "BBSETUP_BUILD_STALL_AFTER=500ms"}, "", argv...)
	w.toEnvDiff(tt)
	amp := w.writeAndSignIn(t, tt, true)
	tt.waitFor("Amplication is connected to Bitbucket as demo")
	tt.keys("Enter")
	tt.waitFor("Acme Corporation")
	tt.keys("Enter")
	tt.waitFor("Connect an existing repository")
	tt.keys("Enter")
	tt.waitFor("repositories", "amber-api-00001")
	tt.typeText("amber-api-00001")
	tt.waitFor("1 match")
	tt.keys("Enter")
	tt.waitFor("Which Amplication project or service", "›   orders")
	tt.keys("Enter")
	tt.waitFor("Nothing is stored in Amplication until you press enter")
	tt.keys("Enter")
	tt.waitFor("✓ orders (project Shop) → acme/amber-api-00001")
	tt.keys("Enter")
	tt.waitFor("Summary", "b build now")
	if n := len(amp.Log()); n > 0 {
		for _, r := range amp.Log() {
			if r.Operation == "CommitServices" || r.Operation == "Commit" {
				t.Fatal("committed before b")
			}
		}
	}

	// b: the build starts; nothing generates code yet.
	tt.keys("b")
	tt.waitFor("Building project Shop", "code generation has not moved", "npx nx serve amplication-build-manager",
		"local-data-service-generator-controller")
	// The operator starts them in other terminals.
	for _, s := range []ampemu.Service{ampemu.BuildManager, ampemu.CodeGenerator} {
		if err := w.StartService(s); err != nil {
			t.Fatal(err)
		}
	}
	tt.waitFor("pushing to Bitbucket", "npx nx serve git-sync-manager")
	if err := w.StartService(ampemu.PRService); err != nil {
		t.Fatal(err)
	}
	t.Logf("build screen:\n%s", tt.waitFor("pull request #1", "/acme/amber-api-00001/pull-requests/1", "o open pull request"))
	tt.keys("c")
	tt.waitFor("went to the clipboard")
	tt.keys("o")
	tt.waitFor("Opened the pull request in your browser")
	tt.keys("Enter")
	tt.waitFor("Summary", "built from commit", "✓ orders: pull request #1")
	tt.keys("Enter")
	s := tt.waitFor("EXIT=0")
	if all := tt.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "e2e"); !strings.Contains(all, "/acme/amber-api-00001/pull-requests/1") {
		t.Errorf("the quit message lacks the pull request's URL:\n%s\n(last screen:\n%s)", all, s)
	}
	st, ok := w.Server.Repo("acme", "amber-api-00001")
	if !ok || len(st.PullRequests) != 1 || st.PullRequests[0].Source != "amplication" {
		t.Errorf("the Bitbucket emulator's pull requests: %+v", st.PullRequests)
	}
	w.scanPanes(t, tt)
}
