package bitbucket

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// TestContentMatchesOpenAPI holds the content endpoints (branches, src, pull requests,
// comments, repository permissions) to Bitbucket's OpenAPI document: each answer's status
// must be one the operation declares, and its body must match the declared schema; each
// route's required scope must be the document's. Known disagreements are pinned below.
func TestContentMatchesOpenAPI(t *testing.T) {
	if _, err := os.Stat(specPath); err != nil {
		testkit.SkipUnlessCI(t, fmt.Sprintf("SKIPPING OpenAPI validation: %s is absent (%v)", specPath, err))
	}
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: "/2.0"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}

	// Each route's scope is the document's.
	for _, c := range []struct{ method, path, scope string }{
		{"GET", "/repositories/{workspace}/{repo_slug}/refs/branches", scopeListBranches},
		{"POST", "/repositories/{workspace}/{repo_slug}/refs/branches", scopeCreateBranch},
		{"GET", "/repositories/{workspace}/{repo_slug}/refs/branches/{name}", scopeGetBranch},
		{"GET", "/repositories/{workspace}/{repo_slug}/pullrequests", scopeListPRs},
		{"POST", "/repositories/{workspace}/{repo_slug}/pullrequests", scopeCreatePR},
		{"POST", "/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments", scopeCreatePRComent},
		{"POST", "/repositories/{workspace}/{repo_slug}/src", scopePostSrc},
		{"GET", "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}", scopeGetSrc},
		{"GET", "/workspaces/{workspace}/permissions/repositories/{repo_slug}", scopeRepoPerms},
	} {
		op := doc.Paths.Find(c.path).GetOperation(c.method)
		if op == nil {
			t.Errorf("the document has no %s %s", c.method, c.path)
			continue
		}
		var want []string
		for _, req := range *op.Security {
			want = append(want, req["oauth2"]...)
		}
		if !slices.Contains(want, c.scope) || len(want) != 1 {
			t.Errorf("%s %s: the emulator requires %q, the document %q", c.method, c.path, c.scope, want)
		}
		if op.Deprecated {
			t.Errorf("%s %s is deprecated in the document", c.method, c.path)
		}
	}

	w, tok := contentWorld(t, Options{})
	w.s.AddRepos("labs", Repo{Slug: "lab-app", IsPrivate: true})
	bobTok := w.token(bobs)
	repo := "/2.0/repositories/acme/billing-api"
	main := w.get(repo+"/refs/branches/main", tok).json(t)["target"].(map[string]any)["hash"].(string)

	type call struct {
		method, path, token, body, ctype string
		status                           int
	}
	multi := func(fields map[string]string) (string, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		mw.Close()
		return buf.String(), mw.FormDataContentType()
	}
	srcBody, srcType := multi(map[string]string{"gen/a.ts": "a", "branch": "amplication", "message": "build"})
	prBody := `{"type":"pullrequest","title":"t","description":"d","source":{"branch":{"name":"amplication"}},"destination":{"branch":{"name":"main"}}}`
	q := url.QueryEscape(`source.branch.name="amplication" AND state="OPEN"`)
	calls := []call{
		{"GET", repo + "/refs/branches", tok, "", "", 200},
		{"GET", repo + "/refs/branches?q=" + url.QueryEscape(`name="main"`), tok, "", "", 200},
		{"GET", repo + "/refs/branches/main", tok, "", "", 200},
		{"GET", repo + "/refs/branches/amplication", tok, "", "", 404},
		{"GET", "/2.0/repositories/acme/nope/refs/branches", tok, "", "", 404},
		{"POST", repo + "/refs/branches", tok, `{"name":"amplication","target":{"hash":"` + main + `"}}`, "application/json", 201},
		{"POST", "/2.0/repositories/acme/nope/refs/branches", tok, `{"name":"x","target":{"hash":"` + main + `"}}`, "application/json", 404},
		{"GET", repo + "/src/main/.amplicationignore", tok, "", "", 404},
		{"POST", repo + "/src", tok, srcBody, srcType, 201},
		{"POST", "/2.0/repositories/acme/nope/src", tok, srcBody, srcType, 404},
		{"GET", repo + "/pullrequests?q=" + q, tok, "", "", 200},
		{"POST", repo + "/pullrequests", tok, prBody, "application/json", 201},
		{"POST", repo + "/pullrequests", tok, prBody, "application/json", 400},
		{"GET", repo + "/pullrequests?q=" + q, tok, "", "", 200},
		{"GET", repo + "/pullrequests?state=OPEN&state=MERGED", tok, "", "", 200},
		{"GET", "/2.0/repositories/acme/nope/pullrequests", tok, "", "", 404},
		{"POST", repo + "/pullrequests/1/comments", tok, `{"type":"pullrequest_comment","content":{"raw":"build 1"}}`, "application/json", 201},
		{"POST", repo + "/pullrequests/7/comments", tok, `{"type":"pullrequest_comment","content":{"raw":"x"}}`, "application/json", 404},
		{"GET", "/2.0/workspaces/labs/permissions/repositories/lab-app", bobTok, "", "", 200},
		{"GET", "/2.0/workspaces/labs/permissions/repositories/lab-app", tok, "", "", 403},
		{"GET", "/2.0/repositories/acme/billing-api", tok, "", "", 200},
	}
	strict := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	for i, c := range calls {
		t.Run(fmt.Sprintf("%02d %s %s %d", i, c.method, c.path, c.status), func(t *testing.T) {
			req, _ := http.NewRequest(c.method, w.s.URL+c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			req.Header.Set("Authorization", "Bearer "+c.token)
			r := w.do(req)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			vreq, _ := http.NewRequest(c.method, "http://x"+c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				vreq.Header.Set("Content-Type", c.ctype)
			}
			route, params, err := router.FindRoute(vreq)
			if err != nil {
				t.Fatalf("the document has no operation for %s %s: %v", c.method, c.path, err)
			}
			in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: strict}
			if c.ctype == "application/json" {
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Errorf("the request does not match the document: %v", err)
				}
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status,
				Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)), Options: strict}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("the response does not match the document: %v\n%s", err, truncate(r.body))
			}
		})
	}
}

// TestContentDisagreementsWithDocument pins where the emulator follows Bitbucket's behaviour
// (or SPEC.md) rather than the document, so a change on either side is noticed:
//   - a file's raw content (GET src/{commit}/{path} on a file) is text/plain; the document
//     declares only a JSON paginated_treeentries for 200;
//   - "mainbranch": null (Options.EmptyMainbranch) is not allowed by the document's
//     repository schema (mainbranch is a branch object, not nullable).
func TestContentDisagreementsWithDocument(t *testing.T) {
	if _, err := os.Stat(specPath); err != nil {
		testkit.SkipUnlessCI(t, fmt.Sprintf("SKIPPING: %s is absent (%v)", specPath, err))
	}
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: "/2.0"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	w, tok := contentWorld(t, Options{EmptyMainbranch: true})
	w.postJSON("/2.0/repositories/acme/fresh", tok, `{"scm":"git"}`)
	for _, path := range []string{"/2.0/repositories/acme/billing-api/src/main/README.md", "/2.0/repositories/acme/fresh"} {
		r := w.get(path, tok)
		vreq, _ := http.NewRequest("GET", "http://x"+path, nil)
		route, params, err := router.FindRoute(vreq)
		if err != nil {
			t.Fatal(err)
		}
		in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)),
			Options: &openapi3filter.Options{MultiError: true}})
		if err == nil {
			t.Errorf("%s now matches the document (%d %s): update this pin and docs/emulators.md", path, r.status, truncate(r.body))
		}
	}
}
