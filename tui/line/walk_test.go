//go:build linux

package line_test

import (
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/emulator/demo"
)

// Walks the end-to-end tests share: each starts where the line mode starts and types what
// an operator types, waiting for each prompt.

// startLine starts a demo world and the line mode on a pseudo-terminal against it (no
// browser; the terminal is dumb).
func startLine(t *testing.T) (*demo.World, *ptyRun) {
	t.Helper()
	w := newWorld(t)
	return w, startPtyFor(t, w)
}

// startPtyFor starts the line mode on a pseudo-terminal against w.
func startPtyFor(t *testing.T, w *demo.World) *ptyRun {
	t.Helper()
	env := map[string]string{"TERM": "dumb", "XDG_STATE_HOME": t.TempDir(), "HOME": t.TempDir()}
	return startPty(t, env, "--no-browser", "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL)
}

// toWritten goes from the first prompt to the env files written with the demo consumer's
// key and secret, and stops at "Press enter to check the server."
func toWritten(t *testing.T, p *ptyRun, w *demo.World) {
	t.Helper()
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
	p.waitFor("✓ Bitbucket accepted the key and secret", "Write these files? [Y/n]: ")
	p.typeLine("")
	p.waitFor("✓ written", "Press enter to check the server.")
}

// toSignedIn is toWritten, then the operator starts the Amplication server and signs in
// with the demo's email and password; it stops as Amplication's authorization begins.
func toSignedIn(t *testing.T, p *ptyRun, w *demo.World) {
	t.Helper()
	toWritten(t, p, w)
	if _, err := w.StartAmplication(); err != nil { // the operator starts it after the write
		t.Fatal(err)
	}
	p.typeLine("")
	p.waitFor("✓ The Amplication server answers", "Press enter to sign in to Amplication")
	p.typeLine("")
	p.waitFor("Email (or type token to sign in with an API token): ")
	p.typeLine(w.AmplicationEmail)
	p.waitFor("Password (hidden): ")
	p.typeLine(w.AmplicationPassword)
}

// toWrittenThenSkip is toWritten, then Amplication skipped (its server is not started):
// the run stops at bbsetup's own authorize URL, which it returns.
func toWrittenThenSkip(t *testing.T, p *ptyRun, w *demo.World) string {
	t.Helper()
	toWritten(t, p, w)
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
	return authURL
}
