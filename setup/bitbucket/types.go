package bitbucket

import (
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// The types below are what the client returns. Every string in them that came from
// Bitbucket is terminal-safe (setup/safetext): cleaned once, where the answer is decoded,
// so that no printer or screen has to remember it. A value holding controls is therefore
// not the server's bytes; a slug or key that needed cleaning names nothing real.

// line is safetext.Line, the cleaning of every one-line value from Bitbucket.
func line(s string) string { return safetext.Line(s) }

// User is the account the token acts for.
type User struct {
	UUID        string // in braces, "{...}"
	AccountID   string
	DisplayName string
	Nickname    string
	Username    string // deprecated by Bitbucket; often empty
}

// Workspace is one workspace the user can access.
type Workspace struct {
	Slug          string
	UUID          string
	Name          string // the slug when the name could not be looked up
	Administrator bool
	HTMLURL       string // "" when the name look-up failed
}

// Project is one project of a workspace.
type Project struct {
	Key, Name, UUID string
	IsPrivate       bool
}

// Repository is one repository of a workspace.
type Repository struct {
	Slug, Name, FullName, UUID, Description, ProjectKey string
	IsPrivate                                           bool
	HTMLURL, CloneHTTPS, CloneSSH                       string
	UpdatedOn                                           time.Time // zero when Bitbucket sent none
}

// JSON shapes of the API (only the fields bbsetup reads).

type link struct {
	Href string `json:"href"`
	Name string `json:"name"`
}

type userJSON struct {
	UUID        string `json:"uuid"`
	AccountID   string `json:"account_id"`
	DisplayName string `json:"display_name"`
	Nickname    string `json:"nickname"`
	Username    string `json:"username"`
}

type workspaceAccessJSON struct {
	Administrator bool `json:"administrator"`
	Workspace     struct {
		Slug string `json:"slug"`
		UUID string `json:"uuid"`
	} `json:"workspace"`
}

type workspaceJSON struct {
	Slug  string `json:"slug"`
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
	Links struct {
		HTML link `json:"html"`
	} `json:"links"`
}

type projectJSON struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	UUID      string `json:"uuid"`
	IsPrivate bool   `json:"is_private"`
}

func (p projectJSON) project() Project {
	return Project{Key: line(p.Key), Name: line(p.Name), UUID: line(p.UUID), IsPrivate: p.IsPrivate}
}

func (u userJSON) user() *User {
	return &User{UUID: line(u.UUID), AccountID: line(u.AccountID), DisplayName: line(u.DisplayName),
		Nickname: line(u.Nickname), Username: line(u.Username)}
}

type repoJSON struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	FullName    string `json:"full_name"`
	UUID        string `json:"uuid"`
	Description string `json:"description"`
	IsPrivate   bool   `json:"is_private"`
	UpdatedOn   string `json:"updated_on"`
	Project     *struct {
		Key string `json:"key"`
	} `json:"project"`
	Links struct {
		HTML  link   `json:"html"`
		Clone []link `json:"clone"`
	} `json:"links"`
}

func (r *repoJSON) repository() Repository {
	out := Repository{
		Slug:        line(r.Slug),
		Name:        line(r.Name),
		FullName:    line(r.FullName),
		UUID:        line(r.UUID),
		Description: safetext.Block(r.Description), // may span lines
		IsPrivate:   r.IsPrivate,
		HTMLURL:     line(r.Links.HTML.Href),
	}
	if out.Slug == "" {
		if _, s, ok := strings.Cut(out.FullName, "/"); ok {
			out.Slug = s
		}
	}
	if r.Project != nil {
		out.ProjectKey = line(r.Project.Key)
	}
	for _, l := range r.Links.Clone {
		switch strings.ToLower(l.Name) {
		case "https":
			out.CloneHTTPS = line(l.Href)
		case "ssh":
			out.CloneSSH = line(l.Href)
		}
	}
	if r.UpdatedOn != "" {
		if t, err := time.Parse(time.RFC3339Nano, r.UpdatedOn); err == nil {
			out.UpdatedOn = t
		}
	}
	return out
}

func mapRepos(in []repoJSON) []Repository {
	out := make([]Repository, len(in))
	for i := range in {
		out[i] = in[i].repository()
	}
	return out
}

// pageJSON is Bitbucket's paginated list:
// {"values":[...],"page":N,"pagelen":N,"size":N,"next":"URL"}; size and next may be absent.
type pageJSON[T any] struct {
	Values  []T    `json:"values"`
	Page    int    `json:"page"`
	PageLen int    `json:"pagelen"`
	Size    *int   `json:"size"`
	Next    string `json:"next"`
}
