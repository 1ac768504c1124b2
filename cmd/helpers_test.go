package cmd

import (
	"path/filepath"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// copyTree copies the directory src (relative to the cmd package, e.g. the demo checkout)
// into a new temporary directory and returns it.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	return testkit.CopyTree(t, src)
}

// demoCheckout is a temporary copy of the demo's scratch checkout (the current layout).
func demoCheckout(t *testing.T) string {
	t.Helper()
	return copyTree(t, filepath.Join("..", "setup", "emulator", "demo", "checkout"))
}
