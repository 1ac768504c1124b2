package cmd

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/internal/testkit"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
)

// TestAmplicationStatusServerStartedBeforeWrite: the key check sees only the key; an
// amplication-server process of the checkout started before its .env.local was last
// written (the operator wrote it again after a secret reset) still holds the old secret:
// status fails that check with the process and the restart command, and passes once the
// process is started again.
func TestAmplicationStatusServerStartedBeforeWrite(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("real processes are inspected on Linux in this test")
	}
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	srvDir := filepath.Join(w.dir, "packages", "amplication-server")
	old := testkit.ServeMimic(t, w.dir, "amplication-server")
	w.writeEnv(t) // written again after the server started
	code, out, errOut := w.run(t, "", "amplication", "status")
	if code != ExitFailure {
		t.Fatalf("stale process: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"✓ the running server uses the key in .env.local",
		"✗ amplication-server was started before its .env.local was last written: it still uses the old Bitbucket key and secret",
		fmt.Sprintf("process %d", old.Process.Pid), "kill " + fmt.Sprint(old.Process.Pid), "npx nx serve amplication-server", "1 of 6 checks failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	// bbsetup check says it too (offline: no Bitbucket needed).
	code, out, errOut = w.run(t, "", "check", "--offline")
	if code != ExitFailure || !strings.Contains(out, "✗ amplication-server was started before its .env.local was last written") ||
		!strings.Contains(out, "kill "+fmt.Sprint(old.Process.Pid)) {
		t.Errorf("check --offline with the stale server: exit %d\n%s%s", code, out, errOut)
	}
	_ = old.Process.Kill()
	_ = old.Wait()
	testkit.ServeMimic(t, srvDir, "amplication-server")
	code, out, errOut = w.run(t, "", "amplication", "status")
	if code != ExitOK || !strings.Contains(out, "✓ amplication-server was started after its .env.local was written") || !strings.Contains(out, "All 6 checks passed.") {
		t.Fatalf("restarted: exit %d\n%s%s", code, out, errOut)
	}
}

// TestAmplicationAuthorizeServerStartedBeforeSecret: the secret is reset on Bitbucket and
// written to .env.local with the same key while the server runs: its authorize URL has the
// key in .env.local, but it exchanges the code with the old secret and says no more than
// "Bitbucket request failed."; Bitbucket accepts the written key and secret, and a process
// serving amplication-server in the checkout started before the write: authorize says to
// restart it, not that the code was probably used.
func TestAmplicationAuthorizeServerStartedBeforeSecret(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("real processes are inspected on Linux in this test")
	}
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	testkit.ServeMimic(t, filepath.Join(w.dir, "packages", "amplication-server"), "amplication-server")
	c := w.cons
	c.Secret = "reset-secret-0000000000000000000000"
	w.bb.AddConsumer(c) // reset on Bitbucket
	w.cons = c
	w.secrets = append(w.secrets, c.Secret)
	w.writeEnv(t) // and written; the emulated server keeps the secret it loaded
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "1m")
	authURL := ss.authorizeURL(t)
	loc := ss.land(t, authURL)
	io.WriteString(ss.stdinW, loc+"\n")
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, ss.errText())
	}
	errText := ss.errText()
	for _, want := range []string{"Bitbucket request failed", "Bitbucket accepts the key and secret in", "but the running server was started before .env.local was last written, so it still uses the old Bitbucket secret",
		"npx nx serve amplication-server", "bbsetup amplication authorize again"} {
		if !strings.Contains(errText, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errText)
		}
	}
	if strings.Contains(errText, "already used") {
		t.Errorf("stderr still blames the code:\n%s", errText)
	}
	w.noSecrets(t, errText+ss.outText())
}

// TestWizardTeatestServerStartedBeforeWrite: the wizard's server step, with a real process
// serving amplication-server in the checkout that started before the wizard wrote
// .env.local (the emulated server behind the URL loads the key when the files are written,
// so its authorize URL has the new key): the step says the server must be restarted,
// naming the old secret, instead of "✓ The server uses the new key"; once a process
// started after the write serves it, the wizard goes on.
func TestWizardTeatestServerStartedBeforeWrite(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("real processes are inspected on Linux in this test")
	}
	t.Parallel()
	r, w := ampTeaRun(t, demo.Options{})
	old := testkit.ServeMimic(t, w.CheckoutDir, "amplication-server")
	r.toAmpWritten()
	r.waitFor("The Amplication server answers")
	r.keys(tea.KeyEnter)
	r.waitFor("Sign in to Amplication")
	r.keys(tea.KeyEnter)
	r.waitFor("The server must be restarted", "BITBUCKET_CLIENT_ID "+w.Consumer.Key, "still uses the old Bitbucket secret", "npx nx serve amplication-server")
	if strings.Contains(r.all.String(), "The server uses the new key") {
		t.Fatal("the server step passed a server started before the write")
	}
	_ = old.Process.Kill()
	_ = old.Wait()
	testkit.ServeMimic(t, w.CheckoutDir, "amplication-server")
	// The demo restarts its emulated server and checks again on its own.
	r.waitFor("The server uses the new key")
	r.keys(tea.KeyEnter)
	r.waitFor("Amplication is connected to Bitbucket as demo")
}
