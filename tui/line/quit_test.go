//go:build linux

package line_test

import (
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/cmd"
	"github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

// TestLineModeQuitAfterSignInSaysNothingWasStored: signed in to Amplication, the operator
// leaves (ctrl+d) while Amplication's authorization waits: the last lines say the env files
// written and that nothing was stored in Amplication, as the wizard's quit frame does.
func TestLineModeQuitAfterSignInSaysNothingWasStored(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w, p := startLine(t)
	toSignedIn(t, p, w)
	p.waitFor("Authorize Amplication with Bitbucket", "Waiting for Bitbucket…")
	if _, err := p.ptmx.Write([]byte{4}); err != nil { // ctrl+d
		t.Fatal(err)
	}
	out := p.waitFor("bbsetup: setup stopped; these files were written: ", "Nothing was stored in Amplication.")
	if code := p.exitCode(); code != cmd.ExitInterrupted {
		t.Fatalf("exit %d, want %d", code, cmd.ExitInterrupted)
	}
	if strings.Count(out, "Nothing was stored in Amplication.") != 1 {
		t.Errorf("said more than once:\n%s", out)
	}
	wantNoSecrets(t, w, p.output())
}

// TestLineModeRepositoryGoneBeforeTheConnect: the repository chosen for Amplication is
// deleted on Bitbucket before the operator confirms the connect: nothing is stored in
// Amplication, the line mode says why and goes back to the repository list, and the next
// choice connects.
func TestLineModeRepositoryGoneBeforeTheConnect(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w, p := startLine(t)
	toSignedIn(t, p, w)
	authorizeAmp(t, p, w.Consumer.Key)
	p.waitFor("acme", "Choose 1-")
	p.typeLine("")
	p.waitFor("1. Connect an existing repository", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("Number of the repository to connect")
	p.typeLine("1")
	out := p.waitFor("Which Amplication project or service pushes to acme/", "Choose 1-")
	full := out[strings.LastIndex(out, "pushes to acme/")+len("pushes to "):]
	full = full[:strings.Index(full, "?")]
	p.typeLine("")
	p.waitFor("Connect? [Y/n]: ")
	if !w.Server.Controls().DeleteRepo("acme", strings.TrimPrefix(full, "acme/")) { // deleted on bitbucket.org meanwhile
		t.Fatalf("no repository %s to delete", full)
	}
	p.typeLine("")
	p.waitFor("✗ The connect did not work: ", full+" is no longer in Bitbucket (deleted or renamed since you chose it), so nothing was stored in Amplication.",
		"Choose the repository again.", "Number of the repository to connect")
	if r, _ := w.Amplication().Resource(amplication.DemoOrdersID); r.Repo != nil {
		t.Fatalf("stored in Amplication: %+v", r.Repo)
	}
	p.typeLine("1")
	p.waitFor("Which Amplication project or service pushes to acme/", "Choose 1-")
	p.typeLine("")
	p.waitFor("Connect? [Y/n]: ")
	p.typeLine("")
	p.waitFor("== Summary ==", "orders (project Shop) → acme/")
	if code := p.exitCode(); code != cmd.ExitOK {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, p.output())
	}
	wantNoSecrets(t, w, p.output())
}
