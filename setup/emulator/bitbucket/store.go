package bitbucket

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// workspace is one workspace's state. Its fields are guarded by Emulator.mu; the view
// cache has its own lock because listings fill it under the read lock.
type workspace struct {
	Workspace
	members  map[string]bool // account_id -> administrator
	created  time.Time
	projects []*Project // in the order added
	repos    []*Repo    // in the order added (the default listing order)
	bySlug   map[string]*Repo
	byUUID   map[string]*Repo

	gen     uint64 // bumped on every change to repos or projects
	viewMu  sync.Mutex
	viewGen uint64
	views   map[viewKey][]*Repo
}

// viewKey names one filtered, sorted listing of a workspace's repositories.
type viewKey struct {
	visible visibility
	q, sort string
}

type visibility int

const (
	visibleAll    visibility = iota // a member's view
	visiblePublic                   // a non-member's view: public repositories only
)

const maxViews = 64

func newWorkspace(w Workspace, members map[string]bool, now time.Time) *workspace {
	return &workspace{Workspace: w, members: members, created: now,
		bySlug: map[string]*Repo{}, byUUID: map[string]*Repo{}}
}

func (ws *workspace) touch() { ws.gen++ }

func (ws *workspace) project(key string) *Project {
	for _, p := range ws.projects {
		if p.Key == key {
			return p
		}
	}
	return nil
}

func (ws *workspace) addProject(p Project) {
	if old := ws.project(p.Key); old != nil {
		*old = p
	} else {
		ws.projects = append(ws.projects, &p)
	}
	ws.touch()
}

// defaultProject is the workspace's oldest project, where a repository created without
// a project lands. A workspace with no project gets Bitbucket's "Untitled project".
func (ws *workspace) defaultProject(now time.Time) *Project {
	var oldest *Project
	for _, p := range ws.projects {
		if oldest == nil || p.CreatedOn.Before(oldest.CreatedOn) {
			oldest = p
		}
	}
	if oldest == nil {
		ws.addProject(Project{Key: "PROJ", Name: "Untitled project", IsPrivate: true,
			UUID: braceUUID("project/" + ws.Slug + "/PROJ"), CreatedOn: now})
		oldest = ws.projects[0]
	}
	return oldest
}

func (ws *workspace) addRepo(r Repo) {
	if old, ok := ws.bySlug[r.Slug]; ok {
		delete(ws.byUUID, old.UUID)
		*old = r
		ws.byUUID[r.UUID] = old
	} else {
		p := &r
		ws.repos = append(ws.repos, p)
		ws.bySlug[r.Slug] = p
		ws.byUUID[r.UUID] = p
	}
	ws.touch()
}

// removeRepo deletes the repository slug (as its owner would on bitbucket.org); false when
// there is none.
func (ws *workspace) removeRepo(slug string) bool {
	r, ok := ws.bySlug[slug]
	if !ok {
		return false
	}
	delete(ws.bySlug, slug)
	delete(ws.byUUID, r.UUID)
	for i, x := range ws.repos {
		if x == r {
			ws.repos = append(ws.repos[:i:i], ws.repos[i+1:]...)
			break
		}
	}
	ws.touch()
	return true
}

// repo finds a repository by slug or by {UUID}.
func (ws *workspace) repo(slugOrUUID string) *Repo {
	if strings.HasPrefix(slugOrUUID, "{") {
		return ws.byUUID[slugOrUUID]
	}
	return ws.bySlug[slugOrUUID]
}

// view returns the repositories matching q in the given order, computed once per change
// of the workspace and cached. The caller holds Emulator.mu for reading.
func (ws *workspace) view(k viewKey, filter *bbqlExpr, less func(a, b *Repo) int) []*Repo {
	ws.viewMu.Lock()
	if ws.viewGen != ws.gen || ws.views == nil || len(ws.views) >= maxViews {
		ws.views = map[viewKey][]*Repo{}
		ws.viewGen = ws.gen
	}
	if v, ok := ws.views[k]; ok {
		ws.viewMu.Unlock()
		return v
	}
	ws.viewMu.Unlock()

	out := make([]*Repo, 0, len(ws.repos))
	for _, r := range ws.repos {
		if k.visible == visiblePublic && r.IsPrivate {
			continue
		}
		if filter != nil && !filter.match(ws, r) {
			continue
		}
		out = append(out, r)
	}
	if less != nil {
		sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) < 0 })
	}

	ws.viewMu.Lock()
	if ws.viewGen == ws.gen {
		ws.views[k] = out
	}
	ws.viewMu.Unlock()
	return out
}

// braceUUID derives a stable version-5-style UUID in braces from a name, so generated
// data is the same on every run.
func braceUUID(name string) string {
	sum := sha1.Sum([]byte("bbsetup-emulator/" + name))
	sum[6] = (sum[6] & 0x0f) | 0x50
	sum[8] = (sum[8] & 0x3f) | 0x80
	h := hex.EncodeToString(sum[:16])
	return "{" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32] + "}"
}

// validSlug reports whether s follows Bitbucket's repository slug rules: lowercase
// ASCII letters, digits, '_', '-' and '.'; at most 62 characters; no "--".
func validSlug(s string) bool {
	if s == "" || len(s) > 62 || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

var genAdjectives = []string{"amber", "billing", "core", "data", "edge", "fast", "green",
	"hidden", "inner", "jade", "kinetic", "lunar", "micro", "north", "open", "prime",
	"quiet", "rapid", "solar", "tidy", "ultra", "vivid", "west", "young", "zen"}

var genNouns = []string{"api", "gateway", "service", "worker", "portal", "engine", "ledger",
	"router", "cache", "store", "monitor", "scheduler", "parser", "mailer", "search",
	"auth", "billing", "catalog", "docs", "frontend"}

// genEpoch is the creation time of the first generated repository.
var genEpoch = time.Date(2021, 1, 4, 9, 0, 0, 0, time.UTC)

// GenerateRepos adds n repositories with deterministic names ("amber-api-00001", ...),
// dates and privacy to a workspace, spread round-robin over its projects (a workspace
// without projects gets one). Slugs that already exist are skipped. It panics if the
// workspace does not exist.
func (e *Emulator) GenerateRepos(workspace string, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ws := e.mustWorkspace(workspace)
	ws.defaultProject(e.now())
	projects := append([]*Project(nil), ws.projects...)
	sort.SliceStable(projects, func(i, j int) bool { return projects[i].CreatedOn.Before(projects[j].CreatedOn) })

	if cap(ws.repos)-len(ws.repos) < n {
		grown := make([]*Repo, len(ws.repos), len(ws.repos)+n)
		copy(grown, ws.repos)
		ws.repos = grown
	}
	block := make([]Repo, n) // one allocation for all of them
	made, base := 0, len(ws.repos)
	for i := 0; made < n; i++ {
		idx := base + i
		adj := genAdjectives[idx%len(genAdjectives)]
		noun := genNouns[(idx/len(genAdjectives))%len(genNouns)]
		slug := fmt.Sprintf("%s-%s-%05d", adj, noun, idx+1)
		if _, exists := ws.bySlug[slug]; exists {
			continue
		}
		created := genEpoch.Add(time.Duration(idx) * 37 * time.Minute)
		h := sha1.Sum([]byte(workspace + "/" + slug))
		updated := created.Add(time.Duration(int(h[0])<<8|int(h[1])) * time.Minute)
		p := projects[idx%len(projects)]
		r := &block[made]
		*r = Repo{
			Slug:        slug,
			Name:        slug,
			Description: fmt.Sprintf("Generated repository %d of workspace %s", idx+1, workspace),
			UUID:        braceUUID("repository/" + workspace + "/" + slug),
			ProjectKey:  p.Key,
			IsPrivate:   p.IsPrivate || idx%7 != 0,
			CreatedOn:   created,
			UpdatedOn:   updated,
		}
		ws.repos = append(ws.repos, r)
		ws.bySlug[slug] = r
		ws.byUUID[r.UUID] = r
		made++
	}
	ws.touch()
}
