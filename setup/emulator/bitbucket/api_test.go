package bitbucket

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var braced = regexp.MustCompile(`^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$`)

func errMessage(t *testing.T, r resp) string {
	t.Helper()
	m := r.json(t)
	if m["type"] != "error" {
		t.Errorf("error body without type error: %s", r.body)
	}
	e, _ := m["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

func TestGetUser(t *testing.T) {
	w := newWorld(t, Options{})
	r := w.get("/2.0/user", w.token(full))
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", r.status, r.header.Get("Content-Type"))
	}
	m := r.json(t)
	if m["type"] != "user" || m["account_id"] != alice || m["display_name"] != "Alice Admin" ||
		m["nickname"] != "alice" || !braced.MatchString(m["uuid"].(string)) {
		t.Errorf("user %s", r.body)
	}
	// Deprecated and not in the OpenAPI document, but the authenticated user's own record
	// carries it: Amplication's server names its git organization from it (SPEC.md).
	if m["username"] != "alice" {
		t.Errorf("username: want the nickname %q: %s", "alice", r.body)
	}
	if _, err := time.Parse(time.RFC3339, m["created_on"].(string)); err != nil {
		t.Errorf("created_on: %v", err)
	}
}

func TestUserWorkspaces(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full) // alice: acme (admin), labs (member)
	r := w.get("/2.0/user/workspaces", tok)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	host := w.s.URL
	jsonEq(t, r.body, `{"page":1,"pagelen":10,"size":2,"values":[
		{"type":"workspace_access","administrator":true,"workspace":{"type":"workspace_base","slug":"acme","uuid":"`+braceUUID("workspace/acme")+`",
		 "links":{"avatar":{"href":"`+host+`/workspaces/acme/avatar/"},"self":{"href":"`+host+`/2.0/workspaces/acme"}}}},
		{"type":"workspace_access","administrator":false,"workspace":{"type":"workspace_base","slug":"labs","uuid":"`+braceUUID("workspace/labs")+`",
		 "links":{"avatar":{"href":"`+host+`/workspaces/labs/avatar/"},"self":{"href":"`+host+`/2.0/workspaces/labs"}}}}]}`)

	p1 := w.get("/2.0/user/workspaces?pagelen=1&sort=-slug", tok).json(t)
	next, _ := p1["next"].(string)
	if p1["size"] != float64(2) || len(p1["values"].([]any)) != 1 || next == "" {
		t.Fatalf("page 1: %v", p1)
	}
	if ws := p1["values"].([]any)[0].(map[string]any)["workspace"].(map[string]any)["slug"]; ws != "labs" {
		t.Errorf("sort=-slug first %v", ws)
	}
	p2 := w.get(next, tok).json(t)
	if _, ok := p2["next"]; ok || p2["page"] != float64(2) {
		t.Errorf("page 2: %v", p2)
	}
	adm := w.get("/2.0/user/workspaces?administrator=true", tok).json(t)
	if adm["size"] != float64(1) {
		t.Errorf("administrator=true: %v", adm)
	}
	if r := w.get("/2.0/user/workspaces", w.token(bobs)).json(t); r["size"] != float64(2) {
		t.Errorf("bob's workspaces: %v", r)
	}
}

func TestGetWorkspace(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(narrow) // only "account": GET /workspaces/{ws} needs no particular scope
	r := w.get("/2.0/workspaces/acme", tok)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	if m["type"] != "workspace" || m["name"] != "Acme Corp" || m["slug"] != "acme" || m["uuid"] != braceUUID("workspace/acme") {
		t.Errorf("workspace %s", r.body)
	}
	links := m["links"].(map[string]any)
	for _, k := range []string{"avatar", "html", "members", "owners", "projects", "repositories", "snippets", "self"} {
		if _, ok := links[k].(map[string]any)["href"].(string); !ok {
			t.Errorf("links.%s missing", k)
		}
	}
	if len(links) != 8 {
		t.Errorf("links has %d entries; the OpenAPI schema allows exactly 8", len(links))
	}
	if r := w.get("/2.0/workspaces/"+url.PathEscape(braceUUID("workspace/acme")), tok); r.status != 200 {
		t.Errorf("by UUID: %d", r.status)
	}
	for _, ws := range []string{"secret", "nope"} {
		r := w.get("/2.0/workspaces/"+ws, tok)
		if r.status != 404 {
			t.Errorf("%s: %d, want 404", ws, r.status)
		}
		jsonEq(t, r.body, fmt.Sprintf(`{"type":"error","error":{"message":"No workspace with identifier '%s'."}}`, ws))
	}
}

func TestProjects(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	r := w.get("/2.0/workspaces/acme/projects", tok)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	vals := m["values"].([]any)
	if m["size"] != float64(2) || m["page"] != float64(1) || m["pagelen"] != float64(10) || len(vals) != 2 {
		t.Fatalf("projects page %s", r.body)
	}
	p := vals[0].(map[string]any)
	if p["type"] != "project" || p["key"] != "NEW" || p["name"] != "Newer" || p["is_private"] != true ||
		!braced.MatchString(p["uuid"].(string)) {
		t.Errorf("project %v", p)
	}
	if old := vals[1].(map[string]any); old["has_publicly_visible_repos"] != true {
		t.Errorf("OLD holds the public repo web: %v", old)
	}
	if l := p["links"].(map[string]any); len(l) != 2 || l["html"] == nil || l["avatar"] == nil {
		t.Errorf("project links %v: the schema allows html and avatar only", l)
	}
	if r := w.get("/2.0/workspaces/secret/projects", tok); r.status != 404 {
		t.Errorf("non-member projects: %d", r.status)
	}
	r = w.get("/2.0/workspaces/acme/projects", w.token(narrow))
	if r.status != 403 {
		t.Fatalf("without project scope: %d", r.status)
	}
	jsonEq(t, r.body, `{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.",
		"detail":{"required":["project"],"granted":["account"]}}}`)
}

func TestGetRepository(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	r := w.get("/2.0/repositories/acme/billing-api", tok)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	h := w.s.URL
	host := strings.TrimPrefix(h, "http://")
	hostOnly := host[:strings.LastIndexByte(host, ':')]
	checks := map[string]any{
		"type": "repository", "full_name": "acme/billing-api", "name": "Billing API", "slug": "billing-api",
		"is_private": true, "scm": "git", "description": "Invoices", "uuid": braceUUID("repository/acme/billing-api"),
		"fork_policy": "no_public_forks",
	}
	for k, v := range checks {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	links := m["links"].(map[string]any)
	if links["html"].(map[string]any)["href"] != h+"/acme/billing-api" ||
		links["self"].(map[string]any)["href"] != h+"/2.0/repositories/acme/billing-api" {
		t.Errorf("links %v", links)
	}
	clone := links["clone"].([]any)
	if len(clone) != 2 ||
		clone[0].(map[string]any)["name"] != "https" || clone[0].(map[string]any)["href"] != "http://alice@"+host+"/acme/billing-api.git" ||
		clone[1].(map[string]any)["name"] != "ssh" || clone[1].(map[string]any)["href"] != "git@"+hostOnly+":acme/billing-api.git" {
		t.Errorf("clone links %v", clone)
	}
	proj := m["project"].(map[string]any)
	if proj["type"] != "project" || proj["key"] != "NEW" || proj["name"] != "Newer" {
		t.Errorf("project %v", proj)
	}
	if m["owner"].(map[string]any)["type"] != "team" || m["mainbranch"].(map[string]any)["type"] != "branch" {
		t.Errorf("owner/mainbranch %v %v", m["owner"], m["mainbranch"])
	}
	for _, f := range []string{"created_on", "updated_on"} {
		ts, err := time.Parse(time.RFC3339Nano, m[f].(string))
		if err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if f == "updated_on" && !ts.Equal(t0.AddDate(0, 0, -2)) {
			t.Errorf("updated_on %v", ts)
		}
	}
	if r := w.get("/2.0/repositories/acme/"+url.PathEscape(braceUUID("repository/acme/billing-api")), tok); r.status != 200 {
		t.Errorf("by UUID: %d", r.status)
	}
	if r := w.get("/2.0/repositories/acme/nope", tok); r.status != 404 || errMessage(t, r) == "" {
		t.Errorf("missing repo: %d %s", r.status, r.body)
	}
	if r := w.get("/2.0/repositories/nope/x", tok); r.status != 404 {
		t.Errorf("missing workspace: %d", r.status)
	}
	if r := w.get("/2.0/repositories/secret/vault", tok); r.status != 403 || errMessage(t, r) == "" {
		t.Errorf("private repo of another workspace: %d %s", r.status, r.body)
	}
	if r := w.get("/2.0/repositories/acme/web", ""); r.status != 200 {
		t.Errorf("public repo anonymously: %d", r.status)
	}
}

func slugsOf(t *testing.T, m map[string]any) []string {
	t.Helper()
	var out []string
	for _, v := range m["values"].([]any) {
		out = append(out, v.(map[string]any)["slug"].(string))
	}
	return out
}

func TestListRepositoriesFilters(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	list := func(query string) []string {
		t.Helper()
		r := w.get("/2.0/repositories/acme?"+query, tok)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
		return slugsOf(t, r.json(t))
	}
	q := func(s string) string { return "q=" + url.QueryEscape(s) }
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"billing-api", "web", "billing-worker"}},
		{q(`name~"BILLING"`), []string{"billing-api", "billing-worker"}},
		{q(`name ~ "billing"`) + "&sort=-updated_on", []string{"billing-api", "billing-worker"}},
		{q(`name="Web"`), []string{"web"}},
		{q(`name="web"`), nil},
		{q(`name!="Web"`), []string{"billing-api", "billing-worker"}},
		{q(`name !~ "billing"`), []string{"web"}},
		{q(`name~"billing" AND is_private=true AND project.key="OLD"`), []string{"billing-worker"}},
		{q(`name="Web" OR description~"invoice"`), []string{"billing-api", "web"}},
		{q(`(name="Web" or slug="billing-worker") and is_private = false`), []string{"web"}},
		{q(`slug IN ("web", "nope", "billing-api")`), []string{"billing-api", "web"}},
		{q(`slug NOT IN ("web")`), []string{"billing-api", "billing-worker"}},
		{q(`updated_on > 2024-04-28T12:00:00+00:00`), []string{"billing-api", "web"}},
		{q(`created_on <= 2024-03-02`), []string{"billing-api", "web"}},
		{q(`created_on < 2024-03-01`), []string{"billing-api"}},
		{q(`full_name = "acme/web"`), []string{"web"}},
		{"sort=name", []string{"billing-api", "billing-worker", "web"}},
		{"sort=-name", []string{"web", "billing-worker", "billing-api"}},
		{"sort=-updated_on", []string{"web", "billing-api", "billing-worker"}},
		{"sort=created_on", []string{"billing-api", "web", "billing-worker"}},
		{"role=admin", []string{"billing-api", "web", "billing-worker"}},
		{"role=member", []string{"billing-api", "web", "billing-worker"}},
		{"pagelen=2&page=2", []string{"billing-worker"}},
		{"page=9", nil},
		{"page=9223372036854775807&pagelen=100", nil},
	}
	for _, c := range cases {
		if got := list(c.query); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}

	bad := []struct{ query, msg string }{
		{"pagelen=101", "Invalid pagelen"},
		{"pagelen=0", "Invalid pagelen"},
		{"pagelen=ten", "Invalid pagelen"},
		{"page=0", "Invalid page"},
		{q(`name~`), ""},
		{q(`nosuchfield="x"`), ""},
		{q(`name~"x" AND`), ""},
		{q(`is_private ~ "x"`), ""},
		{q(`name="unterminated`), ""},
		{"sort=nosuchfield", ""},
		{"role=visitor", ""},
	}
	for _, b := range bad {
		r := w.get("/2.0/repositories/acme?"+b.query, tok)
		if r.status != 400 {
			t.Errorf("%s: %d, want 400", b.query, r.status)
			continue
		}
		if msg := errMessage(t, r); msg == "" || (b.msg != "" && msg != b.msg) {
			t.Errorf("%s: message %q, want %q", b.query, msg, b.msg)
		}
	}
	jsonEq(t, w.get("/2.0/repositories/acme?pagelen=101", tok).body, `{"type":"error","error":{"message":"Invalid pagelen"}}`)

	// labs: alice is a member but not an administrator.
	w.s.AddRepos("labs", Repo{Slug: "exp", IsPrivate: true}, Repo{Slug: "pub", IsPrivate: false})
	lab := func(query, token string) []string {
		t.Helper()
		r := w.get("/2.0/repositories/labs?"+query, token)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
		return slugsOf(t, r.json(t))
	}
	if got := lab("role=admin", tok); len(got) != 0 {
		t.Errorf("role=admin as a plain member: %v", got)
	}
	if got := lab("role=contributor", tok); len(got) != 2 {
		t.Errorf("role=contributor as a member: %v", got)
	}
	if got := lab("role=owner", w.token(bobs)); len(got) != 2 {
		t.Errorf("role=owner as the administrator: %v", got)
	}
	// Not a member (or anonymous): public repositories only, explicit roles give nothing.
	if got := lab("", w.token(narrowIn(w))); !slices.Equal(got, []string{"pub"}) {
		t.Errorf("non-member: %v", got)
	}
	if got := lab("", ""); !slices.Equal(got, []string{"pub"}) {
		t.Errorf("anonymous: %v", got)
	}
	if got := lab("role=member", ""); len(got) != 0 {
		t.Errorf("anonymous role=member: %v", got)
	}
	// An unknown workspace: 404 when reading, 400 when creating (the operation declares
	// only 200, 400 and 401).
	for _, p := range []string{"/2.0/repositories/nope", "/2.0/repositories/nope/shop"} {
		r := w.get(p, tok)
		if r.status != 404 {
			t.Errorf("%s: %d, want 404", p, r.status)
		}
		jsonEq(t, r.body, `{"type":"error","error":{"message":"No workspace with identifier 'nope'."}}`)
	}
	if r := w.postJSON("/2.0/repositories/nope/shop", tok, `{"scm":"git"}`); r.status != 400 {
		t.Errorf("create in an unknown workspace: %d, want 400", r.status)
	}
}

// narrowIn adds a user who is in no workspace and a consumer acting as them.
func narrowIn(w *world) Consumer {
	w.s.AddUser(User{AccountID: "acc-carol", DisplayName: "Carol"})
	c := Consumer{Key: "carolkey", Secret: "carolsecret", CallbackURL: "http://localhost:9/cb",
		Private: true, Owner: "acc-carol", Scopes: []string{"repository"}}
	w.s.AddConsumer(c)
	return c
}

func TestPaginationWalk10000(t *testing.T) {
	w := newWorld(t, Options{})
	w.s.GenerateRepos("labs", 10000)
	tok := w.token(full)
	next := w.s.APIURL + "/repositories/labs?pagelen=100&sort=-updated_on"
	seen := map[string]bool{}
	pages := 0
	var prev time.Time
	for next != "" {
		if pages > 150 {
			t.Fatal("more pages than 10,000/100")
		}
		r := w.get(next, tok)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", next, r.status, r.body)
		}
		var pg struct {
			Page, Pagelen, Size *int
			Next                *string
			Values              []struct {
				Slug      string    `json:"slug"`
				UpdatedOn time.Time `json:"updated_on"`
			}
		}
		if err := json.Unmarshal(r.body, &pg); err != nil {
			t.Fatal(err)
		}
		pages++
		if pg.Page == nil || *pg.Page != pages || pg.Pagelen == nil || *pg.Pagelen != 100 || pg.Size == nil || *pg.Size != 10000 {
			t.Fatalf("page %d: page=%v pagelen=%v size=%v", pages, pg.Page, pg.Pagelen, pg.Size)
		}
		for _, v := range pg.Values {
			if seen[v.Slug] {
				t.Fatalf("%s twice", v.Slug)
			}
			seen[v.Slug] = true
			if !prev.IsZero() && v.UpdatedOn.After(prev) {
				t.Fatalf("sort=-updated_on out of order at %s", v.Slug)
			}
			prev = v.UpdatedOn
		}
		next = ""
		if pg.Next != nil {
			next = *pg.Next
			if !strings.HasPrefix(next, w.s.APIURL+"/repositories/labs?") {
				t.Fatalf("next %q is not an absolute URL on the emulator", next)
			}
		} else if pages != 100 {
			t.Fatalf("no next on page %d", pages)
		}
	}
	if pages != 100 || len(seen) != 10000 {
		t.Errorf("%d pages, %d repositories; want 100 and 10000", pages, len(seen))
	}
	// The log holds one request per page plus the token request. The emulator finishes an
	// entry after the client has read the answer, so wait (bounded) for the last one.
	logged := w.s.Controls().Log()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); logged = w.s.Controls().Log() {
		done := true
		for _, l := range logged {
			done = done && !l.End.IsZero()
		}
		if done {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	var listing int
	for _, l := range logged {
		if l.Path == "/2.0/repositories/labs" {
			listing++
			if l.Status != 200 || l.InFlight < 1 || l.End.Before(l.Start) {
				t.Errorf("log entry %+v", l)
			}
		}
	}
	if listing != 100 {
		t.Errorf("log has %d listing requests, want 100", listing)
	}
	w.s.Controls().ResetLog()
	if len(w.s.Controls().Log()) != 0 {
		t.Error("ResetLog left entries")
	}
}

func TestCreateRepository(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)

	r := w.postJSON("/2.0/repositories/acme/new-service", tok,
		`{"scm":"git","is_private":true,"project":{"key":"NEW"},"name":"New Service","description":"made by a test"}`)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	if m["full_name"] != "acme/new-service" || m["name"] != "New Service" || m["is_private"] != true ||
		m["description"] != "made by a test" || m["project"].(map[string]any)["key"] != "NEW" ||
		m["links"].(map[string]any)["html"].(map[string]any)["href"] != w.s.URL+"/acme/new-service" {
		t.Errorf("created %s", r.body)
	}
	if g := w.get("/2.0/repositories/acme/new-service", tok); g.status != 200 {
		t.Errorf("GET after create: %d", g.status)
	}
	if l := slugsOf(t, w.get("/2.0/repositories/acme?q="+url.QueryEscape(`name~"new serv"`), tok).json(t)); !slices.Equal(l, []string{"new-service"}) {
		t.Errorf("listing after create: %v", l)
	}

	// Without a project: the workspace's oldest project (OLD, although added second).
	r = w.postJSON("/2.0/repositories/acme/no-project", tok, `{"scm":"git","is_private":false}`)
	if r.status != 200 || r.json(t)["project"].(map[string]any)["key"] != "OLD" {
		t.Errorf("default project: %d %s", r.status, r.body)
	}

	r = w.postJSON("/2.0/repositories/acme/web", tok, `{"scm":"git","is_private":true}`)
	if r.status != 400 {
		t.Fatalf("exists: %d", r.status)
	}
	jsonEq(t, r.body, `{"type":"error","error":{"message":"Repository with this Slug and Owner already exists."}}`)

	long := strings.Repeat("a", 62)
	for slug, ok := range map[string]bool{
		long: true, long + "b": false, "a.b_c-d9": true, "Upper": false, "a--b": false,
		"sp ace": false, "ümlaut": false, "x": true, "trailing-": true,
	} {
		r := w.postJSON("/2.0/repositories/acme/"+url.PathEscape(slug), tok, `{"scm":"git","is_private":true}`)
		if (r.status == 200) != ok {
			t.Errorf("slug %q: %d %s", slug, r.status, r.body)
		}
		if !ok && (r.status != 400 || errMessage(t, r) == "") {
			t.Errorf("slug %q: want a 400 error body, got %d %s", slug, r.status, r.body)
		}
	}

	for name, c := range map[string]struct {
		ws, body string
	}{
		"unknown project":                {"acme", `{"scm":"git","project":{"key":"NOPE"}}`},
		"public repo in private project": {"acme", `{"scm":"git","is_private":false,"project":{"key":"NEW"}}`},
		"not a member":                   {"secret", `{"scm":"git"}`},
		"mercurial":                      {"acme", `{"scm":"hg"}`},
		"not JSON":                       {"acme", `{"scm":`},
	} {
		r := w.postJSON("/2.0/repositories/"+c.ws+"/fresh-one", tok, c.body)
		if r.status != 400 || errMessage(t, r) == "" {
			t.Errorf("%s: %d %s, want 400 with an error body", name, r.status, r.body)
		}
	}

	// repository:write does not imply repository:admin, which creating needs.
	writer := Consumer{Key: "writer", Secret: "writersecret", CallbackURL: "http://localhost:9/cb", Private: true,
		Owner: alice, Scopes: []string{"repository:write", "pullrequest:write"}}
	w.s.AddConsumer(writer)
	r = w.postJSON("/2.0/repositories/acme/by-writer", w.token(writer), `{"scm":"git"}`)
	if r.status != 403 {
		t.Fatalf("create without repository:admin: %d", r.status)
	}
	jsonEq(t, r.body, `{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.",
		"detail":{"required":["repository:admin"],"granted":["repository:write","pullrequest:write"]}}}`)
}

func TestRemovedEndpoints(t *testing.T) {
	w := newWorld(t, Options{})
	for _, p := range []string{"/2.0/workspaces", "/2.0/user/permissions/workspaces"} {
		if r := w.get(p, ""); r.status != 401 {
			t.Errorf("%s without a token: %d, want 401", p, r.status)
		}
		r := w.get(p, w.token(full))
		if r2 := w.get(p, w.token(bobs)); r2.status != http.StatusGone {
			t.Errorf("%s: %d for another token, want 410", p, r2.status)
		}
		if r.status != http.StatusGone {
			t.Errorf("%s: %d, want 410", p, r.status)
		}
		m := r.json(t)
		e := m["error"].(map[string]any)
		if m["type"] != "error" || e["message"] != "CHANGE-2770 - Functionality has been deprecated" {
			t.Errorf("%s: %s", p, r.body)
		}
		if d, ok := e["detail"].(string); !ok || !strings.Contains(d, "CHANGE-2770") {
			t.Errorf("%s: detail %v", p, e["detail"])
		}
	}
}

func TestAPIAuthentication(t *testing.T) {
	w := newWorld(t, Options{})
	r := w.get("/2.0/user", "")
	if r.status != 401 || errMessage(t, r) == "" {
		t.Errorf("no token: %d %s", r.status, r.body)
	}
	r = w.get("/2.0/user", "made-up-token")
	if r.status != 401 {
		t.Fatalf("unknown token: %d", r.status)
	}
	jsonEq(t, r.body, `{"type":"error","error":{"message":"Token is invalid, expired, or not supported for this endpoint."}}`)
	r = w.get("/2.0/repositories/acme", w.token(narrow))
	if r.status != 403 {
		t.Fatalf("missing scope: %d", r.status)
	}
	jsonEq(t, r.body, `{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.",
		"detail":{"required":["repository"],"granted":["account"]}}}`)
	if r := w.get("/2.0/user?access_token="+w.token(full), ""); r.status != 200 {
		t.Errorf("access_token query parameter: %d", r.status)
	}
	if r := w.get("/2.0/nothing-here", w.token(full)); r.status != 404 || errMessage(t, r) == "" {
		t.Errorf("unknown API path: %d %s", r.status, r.body)
	}
}

func TestScopeImplications(t *testing.T) {
	cases := []struct {
		granted  []string
		required string
		ok       bool
	}{
		{[]string{"repository:write"}, "repository", true},
		{[]string{"pullrequest"}, "repository", true},
		{[]string{"pullrequest:write"}, "pullrequest", true},
		{[]string{"pullrequest:write"}, "repository:write", true},
		{[]string{"pullrequest:write"}, "repository", true},
		{[]string{"team:write"}, "team", true},
		{[]string{"project:admin"}, "project", true},
		{[]string{"repository:admin"}, "repository", false},
		{[]string{"repository:admin"}, "repository:write", false},
		{[]string{"repository"}, "repository:write", false},
		{[]string{"repository:write"}, "repository:admin", false},
		{[]string{"team"}, "account", false},
		{nil, "account", false},
	}
	for _, c := range cases {
		if got := hasScope(c.granted, c.required); got != c.ok {
			t.Errorf("%v grants %s: %v, want %v", c.granted, c.required, got, c.ok)
		}
	}
	// The same over HTTP: repository:admin alone cannot list; pullrequest can.
	w := newWorld(t, Options{})
	for scopes, want := range map[string]int{"repository:admin": 403, "pullrequest": 200, "repository:write": 200} {
		c := Consumer{Key: "k-" + strings.ReplaceAll(scopes, ":", "-"), Secret: "s", CallbackURL: "http://localhost:9/cb", Private: true,
			Owner: alice, Scopes: []string{scopes}}
		w.s.AddConsumer(c)
		if r := w.get("/2.0/repositories/acme", w.token(c)); r.status != want {
			t.Errorf("%s lists repositories: %d, want %d", scopes, r.status, want)
		}
	}
}

func TestGenerateReposDeterministic(t *testing.T) {
	fixed := func() time.Time { return t0 }
	a, b := New(Options{Now: fixed}), New(Options{Now: fixed})
	for _, e := range []*Emulator{a, b} {
		e.AddWorkspace(Workspace{Slug: "w"}, nil)
		e.AddProject("w", Project{Key: "P1", CreatedOn: t0})
		e.AddProject("w", Project{Key: "P2", CreatedOn: t0.Add(time.Hour)})
		e.AddRepos("w", Repo{Slug: "amber-api-00002"}) // collides with a generated name: skipped
		e.GenerateRepos("w", 1000)
	}
	ra, rb := a.workspaces["w"].repos, b.workspaces["w"].repos
	if len(ra) != 1001 || len(rb) != 1001 {
		t.Fatalf("%d and %d repositories, want 1001", len(ra), len(rb))
	}
	projects := map[string]int{}
	for i := range ra {
		if *ra[i] != *rb[i] {
			t.Fatalf("repo %d differs: %+v vs %+v", i, *ra[i], *rb[i])
		}
		if !validSlug(ra[i].Slug) || !braced.MatchString(ra[i].UUID) {
			t.Fatalf("bad generated repo %+v", *ra[i])
		}
		projects[ra[i].ProjectKey]++
	}
	if projects["P1"] < 400 || projects["P2"] < 400 {
		t.Errorf("not spread over projects: %v", projects)
	}
}

func BenchmarkListRepos10000(b *testing.B) {
	e := New(Options{})
	e.AddUser(User{AccountID: alice})
	e.AddWorkspace(Workspace{Slug: "big"}, map[string]bool{alice: true})
	e.GenerateRepos("big", 10000)
	e.AddConsumer(full)
	s, err := Start(e)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	defer hc.CloseIdleConnections()
	e.mu.Lock()
	tok := e.issueAccess(full.Key, alice, full.Scopes, time.Now())
	e.mu.Unlock()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for p := 1; p <= 100; p++ {
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/repositories/big?pagelen=100&page=%d&sort=-updated_on", s.APIURL, p), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			drain(res)
		}
	}
}

func BenchmarkGenerateRepos10000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		e := New(Options{})
		e.AddWorkspace(Workspace{Slug: "big"}, nil)
		e.GenerateRepos("big", 10000)
	}
}

func drain(res *http.Response) {
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
}
