package bitbucket

// Who pushes (issue 20, item 5). bbsetup's client-credentials token acts as the OAuth
// consumer's owner; Amplication pushes as the Bitbucket user who authorized it (the git
// organization's installationId is that user's uuid). When the consumer is hosted by a
// separate account, as the setup doc suggests, the two differ: a repository bbsetup sees
// or creates may not be writable by the account that pushes.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bbsetup/bbsetup/setup/bbuuid"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// AccountName is how bbsetup names an account: its nickname, else its display name, else
// its username, else its uuid (never depending on the deprecated username alone).
func (u User) AccountName() string {
	for _, s := range []string{u.Nickname, u.DisplayName, u.Username, u.UUID} {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return "?"
}

// AccountMismatch is the finding that the account Amplication pushes as (the one that
// authorized it) is not bbsetup's own (the consumer's owner). Names are unsanitised:
// Error sanitises.
type AccountMismatch struct {
	Own            User   // bbsetup's identity (GET /user with its client-credentials token)
	PusherUUID     string // the git organization's installationId
	PusherName     string // the git organization's name (the authorizing user's username)
	GitOrgID       string // the Amplication git organization, for the caller's wording
	GitOrgProvider string
}

func (e *AccountMismatch) Error() string {
	return fmt.Sprintf("Amplication pushes to Bitbucket as %s, but bbsetup checks and creates repositories as %s (the OAuth consumer's owner): "+
		"a repository %s can see may not be writable by %s; make sure %s can write the repository, or authorize Amplication as %s",
		safetext.Line(e.PusherName), safetext.Line(e.Own.AccountName()), safetext.Line(e.Own.AccountName()),
		safetext.Line(e.PusherName), safetext.Line(e.PusherName), safetext.Line(e.Own.AccountName()))
}

// CompareAccounts compares bbsetup's own identity with the account a git organization
// pushes as (installationID, the authorizing user's uuid, and orgName, its username): nil
// when they are the same account, else an *AccountMismatch. With no own uuid or no
// installationID it cannot tell and answers nil, ok false.
func CompareAccounts(own User, installationID, orgName string) (mismatch *AccountMismatch, ok bool) {
	if bbuuid.Norm(own.UUID) == "" || bbuuid.Norm(installationID) == "" {
		return nil, false
	}
	if bbuuid.Same(own.UUID, installationID) {
		return nil, true
	}
	name := orgName
	if strings.TrimSpace(name) == "" {
		name = installationID
	}
	return &AccountMismatch{Own: own, PusherUUID: installationID, PusherName: name}, true
}

// Access is the write access a repository check finds.
type Access int

// The access levels.
const (
	AccessUnknown  Access = iota // could not be checked (WriteCheck.Why says why)
	AccessWrite                  // write or admin: the account can push
	AccessReadOnly               // read only: pushes fail
	AccessNone                   // no access at all (not listed, or "none")
)

func (a Access) String() string {
	return [...]string{"unknown", "write", "read", "none"}[a]
}

// WriteCheck is the result of CheckWrite.
type WriteCheck struct {
	Access     Access
	Permission string // Bitbucket's word: "admin", "write", "read", "none", or "" when not listed
	// Why is set when Access is AccessUnknown: the repository permissions could not be read
	// (most often: the consumer's owner is not an administrator of the workspace, which the
	// endpoint needs; or the repository does not exist yet).
	Why error
}

// CanWrite reports whether the check found that the account can push.
func (w WriteCheck) CanWrite() bool { return w.Access == AccessWrite }

// NotCheckedError says why a repository's permissions could not be read.
type NotCheckedError struct {
	Workspace, Slug string
	// NotAdmin: 403, the consumer's owner is not an administrator of the workspace (or,
	// as the document declares only 200 and 403, the repository does not exist).
	NotAdmin bool
	NotFound bool // 404: no such repository (or not visible)
	Err      error
}

func (e *NotCheckedError) Error() string {
	switch {
	case e.NotAdmin:
		return fmt.Sprintf("bbsetup cannot check who can write %s/%s: Bitbucket shows a repository's permissions only to administrators of its workspace, and refused the OAuth consumer's owner (not an administrator of %s, or no such repository); check in Bitbucket (Repository settings, User and group access) that the account Amplication pushes as can write it",
			e.Workspace, e.Slug, e.Workspace)
	case e.NotFound:
		return fmt.Sprintf("bbsetup cannot check who can write %s/%s: the repository does not exist or the consumer's owner cannot see it", e.Workspace, e.Slug)
	}
	return fmt.Sprintf("bbsetup cannot check who can write %s/%s: %v", e.Workspace, e.Slug, e.Err)
}

func (e *NotCheckedError) Unwrap() error { return e.Err }

// repoPermissionJSON is one value of GET /workspaces/{ws}/permissions/repositories/{slug}.
type repoPermissionJSON struct {
	Permission string `json:"permission"`
	User       struct {
		UUID string `json:"uuid"`
	} `json:"user"`
}

// CheckWrite reads the effective permission of the account userUUID on repository
// ws/slug (GET /workspaces/{ws}/permissions/repositories/{slug}, every page; only a
// workspace administrator may read it). An account not listed has no access. When the
// list cannot be read the result is AccessUnknown with a *NotCheckedError in Why; the
// error return is only for a cancelled context.
func (c *Client) CheckWrite(ctx context.Context, ws, slug, userUUID string) (WriteCheck, error) {
	if err := checkWorkspace(ws); err != nil {
		return WriteCheck{Why: err}, nil
	}
	if err := checkSegment(slug); err != nil || strings.TrimSpace(slug) == "" {
		return WriteCheck{Why: fmt.Errorf("%q is not a repository slug", safetext.Line(slug))}, nil
	}
	if bbuuid.Norm(userUUID) == "" {
		return WriteCheck{Why: errors.New("the account Amplication pushes as is not known")}, nil
	}
	bctx, done := c.bound(ctx, "the permissions of "+ws+"/"+slug)
	q := url.Values{"pagelen": {"100"}}
	var perm string
	found := false
	err := done(listAll(bctx, c, "permissions of "+ws+"/"+slug, c.endpoint(q, "workspaces", ws, "permissions", "repositories", slug), func(vals []repoPermissionJSON) {
		for _, v := range vals {
			if bbuuid.Same(v.User.UUID, userUUID) {
				perm, found = v.Permission, true
			}
		}
	}))
	if err != nil {
		if ctx.Err() != nil {
			return WriteCheck{}, ctx.Err()
		}
		nc := &NotCheckedError{Workspace: ws, Slug: slug, Err: err}
		var ae *APIError
		var se *ScopeError
		switch {
		case errors.As(err, &ae) && ae.Status == http.StatusForbidden:
			nc.NotAdmin = true
		case errors.As(err, &se):
			// A scope the consumer lacks is not the owner's role: keep the scope error's words.
		case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
			nc.NotFound = true
		}
		return WriteCheck{Why: nc}, nil
	}
	w := WriteCheck{Permission: perm}
	switch {
	case !found || perm == "none":
		w.Access = AccessNone
	case perm == "write" || perm == "admin":
		w.Access = AccessWrite
	case perm == "read":
		w.Access = AccessReadOnly
	default:
		w.Why = fmt.Errorf("bitbucket answered an unknown permission %q", safetext.Line(perm))
	}
	return w, nil
}

// CannotWriteError is the refusal to connect or create a repository the account
// Amplication pushes as cannot write.
type CannotWriteError struct {
	Workspace, Slug string
	Pusher          string // the account's name (unsanitised)
	Access          Access
}

func (e *CannotWriteError) Error() string {
	what := "has no access to"
	if e.Access == AccessReadOnly {
		what = "can only read"
	}
	return fmt.Sprintf("%s, the Bitbucket account Amplication pushes as, %s %s/%s: give it write access (Repository settings, User and group access), or choose another repository",
		safetext.Line(e.Pusher), what, e.Workspace, e.Slug)
}

// RequireWrite turns a WriteCheck for pusher into a refusal: a *CannotWriteError when
// the account cannot write, nil when it can or when it could not be checked (the caller
// then says so, with w.Why).
func RequireWrite(w WriteCheck, ws, slug, pusher string) error {
	if w.Access == AccessReadOnly || w.Access == AccessNone {
		return &CannotWriteError{Workspace: ws, Slug: slug, Pusher: pusher, Access: w.Access}
	}
	return nil
}
