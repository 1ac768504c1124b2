package bitbucket

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// git.go is the content of a repository as the REST API shows it: commits (each a full
// snapshot of the files), branches pointing at commits, the main branch, pull requests with
// their comments, and per-user repository permissions. There is no git transport: content
// arrives through POST /src (what Amplication's PR service does with `git push`, the
// Amplication emulator does through POST /src).

// Repository permissions (the values of repository_permission.permission).
const (
	PermNone  = "none"
	PermRead  = "read"
	PermWrite = "write"
	PermAdmin = "admin"
)

// repoGit is one repository's content. Its fields are guarded by Emulator.mu.
type repoGit struct {
	mainbranch string             // "" = null (a repository created empty, Options.EmptyMainbranch)
	branches   map[string]string  // name -> commit hash
	commits    map[string]*commit // by hash
	prs        []*pullRequest     // by id-1
	perms      map[string]string  // account_id -> permission, overriding the default
}

type commit struct {
	hash, message, author string
	parents               []string
	date                  time.Time
	files                 map[string]string // the whole tree at this commit: path -> content
}

type pullRequest struct {
	id                  int
	title, description  string
	source, destination string // branch names
	state               string // OPEN, MERGED, DECLINED, SUPERSEDED
	author              string // account_id
	created, updated    time.Time
	closeSourceBranch   bool
	comments            []*prComment
}

type prComment struct {
	id      int
	raw     string
	author  string // account_id
	created time.Time
}

// seededReadme is the one file of a repository added with AddRepos or GenerateRepos: such a
// repository has a main branch "main" with one commit.
const seededReadme = "# %s\n"

// gitOf returns the content of r, creating it on first use: a repository added through the
// world-building methods has branch "main" with an "Initial commit" of README.md. The caller
// holds e.mu for writing.
func gitOf(ws *workspace, r *Repo) *repoGit {
	if r.git != nil {
		return r.git
	}
	g := &repoGit{mainbranch: "main", branches: map[string]string{}, commits: map[string]*commit{}, perms: map[string]string{}}
	c := g.addCommit(nil, "Initial commit", "Bitbucket <noreply@bitbucket.org>", r.CreatedOn,
		map[string]string{"README.md": fmt.Sprintf(seededReadme, r.Name)}, nil, ws.Slug+"/"+r.Slug)
	g.branches["main"] = c.hash
	r.git = g
	return g
}

// emptyGit is the content of a repository just created through the API: no commits, no
// branches, and a main branch "main" that does not exist yet, or none at all (null).
func emptyGit(nullMainbranch bool) *repoGit {
	g := &repoGit{mainbranch: "main", branches: map[string]string{}, commits: map[string]*commit{}, perms: map[string]string{}}
	if nullMainbranch {
		g.mainbranch = ""
	}
	return g
}

// addCommit records a commit whose tree is parent's (or empty) with changes applied
// (content "" is a file like any other) and deleted removed.
func (g *repoGit) addCommit(parent *commit, message, author string, date time.Time, changes map[string]string, deleted []string, salt string) *commit {
	files := map[string]string{}
	var parents []string
	if parent != nil {
		maps.Copy(files, parent.files)
		parents = []string{parent.hash}
	}
	maps.Copy(files, changes)
	for _, d := range deleted {
		delete(files, d)
	}
	h := sha1.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00%d", salt, strings.Join(parents, ","), message, author, date.UnixNano(), len(g.commits))
	paths := slices.Sorted(maps.Keys(files))
	for _, p := range paths {
		fmt.Fprintf(h, "\x00%s\x00%s", p, files[p])
	}
	c := &commit{hash: hex.EncodeToString(h.Sum(nil)), message: message, author: author,
		parents: parents, date: date, files: files}
	g.commits[c.hash] = c
	return c
}

// resolve finds the commit a ref names: a branch name, or a commit hash (or a prefix of
// at least 7 characters of one).
func (g *repoGit) resolve(ref string) *commit {
	if h, ok := g.branches[ref]; ok {
		return g.commits[h]
	}
	if c, ok := g.commits[ref]; ok {
		return c
	}
	if len(ref) >= 7 {
		for h, c := range g.commits {
			if strings.HasPrefix(h, ref) {
				return c
			}
		}
	}
	return nil
}

// permission is a user's effective permission on a repository: an explicit grant
// (SetRepoPermission) wins; otherwise a workspace administrator has admin, another member
// write, and anyone else read on a public repository and none on a private one.
func (g *repoGit) permission(ws *workspace, r *Repo, accountID string) string {
	if p, ok := g.perms[accountID]; ok {
		return p
	}
	if admin, member := ws.members[accountID]; member {
		if admin {
			return PermAdmin
		}
		return PermWrite
	}
	if !r.IsPrivate {
		return PermRead
	}
	return PermNone
}

func canWrite(perm string) bool { return perm == PermWrite || perm == PermAdmin }
func canRead(perm string) bool  { return perm != PermNone && perm != "" }

// SetRepoPermission grants accountID a permission on a repository ("read", "write",
// "admin" or "none"), overriding what workspace membership gives. It panics when the
// workspace or repository does not exist, or the permission is not one of those.
func (e *Emulator) SetRepoPermission(workspace, slug, accountID, perm string) {
	if !slices.Contains([]string{PermNone, PermRead, PermWrite, PermAdmin}, perm) {
		panic("emulator: unknown repository permission " + perm)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ws := e.mustWorkspace(workspace)
	r := ws.repo(slug)
	if r == nil {
		panic("emulator: no repository " + workspace + "/" + slug)
	}
	gitOf(ws, r).perms[accountID] = perm
}

// RepoState is what a repository holds, for tests and the demo to read back.
type RepoState struct {
	Mainbranch   string            // "" when Bitbucket reports mainbranch null
	Branches     map[string]string // name -> head commit hash
	PullRequests []PullRequest     // by id
}

// PullRequest is a pull request as stored.
type PullRequest struct {
	ID                  int
	Title, Description  string
	Source, Destination string
	State               string
	Author              string   // account_id of whoever opened it
	Comments            []string // raw text, oldest first
	CommentAuthors      []string // account_id per comment
}

// Repo returns what a repository holds (false when it does not exist).
func (e *Emulator) Repo(workspace, slug string) (RepoState, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ws := e.workspaces[workspace]
	if ws == nil {
		return RepoState{}, false
	}
	r := ws.repo(slug)
	if r == nil {
		return RepoState{}, false
	}
	g := gitOf(ws, r)
	out := RepoState{Mainbranch: g.mainbranch, Branches: maps.Clone(g.branches)}
	for _, p := range g.prs {
		pr := PullRequest{ID: p.id, Title: p.title, Description: p.description, Source: p.source,
			Destination: p.destination, State: p.state, Author: p.author}
		for _, c := range p.comments {
			pr.Comments = append(pr.Comments, c.raw)
			pr.CommentAuthors = append(pr.CommentAuthors, c.author)
		}
		out.PullRequests = append(out.PullRequests, pr)
	}
	return out, true
}

// File returns a file's content at a ref (branch or commit) of a repository.
func (e *Emulator) File(workspace, slug, ref, path string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ws := e.workspaces[workspace]
	if ws == nil {
		return "", false
	}
	r := ws.repo(slug)
	if r == nil {
		return "", false
	}
	c := gitOf(ws, r).resolve(ref)
	if c == nil {
		return "", false
	}
	s, ok := c.files[path]
	return s, ok
}

// sortedBranches lists branch names, the main branch first, then by name.
func (g *repoGit) sortedBranches() []string {
	names := slices.Collect(maps.Keys(g.branches))
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == g.mainbranch) != (names[j] == g.mainbranch) {
			return names[i] == g.mainbranch
		}
		return names[i] < names[j]
	})
	return names
}
