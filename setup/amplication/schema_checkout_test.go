package amplication

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckoutSchema reads a checkout's schema.graphql through both readers: the file
// missing, a directory in its place, a file too large, a schema that does not parse (the
// error names the file), and one that does.
func TestCheckoutSchema(t *testing.T) {
	write := func(t *testing.T, content string) (root, p string) {
		root = t.TempDir()
		p = filepath.Join(root, filepath.FromSlash(SchemaFile))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if content != "" {
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return root, p
	}
	check := func(t *testing.T, root string, wantErr func(error) bool, wantState bool, wantOverride OverrideMethod) {
		t.Helper()
		if ok, err := CheckoutHasState(root); ok != wantState || !wantErr(err) {
			t.Errorf("CheckoutHasState = %v, %v", ok, err)
		}
		if m, err := CheckoutOverrideMethod(root); m != wantOverride || !wantErr(err) {
			t.Errorf("CheckoutOverrideMethod = %v, %v", m, err)
		}
	}
	t.Run("missing", func(t *testing.T) {
		check(t, t.TempDir(), func(err error) bool { return errors.Is(err, fs.ErrNotExist) }, false, OverrideUnknown)
	})
	t.Run("a directory", func(t *testing.T) {
		root, p := write(t, "")
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		check(t, root, func(err error) bool { return err != nil && err.Error() == p+" is not a schema file" }, false, OverrideUnknown)
	})
	t.Run("too large", func(t *testing.T) {
		root, p := write(t, "type Query { a: String }")
		if err := os.Truncate(p, maxSchemaBytes+1); err != nil {
			t.Fatal(err)
		}
		check(t, root, func(err error) bool { return err != nil && err.Error() == p+" is not a schema file" }, false, OverrideUnknown)
	})
	t.Run("broken", func(t *testing.T) {
		root, p := write(t, "type {")
		check(t, root, func(err error) bool {
			return err != nil && strings.HasPrefix(err.Error(), p+": the schema does not parse")
		}, false, OverrideUnknown)
	})
	t.Run("v3.7 shape", func(t *testing.T) {
		root, _ := write(t, `input GitGetInstallationUrlInput { gitProvider: String state: String }
input ResourceUpdateInput { name: String gitRepositoryOverride: Boolean }
type Mutation { updateResource(data: ResourceUpdateInput): String }`)
		check(t, root, func(err error) bool { return err == nil }, true, OverrideByUpdate)
	})
}
