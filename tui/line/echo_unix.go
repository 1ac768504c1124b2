//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package line

import "golang.org/x/sys/unix"

// echoControl returns the function that turns the terminal fd's echo off and on again,
// or nil when fd is not a terminal. It keeps canonical mode and signals (ctrl+c) as they
// are: only the echo changes, as in cmd's hidden prompts.
func echoControl(fd uintptr) func(on bool) error {
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
			t.Lflag &^= unix.ECHO
			t.Lflag |= unix.ICANON | unix.ISIG
			t.Iflag |= unix.ICRNL
		}
		return unix.IoctlSetTermios(int(fd), ioctlSetTermios, t)
	}
}
