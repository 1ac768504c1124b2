//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package termin

import (
	"context"
	"fmt"
	"io"

	"github.com/charmbracelet/x/term"
)

// ReadHidden writes prompt to w and reads one line from the terminal fd without echo.
// A signal (ctx cancelled) ends the wait at once, echo back on; the read itself cannot
// be interrupted, so it is left to a goroutine that the process's exit ends.
func ReadHidden(ctx context.Context, fd uintptr, w io.Writer, prompt string) (string, error) {
	st, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	fmt.Fprint(w, prompt)
	type read struct {
		b   []byte
		err error
	}
	got := make(chan read, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		got <- read{b, err}
	}()
	select {
	case r := <-got:
		return string(r.b), r.err
	case <-ctx.Done():
		_ = term.Restore(fd, st)
		return "", ctx.Err()
	}
}

// EchoControl: no way to turn the echo off is known here; the line mode's hidden prompts
// then refuse to read a secret from a terminal.
func EchoControl(uintptr) func(on bool) error { return nil }
