package testkit

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
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

func TestUnusedPortIsFreeOutsideTheEphemeralRangeAndGivenOnce(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p := UnusedPort(t)
		if p < 20000 || p > 32767 || seen[p] {
			t.Fatalf("port %d (given before: %v)", p, seen[p])
		}
		seen[p] = true
		ln, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Fatalf("port %d is not free: %v", p, err)
		}
		ln.Close()
	}
}
