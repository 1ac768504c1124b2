package tui

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/bbsetup/bbsetup/internal/faultmatrix"
)

// matrix is the tui package's section of docs/fault-matrix (the terminal rows).
var matrix = faultmatrix.New("tui", "Terminal: the wizard's screens (tui)")

// TestMain fails the package when a test leaves goroutines behind (a listing stream or a
// backend call outliving its step's context, say). teatest's own SIGINT watcher is the one
// goroutine that legitimately stays.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(faultmatrix.Wrap(m, matrix),
		goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"),
	)
}
