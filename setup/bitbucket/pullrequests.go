package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AmplicationBranch is the branch Amplication pushes every build to (SPEC.md, "After the
// connect": the head branch is always `amplication`).
const AmplicationBranch = "amplication"

// PullRequest is one pull request of a repository.
type PullRequest struct {
	ID                                   int
	Title, State                         string
	SourceBranch, DestinationBranch      string
	HTMLURL                              string // https://bitbucket.org/{ws}/{slug}/pull-requests/{id}
	CreatedOn, UpdatedOn                 time.Time
	AuthorDisplayName, AuthorAccountUUID string
}

type pullRequestJSON struct {
	ID     int    `json:"id"`
	Title  string `json:"title"`
	State  string `json:"state"`
	Source struct {
		Branch struct {
			Name string `json:"name"`
		} `json:"branch"`
	} `json:"source"`
	Destination struct {
		Branch struct {
			Name string `json:"name"`
		} `json:"branch"`
	} `json:"destination"`
	Links struct {
		HTML link `json:"html"`
	} `json:"links"`
	Author *struct {
		DisplayName string `json:"display_name"`
		UUID        string `json:"uuid"`
	} `json:"author"`
	CreatedOn string `json:"created_on"`
	UpdatedOn string `json:"updated_on"`
}

func (p *pullRequestJSON) pullRequest() PullRequest {
	out := PullRequest{ID: p.ID, Title: p.Title, State: p.State, SourceBranch: p.Source.Branch.Name,
		DestinationBranch: p.Destination.Branch.Name, HTMLURL: p.Links.HTML.Href}
	if p.Author != nil {
		out.AuthorDisplayName, out.AuthorAccountUUID = p.Author.DisplayName, p.Author.UUID
	}
	out.CreatedOn, _ = time.Parse(time.RFC3339Nano, p.CreatedOn)
	out.UpdatedOn, _ = time.Parse(time.RFC3339Nano, p.UpdatedOn)
	return out
}

// OpenPullRequest returns the repository's open pull request from branch (Amplication's
// is AmplicationBranch), or nil when it has none: GET
// /repositories/{ws}/{slug}/pullrequests?state=OPEN, every page, matched on the source
// branch here. (Amplication's PR service filters with q=source.branch.name="…" AND
// state="OPEN"; the OpenAPI document declares only state on this operation, so bbsetup
// sends that and matches the branch itself: the same answer, from documented parameters.)
func (c *Client) OpenPullRequest(ctx context.Context, ws, slug, branch string) (_ *PullRequest, err error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, err
	}
	if err := checkSegment(slug); err != nil {
		return nil, fmt.Errorf("repository slug %q: %w", slug, err)
	}
	if strings.TrimSpace(branch) == "" {
		return nil, errors.New("no branch given")
	}
	what := "the open pull requests of " + ws + "/" + slug
	ctx, done := c.bound(ctx, what)
	defer func() { err = done(err) }()
	q := url.Values{"state": {"OPEN"}, "pagelen": {"50"}}
	var found *PullRequest
	err = listAll(ctx, c, what, c.endpoint(q, "repositories", ws, slug, "pullrequests"), func(batch []pullRequestJSON) {
		for i := range batch {
			p := batch[i].pullRequest()
			if found == nil && p.SourceBranch == branch && strings.EqualFold(p.State, "OPEN") {
				found = &p
			}
		}
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil, &NotFoundError{Workspace: ws, Slug: slug}
		}
		return nil, err
	}
	return found, nil
}
