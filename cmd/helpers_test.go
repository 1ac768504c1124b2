package cmd

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// copyTree copies the directory src (relative to the cmd package, e.g. a fixture or the
// demo checkout) into a new temporary directory and returns it.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
	return dst
}

// demoCheckout is a temporary copy of the demo's scratch checkout (the current layout).
func demoCheckout(t *testing.T) string {
	t.Helper()
	return copyTree(t, filepath.Join("..", "setup", "emulator", "demo", "checkout"))
}
