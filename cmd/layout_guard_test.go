package cmd

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

var (
	// A flag named in words: "--repo DIR", "(--api-url)", or a literal that is just a flag.
	cliFlagWords = regexp.MustCompile(`(^|[\s("'])--[a-z][a-z-]+`)
	// A command named in words: "run bbsetup check", "bbsetup configure --client-id".
	cliCommandWords = regexp.MustCompile(`\bbbsetup (check|configure|authorize|workspaces|repos|projects|wizard|demo|emulator|amplication|completion|version)\b`)
)

// cliWords returns "file:line: text" of every string literal in the Go source src that
// names a bbsetup flag or command, apart from the arguments of exec.Command (another
// program's flags).
func cliWords(fset *token.FileSet, name string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	execArgs := map[token.Pos]bool{}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Command") {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "exec" {
					for _, a := range c.Args {
						execArgs[a.Pos()] = true
					}
				}
			}
		}
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING || execArgs[lit.Pos()] {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		if cliFlagWords.MatchString(s) || cliCommandWords.MatchString(s) {
			out = append(out, fset.Position(lit.Pos()).String()+": "+s)
		}
		return true
	})
	return out, nil
}

// TestSetupNamesNoCLIFlags (issue 13 item 4): the library packages under setup/ speak in
// the product's words ("check the API URL", "write the key and secret"); what names a
// flag or a command belongs to cmd/ (cliAdvice) and tui/. The emulators are tools of
// their own and may name their flags.
func TestSetupNamesNoCLIFlags(t *testing.T) {
	fset := token.NewFileSet()
	probe := "package p\nvar a = \"check --api-url\"\nvar b = \"run bbsetup check\"\nvar c = \"fine words\"\nfunc f() { exec.Command(\"git\", \"--stdin\") }\n"
	if found, err := cliWords(fset, "probe.go", []byte(probe)); err != nil || len(found) != 2 {
		t.Fatalf("the detector found %v (err %v) in a probe, want the 2 CLI words", found, err)
	}
	// What bbsetup writes into the operator's .env.local names the command that checks it:
	// that is the file's content, not an error or hint of the library.
	allowed := map[string]bool{"Bitbucket OAuth consumer (written by bbsetup; check with: bbsetup check)": true}

	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(filepath.Join(root, "setup"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == filepath.Join("setup", "emulator") {
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
		found, err := cliWords(fset, rel, src)
		if err != nil {
			return err
		}
		checked++
		for _, w := range found {
			if i := strings.Index(w, ": "); i >= 0 && allowed[w[i+2:]] {
				continue
			}
			t.Errorf("%s\n\tsetup/ names a CLI flag or command: say it in the product's words and let cmd/ add the flag (cliAdvice)", w)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d files under setup/ were checked", checked)
	}
}
