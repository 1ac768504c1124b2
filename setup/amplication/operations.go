package amplication

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// The types below are what the client returns. Every string in them that came from the
// server (names, ids, types, the authorize URL) is terminal-safe (setup/safetext): cleaned
// once, where the answer is decoded, so that no printer or screen has to remember it. So
// are the server's words in the errors (errors.go). Tokens are not text and stay as sent.

// line is safetext.Line, the cleaning of every value from the server.
func line(s string) string { return safetext.Line(s) }

// Provider and resource type values bbsetup reads.
const (
	ProviderBitbucket        = "Bitbucket"
	TypeProjectConfiguration = "ProjectConfiguration"
	TypeService              = "Service"
)

// ProviderName is a git provider (EnumGitProvider) as its vendor writes it.
func ProviderName(p string) string {
	switch p {
	case "Github":
		return "GitHub"
	case "AwsCodeCommit":
		return "AWS CodeCommit"
	}
	return p
}

// Account is the signed-in user.
type Account struct {
	UserID, Email, FirstName, LastName string
}

// Name is "First Last", or the email when the account has no name.
func (a Account) Name() string {
	if n := strings.TrimSpace(a.FirstName + " " + a.LastName); n != "" {
		return n
	}
	return a.Email
}

// Workspace is an Amplication workspace.
type Workspace struct{ ID, Name string }

// GitOrganization is a git provider account connected to the workspace.
type GitOrganization struct {
	ID, Name, Provider, Type   string
	UseGroupingForRepositories bool
}

// GitRepository is the repository a resource pushes to. For Bitbucket, Name is the
// repository slug and GroupName the Bitbucket workspace slug.
type GitRepository struct {
	ID, Name, GroupName string
	Organization        GitOrganization // ID, Name and Provider only
}

// FullName is "group/name" (the Bitbucket workspace/slug), or the name alone.
func (r GitRepository) FullName() string {
	if r.GroupName == "" && r.Organization.Name != "" {
		return r.Organization.Name + "/" + r.Name // GitHub: no group; the owner is the organization
	}
	if r.GroupName == "" {
		return r.Name
	}
	return r.GroupName + "/" + r.Name
}

// Resource is a resource of a project: its settings (ProjectConfiguration), a Service, …
type Resource struct {
	ID, Name, Type string
	// Override: the resource has a repository of its own instead of the project's.
	Override bool
	Repo     *GitRepository // nil when not connected
}

// Project is an Amplication project with its resources.
type Project struct {
	ID, Name  string
	Resources []Resource
}

// Settings is the project's ProjectConfiguration resource, or nil.
func (p Project) Settings() *Resource {
	for i := range p.Resources {
		if p.Resources[i].Type == TypeProjectConfiguration {
			return &p.Resources[i]
		}
	}
	return nil
}

// Inheriting lists the project's resources, other than its settings, that use the
// project's repository (no override of their own), in the server's order.
func (p Project) Inheriting() []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Type != TypeProjectConfiguration && !r.Override {
			out = append(out, r)
		}
	}
	return out
}

// Overview is what one round trip tells about the signed-in session.
type Overview struct {
	Account          Account
	Current          *Workspace // nil when the user has no current workspace
	Workspaces       []Workspace
	GitOrganizations []GitOrganization // all providers
	Projects         []Project
}

// Bitbucket lists the workspace's Bitbucket git organizations.
func (o *Overview) Bitbucket() []GitOrganization {
	var out []GitOrganization
	for _, g := range o.GitOrganizations {
		if g.Provider == ProviderBitbucket {
			out = append(out, g)
		}
	}
	return out
}

// wire types: the JSON shapes of the selections.
type (
	wireOrg struct {
		ID                         string `json:"id"`
		Name                       string `json:"name"`
		Provider                   string `json:"provider"`
		Type                       string `json:"type"`
		UseGroupingForRepositories bool   `json:"useGroupingForRepositories"`
	}
	wireResource struct {
		ID                    string `json:"id"`
		Name                  string `json:"name"`
		ResourceType          string `json:"resourceType"`
		GitRepositoryOverride bool   `json:"gitRepositoryOverride"`
		GitRepository         *struct {
			ID              string   `json:"id"`
			Name            string   `json:"name"`
			GroupName       *string  `json:"groupName"`
			GitOrganization *wireOrg `json:"gitOrganization"`
		} `json:"gitRepository"`
	}
	wireProject struct {
		ID        string         `json:"id"`
		Name      string         `json:"name"`
		Resources []wireResource `json:"resources"`
	}
	wireWorkspace struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
)

func (w wireOrg) org() GitOrganization {
	return GitOrganization{ID: line(w.ID), Name: line(w.Name), Provider: line(w.Provider), Type: line(w.Type),
		UseGroupingForRepositories: w.UseGroupingForRepositories}
}

func (w wireWorkspace) workspace() Workspace { return Workspace{ID: line(w.ID), Name: line(w.Name)} }

func (w wireResource) resource() Resource {
	r := Resource{ID: line(w.ID), Name: line(w.Name), Type: line(w.ResourceType), Override: w.GitRepositoryOverride}
	if g := w.GitRepository; g != nil {
		r.Repo = &GitRepository{ID: line(g.ID), Name: line(g.Name)}
		if g.GroupName != nil {
			r.Repo.GroupName = line(*g.GroupName)
		}
		if g.GitOrganization != nil {
			r.Repo.Organization = g.GitOrganization.org()
		}
	}
	return r
}

func projects(in []wireProject) []Project {
	out := make([]Project, 0, len(in))
	for _, p := range in {
		pr := Project{ID: line(p.ID), Name: line(p.Name)}
		for _, r := range p.Resources {
			pr.Resources = append(pr.Resources, r.resource())
		}
		out = append(out, pr)
	}
	return out
}

// Login signs in with an email and password and keeps the token for the next requests.
// A wrong email or password is an *UnauthorizedError with Login set.
func (c *Client) Login(ctx context.Context, email, password string) error {
	var out struct {
		Login struct {
			Token string `json:"token"`
		} `json:"login"`
	}
	email = strings.ToLower(strings.TrimSpace(email))
	err := c.do(ctx, docLogin, map[string]any{"email": email, "password": password}, &out)
	var ge *GraphQLError
	if errors.As(err, &ge) && (ge.Has("No account found for email") || ge.Has("Invalid password")) {
		return &UnauthorizedError{Message: ge.Message(), Login: true}
	}
	if err != nil {
		return err
	}
	if out.Login.Token == "" {
		return &NotGraphQLError{URL: c.endpoint, Err: errors.New("login answered no token")}
	}
	c.SetToken(out.Login.Token)
	return nil
}

// SetCurrentWorkspace makes id the session's workspace and keeps the new token it answers:
// every git operation acts on the token's workspace.
func (c *Client) SetCurrentWorkspace(ctx context.Context, id string) error {
	var out struct {
		Set struct {
			Token string `json:"token"`
		} `json:"setCurrentWorkspace"`
	}
	if err := c.do(ctx, docSetCurrentWorkspace, map[string]any{"id": id}, &out); err != nil {
		return err
	}
	if out.Set.Token == "" {
		return &NotGraphQLError{URL: c.endpoint, Err: errors.New("setCurrentWorkspace answered no token")}
	}
	c.SetToken(out.Set.Token)
	return nil
}

// Overview reads the account, the workspaces, the current workspace's git organizations
// and its projects with their resources, in one request.
func (c *Client) Overview(ctx context.Context) (*Overview, error) {
	var out struct {
		Me struct {
			ID      string `json:"id"`
			Account *struct {
				Email     string `json:"email"`
				FirstName string `json:"firstName"`
				LastName  string `json:"lastName"`
			} `json:"account"`
		} `json:"me"`
		CurrentWorkspace *wireWorkspace  `json:"currentWorkspace"`
		Workspaces       []wireWorkspace `json:"workspaces"`
		GitOrganizations []wireOrg       `json:"gitOrganizations"`
		Projects         []wireProject   `json:"projects"`
	}
	if err := c.do(ctx, docOverview, nil, &out); err != nil {
		return nil, err
	}
	o := &Overview{Account: Account{UserID: line(out.Me.ID)}}
	if a := out.Me.Account; a != nil {
		o.Account.Email, o.Account.FirstName, o.Account.LastName = line(a.Email), line(a.FirstName), line(a.LastName)
	}
	if w := out.CurrentWorkspace; w != nil {
		cur := w.workspace()
		o.Current = &cur
	}
	for _, w := range out.Workspaces {
		o.Workspaces = append(o.Workspaces, w.workspace())
	}
	for _, g := range out.GitOrganizations {
		o.GitOrganizations = append(o.GitOrganizations, g.org())
	}
	o.Projects = projects(out.Projects)
	return o, nil
}

// Projects reads the current workspace's projects with their resources.
func (c *Client) Projects(ctx context.Context) ([]Project, error) {
	var out struct {
		Projects []wireProject `json:"projects"`
	}
	if err := c.do(ctx, docProjects, nil, &out); err != nil {
		return nil, err
	}
	return projects(out.Projects), nil
}

// StateSupport asks the server (introspection) whether GitGetInstallationUrlInput has a
// `state` field: true from v3.5.0 on. A server with introspection off answers a
// *GraphQLError; then read the checkout's schema with SchemaHasState.
func (c *Client) StateSupport(ctx context.Context) (bool, error) {
	var out struct {
		Type *struct {
			InputFields []struct {
				Name string `json:"name"`
			} `json:"inputFields"`
		} `json:"__type"`
	}
	if err := c.do(ctx, docInputFields, nil, &out); err != nil {
		return false, err
	}
	if out.Type == nil {
		return false, &GraphQLError{Operation: docInputFields.Name, Messages: []string{"the server's schema has no GitGetInstallationUrlInput"}}
	}
	for _, f := range out.Type.InputFields {
		if f.Name == "state" {
			return true, nil
		}
	}
	return false, nil
}

// InstallationURL asks for the Bitbucket authorize URL (getGitResourceInstallationUrl).
// With withState it sends state (a server from v3.5.0 on puts it in the URL); without, the
// server uses the current workspace's id as the state.
func (c *Client) InstallationURL(ctx context.Context, state string, withState bool) (string, error) {
	var out struct {
		Get struct {
			URL string `json:"url"`
		} `json:"getGitResourceInstallationUrl"`
	}
	var err error
	if withState {
		err = c.do(ctx, docInstallURLState, map[string]any{"state": state}, &out)
	} else {
		err = c.do(ctx, docInstallURL, nil, &out)
	}
	if err != nil {
		return "", err
	}
	u := line(out.Get.URL)
	if u == "" {
		return "", &NotGraphQLError{URL: c.endpoint, Err: errors.New("getGitResourceInstallationUrl answered no URL")}
	}
	return u, nil
}

// CompleteOAuth hands Bitbucket's code to the server (completeGitOAuth2Flow), which
// exchanges it and records the Bitbucket account as a git organization of the workspace.
func (c *Client) CompleteOAuth(ctx context.Context, code, state string, withState bool) (*GitOrganization, error) {
	var out struct {
		Org wireOrg `json:"completeGitOAuth2Flow"`
	}
	var err error
	if withState {
		err = c.do(ctx, docCompleteState, map[string]any{"code": code, "state": state}, &out)
	} else {
		err = c.do(ctx, docComplete, map[string]any{"code": code}, &out)
	}
	if err != nil {
		return nil, err
	}
	g := out.Org.org()
	return &g, nil
}

// ConnectInput names a resource and the repository to connect it to.
type ConnectInput struct {
	ResourceID, GitOrganizationID string
	Repository, Group             string // for Bitbucket: the repository slug and the workspace slug
	// Override is true for a service that gets a repository of its own; false for the
	// project's settings (every resource without an override inherits it).
	Override bool
}

// Connect connects a resource to a repository (connectResourceGitRepository). The server
// does not check that the repository exists.
func (c *Client) Connect(ctx context.Context, in ConnectInput) (*Resource, error) {
	var out struct {
		R wireResource `json:"connectResourceGitRepository"`
	}
	err := c.do(ctx, docConnect, map[string]any{
		"resourceId": in.ResourceID, "gitOrganizationId": in.GitOrganizationID,
		"name": in.Repository, "groupName": in.Group, "isOverride": in.Override,
	}, &out)
	if err != nil {
		return nil, err
	}
	r := out.R.resource()
	return &r, nil
}

// Disconnect removes a resource's repository (disconnectResourceGitRepository).
func (c *Client) Disconnect(ctx context.Context, resourceID string) error {
	return c.do(ctx, docDisconnect, map[string]any{"resourceId": resourceID}, nil)
}

// AuthorizeURLInfo is what bbsetup reads from the URL getGitResourceInstallationUrl
// answers: the key the running server loaded, and the state it carries.
type AuthorizeURLInfo struct {
	ClientID string // "" when absent
	State    string
	Host     string
}

// ParseAuthorizeURL reads an authorize URL. The server inserts the state without URL
// encoding, so a state that is not URL-safe would not survive; bbsetup's is.
func ParseAuthorizeURL(raw string) (AuthorizeURLInfo, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return AuthorizeURLInfo{}, fmt.Errorf("the server's authorize URL %q is not an http(s) URL", raw)
	}
	q := u.Query()
	return AuthorizeURLInfo{ClientID: q.Get("client_id"), State: q.Get("state"), Host: u.Host}, nil
}
