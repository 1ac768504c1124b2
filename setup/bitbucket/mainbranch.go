package bitbucket

// An empty repository (issue 20, item 6). Before its first push Amplication reads the
// repository's mainbranch.name with no null guard (a null mainbranch fails the build with
// "Cannot read properties of null (reading 'name')"), and whether Bitbucket reports a
// main branch for a repository created empty is uncertain. After creating one, bbsetup
// reads it back and, when mainbranch is null, commits a README.md on main through
// POST /repositories/{ws}/{slug}/src so the default branch exists.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/netcause"
)

// DefaultInitialBranch is the branch EnsureMainBranch creates.
const DefaultInitialBranch = "main"

// InitialCommitMessage is the message of the commit EnsureMainBranch makes.
const InitialCommitMessage = "Initial commit (bbsetup: so the repository has a main branch for Amplication)"

// MainBranch reads the repository's main branch (GET /repositories/{ws}/{slug},
// mainbranch.name): "" when Bitbucket reports none (null). A repository that does not
// exist, or that the consumer's owner cannot see, is a *NotFoundError.
func (c *Client) MainBranch(ctx context.Context, ws, slug string) (string, error) {
	if err := checkWorkspace(ws); err != nil {
		return "", err
	}
	if err := ValidateSlug(slug); err != nil {
		return "", err
	}
	var out struct {
		Mainbranch *struct {
			Name string `json:"name"`
		} `json:"mainbranch"`
	}
	if err := c.getJSON(ctx, c.endpoint(nil, "repositories", ws, slug), &out); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return "", &NotFoundError{Workspace: ws, Slug: slug}
		}
		return "", err
	}
	if out.Mainbranch == nil {
		return "", nil
	}
	return out.Mainbranch.Name, nil
}

// MainBranchResult is what EnsureMainBranch found and did.
type MainBranchResult struct {
	Branch    string // the main branch now
	Committed bool   // bbsetup committed README.md to create it
}

// NoMainBranchError is EnsureMainBranch's failure: the repository still has no main
// branch after the first commit (or the commit failed), so Amplication's first push would
// fail.
type NoMainBranchError struct {
	Workspace, Slug string
	Err             error // the commit's failure, nil when it succeeded but changed nothing
}

func (e *NoMainBranchError) Error() string {
	why := "after bbsetup's first commit Bitbucket still reports none"
	if e.Err != nil {
		why = "bbsetup's first commit failed: " + e.Err.Error()
	}
	return fmt.Sprintf("the repository %s/%s has no main branch, which Amplication needs before its first push (%s); "+
		"add a first file in Bitbucket (e.g. a README on main), then connect again", e.Workspace, e.Slug, why)
}

func (e *NoMainBranchError) Unwrap() error { return e.Err }

// EnsureMainBranch makes sure repository ws/slug has a main branch: it reads it back
// (MainBranch) and, when Bitbucket reports none, commits README.md (with readme as its
// content; "" gives a one-line title) on DefaultInitialBranch, then reads it back again.
// A repository that still has none is a *NoMainBranchError. Call it right after
// CreateRepository, before connecting the repository in Amplication.
func (c *Client) EnsureMainBranch(ctx context.Context, ws, slug, readme string) (*MainBranchResult, error) {
	name, err := c.MainBranch(ctx, ws, slug)
	if err != nil {
		return nil, err
	}
	if name != "" {
		return &MainBranchResult{Branch: name}, nil
	}
	if readme == "" {
		readme = "# " + slug + "\n"
	}
	cerr := c.commitFile(ctx, ws, slug, DefaultInitialBranch, "README.md", readme, InitialCommitMessage)
	if cerr != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	// Read back even after a failure: a commit whose answer was lost may have been made.
	name, err = c.MainBranch(ctx, ws, slug)
	switch {
	case err != nil && cerr != nil:
		return nil, &NoMainBranchError{Workspace: ws, Slug: slug, Err: cerr}
	case err != nil:
		return nil, err
	case name == "":
		return nil, &NoMainBranchError{Workspace: ws, Slug: slug, Err: cerr}
	}
	return &MainBranchResult{Branch: name, Committed: true}, nil
}

// commitFile creates a commit on branch adding path with content
// (POST /repositories/{ws}/{slug}/src, multipart/form-data: the file in a field named
// by its path, branch and message as plain fields). Sent once: a second commit would be a
// second commit; the caller reads the result back instead.
func (c *Client) commitFile(ctx context.Context, ws, slug, branch, path, content, message string) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range [][2]string{{"message", message}, {"branch", branch}} {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return err
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, path, path[strings.LastIndex(path, "/")+1:]))
	h.Set("Content-Type", "text/plain; charset=utf-8")
	fw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(fw, content); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	rawURL := c.endpoint(nil, "repositories", ws, slug, "src")
	op := c.op(http.MethodPost, rawURL)
	actx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, rawURL, bytes.NewReader(body.Bytes()))
	if err != nil {
		return fmt.Errorf("build request %s: %w", op, err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "bbsetup")
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.debugf("%s: %s after %s", op, netcause.Kind(err), time.Since(start).Round(time.Millisecond))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("Bitbucket did not answer %s (%s)", op, netcause.Kind(err))
	}
	defer resp.Body.Close()
	c.debugf("%s: %d after %s", op, resp.StatusCode, time.Since(start).Round(time.Millisecond))
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return parseError(resp.StatusCode, data, op)
	}
	return nil
}
