package envfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

func fixtureFiles(t *testing.T) []string {
	t.Helper()
	dir := testkit.Testdata(t, "amplication")
	a, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", ".env"))
	b, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", "*", ".env"))
	all := append(a, b...)
	if len(all) != 4 {
		t.Fatalf("found %d fixture .env files under testdata/amplication, want 4", len(all))
	}
	return all
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
