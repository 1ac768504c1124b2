//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package cmd

import (
	"bytes"
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
	type read struct {
		line string
		err  error
	}
	got := make(chan read, 1)
	go func() {
		line, err := readTerminalLine(int(fd))
		got <- read{line, err}
	}()
	select {
	case r := <-got:
		restore()
		return r.line, r.err
	case <-ctx.Done():
		restore()
		return "", ctx.Err()
	}
}

// readTerminalLine reads from a terminal in canonical mode up to the end of the line
// (or end of input), at most 64 KiB.
func readTerminalLine(fd int) (string, error) {
	var line []byte
	buf := make([]byte, 1024)
	for len(line) < 64<<10 {
		n, err := unix.Read(fd, buf)
		if n > 0 {
			line = append(line, buf[:n]...)
			if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
				return string(line[:i]), nil
			}
		}
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return string(line), err
		}
		if n == 0 {
			return string(line), nil // end of input (Ctrl+D on an empty line)
		}
	}
	return string(line), nil
}
