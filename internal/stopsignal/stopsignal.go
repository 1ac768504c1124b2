// Package stopsignal is how bbsetup stops on a signal: the signals that stop it
// (Signals, which internal/earlysignal subscribes to during initialisation), and what a
// first and a second one do (Watch): the first asks for an orderly stop, the second ends
// the process at once after the cleanups registered for that (Cleanups). bbsetup is their
// only owner: the wizard's Bubble Tea program installs no handler of its own.
//
// It has no init of its own, so importing it subscribes to nothing (unlike
// internal/earlysignal, which only package main imports).
package stopsignal

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Signals are the signals that stop bbsetup.
var Signals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// Subscription is a subscription to Signals: the channel they are delivered to, and the
// func that ends it. Package main makes one during initialisation (internal/earlysignal),
// so that a signal that arrives while bbsetup starts is not lost to Go's default action
// (a silent exit 143).
type Subscription struct {
	C    <-chan os.Signal
	Stop func()
}

// Watch takes the stop signals from sub (the zero Subscription: a new one, made now):
// the first one calls first (cancel the work: an orderly stop), a second one calls
// second (which ends the process). The returned func stops watching (once it returns,
// no signal calls first or second any more) and ends the subscription.
func Watch(sub Subscription, first, second func()) (stop func()) {
	if sub.C == nil {
		c := make(chan os.Signal, 2)
		signal.Notify(c, Signals...)
		sub = Subscription{C: c, Stop: func() { signal.Stop(c) }}
	}
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-sub.C:
			first()
		case <-done:
			return
		}
		select {
		case <-sub.C:
			second()
		case <-done:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-exited
			if sub.Stop != nil {
				sub.Stop()
			}
		})
	}
}

// Cleanups is what a forced exit (a second signal) still cleans up, by registration;
// safe for concurrent use. The zero value is empty.
type Cleanups struct {
	mu   sync.Mutex
	m    map[int]func()
	next int
}

// Add registers f and returns the func that removes it again.
func (c *Cleanups) Add(f func()) (remove func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int]func(){}
	}
	id := c.next
	c.next++
	c.m[id] = f
	return func() { c.mu.Lock(); delete(c.m, id); c.mu.Unlock() }
}

// Run calls every registered func (in no particular order). It holds the lock while they
// run: a forced exit follows, so nothing registers or removes meanwhile.
func (c *Cleanups) Run() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.m {
		f()
	}
}
