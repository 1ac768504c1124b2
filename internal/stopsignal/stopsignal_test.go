package stopsignal

import (
	"os"
	"slices"
	"syscall"
	"testing"
	"time"
)

// wait waits (bounded) for c to be closed or sent to.
func wait(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: not within 5 s", what)
	}
}

// The first signal calls first, the second calls second; stop ends the subscription.
func TestWatchFirstThenSecond(t *testing.T) {
	c := make(chan os.Signal, 2)
	stopped := false
	firstC, secondC := make(chan struct{}), make(chan struct{})
	stop := Watch(Subscription{C: c, Stop: func() { stopped = true }}, func() { close(firstC) }, func() { close(secondC) })
	c <- syscall.SIGTERM
	wait(t, firstC, "the first signal's call")
	select {
	case <-secondC:
		t.Fatal("one signal made the second call")
	default:
	}
	c <- syscall.SIGTERM
	wait(t, secondC, "the second signal's call")
	stop()
	stop() // twice is harmless
	if !stopped {
		t.Fatal("stop did not end the subscription")
	}
}

// After stop, a signal calls nothing.
func TestWatchStop(t *testing.T) {
	c := make(chan os.Signal, 2)
	called := make(chan struct{}, 2)
	stop := Watch(Subscription{C: c}, func() { called <- struct{}{} }, func() { called <- struct{}{} })
	stop()
	c <- syscall.SIGTERM
	select {
	case <-called:
		t.Fatal("a signal after stop was acted on")
	case <-time.After(100 * time.Millisecond):
	}
}

// Cleanups runs what is registered and not removed.
func TestCleanups(t *testing.T) {
	var c Cleanups
	var ran []string
	c.Add(func() { ran = append(ran, "a") })
	remove := c.Add(func() { ran = append(ran, "b") })
	c.Add(func() { ran = append(ran, "c") })
	remove()
	c.Run()
	slices.Sort(ran)
	if !slices.Equal(ran, []string{"a", "c"}) {
		t.Fatalf("ran %q, want a and c", ran)
	}
}
