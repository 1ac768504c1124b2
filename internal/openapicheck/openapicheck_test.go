package openapicheck

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestDocumentQuirks pins what the validator relies on in the document, so a new copy of it
// that changes them is noticed.
func TestDocumentQuirks(t *testing.T) {
	sp := Load(t)
	schemes := sp.Doc.Components.SecuritySchemes
	for _, name := range []string{"oauth2", "basic", "api_key"} {
		if schemes[name] == nil {
			t.Errorf("security scheme %q is gone from the document", name)
		}
	}
	o := schemes["oauth2"]
	if o == nil || o.Value.Flows == nil || o.Value.Flows.AuthorizationCode == nil {
		t.Fatal("the oauth2 scheme has no authorizationCode flow")
	}
	ac := o.Value.Flows.AuthorizationCode
	if ac.TokenURL != "https://bitbucket.org/site/oauth2/access_token" || ac.AuthorizationURL != "https://bitbucket.org/site/oauth2/authorize" {
		t.Errorf("oauth2 endpoints changed: %s, %s (SPEC.md has https://bitbucket.org/site/oauth2/{authorize,access_token})", ac.AuthorizationURL, ac.TokenURL)
	}
	if len(sp.Doc.Security) != 0 {
		t.Errorf("the document now has global security %v; docScopes assumes per-operation security", sp.Doc.Security)
	}
	for _, op := range append(append([]string{}, UsedOperations...), RemovedOperations...) {
		if sp.Operation(op) == nil {
			t.Errorf("%s is not in the document", op)
		}
	}
	t.Logf("document %s: server %s; statuses added to operations that omit them:\n  %s",
		sp.Path, DocServer, strings.Join(sp.Added, "\n  "))
}

// TestDocumentExamplesOfUsedOperations validates every example the document gives for
// bbsetup's operations against the operation's own schema (the document as a whole is
// validated without examples, see readSpec).
func TestDocumentExamplesOfUsedOperations(t *testing.T) {
	sp := Load(t)
	n := 0
	for _, name := range UsedOperations {
		op := sp.Operation(name)
		if op == nil {
			continue
		}
		for code, ref := range op.Responses.Map() {
			for ct, mt := range ref.Value.Content {
				for ename, ex := range mt.Examples {
					n++
					if err := mt.Schema.Value.VisitJSON(ex.Value.Value, sp.Doc.GetSchemaValidationOptions()...); err != nil {
						t.Errorf("%s %s %s example %q does not match its schema: %v", name, code, ct, ename, Flat(err))
					}
				}
			}
		}
	}
	if n == 0 {
		t.Error("no examples found for bbsetup's operations (the document had one for GET /user/workspaces)")
	}
}

// example returns the named response example of op as JSON.
func example(t *testing.T, sp *Spec, op, code, name string) string {
	t.Helper()
	ex := sp.Operation(op).Responses.Value(code).Value.Content.Get("application/json").Examples[name]
	if ex == nil {
		t.Fatalf("%s %s has no example %q", op, code, name)
	}
	b, err := json.Marshal(ex.Value.Value)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// loopback starts an httptest server on 127.0.0.1:0.
func loopback(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// TestValidatorCatchesDisagreements proves the validating transport can fail: a tiny server
// answers hand-written bodies (good ones taken from the document's examples and SPEC.md, bad
// ones broken on purpose) and each exchange must produce exactly the expected verdict.
func TestValidatorCatchesDisagreements(t *testing.T) {
	sp := Load(t)
	const errBody = `{"type":"error","error":{"message":"No workspace with identifier 'nope'."}}`
	const user = `{"type":"user","uuid":"{d2b4e3f0-1111-2222-3333-444455556666}","account_id":"557058:abc","display_name":"Demo Operator","nickname":"demo","links":{"avatar":{"href":"https://bitbucket.org/account/demo/avatar/"}}}`
	repo := func(extra string) string {
		return `{"type":"repository","uuid":"{0b1c2d3e-0000-0000-0000-000000000001}","full_name":"acme/app","name":"app","slug":"app","is_private":true,"scm":"git",` +
			`"created_on":"2026-01-02T03:04:05.123456+00:00","updated_on":"2026-01-02T03:04:05Z",` +
			`"project":{"type":"project","key":"PROJ","name":"Project","uuid":"{0b1c2d3e-0000-0000-0000-00000000000a}"},` +
			`"links":{"html":{"href":"https://bitbucket.org/acme/app"},"clone":[{"name":"https","href":"https://bitbucket.org/acme/app.git"},{"name":"ssh","href":"git@bitbucket.org:acme/app.git"}]}` + extra + `}`
	}
	cases := []struct {
		name        string
		method      string
		path        string // under the API base, with query
		auth        string // Authorization header; "" = a Bearer token
		reqBody     string
		status      int
		contentType string // "" = application/json
		body        string
		want        []string // substrings, one failure each; none = must pass
	}{
		{name: "user workspaces example", method: "GET", path: "/user/workspaces?pagelen=100", status: 200,
			body: example(t, sp, "GET /user/workspaces", "200", "response")},
		{name: "current user", method: "GET", path: "/user", status: 200, body: user},
		{name: "workspace", method: "GET", path: "/workspaces/acme", status: 200,
			body: `{"type":"workspace","uuid":"{a15fb181-db1f-48f7-b41f-e1eff06929d6}","slug":"acme","name":"Acme","is_private":true,"links":{"html":{"href":"https://bitbucket.org/acme/"}}}`},
		{name: "repositories page", method: "GET", path: `/repositories/acme?pagelen=100&page=2&q=name~"app"&sort=-updated_on`, status: 200,
			body: `{"pagelen":100,"page":2,"size":101,"previous":"https://api.bitbucket.org/2.0/repositories/acme?page=1","values":[` + repo("") + `]}`},
		{name: "create", method: "POST", path: "/repositories/acme/app", reqBody: `{"type":"repository","scm":"git","is_private":true,"name":"app","project":{"type":"project","key":"PROJ"}}`,
			status: 200, body: repo("")},
		{name: "unknown workspace 404", method: "GET", path: "/workspaces/nope/projects", status: 404, body: errBody},
		{name: "scope 403 (SPEC.md body)", method: "GET", path: "/repositories/acme", status: 403,
			body: `{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["repository"],"granted":["account"]}}}`},
		{name: "removed 410", method: "GET", path: "/workspaces", status: 410,
			body: `{"type":"error","error":{"message":"CHANGE-2770 - Functionality has been deprecated","detail":"This API is no longer supported."}}`},

		// Broken on purpose.
		{name: "values not an array", method: "GET", path: "/workspaces/acme/projects", status: 200,
			body: `{"pagelen":10,"page":1,"values":{"key":"PROJ"}}`, want: []string{"values"}},
		{name: "error without type", method: "GET", path: "/repositories/nope", status: 404,
			body: `{"error":{"message":"gone"}}`, want: []string{`"type"`}},
		{name: "status the document does not list", method: "GET", path: "/user", status: 418, body: errBody,
			want: []string{"status is not supported"}},
		{name: "410 on an operation that is not removed", method: "GET", path: "/user", status: 410, body: errBody,
			want: []string{"status is not supported"}},
		{name: "undeclared query parameter", method: "GET", path: "/repositories/acme?fields=values.name", status: 200,
			body: `{"values":[]}`, want: []string{`"fields"`}},
		{name: "pagelen over 100", method: "GET", path: "/repositories/acme?pagelen=1000", status: 200,
			body: `{"values":[]}`, want: []string{"pagelen"}},
		{name: "role outside its enum", method: "GET", path: "/repositories/acme?role=reader", status: 200,
			body: `{"values":[]}`, want: []string{"role"}},
		{name: "create body with a wrong scm", method: "POST", path: "/repositories/acme/app",
			reqBody: `{"type":"repository","scm":"hg"}`, status: 200, body: repo(""), want: []string{"scm"}},
		{name: "create body without type", method: "POST", path: "/repositories/acme/app",
			reqBody: `{"scm":"git","project":{"key":"PROJ"}}`, status: 200, body: repo(""), want: []string{`"type"`}},
		{name: "detail object on a 400", method: "POST", path: "/repositories/acme/app", reqBody: `{"type":"repository"}`, status: 400,
			body: `{"type":"error","error":{"message":"bad","detail":{"required":[],"granted":[]}}}`, want: []string{"detail"}},
		{name: "unsupported link in a repository", method: "GET", path: "/repositories/acme", status: 200,
			body: `{"values":[` + strings.Replace(repo(""), `"links":{`, `"links":{"branches":{"href":"https://x/y"},`, 1) + `]}`, want: []string{"branches"}},
		{name: "next link not a URI", method: "GET", path: "/repositories/acme", status: 200,
			body: `{"values":[],"next":"page=2"}`, want: []string{"next"}},
		{name: "bad date-time", method: "GET", path: "/repositories/acme", status: 200,
			body: `{"values":[` + strings.Replace(repo(""), "2026-01-02T03:04:05Z", "2026-01-02 03:04:05", 1) + `]}`, want: []string{"updated_on"}},
		{name: "text body", method: "GET", path: "/user", status: 200, contentType: "text/plain", body: "hello", want: []string{"Content-Type"}},
		{name: "403 naming scopes the document does not require", method: "GET", path: "/workspaces/acme/projects", status: 403,
			body: `{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"required":["team"],"granted":[]}}}`,
			want: []string{"the document's security requirement"}},
		{name: "basic auth", method: "GET", path: "/user", auth: "Basic dXNlcjpwYXNz", status: 200, body: user, want: []string{"security requirements failed"}},
		{name: "GET with a body", method: "GET", path: "/user", reqBody: `{}`, status: 200, body: user, want: []string{"request body not allowed"}},
		{name: "path not in the document", method: "GET", path: "/nope/x", status: 404, body: errBody, want: []string{"no operation"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				ct := c.contentType
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}))
			v, err := NewValidator(sp, srv.URL+"/2.0", nil)
			if err != nil {
				t.Fatal(err)
			}
			var body io.Reader
			if c.reqBody != "" {
				body = strings.NewReader(c.reqBody)
			}
			req, err := http.NewRequestWithContext(context.Background(), c.method, srv.URL+"/2.0"+c.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if c.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			auth := c.auth
			if auth == "" {
				auth = "Bearer test-token"
			}
			req.Header.Set("Authorization", auth)
			resp, err := (&http.Client{Transport: v, Timeout: 10 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(got) != c.body {
				t.Errorf("the validator altered the response body: %q", got)
			}
			fs := v.Failures()
			if len(c.want) == 0 && len(fs) > 0 {
				t.Errorf("want no failures, got %v", fs)
			}
			for _, w := range c.want {
				found := false
				for _, f := range fs {
					found = found || strings.Contains(f.String(), w)
				}
				if !found {
					t.Errorf("want a failure mentioning %q, got %v", w, fs)
				}
			}
			if len(v.Calls()) != 1 {
				t.Errorf("want 1 recorded call, got %v", v.Calls())
			}
		})
	}
}

// TestCalledOperationProblems proves the deprecated/unlisted check can fail.
func TestCalledOperationProblems(t *testing.T) {
	sp := Load(t)
	if p := CalledOperationProblems(sp, UsedOperations); len(p) != 0 {
		t.Errorf("bbsetup's own operations flagged: %v", p)
	}
	p := CalledOperationProblems(sp, []string{"GET /workspaces", "GET /repositories/{workspace}/{repo_slug}/pullrequests"})
	if len(p) != 3 { // GET /workspaces: unlisted and deprecated; pullrequests: unlisted
		t.Errorf("want 3 problems, got %q", p)
	}
}

// TestMissingDocumentSkipsLoudly: without the document the suite skips with a message that
// says where the file was expected and what to do (it never silently passes).
func TestMissingDocumentSkipsLoudly(t *testing.T) {
	saved := specFile
	specFile = []string{"spec", "no-such-document.json"}
	defer func() { specFile = saved }()
	sp, skip, err := readSpec()
	if sp != nil || err != nil {
		t.Fatalf("readSpec without the file = %v, %v; want a skip", sp, err)
	}
	if !strings.Contains(skip, "SKIPPED") || !strings.Contains(skip, "no-such-document.json") || !strings.Contains(skip, "shared/") {
		t.Errorf("skip message %q does not say what is missing and what to do", skip)
	}
}

// TestOperationsExistUndeprecated: every operation bbsetup uses is in the document and not
// deprecated, and the two SPEC.md calls removed are the ones the document deprecates.
func TestOperationsExistUndeprecated(t *testing.T) {
	sp := Load(t)
	for _, name := range UsedOperations {
		op := sp.Operation(name)
		switch {
		case op == nil:
			t.Errorf("%s: not in the document", name)
		case op.Deprecated:
			t.Errorf("%s: the document marks it deprecated", name)
		}
	}
	for _, name := range RemovedOperations {
		if op := sp.Operation(name); op == nil || !op.Deprecated {
			t.Errorf("%s: SPEC.md says it was removed (410 CHANGE-2770); the document should mark it deprecated", name)
		}
	}
}
