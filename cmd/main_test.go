package cmd

import (
	"flag"
	"os"
	"testing"

	"github.com/bbsetup/bbsetup/internal/faultmatrix"
	"github.com/bbsetup/bbsetup/internal/testkit"
)

// matrix is the cmd package's section of docs/fault-matrix (CLI faults and secrets).
var matrix = faultmatrix.New("cmd", "Command line: faults and secrets (cmd)")

func TestMain(m *testing.M) {
	// Backups go to the user's state directory: keep the tests' (and those of the
	// binaries they start) out of the real one.
	state, err := os.MkdirTemp("", "bbsetup-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_STATE_HOME", state)
	// A whole run needs the built binary: link it beside the in-process tests rather than
	// inside the first test that needs it.
	flag.Parse()
	testkit.WidenParallel() // the end-to-end tests wait more than they compute
	early := false
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "" && !testing.Short() {
		early = true
		go buildOnce()
	}
	code := faultmatrix.Wrap(m, matrix).Run()
	os.RemoveAll(state)
	if early {
		buildOnce() // returns once the early build has ended
	}
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
