//go:build linux

package line_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/cmd"
	"github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/mask"
)

// newSecret is what Bitbucket shows after the consumer's secret is reset: another 32
// letters and digits.
const newSecret = "Zq7Lm2Np9Rt4Vx6Bc8Df1Gh3Jk5Ws0Ya"

// otherKey and otherSecret are another consumer's, made for Amplication afresh.
const (
	otherKey    = "Qm4Tx8Lw2Rv6Np0Hs3"
	otherSecret = "Hb5Kc9Ld3Mf7Ng1Ph6Qj0Rk4Sl8Tm2Vn"
)

// resetSecret resets the demo consumer's secret on Bitbucket, as "Reset secret" on the
// consumer's page does: the old one is refused from then on.
func resetSecret(t *testing.T, w *demo.World) {
	t.Helper()
	c := w.Consumer
	if c.Secret == newSecret {
		t.Fatal("the demo consumer's secret is already the new one")
	}
	c.Secret = newSecret
	w.Server.AddConsumer(c)
}

// wantEnvSecret checks that every env file bbsetup writes holds the demo consumer's key
// and secret.
func wantEnvSecret(t *testing.T, w *demo.World, secret string) {
	t.Helper()
	wantEnv(t, w, w.Consumer.Key, secret)
}

// wantEnv checks that every env file bbsetup writes holds key and secret.
func wantEnv(t *testing.T, w *demo.World, key, secret string) {
	t.Helper()
	for _, path := range []string{
		filepath.Join(w.CheckoutDir, "packages", "amplication-server", ".env.local"),
		filepath.Join(w.CheckoutDir, "ee", "packages", "git-sync-manager", ".env.local"),
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		kv := envfile.Parse(data)
		if kv["BITBUCKET_CLIENT_ID"] != key {
			t.Errorf("%s: BITBUCKET_CLIENT_ID is %q, want %q", path, kv["BITBUCKET_CLIENT_ID"], key)
		}
		if kv["BITBUCKET_CLIENT_SECRET"] != secret {
			t.Errorf("%s: BITBUCKET_CLIENT_SECRET is not the expected secret", path)
		}
	}
}

// wantNoSecrets checks that the terminal showed no escape sequence and none of the
// secrets (echoed or printed).
func wantNoSecrets(t *testing.T, w *demo.World, out string) {
	t.Helper()
	wantPlain(t, out)
	for what, s := range map[string]string{"the consumer's first secret": w.Consumer.Secret, "the consumer's new secret": newSecret, "the other consumer's secret": otherSecret} {
		if strings.Contains(out, s) {
			t.Errorf("the terminal showed %s", what)
		}
	}
}

// TestLineModeAuthorizeRefusesTheKeyThenChange: Amplication skipped, bbsetup authorizes
// itself. Between the Verify step and the browser's trip the consumer's secret is reset on
// Bitbucket, so Bitbucket refuses bbsetup's code exchange (unauthorized_client). The line
// mode says the authorization failed and offers to change the key and secret (first) or
// try again; the operator changes them: the Key and secret step names the rejection, the
// key typed before is the default, the new secret is typed at a hidden prompt, checked
// and written, and the next authorization connects.
func TestLineModeAuthorizeRefusesTheKeyThenChange(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w, p := startLine(t)
	authURL := toWrittenThenSkip(t, p, w)
	wantEnvSecret(t, w, w.Consumer.Secret)

	resetSecret(t, w)
	visit(t, authURL)
	p.waitFor("✗ Authorization failed: Bitbucket rejected the key or secret (unauthorized_client).",
		"1. Change the key and secret (they are checked, then written again)", "2. Try again", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("== Key and secret ==", "✗ The key or secret did not work: Bitbucket rejected the key or secret (unauthorized_client).",
		"  → Copy both again from the consumer (click its name in OAuth consumers) and press enter.",
		"Key ["+w.Consumer.Key+"]: ")
	// What to do is said once on the step: the step's own advice, not Bitbucket's remedy too.
	if out := p.output(); strings.Contains(out[strings.LastIndex(out, "== Key and secret =="):], "make sure neither has extra characters") {
		t.Errorf("the Key and secret step says the remedy twice:\n%s", out[strings.LastIndex(out, "== Key and secret =="):])
	}
	p.typeLine("")
	p.waitFor("Secret (hidden; press enter for the one typed before, " + mask.Secret(w.Consumer.Secret) + "): ")
	p.wantEchoOff()
	p.typeLine(newSecret)
	p.waitFor("== Verify ==", "Secret "+mask.Secret(newSecret), "✓ Bitbucket accepted the key and secret",
		"BITBUCKET_CLIENT_SECRET=", mask.Secret(newSecret), "Write these files? [Y/n]: ")
	p.wantEchoOn()
	wantEnvSecret(t, w, w.Consumer.Secret) // nothing written before the confirm
	p.typeLine("")
	p.waitFor("✓ written", "Press enter to check the server.")
	wantEnvSecret(t, w, newSecret)
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
	visit(t, authURL)
	p.waitFor("✓ Connected as Demo Operator", "acme", "Choose 1-")
	p.typeLine("")
	p.waitFor("1. Connect an existing repository", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("repositories", "  1. ", "Number of the repository to connect")
	p.typeLine("1")
	p.waitFor("== Summary ==", "Amplication was skipped")
	if code := p.exitCode(); code != cmd.ExitOK {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, p.output())
	}
	wantNoSecrets(t, w, p.output())
}

// configure writes the demo consumer's key and secret into w's checkout as an operator
// would before this run: bbsetup configure, the secret piped on standard input.
func configure(t *testing.T, w *demo.World, env map[string]string) {
	t.Helper()
	var out, errOut syncBuffer
	e := cmd.Env{
		Stdin: strings.NewReader(w.Consumer.Secret + "\n"), Stdout: &out, Stderr: &errOut,
		Getenv:    func(k string) string { return env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Getwd:     func() (string, error) { return w.CheckoutDir, nil },
	}
	args := []string{"configure", "--client-id", w.Consumer.Key, "--client-secret-stdin", "--repo", w.CheckoutDir,
		"--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL}
	if code := cmd.Run(context.Background(), args, e); code != cmd.ExitOK {
		t.Fatalf("bbsetup configure: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	wantEnvSecret(t, w, w.Consumer.Secret)
}

// TestLineModeCheckFailsThenChangeTheKey: the checkout has a key and secret already (bbsetup
// configure), and the operator keeps them; then the consumer's secret is reset on
// Bitbucket. The Verify step's token request gets an answer that is neither a token nor
// an OAuth refusal (Bitbucket's 500, twice): the line mode says the check failed and
// offers to try again (the default) or to change the key and secret. Trying again fails
// the same; changing them goes to the Key and secret step (no rejection named: nothing
// was rejected), where the new secret is typed hidden; it is checked, and written in
// place of the kept one.
func TestLineModeCheckFailsThenChangeTheKey(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w := newWorld(t)
	env := map[string]string{"TERM": "dumb", "XDG_STATE_HOME": t.TempDir(), "HOME": t.TempDir()}
	configure(t, w, env)
	resetSecret(t, w)
	w.Server.Controls().SetFaults(bbemu.Fault{Method: "POST", PathPrefix: "/site/oauth2/access_token", Times: 2, Kind: bbemu.FaultStatus, Status: 500})

	p := startPty(t, env, "--no-browser", "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL)
	p.waitFor("✓ A key and secret are already configured (key "+w.Consumer.Key+").", "Choose 1-3 [1]: ")
	p.typeLine("")
	p.waitFor("== Verify ==", "The key and secret already configured in", "Secret "+mask.Secret(w.Consumer.Secret),
		"✗ The check failed: ", "1. Try again", "2. Change the key and secret", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("… Asking Bitbucket", "✗ The check failed: ", "1. Try again", "2. Change the key and secret", "Choose 1-2 [1]: ")
	p.typeLine("2")
	out := p.waitFor("== Key and secret ==", "Key: ")
	if strings.Contains(out, "rejected") || strings.Contains(out, "Asking Bitbucket") {
		t.Errorf("changing the key and secret checked the kept ones again, or named a rejection that did not happen:\n%s", out)
	}
	p.typeLine(w.Consumer.Key)
	p.waitFor("Secret (hidden): ")
	p.wantEchoOff()
	p.typeLine(newSecret)
	p.waitFor("== Verify ==", "Key    "+w.Consumer.Key, "Secret "+mask.Secret(newSecret), "✓ Bitbucket accepted the key and secret",
		"== Env files ==", "BITBUCKET_CLIENT_SECRET=", mask.Secret(newSecret), "Write these files? [Y/n]: ")
	p.wantEchoOn()
	wantEnvSecret(t, w, w.Consumer.Secret) // nothing written before the confirm
	p.typeLine("")
	p.waitFor("✓ written", "Press enter to check the server.")
	wantEnvSecret(t, w, newSecret)
	if _, err := p.ptmx.Write([]byte{4}); err != nil { // ctrl+d: the operator leaves here
		t.Fatal(err)
	}
	if code := p.exitCode(); code != cmd.ExitInterrupted {
		t.Fatalf("exit %d, want %d; the terminal shows:\n%s", code, cmd.ExitInterrupted, p.output())
	}
	wantNoSecrets(t, w, p.output())
}

// TestLineModeListRefusesTheKeyThenChange: Amplication skipped, bbsetup authorized and
// the workspace chosen. While the operator reads, the access token expires and the
// consumer's secret is reset on Bitbucket: listing the repositories needs a new token,
// and Bitbucket refuses the renewal with the old secret. The line mode says the list
// failed and offers to change the key and secret; the Key and secret step names the
// rejection, the new secret is checked and written, and after authorizing again the
// repositories are listed and one is connected.
func TestLineModeListRefusesTheKeyThenChange(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w, p := startLine(t)
	visit(t, toWrittenThenSkip(t, p, w))
	p.waitFor("✓ Connected as Demo Operator", "acme", "Choose 1-")
	p.typeLine("")
	p.waitFor("1. Connect an existing repository", "Choose 1-2 [1]: ")
	resetSecret(t, w)
	w.Server.Controls().ExpireAccessTokens()
	p.typeLine("")
	p.waitFor("✗ Could not list the repositories: ", "Bitbucket rejected the key or secret",
		"1. Change the key and secret (they are checked, then written again)", "2. Try again", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("== Key and secret ==", "✗ The key or secret did not work: ",
		"  → Copy both again from the consumer (click its name in OAuth consumers) and press enter.",
		"Key ["+w.Consumer.Key+"]: ")
	p.typeLine("")
	p.waitFor("Secret (hidden; press enter for the one typed before, " + mask.Secret(w.Consumer.Secret) + "): ")
	p.wantEchoOff()
	p.typeLine(newSecret)
	p.waitFor("✓ Bitbucket accepted the key and secret", "BITBUCKET_CLIENT_SECRET=", mask.Secret(newSecret), "Write these files? [Y/n]: ")
	p.wantEchoOn()
	p.typeLine("")
	p.waitFor("✓ written", "Press enter to check the server.")
	wantEnvSecret(t, w, newSecret)
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
	visit(t, authURL)
	p.waitFor("✓ Connected as Demo Operator", "acme", "Choose 1-")
	p.typeLine("")
	p.waitFor("1. Connect an existing repository", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("repositories", "  1. ", "Number of the repository to connect")
	p.typeLine("1")
	p.waitFor("== Summary ==", "Amplication was skipped")
	if code := p.exitCode(); code != cmd.ExitOK {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, p.output())
	}
	wantNoSecrets(t, w, p.output())
}

// TestLineModeAmplicationListRefusedThenAnotherConsumer: signed in to Amplication and
// connected through it; bbsetup lists repositories with the consumer's own key (client
// credentials). While the operator reads, that token expires and the consumer's secret is
// reset on Bitbucket, so the renewal is refused: the line mode says the list failed and
// offers to change the key and secret. The operator switches to another consumer (its key
// and secret typed, the secret hidden), checked and written. The running Amplication
// server still has the old key: the server step says it must be restarted (it does not
// take the sign-in's earlier "uses the key" for now); once restarted it uses the new key,
// Amplication's authorization connects again and a repository is connected.
func TestLineModeAmplicationListRefusedThenAnotherConsumer(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w := newWorld(t)
	other := w.Consumer
	other.Key, other.Secret, other.Name = otherKey, otherSecret, "Amplication (local, again)"
	w.Server.AddConsumer(other)
	p := startPtyFor(t, w)
	toSignedIn(t, p, w)
	authorizeAmp(t, p, w.Consumer.Key)
	p.waitFor("acme", "Choose 1-")
	p.typeLine("")
	p.waitFor("1. Connect an existing repository", "Choose 1-2 [1]: ")
	resetSecret(t, w)
	w.Server.Controls().ExpireAccessTokens()
	p.typeLine("")
	p.waitFor("✗ Could not list the repositories: ", "Bitbucket rejected the key or secret",
		"1. Change the key and secret (they are checked, then written again)", "2. Try again", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("== Key and secret ==", "✗ The key or secret did not work: ",
		"  → Copy both again from the consumer (click its name in OAuth consumers) and press enter.",
		"Key ["+w.Consumer.Key+"]: ")
	p.typeLine(otherKey)
	p.waitFor("Secret (hidden): ") // the secret typed before was for the other key: no default
	p.wantEchoOff()
	p.typeLine(otherSecret)
	p.waitFor("Key    "+otherKey, "Secret "+mask.Secret(otherSecret), "✓ Bitbucket accepted the key and secret",
		"BITBUCKET_CLIENT_ID="+otherKey, "Write these files? [Y/n]: ")
	p.wantEchoOn()
	p.typeLine("")
	p.waitFor("✓ written", "Press enter to check the server.")
	wantEnv(t, w, otherKey, otherSecret)
	p.typeLine("")
	i, out := p.waitForAny("! The server must be restarted", "✓ The server uses the new key")
	if i != 0 {
		t.Fatalf("the server step said the server uses the new key before it was restarted:\n%s", out)
	}
	p.waitFor("npx nx serve amplication-server", "press enter once restarted")
	if _, err := w.RestartAmplication(); err != nil { // the operator restarts it
		t.Fatal(err)
	}
	p.typeLine("")
	p.waitFor("✓ The server uses the new key")
	authorizeAmp(t, p, otherKey)
	p.waitFor("acme", "Choose 1-")
	p.typeLine("")
	p.waitFor("1. Connect an existing repository", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("repositories", "  1. ", "Number of the repository to connect")
	p.typeLine("1")
	p.waitFor("Which Amplication project or service pushes to acme/", "Choose 1-")
	p.typeLine("")
	p.waitFor("Connect? [Y/n]: ")
	p.typeLine("")
	p.waitFor("== Summary ==", "orders (project Shop) → acme/")
	if code := p.exitCode(); code != cmd.ExitOK {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, p.output())
	}
	if r, ok := w.Amplication().Resource(amplication.DemoOrdersID); !ok || r.Repo == nil || r.Repo.GroupName != "acme" {
		t.Fatalf("the Amplication emulator's orders has %+v, want a repository in acme", r.Repo)
	}
	wantNoSecrets(t, w, p.output())
}

// authorizeAmp waits for Amplication's authorize URL, checks that it carries key, makes
// the browser's visit and waits until Amplication is connected.
func authorizeAmp(t *testing.T, p *ptyRun, key string) {
	t.Helper()
	p.waitFor("Authorize Amplication with Bitbucket")
	out := p.waitFor("Waiting for Bitbucket…")
	authURL, err := firstURL(out[strings.Index(out, "click Grant access:"):])
	if err != nil || !strings.Contains(authURL, "client_id="+key) {
		t.Fatalf("no authorize URL with the key %s: %q (%v) in\n%s", key, authURL, err, out)
	}
	visit(t, authURL)
	p.waitFor("✓ Amplication is connected to Bitbucket as demo")
}

// TestLineModeAmplicationAuthorizeRejectedSecretThenChange: signed in to Amplication, the
// consumer's secret is reset on Bitbucket before Amplication's authorization comes back,
// so the server's code exchange fails and the server says no more than "Bitbucket request
// failed."; bbsetup checks the written key and secret itself, names them as rejected and
// offers to change them. The operator types the new secret (hidden), it is checked and
// written, the server is restarted as the env step says, and the authorization connects.
func TestLineModeAmplicationAuthorizeRejectedSecretThenChange(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	w, p := startLine(t)
	toSignedIn(t, p, w)
	p.waitFor("Authorize Amplication with Bitbucket")
	out := p.waitFor("Waiting for Bitbucket…")
	authURL, err := firstURL(out[strings.Index(out, "click Grant access:"):])
	if err != nil {
		t.Fatal(err)
	}
	resetSecret(t, w) // the server and .env.local keep the old secret
	visit(t, authURL)
	p.waitFor("✗ Authorization failed: ", "Bitbucket request failed", "Bitbucket rejects the key and secret in",
		"(bbsetup checked them just now)", "1. Change the key and secret (they are checked, then written again)", "2. Try again", "Choose 1-2 [1]: ")
	p.typeLine("")
	p.waitFor("== Key and secret ==", "✗ The key or secret did not work: ", "Key ["+w.Consumer.Key+"]: ")
	p.typeLine("")
	p.waitFor("Secret (hidden; press enter for the one typed before, " + mask.Secret(w.Consumer.Secret) + "): ")
	p.wantEchoOff()
	p.typeLine(newSecret)
	p.waitFor("✓ Bitbucket accepted the key and secret", "Write these files? [Y/n]: ")
	p.typeLine("")
	p.waitFor("✓ written", "Press enter to check the server.")
	wantEnvSecret(t, w, newSecret)
	if _, err := w.RestartAmplication(); err != nil { // the operator restarts it, as the step says
		t.Fatal(err)
	}
	p.typeLine("")
	authorizeAmp(t, p, w.Consumer.Key)
	wantNoSecrets(t, w, p.output())
}
