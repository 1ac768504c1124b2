package bitbucket

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// content.go serves a repository's content endpoints, the ones Amplication's PR service
// (git-sync-manager, libs/util/git/src/providers/bitbucket/requests.ts) and bbsetup's
// empty-repository fix call: branches, POST/GET src, pull requests and their comments, and a
// workspace administrator's view of a repository's permissions. Shapes and scopes follow
// Bitbucket's OpenAPI document (content_openapi_test.go holds them to it).

// Required scopes (the document's `security` of each operation).
const (
	scopeListBranches   = "repository"
	scopeGetBranch      = "repository"
	scopeCreateBranch   = "repository:write"
	scopeListPRs        = "pullrequest"
	scopeCreatePR       = "pullrequest:write"
	scopeCreatePRComent = "pullrequest"
	scopeGetSrc         = "repository"
	scopePostSrc        = "repository:write"
	scopeRepoPerms      = "repository"
)

// maxSrcBody bounds a POST /src body.
const maxSrcBody = 32 << 20

func (e *Emulator) contentRoutes(m *http.ServeMux) {
	const repo = "/2.0/repositories/{workspace}/{repo_slug}"
	m.HandleFunc("GET "+repo+"/refs/branches", e.api(scopeListBranches, e.listBranches))
	m.HandleFunc("POST "+repo+"/refs/branches", e.api(scopeCreateBranch, e.createBranch))
	m.HandleFunc("GET "+repo+"/refs/branches/{name...}", e.api(scopeGetBranch, e.getBranch))
	m.HandleFunc("GET "+repo+"/pullrequests", e.api(scopeListPRs, e.listPullRequests))
	m.HandleFunc("POST "+repo+"/pullrequests", e.api(scopeCreatePR, e.createPullRequest))
	m.HandleFunc("POST "+repo+"/pullrequests/{id}/comments", e.api(scopeCreatePRComent, e.createPRComment))
	m.HandleFunc("POST "+repo+"/src", e.api(scopePostSrc, e.postSrc))
	m.HandleFunc("GET "+repo+"/src/{commit}/{path...}", e.api(scopeGetSrc, e.getSrc))
	m.HandleFunc("GET /2.0/workspaces/{workspace}/permissions/repositories/{repo_slug}", e.api(scopeRepoPerms, e.repoPermissions))
}

// repoAccess finds the request's repository and checks the caller's permission on it:
// need is PermRead or PermWrite. It writes the error and returns ok false otherwise. The
// caller holds e.mu for writing (the content is created on first use).
func (e *Emulator) repoAccess(w http.ResponseWriter, r *http.Request, c *caller, need string) (*workspace, *Repo, *repoGit, bool) {
	id := r.PathValue("workspace")
	ws := e.lookupWorkspace(id)
	slug := r.PathValue("repo_slug")
	if ws == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Repository %s/%s not found", id, slug), "")
		return nil, nil, nil, false
	}
	repo := ws.repo(slug)
	if repo == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Repository %s/%s not found", ws.Slug, slug), "")
		return nil, nil, nil, false
	}
	g := gitOf(ws, repo)
	perm := g.permission(ws, repo, c.user.AccountID)
	switch {
	case !canRead(perm) && repo.IsPrivate:
		// A private repository the caller cannot see does not exist for them.
		writeError(w, http.StatusNotFound, fmt.Sprintf("Repository %s/%s not found", ws.Slug, slug), "")
		return nil, nil, nil, false
	case need == PermWrite && !canWrite(perm):
		writeError(w, http.StatusForbidden, "You do not have write access to this repository.", "")
		return nil, nil, nil, false
	}
	return ws, repo, g, true
}

// ---- JSON shapes ----

type authorJSON struct {
	Type string `json:"type"`
	Raw  string `json:"raw"`
}

type commitRefJSON struct {
	Type  string          `json:"type"`
	Hash  string          `json:"hash"`
	Links map[string]link `json:"links"`
}

type commitJSON struct {
	Type    string          `json:"type"`
	Hash    string          `json:"hash"`
	Date    string          `json:"date"`
	Message string          `json:"message"`
	Author  authorJSON      `json:"author"`
	Parents []commitRefJSON `json:"parents"`
	Links   map[string]link `json:"links"`
}

type refJSON struct {
	Type                 string          `json:"type"`
	Name                 string          `json:"name"`
	Target               commitJSON      `json:"target"`
	Links                map[string]link `json:"links"`
	MergeStrategies      []string        `json:"merge_strategies"`
	DefaultMergeStrategy string          `json:"default_merge_strategy"`
}

func (h hosts) repoAPI(ws *workspace, r *Repo) string {
	return h.api + "/repositories/" + ws.Slug + "/" + r.Slug
}

func (h hosts) commitRef(ws *workspace, r *Repo, hash string) commitRefJSON {
	return commitRefJSON{Type: "commit", Hash: hash, Links: map[string]link{
		"self": {Href: h.repoAPI(ws, r) + "/commit/" + hash},
		"html": {Href: h.web + "/" + ws.Slug + "/" + r.Slug + "/commits/" + hash},
	}}
}

func (h hosts) commit(ws *workspace, r *Repo, c *commit) commitJSON {
	out := commitJSON{Type: "commit", Hash: c.hash, Date: bbTime(c.date), Message: c.message,
		Author: authorJSON{Type: "author", Raw: c.author}, Parents: []commitRefJSON{},
		Links: h.commitRef(ws, r, c.hash).Links}
	for _, p := range c.parents {
		out.Parents = append(out.Parents, h.commitRef(ws, r, p))
	}
	return out
}

func (h hosts) branch(ws *workspace, r *Repo, g *repoGit, name string) refJSON {
	c := g.commits[g.branches[name]]
	return refJSON{Type: "branch", Name: name, Target: h.commit(ws, r, c),
		Links: map[string]link{
			"self":    {Href: h.repoAPI(ws, r) + "/refs/branches/" + url.PathEscape(name)},
			"commits": {Href: h.repoAPI(ws, r) + "/commits/" + url.PathEscape(name)},
			"html":    {Href: h.web + "/" + ws.Slug + "/" + r.Slug + "/branch/" + url.PathEscape(name)},
		},
		MergeStrategies:      []string{"merge_commit", "squash", "fast_forward"},
		DefaultMergeStrategy: "merge_commit",
	}
}

// ---- branches ----

func (e *Emulator) listBranches(w http.ResponseWriter, r *http.Request, c *caller) {
	pg, pagelen, ok := pageParams(w, r)
	if !ok {
		return
	}
	var nameFilter *bbqlExpr
	if q := r.URL.Query().Get("q"); q != "" {
		x, err := parseBBQLFields(q, branchFieldType, "branch")
		if err != nil {
			writeError(w, http.StatusBadRequest, "Invalid query: "+err.Error(), "")
			return
		}
		nameFilter = x
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ws, repo, g, ok := e.repoAccess(w, r, c, PermRead)
	if !ok {
		return
	}
	var names []string
	for _, n := range g.sortedBranches() {
		if nameFilter == nil || nameFilter.matchFields(func(string) string { return n }, nil, nil, branchFieldType) {
			names = append(names, n)
		}
	}
	h := hostsOf(r)
	writeJSON(w, http.StatusOK, paginate(r, len(names), pg, pagelen, func(i int) refJSON {
		return h.branch(ws, repo, g, names[i])
	}))
}

func branchFieldType(f string) (fieldType, bool) { return typeString, f == "name" }

func (e *Emulator) getBranch(w http.ResponseWriter, r *http.Request, c *caller) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ws, repo, g, ok := e.repoAccess(w, r, c, PermRead)
	if !ok {
		return
	}
	name := r.PathValue("name")
	if _, ok := g.branches[name]; !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Branch %q not found", name), "")
		return
	}
	writeJSON(w, http.StatusOK, hostsOf(r).branch(ws, repo, g, name))
}

func (e *Emulator) createBranch(w http.ResponseWriter, r *http.Request, c *caller) {
	var body struct {
		Name   string `json:"name"`
		Target struct {
			Hash string `json:"hash"`
		} `json:"target"`
	}
	if !decodeJSON(w, r, &body, "branch") {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ws, repo, g, ok := e.repoAccess(w, r, c, PermWrite)
	if !ok {
		return
	}
	switch {
	case body.Name == "":
		writeError(w, http.StatusBadRequest, "Branch name is required.", "")
		return
	case body.Target.Hash == "":
		writeError(w, http.StatusBadRequest, "target.hash is required.", "")
		return
	}
	if _, exists := g.branches[body.Name]; exists {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("BRANCH_ALREADY_EXISTS: Branch %q already exists.", body.Name), "")
		return
	}
	target := g.resolve(body.Target.Hash)
	if target == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Commit %q not found.", body.Target.Hash), "")
		return
	}
	g.branches[body.Name] = target.hash
	repo.UpdatedOn = e.now()
	ws.touch()
	writeJSON(w, http.StatusCreated, hostsOf(r).branch(ws, repo, g, body.Name))
}

// ---- src ----

// postSrc is POST /src: a commit of the form's files (multipart/form-data or
// application/x-www-form-urlencoded; every field other than message, author, parents, branch
// and files names a file path, its value the content; "files" names paths to delete) on
// `branch` (default: the main branch), whose parent is `parents` or the branch's head (a new
// branch starts from the main branch's head, or from nothing in an empty repository). A
// repository whose main branch is null gets the committed branch as its main branch.
// Success is 201 with no body and the commit in Location.
func (e *Emulator) postSrc(w http.ResponseWriter, r *http.Request, c *caller) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSrcBody)
	changes := map[string]string{}
	var deleted []string
	fields := url.Values{}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxSrcBody); err != nil {
			writeError(w, http.StatusBadRequest, "Bad request", "The multipart body could not be read: "+err.Error())
			return
		}
		for k, vs := range r.MultipartForm.Value {
			fields[k] = vs
		}
		for path, fhs := range r.MultipartForm.File {
			for _, fh := range fhs {
				f, err := fh.Open()
				if err != nil {
					writeError(w, http.StatusBadRequest, "Bad request", err.Error())
					return
				}
				b, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					writeError(w, http.StatusBadRequest, "Bad request", err.Error())
					return
				}
				changes[path] = string(b)
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusBadRequest, "Bad request", "The form could not be read: "+err.Error())
			return
		}
		fields = r.PostForm
	default:
		writeError(w, http.StatusBadRequest, "Bad request", "The body must be multipart/form-data or application/x-www-form-urlencoded.")
		return
	}
	meta := map[string]bool{"message": true, "author": true, "parents": true, "branch": true, "files": true}
	for k, vs := range fields {
		if meta[k] {
			continue
		}
		if len(vs) > 0 {
			changes[k] = vs[0]
		}
	}
	deleted = append(deleted, fields["files"]...)
	for _, p := range deleted {
		if _, also := changes[p]; also {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%s: a path cannot be both deleted and written.", p), "")
			return
		}
	}
	if len(changes) == 0 && len(deleted) == 0 {
		writeError(w, http.StatusBadRequest, "No files to commit.", "")
		return
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	ws, repo, g, ok := e.repoAccess(w, r, c, PermWrite)
	if !ok {
		return
	}
	branch := fields.Get("branch")
	if branch == "" {
		branch = g.mainbranch
		if branch == "" {
			branch = "main"
		}
	}
	var parent *commit
	switch p := fields.Get("parents"); {
	case p != "":
		if parent = g.resolve(p); parent == nil {
			writeError(w, http.StatusNotFound, fmt.Sprintf("Commit %q not found.", p), "")
			return
		}
		if head, exists := g.branches[branch]; exists && head != parent.hash {
			writeError(w, http.StatusConflict, fmt.Sprintf("Branch %q has moved: its head is no longer %s.", branch, p), "")
			return
		}
	default:
		if head, exists := g.branches[branch]; exists {
			parent = g.commits[head]
		} else if g.mainbranch != "" {
			parent = g.commits[g.branches[g.mainbranch]] // nil in an empty repository
		}
	}
	message := fields.Get("message")
	if message == "" {
		message = "Edited online with Bitbucket"
	}
	author := fields.Get("author")
	if author == "" {
		author = c.user.DisplayName + " <" + c.user.Nickname + "@users.noreply.bitbucket.org>"
	}
	now := e.now()
	cm := g.addCommit(parent, message, author, now, changes, deleted, ws.Slug+"/"+repo.Slug)
	g.branches[branch] = cm.hash
	if g.mainbranch == "" {
		g.mainbranch = branch
	}
	repo.UpdatedOn = now
	ws.touch()
	h := hostsOf(r)
	w.Header().Set("Location", h.repoAPI(ws, repo)+"/commit/"+cm.hash)
	w.WriteHeader(http.StatusCreated)
}

type commitFileJSON struct {
	Type     string         `json:"type"`
	Path     string         `json:"path"`
	Commit   commitRefJSON  `json:"commit"`
	Attrs    []string       `json:"attributes"`
	Size     int            `json:"size"`
	Mimetype *string        `json:"mimetype"`
	Links    map[string]any `json:"links"`
}

// getSrc is GET /src/{commit}/{path}: the raw file (text/plain), or with format=meta its
// commit_file document; 404 when the ref or the file does not exist.
func (e *Emulator) getSrc(w http.ResponseWriter, r *http.Request, c *caller) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ws, repo, g, ok := e.repoAccess(w, r, c, PermRead)
	if !ok {
		return
	}
	ref, path := r.PathValue("commit"), r.PathValue("path")
	cm := g.resolve(ref)
	if cm == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Commit not found: %s", ref), "")
		return
	}
	content, ok := cm.files[path]
	if !ok {
		writeError(w, http.StatusNotFound, "No such file or directory: "+path, "")
		return
	}
	switch r.URL.Query().Get("format") {
	case "meta":
		h := hostsOf(r)
		self := h.repoAPI(ws, repo) + "/src/" + cm.hash + "/" + path
		writeJSON(w, http.StatusOK, commitFileJSON{Type: "commit_file", Path: path,
			Commit: h.commitRef(ws, repo, cm.hash), Attrs: []string{}, Size: len(content),
			Links: map[string]any{"self": link{Href: self}, "meta": link{Href: self + "?format=meta"}}})
	case "":
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, content)
	default:
		writeError(w, http.StatusBadRequest, "Invalid format: use meta or rendered", "")
	}
}

// ---- pull requests ----

type prBranchJSON struct {
	Name string `json:"name"`
}

type prRepoJSON struct {
	Type     string          `json:"type"`
	FullName string          `json:"full_name"`
	Name     string          `json:"name"`
	UUID     string          `json:"uuid"`
	Links    map[string]link `json:"links"`
}

type prCommitJSON struct {
	Hash string `json:"hash"`
}

type prEndpointJSON struct {
	Branch     prBranchJSON  `json:"branch"`
	Commit     *prCommitJSON `json:"commit"`
	Repository prRepoJSON    `json:"repository"`
}

type renderedJSON struct {
	Raw    string `json:"raw"`
	Markup string `json:"markup"`
	HTML   string `json:"html"`
}

type pullRequestJSON struct {
	Type              string          `json:"type"`
	ID                int             `json:"id"`
	Title             string          `json:"title"`
	Description       string          `json:"description"`
	Summary           renderedJSON    `json:"summary"`
	State             string          `json:"state"`
	Author            userJSON        `json:"author"`
	Source            prEndpointJSON  `json:"source"`
	Destination       prEndpointJSON  `json:"destination"`
	MergeCommit       *prCommitJSON   `json:"merge_commit,omitempty"`
	CommentCount      int             `json:"comment_count"`
	TaskCount         int             `json:"task_count"`
	CloseSourceBranch bool            `json:"close_source_branch"`
	Reason            string          `json:"reason"`
	CreatedOn         string          `json:"created_on"`
	UpdatedOn         string          `json:"updated_on"`
	Reviewers         []userJSON      `json:"reviewers"`
	Participants      []any           `json:"participants"`
	Draft             bool            `json:"draft"`
	Links             map[string]link `json:"links"`
}

func rendered(raw string) renderedJSON {
	return renderedJSON{Raw: raw, Markup: "markdown", HTML: "<p>" + htmlEscape(raw) + "</p>"}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func (e *Emulator) userOrGhost(accountID string) *User {
	if u := e.users[accountID]; u != nil {
		return u
	}
	return &User{AccountID: accountID, UUID: braceUUID("user/" + accountID), Nickname: accountID, DisplayName: "Former user"}
}

func (e *Emulator) prJSON(h hosts, ws *workspace, r *Repo, g *repoGit, p *pullRequest) pullRequestJSON {
	full := ws.Slug + "/" + r.Slug
	repoRef := prRepoJSON{Type: "repository", FullName: full, Name: r.Name, UUID: r.UUID,
		Links: map[string]link{"self": {Href: h.repoAPI(ws, r)}, "html": {Href: h.web + "/" + full}}}
	end := func(branch string) prEndpointJSON {
		ep := prEndpointJSON{Branch: prBranchJSON{Name: branch}, Repository: repoRef}
		if hash, ok := g.branches[branch]; ok {
			ep.Commit = &prCommitJSON{Hash: hash[:12]}
		}
		return ep
	}
	api := h.repoAPI(ws, r) + "/pullrequests/" + strconv.Itoa(p.id)
	return pullRequestJSON{Type: "pullrequest", ID: p.id, Title: p.title, Description: p.description,
		Summary: rendered(p.description), State: p.state, Author: h.user(e.userOrGhost(p.author), genEpoch),
		Source: end(p.source), Destination: end(p.destination), CommentCount: len(p.comments),
		CloseSourceBranch: p.closeSourceBranch, CreatedOn: bbTime(p.created), UpdatedOn: bbTime(p.updated),
		Reviewers: []userJSON{}, Participants: []any{},
		Links: map[string]link{
			"self":     {Href: api},
			"html":     {Href: PullRequestURL(h.web, ws.Slug, r.Slug, p.id)},
			"comments": {Href: api + "/comments"},
			"commits":  {Href: api + "/commits"},
			"diff":     {Href: api + "/diff"},
		}}
}

// PullRequestURL is a pull request's page: base is the emulator's URL (bitbucket.org's
// place), e.g. http://127.0.0.1:PORT/acme/shop/pull-requests/1.
func PullRequestURL(base, workspace, slug string, id int) string {
	return strings.TrimRight(base, "/") + "/" + workspace + "/" + slug + "/pull-requests/" + strconv.Itoa(id)
}

// prFields are the pull request fields q accepts.
func prFieldType(f string) (fieldType, bool) {
	switch f {
	case "source.branch.name", "destination.branch.name", "state", "title", "description", "author.uuid", "author.nickname":
		return typeString, true
	case "created_on", "updated_on":
		return typeTime, true
	case "id":
		return typeString, true
	}
	return 0, false
}

func (e *Emulator) listPullRequests(w http.ResponseWriter, r *http.Request, c *caller) {
	pg, pagelen, ok := pageParams(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var filter *bbqlExpr
	if s := q.Get("q"); s != "" {
		x, err := parseBBQLFields(s, prFieldType, "pull request")
		if err != nil {
			writeError(w, http.StatusBadRequest, "Invalid query: "+err.Error(), "")
			return
		}
		filter = x
	}
	// Without a state parameter only open pull requests are listed (the document).
	states := map[string]bool{"OPEN": true}
	if vs, ok := q["state"]; ok {
		states = map[string]bool{}
		for _, s := range vs {
			switch s {
			case "OPEN", "MERGED", "DECLINED", "SUPERSEDED":
				states[s] = true
			default:
				writeError(w, http.StatusBadRequest, "Invalid state: "+s, "")
				return
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ws, repo, g, ok := e.repoAccess(w, r, c, PermRead)
	if !ok {
		return
	}
	var list []*pullRequest
	for i := len(g.prs) - 1; i >= 0; i-- { // newest first
		p := g.prs[i]
		if !states[p.state] {
			continue
		}
		if filter != nil {
			author := e.userOrGhost(p.author)
			str := func(f string) string {
				switch f {
				case "source.branch.name":
					return p.source
				case "destination.branch.name":
					return p.destination
				case "state":
					return p.state
				case "title":
					return p.title
				case "description":
					return p.description
				case "author.uuid":
					return author.UUID
				case "author.nickname":
					return author.Nickname
				case "id":
					return strconv.Itoa(p.id)
				}
				return ""
			}
			tm := func(f string) time.Time {
				if f == "created_on" {
					return p.created
				}
				return p.updated
			}
			if !filter.matchFields(str, nil, tm, prFieldType) {
				continue
			}
		}
		list = append(list, p)
	}
	h := hostsOf(r)
	writeJSON(w, http.StatusOK, paginate(r, len(list), pg, pagelen, func(i int) pullRequestJSON {
		return e.prJSON(h, ws, repo, g, list[i])
	}))
}

func (e *Emulator) createPullRequest(w http.ResponseWriter, r *http.Request, c *caller) {
	var body struct {
		Title             string `json:"title"`
		Description       string `json:"description"`
		CloseSourceBranch bool   `json:"close_source_branch"`
		Source            struct {
			Branch struct {
				Name string `json:"name"`
			} `json:"branch"`
		} `json:"source"`
		Destination *struct {
			Branch struct {
				Name string `json:"name"`
			} `json:"branch"`
		} `json:"destination"`
	}
	if !decodeJSON(w, r, &body, "pull request") {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ws, repo, g, ok := e.repoAccess(w, r, c, PermRead)
	if !ok {
		return
	}
	if !canWrite(g.permission(ws, repo, c.user.AccountID)) {
		// The operation declares no 403: Bitbucket's answer for a reader is a 400 here.
		writeError(w, http.StatusBadRequest, "You do not have permission to create a pull request in this repository.", "")
		return
	}
	src := body.Source.Branch.Name
	dst := g.mainbranch
	if body.Destination != nil && body.Destination.Branch.Name != "" {
		dst = body.Destination.Branch.Name
	}
	switch {
	case body.Title == "":
		writeError(w, http.StatusBadRequest, "title: This field is required.", "")
		return
	case src == "":
		writeError(w, http.StatusBadRequest, "source: This field is required.", "")
		return
	}
	if _, ok := g.branches[src]; !ok {
		writeError(w, http.StatusBadRequest, "source: Branch not found: "+src, "")
		return
	}
	if _, ok := g.branches[dst]; !ok || dst == "" {
		writeError(w, http.StatusBadRequest, "destination: Branch not found: "+dst, "")
		return
	}
	if g.branches[src] == g.branches[dst] {
		writeError(w, http.StatusBadRequest, "There are no changes to be pulled", "")
		return
	}
	for _, p := range g.prs {
		if p.state == "OPEN" && p.source == src && p.destination == dst {
			writeError(w, http.StatusBadRequest, "Only one pull request may be open for a given source and target branch", "")
			return
		}
	}
	now := e.now()
	p := &pullRequest{id: len(g.prs) + 1, title: body.Title, description: body.Description,
		source: src, destination: dst, state: "OPEN", author: c.user.AccountID,
		created: now, updated: now, closeSourceBranch: body.CloseSourceBranch}
	g.prs = append(g.prs, p)
	h := hostsOf(r)
	w.Header().Set("Location", h.repoAPI(ws, repo)+"/pullrequests/"+strconv.Itoa(p.id))
	writeJSON(w, http.StatusCreated, e.prJSON(h, ws, repo, g, p))
}

type prCommentJSON struct {
	Type        string          `json:"type"`
	ID          int             `json:"id"`
	CreatedOn   string          `json:"created_on"`
	UpdatedOn   string          `json:"updated_on"`
	Content     renderedJSON    `json:"content"`
	User        userJSON        `json:"user"`
	Deleted     bool            `json:"deleted"`
	Pending     bool            `json:"pending"`
	Pullrequest map[string]any  `json:"pullrequest"`
	Links       map[string]link `json:"links"`
}

func (e *Emulator) createPRComment(w http.ResponseWriter, r *http.Request, c *caller) {
	var body struct {
		Content struct {
			Raw string `json:"raw"`
		} `json:"content"`
	}
	if !decodeJSON(w, r, &body, "comment") {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ws, repo, g, ok := e.repoAccess(w, r, c, PermRead)
	if !ok {
		return
	}
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 || id > len(g.prs) {
		writeError(w, http.StatusNotFound, "Pull request "+r.PathValue("id")+" not found", "")
		return
	}
	if body.Content.Raw == "" {
		writeError(w, http.StatusBadRequest, "content: This field is required.", "")
		return
	}
	p := g.prs[id-1]
	now := e.now()
	cm := &prComment{id: 1000*id + len(p.comments) + 1, raw: body.Content.Raw, author: c.user.AccountID, created: now}
	p.comments = append(p.comments, cm)
	p.updated = now
	h := hostsOf(r)
	api := h.repoAPI(ws, repo) + "/pullrequests/" + strconv.Itoa(id)
	writeJSON(w, http.StatusCreated, prCommentJSON{Type: "pullrequest_comment", ID: cm.id,
		CreatedOn: bbTime(now), UpdatedOn: bbTime(now), Content: rendered(cm.raw),
		User: h.user(c.user, genEpoch),
		Pullrequest: map[string]any{"type": "pullrequest", "id": id, "title": p.title,
			"links": map[string]link{"self": {Href: api}, "html": {Href: PullRequestURL(h.web, ws.Slug, repo.Slug, id)}}},
		Links: map[string]link{"self": {Href: api + "/comments/" + strconv.Itoa(cm.id)},
			"html": {Href: PullRequestURL(h.web, ws.Slug, repo.Slug, id) + "#comment-" + strconv.Itoa(cm.id)}}})
}

// ---- permissions ----

type repoPermissionJSON struct {
	Type       string     `json:"type"`
	Permission string     `json:"permission"`
	User       userJSON   `json:"user"`
	Repository prRepoJSON `json:"repository"`
}

// repoPermissions is GET /workspaces/{ws}/permissions/repositories/{slug}: every workspace
// member's (and explicitly granted user's) effective permission on the repository, for a
// workspace administrator only (403 for anyone else, 403 too for a repository that does not
// exist: the operation declares only 200 and 403).
func (e *Emulator) repoPermissions(w http.ResponseWriter, r *http.Request, c *caller) {
	pg, pagelen, ok := pageParams(w, r)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	id := r.PathValue("workspace")
	ws := e.lookupWorkspace(id)
	if ws == nil || !ws.members[c.user.AccountID] {
		writeError(w, http.StatusForbidden, "Only workspace administrators can view repository permissions.", "")
		return
	}
	slug := r.PathValue("repo_slug")
	repo := ws.repo(slug)
	if repo == nil {
		writeError(w, http.StatusForbidden, fmt.Sprintf("Repository %s/%s not found or not accessible.", ws.Slug, slug), "")
		return
	}
	g := gitOf(ws, repo)
	var ids []string
	for _, a := range e.userOrder {
		_, member := ws.members[a]
		_, granted := g.perms[a]
		if member || granted {
			if p := g.permission(ws, repo, a); p != PermNone {
				ids = append(ids, a)
			}
		}
	}
	h := hostsOf(r)
	full := ws.Slug + "/" + repo.Slug
	ref := prRepoJSON{Type: "repository", FullName: full, Name: repo.Name, UUID: repo.UUID,
		Links: map[string]link{"self": {Href: h.repoAPI(ws, repo)}, "html": {Href: h.web + "/" + full}}}
	writeJSON(w, http.StatusOK, paginate(r, len(ids), pg, pagelen, func(i int) repoPermissionJSON {
		return repoPermissionJSON{Type: "repository_permission", Permission: g.permission(ws, repo, ids[i]),
			User: h.user(e.users[ids[i]], genEpoch), Repository: ref}
	}))
}
