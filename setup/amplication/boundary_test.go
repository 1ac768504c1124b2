package amplication

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
// (U+0080–U+009F). Cleaned, it reads hostileLine.
const hostile = "Ac\x1b]0;pwned\x07me\x1b[2J \u202e\u2066Na\u202a\u202b\u202c\u202d\u2067\u2068\u2069me\u009b31m\tA\nB" +
	"\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f" +
	"\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f"

const hostileLine = "Acme Name A B"

// assertClean fails for every string reachable from v (fields, slices, pointers) that
// holds a rune the terminal would act on rather than show; a newline only where
// multiLine allows it.
func assertClean(t *testing.T, what string, v any, multiLine bool) {
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
				if (r < 0x20 && (r != '\n' || !multiLine)) || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) ||
					(r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c {
					t.Errorf("%s%s holds %U: %q", what, path, r, s)
					return
				}
			}
		}
	}
	walk("", reflect.ValueOf(v))
}

// TestHostileValuesArriveClean: every string the server's answers put into the client's
// types (account, workspaces, git organizations, projects, resources and their
// repositories, the authorize URL, the connected resource) and every server message in
// its errors arrives terminal-safe, while the printable text survives.
func TestHostileValuesArriveClean(t *testing.T) {
	h, _ := json.Marshal(hostile)
	q := string(h)
	org := fmt.Sprintf(`{"id":%[1]s,"name":%[1]s,"provider":%[1]s,"type":%[1]s}`, q)
	res := fmt.Sprintf(`{"id":%[1]s,"name":%[1]s,"resourceType":%[1]s,"gitRepositoryOverride":true,`+
		`"gitRepository":{"id":%[1]s,"name":%[1]s,"groupName":%[1]s,"gitOrganization":%[2]s}}`, q, org)
	project := fmt.Sprintf(`{"id":%[1]s,"name":%[1]s,"resources":[%[2]s]}`, q, res)
	ws := fmt.Sprintf(`{"id":%[1]s,"name":%[1]s}`, q)
	c, _ := fakeClient(t, func(w http.ResponseWriter, r *http.Request, body string) {
		var req request
		_ = json.Unmarshal([]byte(body), &req)
		switch req.OperationName {
		case "Overview":
			gql(w, 200, fmt.Sprintf(`{"data":{"me":{"id":%[1]s,"account":{"email":%[1]s,"firstName":%[1]s,"lastName":%[1]s}},`+
				`"currentWorkspace":%[2]s,"workspaces":[%[2]s],"gitOrganizations":[%[3]s],"projects":[%[4]s]}}`, q, ws, org, project))
		case "GitInstallationURL":
			gql(w, 200, fmt.Sprintf(`{"data":{"getGitResourceInstallationUrl":{"url":%s}}}`, q))
		case "CompleteGitOAuth2Flow":
			gql(w, 200, fmt.Sprintf(`{"data":{"completeGitOAuth2Flow":%s}}`, org))
		case "ConnectResourceGitRepository":
			gql(w, 200, fmt.Sprintf(`{"data":{"connectResourceGitRepository":%s}}`, res))
		case "Projects":
			gql(w, 200, fmt.Sprintf(`{"errors":[{"message":%[1]s,"extensions":{"code":%[1]s}}]}`, q))
		case "Login":
			gql(w, 200, fmt.Sprintf(`{"errors":[{"message":"Unauthorized: %s","extensions":{"code":"UNAUTHENTICATED"}}]}`, strings.Trim(q, `"`)))
		default:
			w.WriteHeader(502)
			fmt.Fprint(w, hostile)
		}
	}, Options{MaxRetries: -1})
	ctx := context.Background()

	ov, err := c.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, "Overview", ov, false)
	if ov.Account.Email != hostileLine || ov.Projects[0].Resources[0].Repo.GroupName != hostileLine {
		t.Errorf("email %q, group %q: want the printable text %q", ov.Account.Email, ov.Projects[0].Resources[0].Repo.GroupName, hostileLine)
	}
	u, err := c.InstallationURL(ctx, "", false)
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, "InstallationURL", u, false)
	g, err := c.CompleteOAuth(ctx, "code", "", false)
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, "GitOrganization", g, false)
	r, err := c.Connect(ctx, ConnectInput{ResourceID: "r", GitOrganizationID: "g", Repository: "x", Group: "y", Override: true})
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, "Resource", r, false)

	_, err = c.Projects(ctx)
	var ge *GraphQLError
	if !errors.As(err, &ge) {
		t.Fatalf("Projects: %v, want a GraphQLError", err)
	}
	assertClean(t, "GraphQLError", ge, false)
	assertClean(t, "GraphQLError.Error()", err.Error(), false)

	err = c.Login(ctx, "a@example.com", "pw")
	var ue *UnauthorizedError
	if !errors.As(err, &ue) {
		t.Fatalf("Login: %v, want an UnauthorizedError", err)
	}
	assertClean(t, "UnauthorizedError", ue, false)
	assertClean(t, "UnauthorizedError.Error()", err.Error(), false)

	err = c.Disconnect(ctx, "r")
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("Disconnect: %v, want an HTTPError", err)
	}
	assertClean(t, "HTTPError", he, true)
	if !strings.Contains(he.Body, "A\nB") {
		t.Errorf("HTTPError.Body %q lost its line break", he.Body)
	}
}
