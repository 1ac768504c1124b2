package line_test

import (
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/cmd"
)

// TestLineModeQuitAfterSignInSaysNothingWasStored: signed in to Amplication, the operator
// leaves (ctrl+d) while Amplication's authorization waits: the last lines say the env files
// written and that nothing was stored in Amplication, as the wizard's quit frame does.
func TestLineModeQuitAfterSignInSaysNothingWasStored(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w := newWorld(t)
	env := map[string]string{"TERM": "dumb", "XDG_STATE_HOME": t.TempDir(), "HOME": t.TempDir()}
	p := startPty(t, env, "--no-browser", "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL)
	p.waitFor("Press enter to start")
	p.typeLine("")
	p.waitFor("Workspace slug (the part after bitbucket.org/): ")
	p.typeLine("acme")
	p.waitFor("Press enter for the permissions")
	p.typeLine("")
	p.waitFor("Are all 6 rows ticked? [Y/n]: ")
	p.typeLine("")
	p.waitFor("Key: ")
	p.typeLine(w.Consumer.Key)
	p.waitFor("Secret (hidden): ")
	p.typeLine(w.Consumer.Secret)
	p.waitFor("Write these files? [Y/n]: ")
	p.typeLine("")
	p.waitFor("✓ written", "Press enter to check the server.")
	if _, err := w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	p.typeLine("")
	p.waitFor("Press enter to sign in to Amplication")
	p.typeLine("")
	p.waitFor("Email (or type token to sign in with an API token): ")
	p.typeLine(w.AmplicationEmail)
	p.waitFor("Password (hidden): ")
	p.typeLine(w.AmplicationPassword)
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
