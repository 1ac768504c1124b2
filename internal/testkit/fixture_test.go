package testkit

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The project's own fixtures are faithful copies of the reference files in
// ../shared/fixtures/amplication (checked when that directory is present).
func TestFixturesMatchShared(t *testing.T) {
	ref := RequireShared(t, "fixtures", "amplication")
	own := Testdata(t, "amplication")
	n := 0
	err := filepath.WalkDir(ref, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(p) == "README.md" {
			return err
		}
		rel, _ := filepath.Rel(ref, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(own, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("testdata/amplication/%s differs from the reference %s (%v)", rel, p, err)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("the reference has %d .env files, want 4", n)
	}
}

func TestAmplicationCheckout(t *testing.T) {
	for _, c := range []struct{ layout, pr string }{
		{"older", "packages/amplication-git-pull-request-service"},
		{"current", "ee/packages/git-sync-manager"},
	} {
		dir := AmplicationCheckout(t, c.layout)
		for _, f := range []string{"packages/amplication-server/.env", c.pr + "/.env"} {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
				t.Errorf("%s checkout lacks %s: %v", c.layout, f, err)
			}
		}
	}
}
