//go:build linux

package line_test

import (
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
	w, p := startLine(t)
	authURL := toWrittenThenSkip(t, p, w)
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
