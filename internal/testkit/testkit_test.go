package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestModuleRootAndShared(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("ModuleRoot %s has no go.mod", root)
	}
	p, err := SharedPath("spec", "x.json")
	if err != nil || p != filepath.Join(filepath.Dir(root), "shared", "spec", "x.json") {
		t.Fatalf("SharedPath = %q, %v", p, err)
	}
}
