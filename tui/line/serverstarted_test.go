//go:build linux

package line_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// serveMimic starts a real process in dir whose command line serves project as
// `npx nx serve project` does (… nx serve project), waiting on its stdin; it ends with
// the test. It returns once the process runs, then waits long enough for a write after
// it to be told apart from its start.
func serveMimic(t *testing.T, dir, project string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "read x", "nx", "serve", project)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	time.Sleep(300 * time.Millisecond)
	return cmd
}

// TestLineModeSecretChangedServerStartedBefore: as in
// TestLineModeAmplicationAuthorizeRejectedSecretThenChange, the secret is reset on
// Bitbucket and the operator writes the new one with the same key; the server (a real
// process serving amplication-server in the checkout, with the emulated server behind
// the URL) was started before that write. Its authorize URL has the key in .env.local,
// but the server step says it must be restarted, naming the secret, instead of "✓ The
// server uses the new key"; once it is started again, the authorization connects.
func TestLineModeSecretChangedServerStartedBefore(t *testing.T) {
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
	p.waitFor("✓ Bitbucket accepted the key and secret", "Write these files? [Y/n]: ")
	p.typeLine("")
	p.waitFor("✓ written", "Press enter to check the server.")
	if _, err := w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	old := serveMimic(t, w.CheckoutDir, "amplication-server") // started after the write
	p.typeLine("")
	p.waitFor("✓ The Amplication server answers", "Press enter to sign in to Amplication")
	p.typeLine("")
	p.waitFor("Email (or type token to sign in with an API token): ")
	p.typeLine(w.AmplicationEmail)
	p.waitFor("Password (hidden): ")
	p.typeLine(w.AmplicationPassword)
	p.waitFor("Authorize Amplication with Bitbucket")
	out := p.waitFor("Waiting for Bitbucket…")
	authURL, err := firstURL(out[strings.Index(out, "click Grant access:"):])
	if err != nil {
		t.Fatal(err)
	}
	resetSecret(t, w)
	visit(t, authURL)
	p.waitFor("✗ Authorization failed: ", "Bitbucket rejects the key and secret in", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("Key [" + w.Consumer.Key + "]: ")
	p.typeLine("")
	p.waitFor("Secret (hidden; press enter for the one typed before")
	p.typeLine(newSecret)
	p.waitFor("✓ Bitbucket accepted the key and secret", "Write these files? [Y/n]: ")
	p.typeLine("")
	p.waitFor("✓ written", "Press enter to check the server.")
	wantEnvSecret(t, w, newSecret)
	p.typeLine("") // not restarted yet
	if i, got := p.waitForAny("The server must be restarted", "The server uses the new key"); i != 0 {
		t.Fatalf("a server started before the secret was written passed the key check:\n%s", got)
	}
	p.waitFor("BITBUCKET_CLIENT_ID "+w.Consumer.Key+", the key in .env.local, but it was started before .env.local was last written",
		"old Bitbucket secret", "npx nx serve amplication-server", "Checking again every few seconds")
	// The operator restarts it, as the step says.
	_ = old.Process.Kill()
	_ = old.Wait()
	if _, err := w.RestartAmplication(); err != nil {
		t.Fatal(err)
	}
	serveMimic(t, w.CheckoutDir, "amplication-server")
	p.typeLine("")
	p.waitFor("✓ The server uses the new key")
	authorizeAmp(t, p, w.Consumer.Key)
	wantNoSecrets(t, w, p.output())
}
