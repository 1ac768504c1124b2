package amplication

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// SchemaFile is where a checkout keeps the server's generated schema.
const SchemaFile = "packages/amplication-server/src/schema.graphql"

// maxSchemaBytes bounds the schema file read (the real ones are under 100 KB).
const maxSchemaBytes = 8 << 20

// SchemaHasState reads the schema SDL in data and reports whether its
// GitGetInstallationUrlInput has a `state` field (v3.5.0 on).
func SchemaHasState(data []byte) (bool, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "schema.graphql", Input: string(data)})
	if err != nil {
		return false, fmt.Errorf("the schema does not parse: %w", err)
	}
	for _, def := range doc.Definitions {
		if def.Name != "GitGetInstallationUrlInput" || def.Kind != ast.InputObject {
			continue
		}
		return def.Fields.ForName("state") != nil, nil
	}
	return false, fmt.Errorf("the schema has no GitGetInstallationUrlInput")
}

// CheckoutHasState reads SchemaFile in the checkout at root; see SchemaHasState.
func CheckoutHasState(root string) (bool, error) {
	return readCheckoutSchema(root, SchemaHasState)
}

// readCheckoutSchema reads SchemaFile in the checkout at root (a regular file of at most
// maxSchemaBytes) with read; a failure of read names the file. On any failure it returns
// T's zero value.
func readCheckoutSchema[T any](root string, read func([]byte) (T, error)) (T, error) {
	var zero T
	p := filepath.Join(root, filepath.FromSlash(SchemaFile))
	fi, err := os.Stat(p)
	if err != nil {
		return zero, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxSchemaBytes {
		return zero, fmt.Errorf("%s is not a schema file", p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return zero, err
	}
	v, err := read(data)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", p, err)
	}
	return v, nil
}
