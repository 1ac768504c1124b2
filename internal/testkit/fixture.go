package testkit

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Testdata is the path of rel inside the module's own testdata/ directory (committed with
// the project, so present in every clone).
func Testdata(t testing.TB, rel ...string) string {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{root, "testdata"}, rel...)...)
}

// CopyTree copies the directory src into a new temporary directory and returns it. Files
// are written 0644 and directories 0755, whatever the source's modes.
func CopyTree(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
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

// AmplicationCheckout is a temporary copy of testdata/amplication/<layout> ("older" or
// "current"): an Amplication checkout with the real committed .env files and no .env.local.
func AmplicationCheckout(t testing.TB, layout string) string {
	t.Helper()
	return CopyTree(t, Testdata(t, "amplication", layout))
}
