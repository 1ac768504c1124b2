package bitbucket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// hostile holds what a hostile server puts in every string: an OSC that retitles the
// window, a CSI that clears the screen, every bidi override and isolate (U+202A–U+202E,
// U+2066–U+2069), a C1 CSI, a tab and a newline, and at the end every C1 control
// (U+0080–U+009F). Cleaned, it reads hostileLine (hostileBlock keeping the line break).
const hostile = "Ac\x1b]0;pwned\x07me\x1b[2J \u202e\u2066Na\u202a\u202b\u202c\u202d\u2067\u2068\u2069me\u009b31m\tA\nB" +
	"\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f" +
	"\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f"

const (
	hostileLine  = "Acme Name A B"
	hostileBlock = "Acme Name A\nB"
)

// unsafeRune reports a rune the terminal would act on rather than show (newline aside).
func unsafeRune(r rune) bool {
	return (r < 0x20 && r != '\n') || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) ||
		(r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// assertClean fails for every string reachable from v (fields, slices, pointers) that
// holds a rune the terminal would act on; a newline only where multiLine allows it.
func assertClean(t *testing.T, what string, v any, multiLine func(field string) bool) {
	t.Helper()
	var walk func(path string, rv reflect.Value)
	walk = func(path string, rv reflect.Value) {
		switch rv.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !rv.IsNil() {
				walk(path, rv.Elem())
			}
		case reflect.Struct:
			for i := range rv.NumField() {
				if rv.Type().Field(i).IsExported() {
					walk(path+"."+rv.Type().Field(i).Name, rv.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range rv.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), rv.Index(i))
			}
		case reflect.String:
			s := rv.String()
			for _, r := range s {
				if unsafeRune(r) || (r == '\n' && (multiLine == nil || !multiLine(path))) {
					t.Errorf("%s%s holds %U: %q", what, path, r, s)
					return
				}
			}
		}
	}
	walk("", reflect.ValueOf(v))
}

// TestHostileValuesArriveClean: every string Bitbucket's answers put into the client's
// types, and every server message in its errors, arrives terminal-safe (only a
// repository's description keeps its line breaks), while the printable text survives.
func TestHostileValuesArriveClean(t *testing.T) {
	h, _ := json.Marshal(hostile)
	q := string(h) // hostile as a JSON string, quotes included
	repo := `{"slug":` + q + `,"name":` + q + `,"full_name":` + q + `,"uuid":` + q + `,"description":` + q +
		`,"project":{"key":` + q + `},"links":{"html":{"href":` + q + `},"clone":[{"name":"https","href":` + q + `},{"name":"ssh","href":` + q + `}]}}`
	_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		p := strings.TrimPrefix(r.URL.Path, "/2.0")
		switch {
		case p == "/user":
			fmt.Fprintf(w, `{"uuid":%[1]s,"account_id":%[1]s,"display_name":%[1]s,"nickname":%[1]s,"username":%[1]s}`, q)
		case p == "/user/workspaces":
			fmt.Fprintf(w, `{"values":[{"administrator":true,"workspace":{"slug":"acme\u202e","uuid":%s}}],"size":1}`, q)
		case p == "/workspaces/acme/projects":
			fmt.Fprintf(w, `{"values":[{"key":%[1]s,"name":%[1]s,"uuid":%[1]s}],"size":1}`, q)
		case strings.HasPrefix(p, "/workspaces/acme"):
			fmt.Fprintf(w, `{"name":%[1]s,"uuid":%[1]s,"links":{"html":{"href":%[1]s}}}`, q)
		case p == "/repositories/acme" && r.Method == http.MethodGet:
			fmt.Fprintf(w, `{"values":[%s],"size":1}`, repo)
		case p == "/repositories/acme/made":
			fmt.Fprint(w, repo)
		case p == "/repositories/scopes":
			w.WriteHeader(403)
			fmt.Fprintf(w, `{"type":"error","error":{"message":%[1]s,"detail":{"required":[%[1]s],"granted":[%[1]s]}}}`, q)
		case p == "/repositories/gone":
			w.WriteHeader(410)
			fmt.Fprintf(w, `{"type":"error","error":{"message":%s}}`, q)
		case p == "/repositories/token":
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":"invalid_token","error_description":%s}`, q)
		default:
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"type":"error","error":{"message":%[1]s,"detail":%[1]s}}`, q)
		}
	})
	ctx := context.Background()
	descOnly := func(field string) bool { return strings.HasSuffix(field, ".Description") }

	u, err := c.CurrentUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, "User", u, nil)
	if u.DisplayName != hostileLine {
		t.Errorf("display name %q, want the printable text %q", u.DisplayName, hostileLine)
	}

	ws, err := c.Workspaces(ctx)
	if err != nil || len(ws) != 1 {
		t.Fatalf("workspaces %+v, %v", ws, err)
	}
	assertClean(t, "Workspace", ws, nil)
	if ws[0].Slug != "acme" {
		t.Errorf("slug %q, want the bidi override removed", ws[0].Slug)
	}

	ps, err := c.Projects(ctx, "acme")
	if err != nil || len(ps) != 1 {
		t.Fatalf("projects %+v, %v", ps, err)
	}
	assertClean(t, "Project", ps, nil)

	var got []Repository
	if err := c.ListRepositories(ctx, "acme", ListOptions{}, func(b []Repository, _, _ int) { got = append(got, b...) }); err != nil || len(got) != 1 {
		t.Fatalf("repositories %+v, %v", got, err)
	}
	assertClean(t, "Repository", got, descOnly)
	if got[0].Description != hostileBlock || got[0].Name != hostileLine {
		t.Errorf("description %q and name %q, want %q and %q", got[0].Description, got[0].Name, hostileBlock, hostileLine)
	}

	r, err := c.Repository(ctx, "acme", "made")
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, "Repository", r, descOnly)

	for _, path := range []string{"scopes", "gone", "token", "other"} {
		err := c.getJSON(ctx, c.endpoint(nil, "repositories", path), &struct{}{})
		if err == nil {
			t.Fatalf("%s: no error", path)
		}
		assertClean(t, path+" error", err.Error(), nil)
		var (
			se *ScopeError
			re *RemovedError
			ae *AuthError
			pe *APIError
		)
		switch {
		case errors.As(err, &se):
			assertClean(t, "ScopeError", se, nil)
		case errors.As(err, &re):
			assertClean(t, "RemovedError", re, nil)
		case errors.As(err, &ae):
			assertClean(t, "AuthError", ae, nil)
		case errors.As(err, &pe):
			assertClean(t, "APIError", pe, nil)
		default:
			t.Errorf("%s: %T %v", path, err, err)
		}
	}
}
