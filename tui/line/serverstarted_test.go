//go:build linux

package line_test

import (
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

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
	w, p := startLine(t)
	toWritten(t, p, w)
	if _, err := w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	old := testkit.ServeMimic(t, w.CheckoutDir, "amplication-server") // started after the write
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
	testkit.ServeMimic(t, w.CheckoutDir, "amplication-server")
	p.typeLine("")
	p.waitFor("✓ The server uses the new key")
	authorizeAmp(t, p, w.Consumer.Key)
	wantNoSecrets(t, w, p.output())
}
