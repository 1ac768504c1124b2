package flow

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

// CreateRepository creates r in workspace ws and makes sure it has a main branch: a
// repository created empty may have none, which Amplication reads with no null guard before
// its first push. A failed create returns no repository; a failed main branch the created
// repository and the error.
func CreateRepository(ctx context.Context, bb *bitbucket.Client, ws string, r bitbucket.CreateRepo) (*bitbucket.Repository, *bitbucket.MainBranchResult, error) {
	repo, err := bb.CreateRepository(ctx, ws, r)
	if err != nil {
		return nil, nil, err
	}
	mb, err := bb.EnsureMainBranch(ctx, ws, repo.Slug, "")
	if err != nil {
		return repo, nil, err
	}
	return repo, mb, nil
}

// UnknownProjectError is Bitbucket's refusal of a create in a project the workspace does
// not have: Keys are the workspace's project keys (as Bitbucket gave them: clean them to show them), Suggest the one that differs
// from Key only in case ("" when none).
type UnknownProjectError struct {
	Workspace, Key string
	Keys           []string
	Suggest        string
	Err            error // Bitbucket's refusal
}

func (e *UnknownProjectError) Error() string { return e.Err.Error() }
func (e *UnknownProjectError) Unwrap() error { return e.Err }

// UnknownProject tells whether err, a create's failure in project key of ws, is Bitbucket
// refusing a project the workspace does not have: it asks for the workspace's projects
// only after such a refusal (a 400 with a key given), so a create that works costs no
// extra request. It returns nil when the refusal is about something else (or the project
// exists), and listErr when the projects could not be listed.
func UnknownProject(ctx context.Context, bb *bitbucket.Client, ws, key string, err error) (upe *UnknownProjectError, listErr error) {
	var ae *bitbucket.APIError
	if key == "" || !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		return nil, nil
	}
	projects, listErr := bb.Projects(ctx, ws)
	if listErr != nil {
		return nil, listErr
	}
	return unknownProject(projects, ws, key, err), nil
}

// unknownProject is UnknownProject's decision on the workspace's projects.
func unknownProject(projects []bitbucket.Project, ws, key string, err error) *UnknownProjectError {
	out := &UnknownProjectError{Workspace: ws, Key: key, Keys: make([]string, 0, len(projects)), Err: err}
	for _, p := range projects {
		if p.Key == key {
			return nil // the project exists: Bitbucket refused something else
		}
		out.Keys = append(out.Keys, p.Key)
	}
	for _, k := range out.Keys {
		if strings.EqualFold(k, key) {
			out.Suggest = k
		}
	}
	return out
}
