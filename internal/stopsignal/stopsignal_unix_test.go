//go:build unix

package stopsignal

import (
	"syscall"
	"testing"
)

// The zero Subscription subscribes to Signals itself: a real SIGHUP sent to this process
// is caught (not the default action, which would end the test binary).
func TestWatchSubscribes(t *testing.T) {
	firstC := make(chan struct{})
	stop := Watch(Subscription{}, func() { close(firstC) }, func() {})
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	wait(t, firstC, "the first signal's call")
}
