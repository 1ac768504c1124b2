package bitbucket

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// CurrentUser returns the account the token acts for (GET /user).
func (c *Client) CurrentUser(ctx context.Context) (*User, error) {
	ctx, done := c.bound(ctx, "GET /user")
	var u userJSON
	if err := done(c.getJSON(ctx, c.endpoint(nil, "user"), &u)); err != nil {
		return nil, err
	}
	return u.user(), nil
}

// Workspaces returns every workspace the user can access, sorted by slug
// (GET /user/workspaces, all pages). Names come from GET /workspaces/{slug}, looked up
// concurrently (at most Options.NameConcurrency at a time); a workspace whose look-up fails
// keeps its slug as its name rather than failing the list.
func (c *Client) Workspaces(ctx context.Context) (ws []Workspace, err error) {
	ctx, done := c.bound(ctx, "the list of workspaces")
	defer func() { err = done(err) }()
	q := url.Values{"pagelen": {"100"}}
	var out []Workspace
	seen := map[string]bool{}
	err = listAll(ctx, c, "workspaces", c.endpoint(q, "user", "workspaces"), func(vals []workspaceAccessJSON) {
		for _, v := range vals {
			if err := checkSegment(v.Workspace.Slug); err != nil {
				c.debugf("ignoring a workspace whose slug %q is not a path segment (%v)", line(v.Workspace.Slug), err)
				continue
			}
			slug := line(v.Workspace.Slug)
			if slug == "" || seen[slug] {
				continue
			}
			seen[slug] = true
			out = append(out, Workspace{Slug: slug, UUID: line(v.Workspace.UUID), Name: slug, Administrator: v.Administrator})
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Workspace) int { return strings.Compare(a.Slug, b.Slug) })

	// Names: bounded concurrency; a name is cosmetic, so at most one retry each.
	sem := make(chan struct{}, c.opts.NameConcurrency)
	var wg sync.WaitGroup
	for i := range out {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-sem }()
			var w workspaceJSON
			err := c.doRetries(ctx, "GET", c.endpoint(nil, "workspaces", out[i].Slug), nil, &w, min(c.opts.MaxRetries, 1))
			if err != nil {
				c.debugf("workspace %s: name look-up failed, showing the slug: %v", out[i].Slug, err)
				return
			}
			if n := line(w.Name); n != "" {
				out[i].Name = n
			}
			out[i].HTMLURL = line(w.Links.HTML.Href)
			if out[i].UUID == "" {
				out[i].UUID = line(w.UUID)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Projects returns the projects of workspace ws, sorted by key
// (GET /workspaces/{ws}/projects, all pages).
func (c *Client) Projects(ctx context.Context, ws string) (_ []Project, err error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, err
	}
	ctx, done := c.bound(ctx, "the project list of "+ws)
	defer func() { err = done(err) }()
	q := url.Values{"pagelen": {"100"}}
	var out []Project
	err = listAll(ctx, c, "projects in workspace "+ws, c.endpoint(q, "workspaces", ws, "projects"), func(vals []projectJSON) {
		for _, p := range vals {
			out = append(out, p.project())
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Project) int { return cmp.Compare(a.Key, b.Key) })
	return out, nil
}

// listAll follows a paginated list sequentially from first, calling each with every
// non-empty page. It stops at the last page, at a next link already fetched, at an
// empty page, or once size items have arrived; past MaxRepositories items or maxPages
// pages it fails with a *TooManyError naming what.
func listAll[T any](ctx context.Context, c *Client, what, first string, each func([]T)) error {
	seen := map[string]bool{}
	loaded := 0
	next := first
	for range maxPages {
		if next == "" || seen[pageKey(next)] {
			return nil
		}
		if !c.sameOrigin(next) {
			return errForeignNext(next)
		}
		seen[pageKey(next)] = true
		var p pageJSON[T]
		if err := c.getJSON(ctx, next, &p); err != nil {
			return err
		}
		if len(p.Values) == 0 {
			return nil
		}
		if loaded+len(p.Values) > MaxRepositories {
			return &TooManyError{What: what, Limit: MaxRepositories}
		}
		each(p.Values)
		loaded += len(p.Values)
		if p.Size != nil && loaded >= *p.Size {
			return nil
		}
		next = p.Next
	}
	if next != "" && !seen[pageKey(next)] {
		return &TooManyError{What: what + fmt.Sprintf(" (in %d pages)", maxPages), Limit: loaded}
	}
	return nil
}

func errForeignNext(next string) error {
	host := "?"
	if u, err := url.Parse(next); err == nil {
		host = line(u.Host)
	}
	return checkAPIURL(fmt.Errorf("Bitbucket's next-page link points at another host (%s), which bbsetup does not send its token to: check that the API URL names the same host Bitbucket answers from", host))
}

// ValidateWorkspace reports, in the operator's words, why ws cannot be a workspace slug
// (empty, "." or "..", a slash, a blank or a control character), or nil.
func ValidateWorkspace(ws string) error { return checkWorkspace(ws) }

func checkWorkspace(ws string) error {
	if strings.TrimSpace(ws) == "" {
		return ErrNoWorkspace
	}
	if err := checkSegment(ws); err != nil {
		return &advised{err: fmt.Errorf("%q is not a workspace slug (%s): name a workspace by its slug, as Bitbucket lists it", safetext.Line(ws), err), advice: ErrBadWorkspace}
	}
	return nil
}

// checkSegment refuses a value that is not one plain path segment: "." and ".." (which a
// URL resolves away: /repositories/../user is /user), and anything with a slash, a
// backslash, whitespace or a control character.
func checkSegment(s string) error {
	switch {
	case s == "." || s == "..":
		return errors.New(`"." and ".." are never valid`)
	case strings.ContainsAny(s, "/\\"):
		return errors.New("it contains a slash")
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return errors.New("it contains a blank or a control character")
		}
	}
	return nil
}
