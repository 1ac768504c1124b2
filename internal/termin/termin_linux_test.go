package termin

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// openPTY is testkit.OpenPTY, with what the terminal echoes read and dropped.
func openPTY(t *testing.T) (controller, tty *os.File) {
	t.Helper()
	controller, tty = testkit.OpenPTY(t)
	go func() { _, _ = io.Copy(io.Discard, controller) }() // what the terminal echoes
	return controller, tty
}

func echoing(t *testing.T, tty *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// promptWriter records whether the terminal echoed at the moment the prompt was written,
// then types line, as the fastest typist would.
type promptWriter struct {
	t               *testing.T
	tty, controller *os.File
	line            string
	echoAtPrompt    bool
}

func (p *promptWriter) Write(b []byte) (int, error) {
	p.echoAtPrompt = p.echoAtPrompt || echoing(p.t, p.tty)
	if p.line != "" {
		if _, err := p.controller.WriteString(p.line); err != nil {
			return 0, err
		}
		p.line = ""
	}
	return len(b), nil
}

// ReadHidden: the echo is off when the prompt is written, the line comes back as typed
// without its line ending, and the terminal's mode is back as it was.
func TestReadHiddenEchoOffBeforeThePrompt(t *testing.T) {
	controller, tty := openPTY(t)
	w := &promptWriter{t: t, tty: tty, controller: controller, line: " pass word \r"}
	got, err := ReadHidden(context.Background(), tty.Fd(), w, "Password: ")
	if err != nil || got != " pass word " {
		t.Fatalf("ReadHidden = %q, %v", got, err)
	}
	if w.echoAtPrompt {
		t.Fatal("the prompt was written while the terminal still echoed")
	}
	if !echoing(t, tty) {
		t.Fatal("the echo is not back on")
	}
}

// A cancelled context ends the wait at once, the echo back on.
func TestReadHiddenEndsOnCancel(t *testing.T) {
	controller, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	w := &promptWriter{t: t, tty: tty, controller: controller}
	done := make(chan error, 1)
	go func() {
		_, err := ReadHidden(ctx, tty.Fd(), w, "Password: ")
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ReadHidden = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadHidden still waits 5 s after the cancel")
	}
	if !echoing(t, tty) {
		t.Fatal("the echo is not back on")
	}
}

// EchoControl turns only the echo off and on; a file that is not a terminal has none.
func TestEchoControl(t *testing.T) {
	_, tty := openPTY(t)
	echo := EchoControl(tty.Fd())
	if echo == nil {
		t.Fatal("no echo control for a terminal")
	}
	if err := echo(false); err != nil || echoing(t, tty) {
		t.Fatalf("echo(false) = %v; echoing %v", err, echoing(t, tty))
	}
	if err := echo(true); err != nil || !echoing(t, tty) {
		t.Fatalf("echo(true) = %v; echoing %v", err, echoing(t, tty))
	}
	f, err := os.CreateTemp(t.TempDir(), "plain")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if EchoControl(f.Fd()) != nil {
		t.Fatal("a plain file has an echo control")
	}
}

// UntilDone returns the read's result, or the context's error once it is done while the
// read still blocks (a pipe written by no one).
func TestUntilDone(t *testing.T) {
	got, err := UntilDone(context.Background(), func() (string, error) { return "line", nil })
	if got != "line" || err != nil {
		t.Fatalf("UntilDone = %q, %v", got, err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = UntilDone(ctx, func() (string, error) {
		b, err := io.ReadAll(pr)
		return strings.TrimSpace(string(b)), err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("UntilDone = %v, want the deadline", err)
	}
}
