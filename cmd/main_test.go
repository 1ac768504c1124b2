package cmd

import (
	"os"
	"testing"

	"github.com/bbsetup/bbsetup/internal/faultmatrix"
)

// matrix is the cmd package's section of docs/fault-matrix (CLI faults and secrets).
var matrix = faultmatrix.New("cmd", "Command line: faults and secrets (cmd)")

func TestMain(m *testing.M) {
	os.Exit(faultmatrix.Wrap(m, matrix).Run())
}
