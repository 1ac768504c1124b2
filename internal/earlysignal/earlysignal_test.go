package earlysignal_test

import (
	"slices"
	"testing"

	"github.com/bbsetup/bbsetup/cmd"
	"github.com/bbsetup/bbsetup/internal/earlysignal"
)

// The signals caught during initialisation are the ones bbsetup stops on.
func TestSignalsAreCmds(t *testing.T) {
	if !slices.Equal(earlysignal.Signals, cmd.StopSignals()) {
		t.Errorf("earlysignal.Signals = %v, cmd's stop signals = %v", earlysignal.Signals, cmd.StopSignals())
	}
}
