package line_test

import (
	"flag"
	"os"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

func TestMain(m *testing.M) {
	// The backups of the env files go to the user's state directory, which the adapter
	// takes from the process's environment (not from the Env a test gives cmd.Run): keep
	// them out of the real one, once for the whole run, so that tests need no t.Setenv and
	// can run side by side (each backs up its own checkout, in a directory of its own).
	state, err := os.MkdirTemp("", "bbsetup-line-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_STATE_HOME", state)
	flag.Parse()
	testkit.WidenParallel() // the end-to-end tests wait on polls and the emulators
	code := m.Run()
	os.RemoveAll(state)
	os.Exit(code)
}
