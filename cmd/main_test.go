package cmd

import (
	"os"
	"testing"

	"github.com/bbsetup/bbsetup/internal/faultmatrix"
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
	code := faultmatrix.Wrap(m, matrix).Run()
	os.RemoveAll(state)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
