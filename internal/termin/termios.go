//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package termin

import (
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// quiet is t with the echo off; canonical mode and signals (ctrl+c) stay on, and a
// carriage return still ends the line.
func quiet(t unix.Termios) *unix.Termios {
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	t.Iflag |= unix.ICRNL
	return &t
}

// ReadHidden turns the terminal fd's echo off, then writes prompt to w, then reads one
// line (returned as typed, without its line ending): the prompt invites typing, so nothing typed after it appears can be echoed. A
// signal (ctx cancelled) ends the wait at once, echo back on; the read itself cannot be
// interrupted, so it is left to a goroutine that the process's exit ends.
func ReadHidden(ctx context.Context, fd uintptr, w io.Writer, prompt string) (string, error) {
	old, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios)
	if err != nil {
		return "", err
	}
	if err := unix.IoctlSetTermios(int(fd), ioctlSetTermios, quiet(*old)); err != nil {
		return "", err
	}
	restore := func() { _ = unix.IoctlSetTermios(int(fd), ioctlSetTermios, old) }
	fmt.Fprint(w, prompt)
	return awaitLine(ctx, func() (string, error) { return readLine(readTerminal(int(fd))) }, restore)
}

// readTerminal reads from a terminal in canonical mode, trying again when a signal
// interrupts the read.
func readTerminal(fd int) func([]byte) (int, error) {
	return func(b []byte) (int, error) {
		for {
			n, err := unix.Read(fd, b)
			if !errors.Is(err, unix.EINTR) {
				return n, err
			}
		}
	}
}

// EchoControl returns the function that turns the terminal fd's echo off and on again,
// or nil when fd is not a terminal. It keeps canonical mode and signals (ctrl+c) as they
// are: only the echo changes, as in ReadHidden.
func EchoControl(fd uintptr) func(on bool) error {
	if _, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios); err != nil {
		return nil
	}
	return func(on bool) error {
		t, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios)
		if err != nil {
			return err
		}
		if on {
			t.Lflag |= unix.ECHO
		} else {
			t = quiet(*t)
		}
		return unix.IoctlSetTermios(int(fd), ioctlSetTermios, t)
	}
}
