//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package testkit

import (
	"os"
	"testing"

	"github.com/creack/pty"
)

// OpenPTY opens a pseudo-terminal pair for t: the controller (what a terminal emulator
// holds) and the terminal itself (what bbsetup's stdin would be); both are closed when t
// ends. Without pseudo-terminals the test is skipped, saying so.
func OpenPTY(t testing.TB) (controller, tty *os.File) {
	t.Helper()
	controller, tty, err := pty.Open()
	if err != nil {
		t.Skipf("SKIPPED: no pseudo-terminals here (%v)", err)
	}
	t.Cleanup(func() { controller.Close(); tty.Close() })
	return controller, tty
}
