//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// readHidden turns the terminal fd's echo off, then writes prompt to w, then reads one
// line (returned as typed, without its line ending): the prompt invites typing, so nothing typed after it appears can be echoed. A
// signal (ctx cancelled) ends the wait at once, echo back on; the read itself cannot be
// interrupted, so it is left to a goroutine that the process's exit ends.
func readHidden(ctx context.Context, fd uintptr, w io.Writer, prompt string) (string, error) {
	old, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios)
	if err != nil {
		return "", err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(int(fd), ioctlSetTermios, &quiet); err != nil {
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
