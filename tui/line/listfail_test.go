//go:build linux

package line_test

import (
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/cmd"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// TestLineModeListFailsThenAgain: Amplication skipped, bbsetup authorized; Bitbucket
// refuses the list of workspaces once, then the list of repositories once. Each time the
// line mode says what could not be listed and offers to try again; enter does, and the
// run goes on to the summary.
func TestLineModeListFailsThenAgain(t *testing.T) {
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
	p.waitFor("Press enter to check the server.")
	p.typeLine("")
	p.waitFor("! The Amplication server does not answer", "type s and enter to skip Amplication")
	p.typeLine("s")
	p.waitFor("Skip Amplication? [y/N]: ")
	p.typeLine("y")
	out := p.waitFor("Authorize bbsetup with your Bitbucket account", "Waiting for Bitbucket…")
	authURL, err := firstURL(out[strings.LastIndex(out, "Authorize bbsetup"):])
	if err != nil {
		t.Fatal(err)
	}
	w.Server.Controls().SetFaults(bbemu.Fault{Method: "GET", PathPrefix: "/2.0/user/workspaces", Times: 1, Kind: bbemu.FaultStatus, Status: 400})
	visit(t, authURL)
	p.waitFor("✓ Connected as", "Could not list your workspaces", "Press enter to try again: ")
	p.typeLine("")
	p.waitFor("acme", "Choose 1-")
	p.typeLine("")
	p.waitFor("1. Connect an existing repository", "Choose 1-2 [1]: ")
	w.Server.Controls().SetFaults(bbemu.Fault{Method: "GET", PathPrefix: "/2.0/repositories/acme", Times: 1, Kind: bbemu.FaultStatus, Status: 400})
	p.typeLine("")
	p.waitFor("Could not list the repositories", "Press enter to try again: ")
	p.typeLine("")
	p.waitFor("repositories", "  1. ", "Number of the repository to connect")
	p.typeLine("1")
	p.waitFor("== Summary ==", "Amplication was skipped")
	if code := p.exitCode(); code != cmd.ExitOK {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, p.output())
	}
	wantPlain(t, p.output())
}
