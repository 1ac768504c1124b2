package cmd

import (
	"os"
	"os/signal"
)

// EarlySignals is a subscription to the stop signals made before Main runs (package
// main's internal/earlysignal, during initialisation): the channel, and the func that ends
// it. Main takes the signals from it instead of subscribing itself, so a signal that
// arrives while bbsetup starts is not lost to Go's default action (a silent exit 143).
type EarlySignals struct {
	C    <-chan os.Signal
	Stop func()
}

// mainSignals is the channel Main takes the stop signals from, and the func that ends the
// subscription: early's when given, else a new subscription.
func mainSignals(early []EarlySignals) (<-chan os.Signal, func()) {
	if len(early) > 0 && early[0].C != nil {
		stop := early[0].Stop
		if stop == nil {
			stop = func() {}
		}
		return early[0].C, stop
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, stopSignals...)
	return sigs, func() { signal.Stop(sigs) }
}

// StopSignals are the signals that stop bbsetup (for internal/earlysignal's test).
func StopSignals() []os.Signal { return append([]os.Signal(nil), stopSignals...) }
