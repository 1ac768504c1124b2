package cmd

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// controlsCalls returns "file:line" of every call X.Controls() in the Go source src: the
// accessor of the Bitbucket emulator's test-only controls (fault plan, token expiry,
// latency changes, request log).
func controlsCalls(fset *token.FileSet, name string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && len(c.Args) == 0 {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Controls" {
				out = append(out, fset.Position(c.Pos()).String())
			}
		}
		return true
	})
	return out, nil
}

// TestCommandsUseNoEmulatorControls: the product's code (main.go, cmd/, tui/, setup/ apart
// from the emulator itself) never reaches the emulator's test-only controls, so the emulator
// `bbsetup emulator` and `bbsetup demo` serve cannot be broken on purpose. Tests, internal/
// (test support) and bench/ may use them.
func TestCommandsUseNoEmulatorControls(t *testing.T) {
	fset := token.NewFileSet()
	found, err := controlsCalls(fset, "probe.go", []byte("package p\nfunc f() { srv.Controls().SetFaults() }\n"))
	if err != nil || len(found) != 1 {
		t.Fatalf("the detector missed a Controls() call in a probe: %v, %v", found, err)
	}

	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	skip := map[string]bool{"internal": true, "bench": true, "testdata": true, "docs": true,
		filepath.Join("setup", "emulator", "bitbucket"): true}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if skip[rel] || (rel != "." && strings.HasPrefix(d.Name(), ".")) || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		calls, err := controlsCalls(fset, rel, src)
		if err != nil {
			return err
		}
		checked++
		for _, c := range calls {
			t.Errorf("%s: product code calls the emulator's test-only Controls(); a command that needs a control should get a product-level option instead", c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Errorf("only %d product files checked under %s: the walk is broken", checked, root)
	}
}
