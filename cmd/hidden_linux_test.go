package cmd

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// openPTY is testkit.OpenPTY.
func openPTY(t *testing.T) (controller, tty *os.File) {
	t.Helper()
	controller, tty = testkit.OpenPTY(t)
	return controller, tty
}

// echoProbe is stderr for the hidden prompt: on every write it records whether the
// terminal echoes what is typed at that moment.
type echoProbe struct {
	tty, controller *os.File
	prompt          string // the prompt's words
	typed           string // typed the moment the prompt appears: the fastest typist
	mu              sync.Mutex
	out             strings.Builder
	// echoOnAtPrompt is set when the prompt was written while echo was still on: a fast
	// typist (or a paste) would have the secret shown.
	echoOnAtPrompt bool
}

func (p *echoProbe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if strings.Contains(string(b), p.prompt) {
		tio, err := unix.IoctlGetTermios(int(p.tty.Fd()), unix.TCGETS)
		if err != nil || tio.Lflag&unix.ECHO != 0 {
			p.echoOnAtPrompt = true
		}
		if _, err := p.controller.WriteString(p.typed + "\r"); err != nil {
			return 0, err
		}
	}
	return p.out.Write(b)
}

// TestHiddenPromptTurnsEchoOffBeforeThePrompt: the prompt invites typing, so echo must
// already be off when it appears; the secret typed right after it is read, and the
// terminal's echo is back on afterwards. The secret is typed the moment the prompt is
// written, before bbsetup starts reading: the kernel queues it, and it must be neither
// echoed nor lost. Deterministic: the terminal's mode is read at
// the moment the prompt is written, no timing involved.
func TestHiddenPromptTurnsEchoOffBeforeThePrompt(t *testing.T) {
	matrix.Record(t, "Hostile input", "the secret typed the instant the hidden prompt appears (a pty)", "echo is already off when the prompt is written; the secret is read, never echoed; echo back on after")
	controller, tty := openPTY(t)
	const secret = "typedSecretValue1234567890"
	probe := &echoProbe{tty: tty, controller: controller, prompt: "Paste the consumer's secret", typed: secret}
	a := &Factory{env: Env{Stdin: tty, StdinIsTerminal: true, Stderr: probe, Getenv: func(string) string { return "" }}}
	// What the terminal echoes goes to the controller; drain it so the terminal never blocks.
	echoed := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(controller)
		echoed <- string(b)
	}()
	got, err := a.configureSecret(context.Background(), configureOptions{secretStdin: true})
	if err != nil {
		t.Fatalf("configureSecret: %v", err)
	}
	if got != secret {
		t.Fatalf("read %q, want %q", got, secret)
	}
	if probe.echoOnAtPrompt {
		t.Fatalf("the prompt was written while the terminal still echoed typing:\n%s", probe.out.String())
	}
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil || tio.Lflag&unix.ECHO == 0 {
		t.Fatalf("echo is not back on after the prompt (err %v)", err)
	}
	tty.Close()
	if s := <-echoed; strings.Contains(s, secret) {
		t.Fatalf("the terminal echoed the secret: %q", s)
	}
}

// TestAmplicationPasswordPromptTurnsEchoOffFirst: the same for the Amplication password's
// hidden prompt; the password is read as typed (its spaces kept).
func TestAmplicationPasswordPromptTurnsEchoOffFirst(t *testing.T) {
	matrix.Record(t, "Hostile input", "the Amplication password typed the instant its hidden prompt appears (a pty)", "echo is already off when the prompt is written; the password is read as typed, never echoed")
	controller, tty := openPTY(t)
	const password = " pass word 42 "
	probe := &echoProbe{tty: tty, controller: controller, prompt: "Amplication password", typed: password}
	a := &Factory{env: Env{Stdin: tty, StdinIsTerminal: true, Stderr: probe, Getenv: func(string) string { return "" }}}
	echoed := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(controller)
		echoed <- string(b)
	}()
	got, err := a.ampPassword(context.Background(), &ampSession{}, ampSignIn{})
	if err != nil {
		t.Fatalf("ampPassword: %v", err)
	}
	if got != password {
		t.Fatalf("read %q, want %q", got, password)
	}
	if probe.echoOnAtPrompt {
		t.Fatalf("the prompt was written while the terminal still echoed typing:\n%s", probe.out.String())
	}
	tty.Close()
	if s := <-echoed; strings.Contains(s, "pass word") {
		t.Fatalf("the terminal echoed the password: %q", s)
	}
}
