// Package earlysignal subscribes to bbsetup's stop signals while the program is still
// being initialised, long before main runs: Go's runtime kills a program that receives
// SIGTERM, SIGINT or SIGHUP before it has asked for them, silently (exit 143 for
// SIGTERM), and initialising bbsetup's packages takes some 20 ms. Go initialises
// packages in the order of their import paths as soon as their imports are ready, so
// this one, which needs only os/signal and internal/stopsignal's list (no init of its
// own), runs within the first 2 ms.
//
// Only package main imports it: a test binary that imported it would swallow Ctrl+C.
//
// What remains: a signal in the first moments after exec, before Go's runtime has set up
// its signal handling and initialised os/signal and this package (about 1–4 ms, longer
// on a loaded machine), still ends the process at once without a word. No Go program can
// close that window.
package earlysignal

import (
	"os"
	"os/signal"

	"github.com/bbsetup/bbsetup/internal/stopsignal"
)

// caught holds the signals from init on, until Stop; two are enough (the second one ends
// bbsetup at once).
var caught = make(chan os.Signal, 2)

func init() {
	signal.Notify(caught, stopsignal.Signals...)
}

// Caught is the channel the stop signals (stopsignal.Signals) have been delivered to since initialisation.
func Caught() <-chan os.Signal { return caught }

// Stop ends the delivery (the signals' default actions apply again).
func Stop() { signal.Stop(caught) }
