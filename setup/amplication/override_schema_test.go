package amplication

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// wantOverride is how each real server marks the override (read from Amplication's
// source: overrideProjectSettings came in v3.7.0; gitRepositoryOverride left
// ResourceUpdateInput later).
var wantOverride = map[string]OverrideMethod{"v1.10.0": OverrideByUpdate, "v3.6.2": OverrideByUpdate, "v3.14.0-29": OverrideByDisconnect}

// TestSchemaOverrideMethodOnRealSchemas reads the method from each real schema file, as
// bbsetup does with a checkout's schema.graphql, also through CheckoutOverrideMethod.
func TestSchemaOverrideMethodOnRealSchemas(t *testing.T) {
	for _, tag := range schemaTags {
		data, err := os.ReadFile(testkit.RequireShared(t, "amplication", "schema-"+tag+".graphql"))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := SchemaOverrideMethod(data); err != nil || got != wantOverride[tag] {
			t.Errorf("%s: SchemaOverrideMethod = %v, %v; want %v", tag, got, err, wantOverride[tag])
		}
		root := t.TempDir()
		p := filepath.Join(root, filepath.FromSlash(SchemaFile))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := CheckoutOverrideMethod(root); err != nil || got != wantOverride[tag] {
			t.Errorf("%s: CheckoutOverrideMethod = %v, %v", tag, got, err)
		}
	}
	if _, err := SchemaOverrideMethod([]byte("type {")); err == nil {
		t.Error("a broken schema was read")
	}
	if m, err := SchemaOverrideMethod([]byte("type Query { a: String }")); err == nil || m != OverrideUnknown {
		t.Errorf("a schema without either type: %v %v", m, err)
	}
}

// introspect answers GitOverrideSupport the way a server with schema s would.
func introspect(s *ast.Schema) string {
	type arg struct {
		Name string `json:"name"`
	}
	type field struct {
		Name string `json:"name"`
		Args []arg  `json:"args"`
	}
	var out struct {
		Mutation *struct {
			Fields []field `json:"fields"`
		} `json:"mutation"`
		Update *struct {
			InputFields []arg `json:"inputFields"`
		} `json:"update"`
	}
	if m := s.Types["Mutation"]; m != nil {
		out.Mutation = &struct {
			Fields []field `json:"fields"`
		}{}
		for _, f := range m.Fields {
			fl := field{Name: f.Name, Args: []arg{}}
			for _, a := range f.Arguments {
				fl.Args = append(fl.Args, arg{a.Name})
			}
			out.Mutation.Fields = append(out.Mutation.Fields, fl)
		}
	}
	if u := s.Types["ResourceUpdateInput"]; u != nil {
		out.Update = &struct {
			InputFields []arg `json:"inputFields"`
		}{}
		for _, f := range u.Fields {
			out.Update.InputFields = append(out.Update.InputFields, arg{f.Name})
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// TestOverrideSupportOnRealSchemas asks each real schema's introspection answer and checks
// that the document of the method found is valid on that schema.
func TestOverrideSupportOnRealSchemas(t *testing.T) {
	schemas := realSchemas(t)
	for _, tag := range schemaTags {
		rc := &recorder{data: map[string]string{"GitOverrideSupport": introspect(schemas[tag])}}
		srv := httptest.NewServer(rc)
		c, err := New(srv.URL, srv.Client(), Options{MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.OverrideSupport(context.Background())
		srv.Close()
		if err != nil || got != wantOverride[tag] {
			t.Errorf("%s: OverrideSupport = %v, %v; want %v", tag, got, err, wantOverride[tag])
		}
		d := map[OverrideMethod]*Document{OverrideByDisconnect: docOverrideByDisconnect, OverrideByUpdate: docOverrideByUpdate}[got]
		found := false
		for _, s := range servers(d.Variant) {
			found = found || s == tag
		}
		if !found {
			t.Errorf("%s: %s is not for this server", tag, d.Name)
		}
	}
}

func TestProjectsOnDemoRepo(t *testing.T) {
	rc := &recorder{data: map[string]string{"ProjectsDemoRepo": `{"projects":[{"id":"p1","name":"Shop","useDemoRepo":true},{"id":"p2","name":"Internal","useDemoRepo":false}]}`}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	c, err := New(srv.URL, srv.Client(), Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ProjectsOnDemoRepo(context.Background(), c)
	if err != nil || len(got) != 1 || got[0].ID != "p1" || got[0].Name != "Shop" {
		t.Fatalf("%+v, %v", got, err)
	}
}
