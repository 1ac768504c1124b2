package envfile

import (
	"os"
	"path/filepath"
	"testing"
)

func fixtureFiles(t *testing.T) []string {
	t.Helper()
	a, _ := filepath.Glob("../../../shared/fixtures/amplication/*/*/*/.env")
	b, _ := filepath.Glob("../../../shared/fixtures/amplication/*/*/*/*/.env")
	all := append(a, b...)
	if len(all) != 4 {
		t.Fatalf("found %d fixture .env files under shared/fixtures/amplication, want 4", len(all))
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
