package cmd

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// TestStartupAsksTheTerminalNothing runs the built binary on a pseudo-terminal that has no
// terminal emulator behind it (script(1)), where a colour query would go unanswered and
// stall for five seconds. A non-wizard command must not send the query at all (package
// tui/terminit keeps Bubble Tea's init from sending it).
func TestStartupAsksTheTerminalNothing(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: script(1) is not installed (Debian: bsdutils)")
	}
	bin := buildBinary(t)
	typescript := filepath.Join(t.TempDir(), "typescript")
	for _, args := range []string{"version", "--help", "check --offline --repo /nonexistent"} {
		c := exec.Command("script", "-qfec", bin+" "+args, typescript)
		c.Env = append(os.Environ(), "TERM=xterm-256color")
		c.Stdin = bytes.NewReader(nil)
		out, _ := c.CombinedOutput()
		data, err := os.ReadFile(typescript)
		if err != nil {
			t.Fatalf("%s: no typescript (%v): %s", args, err, out)
		}
		if bytes.Contains(data, []byte("\x1b]11;?")) || bytes.Contains(data, []byte("\x1b[6n")) {
			t.Errorf("bbsetup %s asked the terminal for its colours at start-up:\n%q", args, data)
		}
		if args == "version" && !strings.Contains(string(data), "bbsetup ") {
			t.Errorf("bbsetup version printed %q", data)
		}
	}
}

// TestConfigureSecretFromTerminalIsNotEchoed types the secret into a real pseudo-terminal
// (script(1)) after the prompt appears: the terminal must not echo it, so it is not on
// screen or in the scrollback, and the files get it.
func TestConfigureSecretFromTerminalIsNotEchoed(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: script(1) is not installed (Debian: bsdutils)")
	}
	bin := buildBinary(t)
	repo := demoCheckout(t)
	const secret = "typedSecretValue1234567890"
	typescript := filepath.Join(t.TempDir(), "typescript")
	c := exec.Command("script", "-qfec", bin+" configure --no-verify --client-id typedKey123 --client-secret-stdin --repo "+repo, typescript)
	c.Env = append(os.Environ(), "TERM=xterm-256color")
	stdin, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Process.Kill()
	deadline := time.Now().Add(15 * time.Second)
	for {
		data, _ := os.ReadFile(typescript)
		if bytes.Contains(data, []byte("Paste the consumer's secret")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no prompt; screen so far:\n%s", data)
		}
		time.Sleep(20 * time.Millisecond)
	}
	io.WriteString(stdin, secret+"\r")
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("configure: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("configure did not finish")
	}
	data, _ := os.ReadFile(typescript)
	if bytes.Contains(data, []byte(secret)) || strings.Contains(out.String(), secret) {
		t.Fatalf("the secret was echoed on the terminal:\n%q", data)
	}
	env, err := os.ReadFile(filepath.Join(repo, "packages", "amplication-server", ".env.local"))
	if err != nil || !bytes.Contains(env, []byte("BITBUCKET_CLIENT_SECRET="+secret)) {
		t.Fatalf("the server's .env.local did not get the secret (err %v):\n%s", err, env)
	}
}

// On Linux with no display and no BROWSER, no opener runs (xdg-open would start a text
// browser that takes over the terminal); the caller shows the URL instead.
func TestOpenBrowserHeadlessRunsNoOpener(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the headless rule is for X11/Wayland systems")
	}
	env := map[string]string{}
	a := &Factory{env: Env{Getenv: func(k string) string { return env[k] }}}
	err := a.authorizeOpenBrowser("http://127.0.0.1:1/site/oauth2/authorize")
	if err == nil || !strings.Contains(err.Error(), "no graphical session") {
		t.Fatalf("headless: err %v, want 'no graphical session'", err)
	}
	// BROWSER still works headless (a script, a text browser the operator chose).
	marker := filepath.Join(t.TempDir(), "opened")
	script := filepath.Join(t.TempDir(), "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$1\" > "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env["BROWSER"] = script
	if err := a.authorizeOpenBrowser("http://127.0.0.1:1/x"); err != nil {
		t.Fatalf("BROWSER=%s: %v", script, err)
	}
	if data, _ := os.ReadFile(marker); strings.TrimSpace(string(data)) != "http://127.0.0.1:1/x" {
		t.Fatalf("BROWSER got %q", data)
	}
}
