package amplication

// The steps bbsetup's Amplication commands and its wizard share: whether the running
// server uses the written key, the authorize URL with its state (v3.5.0 and later, or the
// workspace id before), and connecting a resource, replacing its repository with a
// rollback and reading the result back. No wording for the operator here: callers turn the
// typed results into their own sentences.

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"strings"
)

// PlaceholderClientID is the committed .env's placeholder key.
const PlaceholderClientID = "[bitbucket-client-id]"

// KeyState is what the running server's authorize URL says about its Bitbucket key.
type KeyState int

// The key states CheckKey finds.
const (
	KeyMatches     KeyState = iota // the running server uses the written key
	KeyMissing                     // "Missing Bitbucket configuration": it has none
	KeyPlaceholder                 // it has the committed placeholder (or an empty key)
	KeyOther                       // it has another key than the written one
	KeyNotWritten                  // no key is written in the env files
	KeyUnknown                     // it could not be read (Err)
)

// KeyCheck is the result of CheckKey.
type KeyCheck struct {
	State   KeyState
	Running string // the client_id in the server's authorize URL (unsanitised)
	Written string // the key in the env files ("" when none)
	Err     error  // KeyUnknown: why
	BadURL  bool   // KeyUnknown: the server answered something that is not a URL
}

// Stale reports that the server runs with other settings than the env files have: it was
// started before they were written and must be restarted.
func (k KeyCheck) Stale() bool {
	return k.State == KeyMissing || k.State == KeyPlaceholder || k.State == KeyOther
}

// CheckKey compares the client_id inside the server's authorize URL with written (the key
// in the checkout's env files, "" when none). It needs a signed-in client.
func CheckKey(ctx context.Context, c *Client, written string) KeyCheck {
	k := KeyCheck{Written: written}
	u, err := c.InstallationURL(ctx, "", false)
	var ge *GraphQLError
	switch {
	case err == nil:
	case errors.As(err, &ge) && ge.Has("Missing Bitbucket configuration"):
		k.State = KeyMissing
		if written == "" {
			k.State = KeyNotWritten
		}
		return k
	default:
		k.State, k.Err = KeyUnknown, err
		return k
	}
	info, err := ParseAuthorizeURL(u)
	if err != nil {
		k.State, k.Err, k.BadURL = KeyUnknown, err, true
		return k
	}
	k.Running = info.ClientID
	switch {
	case written == "":
		k.State = KeyNotWritten
	case info.ClientID == written:
		k.State = KeyMatches
	case info.ClientID == "" || info.ClientID == PlaceholderClientID:
		k.State = KeyPlaceholder
	default:
		k.State = KeyOther
	}
	return k
}

// Authorization is a prepared Amplication authorization: the URL to open exactly as given,
// the state the callback must carry, and whether the server takes a state of its own.
type Authorization struct {
	URL       string
	State     string
	WithState bool   // v3.5.0 and later: bbsetup's random state; before: the workspace id
	ClientID  string // the key in the URL: the one the running server loaded
}

// ErrNoWorkspaceForState is PrepareAuthorize's error on a server older than v3.5.0 (its
// state is the current workspace's id) when the account has no current workspace.
var ErrNoWorkspaceForState = errors.New("the server is older than v3.5.0 and the account has no current workspace")

// StateMismatchError is PrepareAuthorize's error when the URL carries another state than
// the one asked for: probably not an Amplication server.
type StateMismatchError struct{ Got string }

func (e *StateMismatchError) Error() string {
	return "the server's authorize URL carries another state than the one asked for"
}

// StateSupportFunc tells whether the server takes `state`; known is false when it could
// not tell. PrepareAuthorize uses it (see SupportsState).
type StateSupportFunc func(ctx context.Context) (supported, known bool)

// SupportsState asks the server (introspection), else reads the checkout's own schema
// (root ""): no checkout to read.
func SupportsState(c *Client, root string) StateSupportFunc {
	return func(ctx context.Context) (bool, bool) {
		if ok, err := c.StateSupport(ctx); err == nil {
			return ok, true
		}
		if root == "" {
			return false, false
		}
		if ok, err := CheckoutHasState(root); err == nil {
			return ok, true
		}
		return false, false
	}
}

// ForeignAuthorizeURLError is CheckAuthorizeURL's refusal: the server's authorize URL goes
// to another site than the Bitbucket bbsetup talks to, so it is not to be opened.
type ForeignAuthorizeURLError struct {
	Got  string // the URL's origin (scheme://host), "" when it has none (unsanitised)
	Want string // the Bitbucket origin
}

func (e *ForeignAuthorizeURLError) Error() string {
	return "the server's authorize URL goes to " + e.Got + ", not to Bitbucket at " + e.Want
}

// CheckAuthorizeURL checks that authURL, the server's authorize URL, goes to the origin
// (scheme, host and port) of bitbucketURL, the Bitbucket bbsetup talks to: the real
// server's URL is always on bitbucket.org, an emulator's on its own. Else a
// *ForeignAuthorizeURLError: the browser, which may be signed in to Bitbucket, is sent
// nowhere else. On that origin, only the authorize page with Amplication's parameters
// passes (checkAuthorizeShape), else an *UnexpectedAuthorizeURLError.
func CheckAuthorizeURL(authURL, bitbucketURL string) error {
	got, want := origin(authURL), origin(bitbucketURL)
	if got == "" || want == "" || got != want {
		return &ForeignAuthorizeURLError{Got: got, Want: want}
	}
	return checkAuthorizeShape(authURL, bitbucketURL) // authorizeurl.go: the path and parameters too
}

// origin is the lower-cased scheme://host[:port] of an http(s) URL, without a default
// port; "" when raw has none.
func origin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if scheme != "http" && scheme != "https" {
		return ""
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// PrepareAuthorize asks the server for its authorize URL with a random URL-safe state (on
// a server from v3.5.0 on; before, the state is workspaceID, the current workspace's id)
// and checks that the URL goes to bitbucketURL's origin (CheckAuthorizeURL) and carries
// that state. When support says it does not know, the state is tried first and a
// validation error means an older server. Errors from the server come back as the client
// returned them (a *GraphQLError "Missing Bitbucket configuration" among them); also
// ErrNoWorkspaceForState, *ForeignAuthorizeURLError and *StateMismatchError.
func PrepareAuthorize(ctx context.Context, c *Client, support StateSupportFunc, workspaceID, bitbucketURL string) (*Authorization, error) {
	withState, known := support(ctx)
	state := rand.Text() // base32: URL-safe, 26 characters, 130 bits
	if !known {
		withState = true
	}
	u, err := c.InstallationURL(ctx, state, withState)
	var ge *GraphQLError
	if !known && errors.As(err, &ge) && ge.Validation() {
		withState = false
		u, err = c.InstallationURL(ctx, "", false)
	}
	if err != nil {
		return nil, err
	}
	if !withState {
		if workspaceID == "" {
			return nil, ErrNoWorkspaceForState
		}
		state = workspaceID
	}
	info, err := ParseAuthorizeURL(u)
	if err != nil {
		return nil, err
	}
	if err := CheckAuthorizeURL(u, bitbucketURL); err != nil {
		return nil, err
	}
	if info.State != state {
		return nil, &StateMismatchError{Got: info.State}
	}
	return &Authorization{URL: u, State: state, WithState: withState, ClientID: info.ClientID}, nil
}

// Inherits reports whether r, a resource other than the project's settings, uses the
// repository the settings have (the same record, as connecting the settings makes it).
// The override flag does not tell: the server ignores isOverrideGitRepository.
func (p Project) Inherits(r Resource) bool {
	set := p.Settings()
	if r.Type == TypeProjectConfiguration || r.Repo == nil || set == nil || set.Repo == nil {
		return false
	}
	if r.Repo.ID != "" && set.Repo.ID != "" {
		return r.Repo.ID == set.Repo.ID
	}
	return strings.EqualFold(r.Repo.GroupName, set.Repo.GroupName) && r.Repo.Name == set.Repo.Name
}

// Is reports whether the repository is group/slug (the group case-insensitively, as
// Bitbucket workspace slugs are).
func (r GitRepository) Is(group, slug string) bool {
	return strings.EqualFold(r.GroupName, group) && r.Name == slug
}

// AlreadyConnectedError is Connectable's refusal: the resource has another repository and
// no replace was asked for.
type AlreadyConnectedError struct {
	Repo GitRepository
	// Inherited: it is the project's repository, which the service inherits.
	Inherited bool
}

func (e *AlreadyConnectedError) Error() string {
	return "the resource is already connected to " + e.Repo.FullName()
}

// Connectable checks, before anything is created or stored, whether res may be connected
// to group/slug: unchanged when it already is; an *AlreadyConnectedError when it has
// another repository and replace is false.
func Connectable(p Project, res Resource, group, slug string, replace bool) (unchanged bool, err error) {
	if res.Repo == nil {
		return false, nil
	}
	if res.Repo.Is(group, slug) {
		return true, nil
	}
	if !replace {
		return false, &AlreadyConnectedError{Repo: *res.Repo, Inherited: p.Inherits(res)}
	}
	return false, nil
}

// ConnectRequest is one connect: the resource of a project, the git organization, and the
// repository (for Bitbucket: the workspace slug and the repository slug).
type ConnectRequest struct {
	Project     Project
	Resource    Resource
	Org         GitOrganization
	Group, Slug string
}

// ConnectResult is a connect read back from the server.
type ConnectResult struct {
	Project  Project  // the project as read back
	Resource Resource // the resource as read back: it has the repository
	Old      *GitRepository
	// Inheriting are the services that use the project's repository now (a connect of the
	// project's settings).
	Inheriting []Resource
}

// Connect phases an error can come from (ConnectError.Phase).
const (
	PhaseDisconnect = "disconnect" // removing the old repository failed: nothing changed
	PhaseConnect    = "connect"    // the connect failed (see Restored)
	PhaseReadBack   = "read-back"  // reading it back failed, or shows another repository
)

// ConnectError is a failed ConnectResource.
type ConnectError struct {
	Phase string
	Err   error // the server's error ("" for a read-back that shows something else)
	Old   *GitRepository
	// Restored: the old repository was connected again after the connect failed;
	// RestoreErr is why not, when it failed too.
	Restored   bool
	RestoreErr error
	// Got is what the read-back shows ("" when no repository).
	Got string
}

func (e *ConnectError) Error() string {
	if e.Err != nil {
		return "the " + e.Phase + " failed: " + e.Err.Error()
	}
	return "the " + e.Phase + " failed"
}

func (e *ConnectError) Unwrap() error { return e.Err }

// ConnectResource connects req's resource to the repository: the project's settings for
// every service that inherits them, a service for itself only. A resource that has another
// repository is disconnected first (call Connectable before: it refuses that without
// replace, and reports a resource that already has this one), and when the connect fails
// the old repository is put back. The result is read back from the server.
func ConnectResource(ctx context.Context, c *Client, req ConnectRequest) (*ConnectResult, error) {
	res := req.Resource
	var old *GitRepository
	if res.Repo != nil {
		cp := *res.Repo
		old = &cp
		if err := c.Disconnect(ctx, res.ID); err != nil {
			return nil, &ConnectError{Phase: PhaseDisconnect, Err: err, Old: old}
		}
	}
	_, err := c.Connect(ctx, ConnectInput{ResourceID: res.ID, GitOrganizationID: req.Org.ID,
		Repository: req.Slug, Group: req.Group, Override: res.Type != TypeProjectConfiguration})
	if err != nil {
		ce := &ConnectError{Phase: PhaseConnect, Err: err, Old: old}
		if old != nil {
			orgID := old.Organization.ID
			if orgID == "" {
				orgID = req.Org.ID
			}
			_, ce.RestoreErr = c.Connect(ctx, ConnectInput{ResourceID: res.ID, GitOrganizationID: orgID,
				Repository: old.Name, Group: old.GroupName, Override: res.Override})
			ce.Restored = ce.RestoreErr == nil
		}
		return nil, ce
	}
	out, err := ReadBack(ctx, c, req.Project.ID, res.ID, req.Group, req.Slug)
	if err != nil {
		if ce, ok := err.(*ConnectError); ok {
			ce.Old = old
		}
		return nil, err
	}
	out.Old = old
	return out, nil
}

// ReadBack reads the project back and checks that the resource has group/slug.
func ReadBack(ctx context.Context, c *Client, projectID, resourceID, group, slug string) (*ConnectResult, error) {
	ps, err := c.Projects(ctx)
	if err != nil {
		return nil, &ConnectError{Phase: PhaseReadBack, Err: err}
	}
	var np *Project
	var nr *Resource
	for i := range ps {
		if ps[i].ID == projectID {
			np = &ps[i]
		}
	}
	if np != nil {
		for i := range np.Resources {
			if np.Resources[i].ID == resourceID {
				nr = &np.Resources[i]
			}
		}
	}
	if nr == nil || nr.Repo == nil || !nr.Repo.Is(group, slug) {
		ce := &ConnectError{Phase: PhaseReadBack}
		if nr != nil && nr.Repo != nil {
			ce.Got = nr.Repo.FullName()
		}
		return nil, ce
	}
	return Settled(*np, *nr, group, slug), nil
}

// Settled is the result for a resource that has group/slug: with the services that
// inherit it when it is the project's settings.
func Settled(p Project, r Resource, group, slug string) *ConnectResult {
	out := &ConnectResult{Project: p, Resource: r}
	if r.Type == TypeProjectConfiguration {
		for _, s := range p.Inheriting() {
			if s.Repo != nil && s.Repo.Is(group, slug) {
				out.Inheriting = append(out.Inheriting, s)
			}
		}
	}
	return out
}
