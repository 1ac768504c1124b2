package bitbucket

import (
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Messages Bitbucket gives, used in more than one place.
const (
	msgTokenExpired  = "Access token expired."
	msgTokenInvalid  = "Token is invalid, expired, or not supported for this endpoint."
	msgLackScopes    = "Your credentials lack one or more required privilege scopes."
	msgChange2770    = "CHANGE-2770 - Functionality has been deprecated"
	detailChange2770 = "This API is no longer supported. See " +
		"https://developer.atlassian.com/cloud/bitbucket/changelog/#CHANGE-2770 for the replacement."
	msgRepoExists = "Repository with this Slug and Owner already exists."
)

const (
	defaultPagelen = 10
	maxPagelen     = 100
)

// Required scopes per operation, from the `security` field of Bitbucket's OpenAPI
// document ("" = the operation needs no particular scope).
const (
	scopeGetUser           = "account"
	scopeGetUserWorkspaces = "account"
	scopeGetWorkspace      = ""
	scopeGetProjects       = "project"
	scopeListRepos         = "repository"
	scopeGetRepo           = "repository"
	scopeCreateRepo        = "repository:admin"
	// The removed endpoints list "account", but they answer 410 to any authenticated
	// caller: there is nothing left to be allowed to do.
	scopeRemovedEndpoints = ""
)

func (e *Emulator) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /site/oauth2/authorize", e.handleAuthorize)
	m.HandleFunc("POST /site/oauth2/authorize", e.handleAuthorize)
	m.HandleFunc("POST /site/oauth2/access_token", e.handleToken)

	m.HandleFunc("GET /2.0/user", e.api(scopeGetUser, e.getUser))
	m.HandleFunc("GET /2.0/user/workspaces", e.api(scopeGetUserWorkspaces, e.getUserWorkspaces))
	m.HandleFunc("GET /2.0/workspaces/{workspace}", e.api(scopeGetWorkspace, e.getWorkspace))
	m.HandleFunc("GET /2.0/workspaces/{workspace}/projects", e.api(scopeGetProjects, e.getProjects))
	m.HandleFunc("GET /2.0/repositories/{workspace}", e.apiAnon(scopeListRepos, e.listRepos))
	m.HandleFunc("GET /2.0/repositories/{workspace}/{repo_slug}", e.apiAnon(scopeGetRepo, e.getRepo))
	m.HandleFunc("POST /2.0/repositories/{workspace}/{repo_slug}", e.api(scopeCreateRepo, e.createRepo))
	e.contentRoutes(m)

	removed := e.api(scopeRemovedEndpoints, func(w http.ResponseWriter, _ *http.Request, _ *caller) {
		writeJSON(w, http.StatusGone, change2770Body())
	})
	m.HandleFunc("GET /2.0/workspaces", removed)
	m.HandleFunc("GET /2.0/user/permissions/workspaces", removed)

	m.HandleFunc("/2.0/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Resource not found", "There is no API hosted at this URL")
	})
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if ws, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/workspace/settings/api"); ok && r.Method == http.MethodGet && !strings.Contains(ws, "/") {
			e.settingsPage(w, ws)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Bitbucket emulator</title></head><body>"+
			"<h1>Page not found</h1><p>This is bbsetup's Bitbucket Cloud emulator. It serves "+
			"/site/oauth2/ and /2.0/.</p></body></html>\n")
	})
	return m
}

// caller is the authenticated principal of an API request; user is nil for an
// anonymous request.
type caller struct {
	user   *User
	scopes []string // as granted, unexpanded
}

type apiHandler func(w http.ResponseWriter, r *http.Request, c *caller)

// api wraps an endpoint with Bearer authentication and the scope check.
func (e *Emulator) api(scope string, h apiHandler) http.HandlerFunc {
	return e.authed(scope, false, h)
}

// apiAnon is api for endpoints Bitbucket also serves anonymously (public data only).
func (e *Emulator) apiAnon(scope string, h apiHandler) http.HandlerFunc {
	return e.authed(scope, true, h)
}

func (e *Emulator) authed(scope string, anonOK bool, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		if tok == "" {
			if anonOK {
				h(w, r, &caller{})
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="api.bitbucket.org"`)
			writeError(w, http.StatusUnauthorized, "Authentication required", "Send an OAuth 2.0 access token: Authorization: Bearer TOKEN.")
			return
		}
		e.mu.RLock()
		at, ok := e.access[tok]
		var c *caller
		if ok {
			c = &caller{user: e.users[at.user], scopes: at.scopes}
		}
		expired := ok && (at.expired || !e.now().Before(at.expiresAt))
		e.mu.RUnlock()
		switch {
		case !ok || c.user == nil:
			w.Header().Set("WWW-Authenticate", `Bearer realm="api.bitbucket.org"`)
			writeError(w, http.StatusUnauthorized, msgTokenInvalid, "")
			return
		case expired:
			w.Header().Set("WWW-Authenticate", `Bearer realm="api.bitbucket.org", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, msgTokenExpired, "")
			return
		}
		if scope != "" && !hasScope(c.scopes, scope) {
			writeScopeError(w, []string{scope}, c.scopes)
			return
		}
		h(w, r, c)
	}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return r.URL.Query().Get("access_token")
}

// scopeImplies lists what each scope implies (SPEC.md); repository:admin implies nothing.
// It is independent of the product's table (setup/oauth) on purpose, so the emulator does
// not share the product's mistakes.
var scopeImplies = map[string][]string{
	"repository:write":  {"repository"},
	"pullrequest":       {"repository"},
	"pullrequest:write": {"pullrequest", "repository:write", "repository"},
	"team:write":        {"team"},
	"project:admin":     {"project"},
}

// expandScopes returns granted plus everything it implies.
func expandScopes(granted []string) map[string]bool {
	out := map[string]bool{}
	var add func(s string)
	add = func(s string) {
		if out[s] {
			return
		}
		out[s] = true
		for _, i := range scopeImplies[s] {
			add(i)
		}
	}
	for _, s := range granted {
		add(s)
	}
	return out
}

func hasScope(granted []string, required string) bool { return expandScopes(granted)[required] }

// Error bodies.

type apiError struct {
	Type  string         `json:"type"`
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Message string `json:"message"`
	Detail  any    `json:"detail,omitempty"`
}

// decodeJSON decodes a JSON request body of at most 1 MiB into v; a body that is not
// one is a 400 naming what (e.g. "branch") the document should have been.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, what string) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Bad request", "The request body is not a valid "+what+" document: "+err.Error())
		return false
	}
	return true
}

func writeError(w http.ResponseWriter, status int, message, detail string) {
	body := apiError{Type: "error", Error: apiErrorDetail{Message: message}}
	if detail != "" {
		body.Error.Detail = detail
	}
	writeJSON(w, status, body)
}

// writeScopeError writes Bitbucket's 403 for a token that lacks a scope; detail is an
// object here (SPEC.md), not the string the OpenAPI error schema declares.
func writeScopeError(w http.ResponseWriter, required, granted []string) {
	if granted == nil {
		granted = []string{}
	}
	writeJSON(w, http.StatusForbidden, apiError{Type: "error", Error: apiErrorDetail{
		Message: msgLackScopes,
		Detail:  map[string][]string{"required": required, "granted": granted},
	}})
}

func change2770Body() apiError {
	return apiError{Type: "error", Error: apiErrorDetail{Message: msgChange2770, Detail: detailChange2770}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Response shapes (components.schemas of the OpenAPI document).

type link struct {
	Href string `json:"href"`
	Name string `json:"name,omitempty"`
}

type userJSON struct {
	Type          string          `json:"type"`
	UUID          string          `json:"uuid"`
	AccountID     string          `json:"account_id"`
	DisplayName   string          `json:"display_name"`
	Nickname      string          `json:"nickname"`
	Username      string          `json:"username,omitempty"` // only in GET /user, see getUser
	AccountStatus string          `json:"account_status"`
	IsStaff       bool            `json:"is_staff"`
	CreatedOn     string          `json:"created_on"`
	Links         map[string]link `json:"links"`
}

type workspaceJSON struct {
	Type              string          `json:"type"`
	UUID              string          `json:"uuid"`
	Name              string          `json:"name"`
	Slug              string          `json:"slug"`
	IsPrivate         bool            `json:"is_private"`
	IsPrivacyEnforced bool            `json:"is_privacy_enforced"`
	ForkingMode       string          `json:"forking_mode"`
	CreatedOn         string          `json:"created_on"`
	UpdatedOn         string          `json:"updated_on"`
	Links             map[string]link `json:"links"`
}

type workspaceBaseJSON struct {
	Type  string          `json:"type"`
	UUID  string          `json:"uuid"`
	Slug  string          `json:"slug"`
	Links map[string]link `json:"links"`
}

type workspaceAccessJSON struct {
	Type          string            `json:"type"`
	Administrator bool              `json:"administrator"`
	Workspace     workspaceBaseJSON `json:"workspace"`
}

type teamJSON struct {
	Type        string          `json:"type"`
	UUID        string          `json:"uuid"`
	Username    string          `json:"username"`
	DisplayName string          `json:"display_name"`
	Links       map[string]link `json:"links"`
}

type workspaceRefJSON struct {
	Type  string          `json:"type"`
	UUID  string          `json:"uuid"`
	Name  string          `json:"name"`
	Slug  string          `json:"slug"`
	Links map[string]link `json:"links"`
}

type projectJSON struct {
	Type                    string           `json:"type"`
	Key                     string           `json:"key"`
	UUID                    string           `json:"uuid"`
	Name                    string           `json:"name"`
	Description             string           `json:"description"`
	IsPrivate               bool             `json:"is_private"`
	CreatedOn               string           `json:"created_on"`
	UpdatedOn               string           `json:"updated_on"`
	HasPubliclyVisibleRepos bool             `json:"has_publicly_visible_repos"`
	Owner                   teamJSON         `json:"owner"`
	Workspace               workspaceRefJSON `json:"workspace"`
	Links                   map[string]link  `json:"links"`
}

type projectRefJSON struct {
	Type  string          `json:"type"`
	Key   string          `json:"key"`
	UUID  string          `json:"uuid"`
	Name  string          `json:"name"`
	Links map[string]link `json:"links"`
}

type repoLinks struct {
	Self         link   `json:"self"`
	HTML         link   `json:"html"`
	Avatar       link   `json:"avatar"`
	Pullrequests link   `json:"pullrequests"`
	Commits      link   `json:"commits"`
	Forks        link   `json:"forks"`
	Watchers     link   `json:"watchers"`
	Downloads    link   `json:"downloads"`
	Clone        []link `json:"clone"`
	Hooks        link   `json:"hooks"`
}

type branchJSON struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type repoJSON struct {
	Type        string          `json:"type"`
	FullName    string          `json:"full_name"`
	Links       repoLinks       `json:"links"`
	Name        string          `json:"name"`
	Slug        string          `json:"slug"`
	Description string          `json:"description"`
	SCM         string          `json:"scm"`
	Owner       json.RawMessage `json:"owner"`     // teamJSON, encoded once per page
	Workspace   json.RawMessage `json:"workspace"` // workspaceRefJSON
	IsPrivate   bool            `json:"is_private"`
	Project     json.RawMessage `json:"project"` // projectRefJSON
	ForkPolicy  string          `json:"fork_policy"`
	CreatedOn   string          `json:"created_on"`
	UpdatedOn   string          `json:"updated_on"`
	Size        int             `json:"size"`
	Language    string          `json:"language"`
	UUID        string          `json:"uuid"`
	Mainbranch  *branchJSON     `json:"mainbranch"` // null for a repository created empty when Options.EmptyMainbranch
	HasIssues   bool            `json:"has_issues"`
	HasWiki     bool            `json:"has_wiki"`
}

type page[T any] struct {
	Size    *int   `json:"size,omitempty"`
	Page    int    `json:"page"`
	Pagelen int    `json:"pagelen"`
	Next    string `json:"next,omitempty"`
	Values  []T    `json:"values"`
}

// bbTime formats like Bitbucket: microseconds and a numeric offset.
func bbTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000-07:00") }

// hosts derives the emulator's own URLs from the request: web is what bitbucket.org
// is in production, api what api.bitbucket.org/2.0 is.
type hosts struct{ scheme, web, api, host string }

func hostsOf(r *http.Request) hosts {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	web := scheme + "://" + r.Host
	return hosts{scheme: scheme, web: web, api: web + "/2.0", host: r.Host}
}

func (h hosts) team(ws *workspace) teamJSON {
	return teamJSON{Type: "team", UUID: ws.UUID, Username: ws.Slug, DisplayName: ws.Name,
		Links: h.wsLinks(ws)}
}

// wsLinks are the links of a workspace as a team or a reference names it.
func (h hosts) wsLinks(ws *workspace) map[string]link {
	return map[string]link{
		"self":   {Href: h.api + "/workspaces/" + ws.Slug},
		"html":   {Href: h.web + "/" + ws.Slug + "/"},
		"avatar": {Href: h.web + "/workspaces/" + ws.Slug + "/avatar/"},
	}
}

func (h hosts) wsRef(ws *workspace) workspaceRefJSON {
	return workspaceRefJSON{Type: "workspace", UUID: ws.UUID, Name: ws.Name, Slug: ws.Slug,
		Links: h.wsLinks(ws)}
}

func (h hosts) projectLinks(ws *workspace, key string) map[string]link {
	return map[string]link{
		"html":   {Href: h.web + "/" + ws.Slug + "/workspace/projects/" + key},
		"avatar": {Href: h.web + "/" + ws.Slug + "/workspace/projects/" + key + "/avatar/32"},
	}
}

func (h hosts) user(u *User, created time.Time) userJSON {
	return userJSON{Type: "user", UUID: u.UUID, AccountID: u.AccountID, DisplayName: u.DisplayName,
		Nickname: u.Nickname, AccountStatus: "active", CreatedOn: bbTime(created),
		Links: map[string]link{
			"self":         {Href: h.api + "/users/" + url.PathEscape(u.UUID)},
			"html":         {Href: h.web + "/" + url.PathEscape(u.UUID) + "/"},
			"avatar":       {Href: h.web + "/account/" + url.PathEscape(u.Nickname) + "/avatar/"},
			"repositories": {Href: h.api + "/repositories/" + url.PathEscape(u.UUID)},
		}}
}

func (h hosts) workspace(ws *workspace) workspaceJSON {
	base := h.api + "/workspaces/" + ws.Slug
	return workspaceJSON{Type: "workspace", UUID: ws.UUID, Name: ws.Name, Slug: ws.Slug,
		IsPrivate: true, ForkingMode: "allow_forks",
		CreatedOn: bbTime(ws.created), UpdatedOn: bbTime(ws.created),
		Links: map[string]link{
			"avatar":       {Href: h.web + "/workspaces/" + ws.Slug + "/avatar/"},
			"html":         {Href: h.web + "/" + ws.Slug + "/"},
			"members":      {Href: base + "/members"},
			"owners":       {Href: base + "/members?q=permission%3D%22owner%22"},
			"projects":     {Href: base + "/projects"},
			"repositories": {Href: h.api + "/repositories/" + ws.Slug},
			"snippets":     {Href: h.api + "/snippets/" + ws.Slug},
			"self":         {Href: base},
		}}
}

func (h hosts) project(ws *workspace, p *Project) projectJSON {
	public := false
	for _, r := range ws.repos {
		if r.ProjectKey == p.Key && !r.IsPrivate {
			public = true
			break
		}
	}
	return projectJSON{Type: "project", Key: p.Key, UUID: p.UUID, Name: p.Name,
		IsPrivate: p.IsPrivate, CreatedOn: bbTime(p.CreatedOn), UpdatedOn: bbTime(p.CreatedOn),
		HasPubliclyVisibleRepos: public, Owner: h.team(ws), Workspace: h.wsRef(ws),
		Links: h.projectLinks(ws, p.Key)}
}

func forkPolicy(r *Repo) string {
	if r.IsPrivate {
		return "no_public_forks"
	}
	return "allow_forks"
}

// repoRenderer renders repositories of one workspace for one request; the parts every
// repository shares (owner, workspace, projects, hosts) are built once per page.
type repoRenderer struct {
	h          hosts
	ws         *workspace
	team       json.RawMessage
	wsRef      json.RawMessage
	projects   map[string]json.RawMessage
	cloneHTTPS string // scheme://[nickname@]host/
	cloneSSH   string // git@host:
}

func (h hosts) repos(ws *workspace, nickname string) *repoRenderer {
	rr := &repoRenderer{h: h, ws: ws, team: mustJSON(h.team(ws)), wsRef: mustJSON(h.wsRef(ws)),
		projects: make(map[string]json.RawMessage, len(ws.projects))}
	for _, p := range ws.projects {
		rr.projects[p.Key] = mustJSON(projectRefJSON{Type: "project", Key: p.Key, UUID: p.UUID, Name: p.Name,
			Links: h.projectLinks(ws, p.Key)})
	}
	u := &url.URL{Scheme: h.scheme, Host: h.host, Path: "/"}
	if nickname != "" {
		u.User = url.User(nickname)
	}
	rr.cloneHTTPS = u.String()
	sshHost := h.host
	if hst, _, err := net.SplitHostPort(sshHost); err == nil {
		sshHost = hst
	}
	rr.cloneSSH = "git@" + sshHost + ":"
	return rr
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("emulator: " + err.Error())
	}
	return b
}

func (rr *repoRenderer) render(r *Repo) repoJSON {
	h := rr.h
	project, ok := rr.projects[r.ProjectKey]
	if !ok {
		project = json.RawMessage(`null`)
	}
	full := rr.ws.Slug + "/" + r.Slug
	api := h.api + "/repositories/" + full
	return repoJSON{
		Type: "repository", FullName: full, Name: r.Name, Slug: r.Slug,
		Description: r.Description, SCM: "git", Owner: rr.team, Workspace: rr.wsRef,
		IsPrivate: r.IsPrivate, Project: project, ForkPolicy: forkPolicy(r),
		CreatedOn: bbTime(r.CreatedOn), UpdatedOn: bbTime(r.UpdatedOn), UUID: r.UUID,
		Mainbranch: mainbranchJSON(r),
		Links: repoLinks{
			Self:         link{Href: api},
			HTML:         link{Href: h.web + "/" + full},
			Avatar:       link{Href: h.web + "/" + full + "/avatar/32/"},
			Pullrequests: link{Href: api + "/pullrequests"},
			Commits:      link{Href: api + "/commits"},
			Forks:        link{Href: api + "/forks"},
			Watchers:     link{Href: api + "/watchers"},
			Downloads:    link{Href: api + "/downloads"},
			Hooks:        link{Href: api + "/hooks"},
			Clone: []link{
				{Name: "https", Href: rr.cloneHTTPS + full + ".git"},
				{Name: "ssh", Href: rr.cloneSSH + full + ".git"},
			},
		},
	}
}

// mainbranchJSON is the repository's main branch, nil (JSON null) when it has none. A
// repository never written through the API (r.git nil) has "main".
func mainbranchJSON(r *Repo) *branchJSON {
	name := "main"
	if r.git != nil {
		name = r.git.mainbranch
	}
	if name == "" {
		return nil
	}
	return &branchJSON{Type: "branch", Name: name}
}

// Pagination.

// pageParams reads page and pagelen; a bad value is a 400 like Bitbucket's.
func pageParams(w http.ResponseWriter, r *http.Request) (pg, pagelen int, ok bool) {
	q := r.URL.Query()
	pg, pagelen = 1, defaultPagelen
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "Invalid page", "")
			return 0, 0, false
		}
		pg = n
	}
	if s := q.Get("pagelen"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPagelen {
			writeError(w, http.StatusBadRequest, "Invalid pagelen", "")
			return 0, 0, false
		}
		pagelen = n
	}
	return pg, pagelen, true
}

// paginate cuts one page out of n items and fills page, pagelen, size and next (an
// absolute URL on the emulator's own host), applying FaultRepeatNext and FaultLieSize.
func paginate[T any](r *http.Request, n, pg, pagelen int, item func(i int) T) page[T] {
	size := n
	out := page[T]{Page: pg, Pagelen: pagelen, Values: []T{}}
	start := n // a page past the end is empty (and pg-1 could overflow when multiplied)
	if pg-1 <= n/pagelen {
		start = (pg - 1) * pagelen
	}
	end := min(start+pagelen, n)
	for i := start; i < end; i++ {
		out.Values = append(out.Values, item(i))
	}
	nextPage := 0
	if end < n {
		nextPage = pg + 1
	}
	if k, ok := pageFault(r.Context()); ok {
		switch k {
		case FaultRepeatNext:
			nextPage = pg
		case FaultLieSize:
			size = n*2 + pagelen*3
		}
	}
	out.Size = &size
	if nextPage > 0 {
		q := r.URL.Query()
		q.Del("access_token")
		q.Set("page", strconv.Itoa(nextPage))
		out.Next = hostsOf(r).web + r.URL.Path + "?" + q.Encode()
	}
	return out
}

// Endpoints.

// getUser is GET /user. Besides the documented fields it carries the deprecated
// `username` (the nickname): Amplication's server names its git organization from it and
// fails the OAuth completion without it, so the authenticated user's own record evidently
// still has it (SPEC.md, uncertain). bbsetup itself must not depend on it.
func (e *Emulator) getUser(w http.ResponseWriter, r *http.Request, c *caller) {
	u := hostsOf(r).user(c.user, genEpoch)
	u.Username = c.user.Nickname
	writeJSON(w, http.StatusOK, u)
}

func (e *Emulator) memberWorkspaces(accountID string) []*workspace {
	var out []*workspace
	for _, slug := range e.wsOrder {
		ws := e.workspaces[slug]
		if _, ok := ws.members[accountID]; ok {
			out = append(out, ws)
		}
	}
	return out
}

func (e *Emulator) getUserWorkspaces(w http.ResponseWriter, r *http.Request, c *caller) {
	pg, pagelen, ok := pageParams(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	e.mu.RLock()
	defer e.mu.RUnlock()
	list := e.memberWorkspaces(c.user.AccountID)
	if s := q.Get("administrator"); s != "" {
		want, err := strconv.ParseBool(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Invalid administrator value: expected true or false", "")
			return
		}
		list = slices.DeleteFunc(list, func(ws *workspace) bool { return ws.members[c.user.AccountID] != want })
	}
	switch q.Get("sort") {
	case "":
	case "slug":
		sort.SliceStable(list, func(i, j int) bool { return list[i].Slug < list[j].Slug })
	case "-slug":
		sort.SliceStable(list, func(i, j int) bool { return list[i].Slug > list[j].Slug })
	default:
		writeError(w, http.StatusBadRequest, "Invalid sort field: only slug is supported", "")
		return
	}
	h := hostsOf(r)
	writeJSON(w, http.StatusOK, paginate(r, len(list), pg, pagelen, func(i int) workspaceAccessJSON {
		ws := list[i]
		return workspaceAccessJSON{Type: "workspace_access", Administrator: ws.members[c.user.AccountID],
			Workspace: workspaceBaseJSON{Type: "workspace_base", UUID: ws.UUID, Slug: ws.Slug,
				Links: map[string]link{
					"avatar": {Href: h.web + "/workspaces/" + ws.Slug + "/avatar/"},
					"self":   {Href: h.api + "/workspaces/" + ws.Slug},
				}}}
	}))
}

// lookupWorkspace finds a workspace by slug or {UUID}. The caller holds e.mu.
func (e *Emulator) lookupWorkspace(id string) *workspace {
	if ws, ok := e.workspaces[id]; ok {
		return ws
	}
	if strings.HasPrefix(id, "{") {
		for _, ws := range e.workspaces {
			if ws.UUID == id {
				return ws
			}
		}
	}
	return nil
}

func noWorkspace(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, fmt.Sprintf("No workspace with identifier '%s'.", id), "")
}

// pathWorkspace is the request path's workspace, or nil after answering 404 as the read
// operations do (creating a repository answers 400 instead, and reading its permissions
// 403, as their operations declare). The caller holds e.mu.
func (e *Emulator) pathWorkspace(w http.ResponseWriter, r *http.Request) *workspace {
	id := r.PathValue("workspace")
	ws := e.lookupWorkspace(id)
	if ws == nil {
		noWorkspace(w, id)
	}
	return ws
}

// memberWorkspace finds a workspace the caller is a member of; other workspaces are
// private to their members and answer 404 as if they did not exist.
func (e *Emulator) memberWorkspace(w http.ResponseWriter, r *http.Request, c *caller) *workspace {
	id := r.PathValue("workspace")
	ws := e.lookupWorkspace(id)
	if ws == nil || c.user == nil {
		noWorkspace(w, id)
		return nil
	}
	if _, member := ws.members[c.user.AccountID]; !member {
		noWorkspace(w, id)
		return nil
	}
	return ws
}

func (e *Emulator) getWorkspace(w http.ResponseWriter, r *http.Request, c *caller) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if ws := e.memberWorkspace(w, r, c); ws != nil {
		writeJSON(w, http.StatusOK, hostsOf(r).workspace(ws))
	}
}

func (e *Emulator) getProjects(w http.ResponseWriter, r *http.Request, c *caller) {
	pg, pagelen, ok := pageParams(w, r)
	if !ok {
		return
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	ws := e.memberWorkspace(w, r, c)
	if ws == nil {
		return
	}
	h := hostsOf(r)
	writeJSON(w, http.StatusOK, paginate(r, len(ws.projects), pg, pagelen, func(i int) projectJSON {
		return h.project(ws, ws.projects[i])
	}))
}

func (e *Emulator) listRepos(w http.ResponseWriter, r *http.Request, c *caller) {
	pg, pagelen, ok := pageParams(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var filter *bbqlExpr
	if s := q.Get("q"); s != "" {
		x, err := parseBBQL(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Invalid query: "+err.Error(), "")
			return
		}
		filter = x
	}
	role := q.Get("role")
	switch role {
	case "", "member", "contributor", "admin", "owner":
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid role %q: use member, contributor, admin or owner", role), "")
		return
	}

	e.mu.RLock()
	defer e.mu.RUnlock()
	ws := e.pathWorkspace(w, r)
	if ws == nil {
		return
	}
	less, err := repoLess(ws, q.Get("sort"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid sort field: "+err.Error(), "")
		return
	}
	admin, member := false, false
	nickname := ""
	if c.user != nil {
		admin, member = ws.members[c.user.AccountID]
		nickname = c.user.Nickname
	}
	var list []*Repo
	switch {
	case role == "" && !member:
		list = ws.view(viewKey{visible: visiblePublic, q: q.Get("q"), sort: q.Get("sort")}, filter, less)
	case role == "" || ((role == "member" || role == "contributor") && member) || ((role == "admin" || role == "owner") && admin):
		list = ws.view(viewKey{visible: visibleAll, q: q.Get("q"), sort: q.Get("sort")}, filter, less)
	}
	rr := hostsOf(r).repos(ws, nickname)
	writeJSON(w, http.StatusOK, paginate(r, len(list), pg, pagelen, func(i int) repoJSON {
		return rr.render(list[i])
	}))
}

func (e *Emulator) getRepo(w http.ResponseWriter, r *http.Request, c *caller) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ws := e.pathWorkspace(w, r)
	if ws == nil {
		return
	}
	slug := r.PathValue("repo_slug")
	repo := ws.repo(slug)
	if repo == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Repository %s/%s not found", ws.Slug, slug), "")
		return
	}
	member, nickname := false, ""
	if c.user != nil {
		_, member = ws.members[c.user.AccountID]
		nickname = c.user.Nickname
	}
	if repo.IsPrivate && !member {
		writeError(w, http.StatusForbidden, "You do not have access to this repository.", "")
		return
	}
	writeJSON(w, http.StatusOK, hostsOf(r).repos(ws, nickname).render(repo))
}

// createBody is the part of the repository document POST reads.
type createBody struct {
	SCM         *string `json:"scm"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
	IsPrivate   *bool   `json:"is_private"`
	ForkPolicy  *string `json:"fork_policy"`
	Project     *struct {
		Key  string `json:"key"`
		UUID string `json:"uuid"`
	} `json:"project"`
}

func (e *Emulator) createRepo(w http.ResponseWriter, r *http.Request, c *caller) {
	var body createBody
	if r.ContentLength != 0 {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
				writeError(w, http.StatusBadRequest, "Bad request", "The request body must be JSON (Content-Type: application/json).")
				return
			}
		}
		if !decodeJSON(w, r, &body, "repository") {
			return
		}
	}
	if body.SCM != nil && *body.SCM != "git" {
		writeError(w, http.StatusBadRequest, "Invalid scm: only git is supported", "")
		return
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	id := r.PathValue("workspace")
	ws := e.lookupWorkspace(id)
	if ws == nil {
		// The document declares only 200, 400 and 401 for this operation, so an unknown
		// workspace is a 400 here, not the 404 the read operations answer.
		writeError(w, http.StatusBadRequest, fmt.Sprintf("No workspace with identifier '%s'.", id), "")
		return
	}
	if _, member := ws.members[c.user.AccountID]; !member {
		writeError(w, http.StatusBadRequest, "You do not have permission to create repositories in this workspace.", "")
		return
	}
	slug := r.PathValue("repo_slug")
	if !validSlug(slug) {
		writeError(w, http.StatusBadRequest, "Invalid slug",
			"A repository slug may contain only lowercase ASCII letters, digits, '_', '-' and '.', is at most 62 characters long and contains no '--'.")
		return
	}
	if ws.bySlug[slug] != nil {
		writeError(w, http.StatusBadRequest, msgRepoExists, "")
		return
	}
	now := e.now()
	var proj *Project
	if body.Project != nil && (body.Project.Key != "" || body.Project.UUID != "") {
		for _, p := range ws.projects {
			if (body.Project.Key != "" && p.Key == body.Project.Key) || (body.Project.UUID != "" && p.UUID == body.Project.UUID) {
				proj = p
				break
			}
		}
		if proj == nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Project %s does not exist in workspace %s.", body.Project.Key+body.Project.UUID, ws.Slug), "")
			return
		}
	} else {
		proj = ws.defaultProject(now)
	}
	repo := Repo{Slug: slug, Name: slug, ProjectKey: proj.Key, IsPrivate: true,
		UUID: braceUUID("repository/" + ws.Slug + "/" + slug), CreatedOn: now, UpdatedOn: now}
	if body.Name != nil && *body.Name != "" {
		repo.Name = *body.Name
	}
	if body.Description != nil {
		repo.Description = *body.Description
	}
	if body.IsPrivate != nil {
		repo.IsPrivate = *body.IsPrivate
	}
	if proj.IsPrivate && !repo.IsPrivate {
		writeError(w, http.StatusBadRequest, "Private projects cannot contain public repositories.", "")
		return
	}
	repo.git = emptyGit(e.emptyMainbranch.Load())
	ws.addRepo(repo)
	writeJSON(w, http.StatusOK, hostsOf(r).repos(ws, c.user.Nickname).render(ws.bySlug[slug]))
}
