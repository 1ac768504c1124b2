package amplication_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/bbsetup/bbsetup/internal/testkit"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

// subsetProblems lists every type, field, argument, input field and enum value of mine
// that real lacks or types differently, and every required argument or input field of
// real that mine lacks (a document valid for the emulator must be valid for the server).
func subsetProblems(mine, real *ast.Schema) []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, sprintf(format, a...)) }
	for name, d := range mine.Types {
		if d.BuiltIn {
			continue
		}
		r := real.Types[name]
		if r == nil {
			add("type %s is not in the real schema", name)
			continue
		}
		if d.Kind != r.Kind {
			add("type %s is %s, real %s", name, d.Kind, r.Kind)
			continue
		}
		switch d.Kind {
		case ast.Object, ast.Interface:
			for _, f := range d.Fields {
				if strings.HasPrefix(f.Name, "__") {
					continue
				}
				rf := r.Fields.ForName(f.Name)
				if rf == nil {
					add("field %s.%s is not in the real schema", name, f.Name)
					continue
				}
				if f.Type.String() != rf.Type.String() {
					add("field %s.%s is %s, real %s", name, f.Name, f.Type, rf.Type)
				}
				for _, a := range f.Arguments {
					ra := rf.Arguments.ForName(a.Name)
					if ra == nil {
						add("argument %s.%s(%s) is not in the real schema", name, f.Name, a.Name)
					} else if a.Type.String() != ra.Type.String() {
						add("argument %s.%s(%s) is %s, real %s", name, f.Name, a.Name, a.Type, ra.Type)
					}
				}
				for _, ra := range rf.Arguments {
					if ra.Type.NonNull && ra.DefaultValue == nil && f.Arguments.ForName(ra.Name) == nil {
						add("required argument %s.%s(%s) is missing", name, f.Name, ra.Name)
					}
				}
			}
		case ast.InputObject:
			for _, f := range d.Fields {
				rf := r.Fields.ForName(f.Name)
				if rf == nil {
					add("input field %s.%s is not in the real schema", name, f.Name)
				} else if f.Type.String() != rf.Type.String() {
					add("input field %s.%s is %s, real %s", name, f.Name, f.Type, rf.Type)
				}
			}
			for _, rf := range r.Fields {
				if rf.Type.NonNull && rf.DefaultValue == nil && d.Fields.ForName(rf.Name) == nil {
					add("required input field %s.%s is missing", name, rf.Name)
				}
			}
		case ast.Enum:
			for _, v := range d.EnumValues {
				if r.EnumValues.ForName(v.Name) == nil {
					add("enum value %s.%s is not in the real schema", name, v.Name)
				}
			}
		}
	}
	for _, op := range []struct {
		name    string
		mine, r *ast.Definition
	}{{"query", mine.Query, real.Query}, {"mutation", mine.Mutation, real.Mutation}} {
		if op.mine != nil && (op.r == nil || op.mine.Name != op.r.Name) {
			add("the %s root type differs", op.name)
		}
	}
	return out
}

func TestSDLIsSubsetOfRealSchema(t *testing.T) {
	for _, c := range []struct{ gen, file string }{
		{ampemu.SchemaV3, "schema-v3.14.0-29.graphql"},
		{ampemu.SchemaV36, "schema-v3.6.2.graphql"},
		{ampemu.SchemaV1, "schema-v1.10.0.graphql"},
	} {
		t.Run(c.gen, func(t *testing.T) {
			p := testkit.RequireShared(t, "amplication", c.file)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			real, err := gqlparser.LoadSchema(&ast.Source{Name: c.file, Input: string(data)})
			if err != nil {
				t.Fatalf("the real schema: %v", err)
			}
			mine, err := gqlparser.LoadSchema(&ast.Source{Name: "emulator " + c.gen, Input: ampemu.SDL(c.gen)})
			if err != nil {
				t.Fatalf("the emulator's SDL: %v", err)
			}
			for _, p := range subsetProblems(mine, real) {
				t.Error(p)
			}
			// The checker can fail on the real files: v3's SDL (with `state`) is not a subset of v1.10.0.
			if c.gen == ampemu.SchemaV1 {
				v3, err := gqlparser.LoadSchema(&ast.Source{Input: ampemu.SDL(ampemu.SchemaV3)})
				if err != nil {
					t.Fatal(err)
				}
				got := strings.Join(subsetProblems(v3, real), "\n")
				for _, want := range []string{"input field GitGetInstallationUrlInput.state is not in the real schema",
					"input field GitOAuth2FlowInput.state is not in the real schema",
					"argument Mutation.disconnectResourceGitRepository(overrideProjectSettings) is not in the real schema"} {
					if !strings.Contains(got, want) {
						t.Errorf("v3 SDL against %s: want %q among:\n%s", c.file, want, got)
					}
				}
			}
		})
	}
}

func TestSubsetCheckerCatches(t *testing.T) {
	real, err := gqlparser.LoadSchema(&ast.Source{Input: `
type Query { a(x: Int, y: String!): String! b: [Int!] }
input I { p: String! q: Int }
enum E { ONE TWO }`})
	if err != nil {
		t.Fatal(err)
	}
	for doc, want := range map[string]string{
		`type Query { a(y: String!): String }`:                   "field Query.a is String, real String!",
		`type Query { a(x: String, y: String!): String! }`:       "argument Query.a(x) is String, real Int",
		`type Query { a: String! }`:                              "required argument Query.a(y) is missing",
		`type Query { c: Int }`:                                  "field Query.c is not in the real schema",
		`type Query { b: [Int!] } input I { q: Int }`:            "required input field I.p is missing",
		`type Query { b: [Int!] } input I { p: String! r: Int }`: "input field I.r is not in the real schema",
		`type Query { b: [Int!] } enum E { ONE THREE }`:          "enum value E.THREE is not in the real schema",
		`type Query { b: [Int!] } type Z { z: Int }`:             "type Z is not in the real schema",
		`type Query { b: [Int!] } input E { z: Int }`:            "type E is INPUT_OBJECT, real ENUM",
	} {
		mine, err := gqlparser.LoadSchema(&ast.Source{Input: doc})
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		got := subsetProblems(mine, real)
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: %q, want [%q]", doc, got, want)
		}
	}
}
