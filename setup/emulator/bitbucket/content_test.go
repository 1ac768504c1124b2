package bitbucket

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// pusher is a consumer with the scopes Amplication's PR service uses (account,
// repository:write, pullrequest:write) plus repository:admin to create repositories.
var pusher = Consumer{Key: "pushkey", Secret: "pushsecret", Name: "Pusher", Private: true,
	CallbackURL: "http://localhost:9/cb", Owner: alice,
	Scopes: []string{"account", "repository:admin", "repository:write", "pullrequest:write"}}

func contentWorld(t *testing.T, opts Options) (*world, string) {
	w := newWorld(t, opts)
	w.s.AddConsumer(pusher)
	return w, w.token(pusher)
}

// postSrc commits files (path -> content) with a multipart form, as curl -F does.
func (w *world) postSrc(path, token string, fields map[string]string) resp {
	w.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			w.t.Fatal(err)
		}
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, w.s.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return w.do(req)
}

func mainbranchOf(t *testing.T, r resp) any {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("GET repository: %d %s", r.status, r.body)
	}
	return r.json(t)["mainbranch"]
}

func TestSeededRepositoryHasMainWithACommit(t *testing.T) {
	w, tok := contentWorld(t, Options{})
	r := w.get("/2.0/repositories/acme/billing-api/refs/branches", tok)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	vals := r.json(t)["values"].([]any)
	if len(vals) != 1 || vals[0].(map[string]any)["name"] != "main" {
		t.Fatalf("branches %s", r.body)
	}
	target := vals[0].(map[string]any)["target"].(map[string]any)
	if target["message"] != "Initial commit" || len(target["hash"].(string)) != 40 {
		t.Errorf("main's target %v", target)
	}
	if r := w.get("/2.0/repositories/acme/billing-api/refs/branches/main", tok); r.status != 200 || r.json(t)["name"] != "main" {
		t.Errorf("GET main: %d %s", r.status, r.body)
	}
	if r := w.get("/2.0/repositories/acme/billing-api/refs/branches/amplication", tok); r.status != 404 {
		t.Errorf("GET amplication: %d %s, want 404", r.status, r.body)
	}
	if r := w.get("/2.0/repositories/acme/billing-api/src/main/README.md", tok); r.status != 200 || string(r.body) != "# Billing API\n" ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("README: %d %q %s", r.status, r.body, r.header.Get("Content-Type"))
	}
	if r := w.get("/2.0/repositories/acme/billing-api/src/main/.amplicationignore", tok); r.status != 404 {
		t.Errorf(".amplicationignore: %d %s, want 404", r.status, r.body)
	}
	if r := w.get("/2.0/repositories/acme/billing-api/src/nope/README.md", tok); r.status != 404 {
		t.Errorf("unknown ref: %d %s, want 404", r.status, r.body)
	}
	meta := w.get("/2.0/repositories/acme/billing-api/src/main/README.md?format=meta", tok)
	if meta.status != 200 || meta.json(t)["type"] != "commit_file" || meta.json(t)["path"] != "README.md" {
		t.Errorf("meta: %d %s", meta.status, meta.body)
	}
}

func TestCreatedRepositoryMainbranch(t *testing.T) {
	for _, empty := range []bool{false, true} {
		t.Run(map[bool]string{false: "main without commits", true: "null mainbranch"}[empty], func(t *testing.T) {
			w, tok := contentWorld(t, Options{EmptyMainbranch: empty})
			if r := w.postJSON("/2.0/repositories/acme/fresh", tok, `{"scm":"git","is_private":true}`); r.status != 200 {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			mb := mainbranchOf(t, w.get("/2.0/repositories/acme/fresh", tok))
			if empty && mb != nil {
				t.Errorf("mainbranch %v, want null", mb)
			}
			if !empty && (mb == nil || mb.(map[string]any)["name"] != "main") {
				t.Errorf("mainbranch %v, want main", mb)
			}
			if r := w.get("/2.0/repositories/acme/fresh/refs/branches/main", tok); r.status != 404 {
				t.Errorf("an empty repository's main: %d, want 404", r.status)
			}
			if r := w.get("/2.0/repositories/acme/fresh/refs/branches", tok); r.status != 200 || len(r.json(t)["values"].([]any)) != 0 {
				t.Errorf("branches of an empty repository: %d %s", r.status, r.body)
			}
			// bbsetup's fix: commit README.md on main.
			r := w.postSrc("/2.0/repositories/acme/fresh/src", tok, map[string]string{
				"README.md": "# fresh\n", "message": "Initial commit", "branch": "main"})
			if r.status != 201 || len(r.body) != 0 || !strings.Contains(r.header.Get("Location"), "/2.0/repositories/acme/fresh/commit/") {
				t.Fatalf("POST src: %d %q Location %q", r.status, r.body, r.header.Get("Location"))
			}
			mb = mainbranchOf(t, w.get("/2.0/repositories/acme/fresh", tok))
			if mb == nil || mb.(map[string]any)["name"] != "main" {
				t.Errorf("after the first commit mainbranch %v, want main", mb)
			}
			st, _ := w.s.Repo("acme", "fresh")
			if st.Mainbranch != "main" || st.Branches["main"] == "" {
				t.Errorf("state %+v", st)
			}
			if got, ok := w.s.File("acme", "fresh", "main", "README.md"); !ok || got != "# fresh\n" {
				t.Errorf("README.md %q %v", got, ok)
			}
		})
	}
}

func TestNullMainbranchTakesTheFirstCommittedBranch(t *testing.T) {
	w, tok := contentWorld(t, Options{})
	w.s.Controls().SetEmptyMainbranch(true)
	w.postJSON("/2.0/repositories/acme/odd", tok, `{"scm":"git"}`)
	if r := w.postSrc("/2.0/repositories/acme/odd/src", tok, map[string]string{"a.txt": "a", "branch": "trunk"}); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if mb := mainbranchOf(t, w.get("/2.0/repositories/acme/odd", tok)); mb == nil || mb.(map[string]any)["name"] != "trunk" {
		t.Errorf("mainbranch %v, want trunk", mb)
	}
	w.s.Controls().SetEmptyMainbranch(false)
	w.postJSON("/2.0/repositories/acme/even", tok, `{"scm":"git"}`)
	if mb := mainbranchOf(t, w.get("/2.0/repositories/acme/even", tok)); mb == nil {
		t.Error("after SetEmptyMainbranch(false) a new repository still reports null")
	}
}

// TestAmplicationPushSequence drives the PR service's calls in its order (SPEC.md "After the
// connect"): branch, commit, find or open the pull request, comment; a second push finds the
// open pull request instead of opening another.
func TestAmplicationPushSequence(t *testing.T) {
	w, tok := contentWorld(t, Options{})
	repo := "/2.0/repositories/acme/billing-api"
	main := w.get(repo+"/refs/branches/main", tok).json(t)["target"].(map[string]any)["hash"].(string)
	r := w.postJSON(repo+"/refs/branches", tok, `{"name":"amplication","target":{"hash":"`+main+`"}}`)
	if r.status != 201 || r.json(t)["name"] != "amplication" {
		t.Fatalf("create branch: %d %s", r.status, r.body)
	}
	if r := w.postJSON(repo+"/refs/branches", tok, `{"name":"amplication","target":{"hash":"`+main+`"}}`); r.status != 400 {
		t.Errorf("the branch again: %d, want 400", r.status)
	}
	if r := w.postJSON(repo+"/refs/branches", tok, `{"name":"x","target":{"hash":"0000000000"}}`); r.status != 400 {
		t.Errorf("unknown target: %d, want 400", r.status)
	}
	open := repo + "/pullrequests?q=" + url.QueryEscape(`source.branch.name="amplication" AND state="OPEN"`)
	if r := w.get(open, tok); r.status != 200 || len(r.json(t)["values"].([]any)) != 0 {
		t.Fatalf("open pull requests before: %d %s", r.status, r.body)
	}
	prBody := `{"title":"chore(Amplication): Update Generated Code","description":"d","source":{"branch":{"name":"amplication"}},"destination":{"branch":{"name":"main"}}}`
	if r := w.postJSON(repo+"/pullrequests", tok, prBody); r.status != 400 || !strings.Contains(string(r.body), "There are no changes to be pulled") {
		t.Errorf("a pull request with no changes: %d %s", r.status, r.body)
	}
	if r := w.postSrc(repo+"/src", tok, map[string]string{"server/src/main.ts": "x", "branch": "amplication", "message": "build 1"}); r.status != 201 {
		t.Fatalf("commit: %d %s", r.status, r.body)
	}
	r = w.postJSON(repo+"/pullrequests", tok, prBody)
	if r.status != 201 {
		t.Fatalf("open pull request: %d %s", r.status, r.body)
	}
	pr := r.json(t)
	html := pr["links"].(map[string]any)["html"].(map[string]any)["href"]
	if pr["id"] != float64(1) || pr["state"] != "OPEN" || html != w.s.URL+"/acme/billing-api/pull-requests/1" {
		t.Errorf("pull request %s", r.body)
	}
	if r := w.postJSON(repo+"/pullrequests", tok, prBody); r.status != 400 {
		t.Errorf("a second open pull request from amplication: %d, want 400", r.status)
	}
	r = w.get(open, tok)
	if vals := r.json(t)["values"].([]any); len(vals) != 1 || vals[0].(map[string]any)["id"] != float64(1) {
		t.Errorf("open pull requests after: %s", r.body)
	}
	if r := w.get(repo+"/pullrequests?q="+url.QueryEscape(`source.branch.name="other"`), tok); len(r.json(t)["values"].([]any)) != 0 {
		t.Errorf("filter by another branch: %s", r.body)
	}
	if r := w.get(repo+"/pullrequests?q="+url.QueryEscape(`nope="x"`), tok); r.status != 400 {
		t.Errorf("unknown field: %d", r.status)
	}
	if r := w.postJSON(repo+"/pullrequests/1/comments", tok, `{"content":{"raw":"Amplication build # b1"}}`); r.status != 201 || r.json(t)["type"] != "pullrequest_comment" {
		t.Errorf("comment: %d %s", r.status, r.body)
	}
	if r := w.postJSON(repo+"/pullrequests/9/comments", tok, `{"content":{"raw":"x"}}`); r.status != 404 {
		t.Errorf("comment on no pull request: %d", r.status)
	}
	st, _ := w.s.Repo("acme", "billing-api")
	if len(st.PullRequests) != 1 || st.PullRequests[0].Source != "amplication" || st.PullRequests[0].Destination != "main" ||
		len(st.PullRequests[0].Comments) != 1 || st.PullRequests[0].Author != alice || st.Branches["amplication"] == st.Branches["main"] {
		t.Errorf("state %+v", st)
	}
	if got, _ := w.s.File("acme", "billing-api", "amplication", "README.md"); got == "" {
		t.Error("the amplication branch lost main's README.md")
	}
	if _, ok := w.s.File("acme", "billing-api", "main", "server/src/main.ts"); ok {
		t.Error("the commit on amplication reached main")
	}
}

func TestWriteNeedsWritePermission(t *testing.T) {
	w, tok := contentWorld(t, Options{})
	w.s.SetRepoPermission("acme", "billing-api", alice, PermRead)
	repo := "/2.0/repositories/acme/billing-api"
	main := w.get(repo+"/refs/branches/main", tok).json(t)["target"].(map[string]any)["hash"].(string)
	if r := w.postJSON(repo+"/refs/branches", tok, `{"name":"amplication","target":{"hash":"`+main+`"}}`); r.status != 403 {
		t.Errorf("branch by a reader: %d %s", r.status, r.body)
	}
	if r := w.postSrc(repo+"/src", tok, map[string]string{"a": "b"}); r.status != 403 {
		t.Errorf("commit by a reader: %d %s", r.status, r.body)
	}
	// Someone with no access at all sees no repository.
	w.s.SetRepoPermission("acme", "billing-api", alice, PermNone)
	if r := w.get(repo+"/refs/branches", tok); r.status != 404 {
		t.Errorf("branches with no access: %d", r.status)
	}
}

func TestRepositoryPermissionsNeedWorkspaceAdmin(t *testing.T) {
	w, _ := contentWorld(t, Options{})
	w.s.AddRepos("labs", Repo{Slug: "lab-app", IsPrivate: true})
	bobTok := w.token(bobs)
	r := w.get("/2.0/workspaces/labs/permissions/repositories/lab-app", bobTok)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	got := map[string]string{}
	for _, v := range r.json(t)["values"].([]any) {
		m := v.(map[string]any)
		got[m["user"].(map[string]any)["account_id"].(string)] = m["permission"].(string)
	}
	if got[alice] != "write" || got[bob] != "admin" || len(got) != 2 {
		t.Errorf("permissions %v", got)
	}
	w.s.SetRepoPermission("labs", "lab-app", alice, PermRead)
	r = w.get("/2.0/workspaces/labs/permissions/repositories/lab-app", bobTok)
	if !strings.Contains(string(r.body), `"permission":"read"`) {
		t.Errorf("after SetRepoPermission: %s", r.body)
	}
	// alice is a member of labs but not an administrator.
	if r := w.get("/2.0/workspaces/labs/permissions/repositories/lab-app", w.token(pusher)); r.status != 403 {
		t.Errorf("a member who is no administrator: %d %s", r.status, r.body)
	}
}

func TestContentScopes(t *testing.T) {
	w, _ := contentWorld(t, Options{})
	tok := w.token(narrow) // account only
	repo := "/2.0/repositories/acme/billing-api"
	for _, c := range []struct{ method, path, body, scope string }{
		{"GET", repo + "/refs/branches", "", "repository"},
		{"GET", repo + "/refs/branches/main", "", "repository"},
		{"POST", repo + "/refs/branches", `{}`, "repository:write"},
		{"GET", repo + "/pullrequests", "", "pullrequest"},
		{"POST", repo + "/pullrequests", `{}`, "pullrequest:write"},
		{"POST", repo + "/pullrequests/1/comments", `{}`, "pullrequest"},
		{"GET", repo + "/src/main/README.md", "", "repository"},
		{"GET", "/2.0/workspaces/acme/permissions/repositories/billing-api", "", "repository"},
	} {
		var r resp
		if c.method == "GET" {
			r = w.get(c.path, tok)
		} else {
			r = w.postJSON(c.path, tok, c.body)
		}
		if r.status != 403 || !strings.Contains(string(r.body), `"required":["`+c.scope+`"]`) {
			t.Errorf("%s %s: %d %s, want 403 requiring %s", c.method, c.path, r.status, r.body, c.scope)
		}
	}
	if r := w.postSrc(repo+"/src", tok, map[string]string{"a": "b"}); r.status != 403 {
		t.Errorf("POST src: %d", r.status)
	}
}

// TestConsumerInAnotherAccount: the consumer belongs to bob; alice authorizes in the browser.
// Client-credentials tokens act as bob, authorization-code tokens as alice (SPEC.md).
func TestConsumerInAnotherAccount(t *testing.T) {
	w := newWorld(t, Options{AutoApprove: true, BrowserUser: alice})
	owned := full
	owned.Key, owned.Owner = "ownedbybob", bob
	w.s.AddConsumer(owned)
	cc := w.token(owned)
	r := w.tokenReq(&owned, url.Values{"grant_type": {"authorization_code"}, "code": {w.code(owned, nil)}})
	ac := r.json(t)["access_token"].(string)
	if u := w.get("/2.0/user", cc).json(t); u["account_id"] != bob {
		t.Errorf("client_credentials acts as %v, want the owner bob", u["account_id"])
	}
	if u := w.get("/2.0/user", ac).json(t); u["account_id"] != alice {
		t.Errorf("authorization_code acts as %v, want alice who authorized", u["account_id"])
	}
}
