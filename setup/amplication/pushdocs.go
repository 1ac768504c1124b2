package amplication

// The documents and Client methods for what decides where Amplication pushes (SPEC.md,
// "After the connect"): the git organizations with the Bitbucket account each acts as
// (installationId), a service's override of its project's repository, and projects that
// still push to Amplication's demo repository. They join Documents() at init, so the
// schema tests validate them like every other document.

import (
	"context"
	"errors"
)

var (
	docGitOrgAccounts = &Document{Name: "GitOrganizationAccounts", Idempotent: true, Text: `query GitOrganizationAccounts {
  gitOrganizations { id name provider type installationId useGroupingForRepositories }
}`}
	// docOverrideSupport asks which of the two ways to mark a service as overriding its
	// project the server has: disconnectResourceGitRepository's overrideProjectSettings
	// argument (v3.7.0 on), or gitRepositoryOverride in ResourceUpdateInput (before).
	docOverrideSupport = &Document{Name: "GitOverrideSupport", Idempotent: true, Text: `query GitOverrideSupport {
  mutation: __type(name: "Mutation") { fields { name args { name } } }
  update: __type(name: "ResourceUpdateInput") { inputFields { name } }
}`}
	docOverrideByDisconnect = &Document{Name: "OverrideProjectGitSettings", Variant: DisconnectOverrideServer, Text: `mutation OverrideProjectGitSettings($resourceId: String!) {
  disconnectResourceGitRepository(resourceId: $resourceId, overrideProjectSettings: true) { id }
}`}
	docOverrideByUpdate = &Document{Name: "UpdateResourceGitOverride", Variant: UpdateOverrideServer, Text: `mutation UpdateResourceGitOverride($resourceId: String!) {
  updateResource(where: {id: $resourceId}, data: {gitRepositoryOverride: true}) { id gitRepositoryOverride }
}`}
	docDemoRepo = &Document{Name: "ProjectsDemoRepo", Idempotent: true, Text: `query ProjectsDemoRepo {
  projects { id name useDemoRepo }
}`}
)

// Variants of the override documents (Document.Variant): each is valid only on the
// servers that have its way of marking the override.
const (
	// DisconnectOverrideServer: disconnectResourceGitRepository has overrideProjectSettings
	// (v3.7.0 on).
	DisconnectOverrideServer Variant = iota + 100
	// UpdateOverrideServer: ResourceUpdateInput has gitRepositoryOverride (before v3.7.0;
	// v3.14.0-29 no longer has it).
	UpdateOverrideServer
)

func init() {
	for _, d := range []*Document{docGitOrgAccounts, docOverrideSupport, docOverrideByDisconnect, docOverrideByUpdate, docDemoRepo} {
		if err := d.parse(); err != nil {
			panic(err) // a programming error; TestDocumentsParse names it
		}
		documents = append(documents, d)
	}
}

// GitOrgAccount is a git organization with the account it acts as. For Bitbucket,
// InstallationID is the uuid ("{…}") of the Bitbucket user who authorized Amplication (the
// one Amplication pushes as) and Name that user's username (SPEC.md).
type GitOrgAccount struct {
	GitOrganization
	InstallationID string
}

// GitOrganizationAccounts reads the current workspace's git organizations, every provider,
// with their installationId.
func (c *Client) GitOrganizationAccounts(ctx context.Context) ([]GitOrgAccount, error) {
	var out struct {
		Orgs []struct {
			wireOrg
			InstallationID string `json:"installationId"`
		} `json:"gitOrganizations"`
	}
	if err := c.do(ctx, docGitOrgAccounts, nil, &out); err != nil {
		return nil, err
	}
	res := make([]GitOrgAccount, 0, len(out.Orgs))
	for _, o := range out.Orgs {
		res = append(res, GitOrgAccount{GitOrganization: o.org(), InstallationID: o.InstallationID})
	}
	return res, nil
}

// OverrideMethod is how a server marks a service as overriding its project's repository.
type OverrideMethod int

// The override methods.
const (
	OverrideUnknown      OverrideMethod = iota // not known (introspection off, no checkout schema)
	OverrideByDisconnect                       // v3.7.0 on: disconnectResourceGitRepository(overrideProjectSettings: true)
	OverrideByUpdate                           // v3.5.0–v3.6.x: updateResource(data: {gitRepositoryOverride: true})
	OverrideNone                               // the server has neither
)

func (m OverrideMethod) String() string {
	switch m {
	case OverrideByDisconnect:
		return "disconnectResourceGitRepository(overrideProjectSettings: true)"
	case OverrideByUpdate:
		return "updateResource(gitRepositoryOverride: true)"
	case OverrideNone:
		return "none"
	}
	return "unknown"
}

// OverrideSupport asks the server (introspection) how it marks the override. A server
// with introspection off answers a *GraphQLError: then read the checkout's schema with
// CheckoutOverrideMethod.
func (c *Client) OverrideSupport(ctx context.Context) (OverrideMethod, error) {
	var out struct {
		Mutation *struct {
			Fields []struct {
				Name string `json:"name"`
				Args []struct {
					Name string `json:"name"`
				} `json:"args"`
			} `json:"fields"`
		} `json:"mutation"`
		Update *struct {
			InputFields []struct {
				Name string `json:"name"`
			} `json:"inputFields"`
		} `json:"update"`
	}
	if err := c.do(ctx, docOverrideSupport, nil, &out); err != nil {
		return OverrideUnknown, err
	}
	if out.Mutation == nil {
		return OverrideUnknown, &GraphQLError{Operation: docOverrideSupport.Name, Messages: []string{"the server's schema has no Mutation type"}}
	}
	for _, f := range out.Mutation.Fields {
		if f.Name != "disconnectResourceGitRepository" {
			continue
		}
		for _, a := range f.Args {
			if a.Name == "overrideProjectSettings" {
				return OverrideByDisconnect, nil
			}
		}
	}
	if out.Update != nil {
		for _, f := range out.Update.InputFields {
			if f.Name == "gitRepositoryOverride" {
				return OverrideByUpdate, nil
			}
		}
	}
	return OverrideNone, nil
}

// ErrOverrideUnknown is MarkOverride's refusal when the method is not known: sending the
// wrong document would be refused by the server's validation anyway.
var ErrOverrideUnknown = errors.New("bbsetup cannot tell how this Amplication server marks a service as overriding its project's repository")

// MarkOverride marks the resource (a service, never the project's settings) as overriding
// its project's repository, the way Amplication's own UI does. With OverrideByDisconnect
// this also disconnects the repository the resource has. The server's answer is not the
// new state (v3.7.0 on answers the resource as it was): read it back (SetOverride does).
func (c *Client) MarkOverride(ctx context.Context, resourceID string, m OverrideMethod) error {
	switch m {
	case OverrideByDisconnect:
		return c.do(ctx, docOverrideByDisconnect, map[string]any{"resourceId": resourceID}, nil)
	case OverrideByUpdate:
		return c.do(ctx, docOverrideByUpdate, map[string]any{"resourceId": resourceID}, nil)
	}
	return ErrOverrideUnknown
}

// DemoRepoProject is a project and whether it pushes to Amplication's demo repository.
type DemoRepoProject struct {
	ID, Name    string
	UseDemoRepo bool
}

// DemoRepoProjects reads every project of the current workspace with its useDemoRepo.
func (c *Client) DemoRepoProjects(ctx context.Context) ([]DemoRepoProject, error) {
	var out struct {
		Projects []struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			UseDemoRepo bool   `json:"useDemoRepo"`
		} `json:"projects"`
	}
	if err := c.do(ctx, docDemoRepo, nil, &out); err != nil {
		return nil, err
	}
	res := make([]DemoRepoProject, 0, len(out.Projects))
	for _, p := range out.Projects {
		res = append(res, DemoRepoProject(p))
	}
	return res, nil
}

// ProjectsOnDemoRepo lists the projects of the current workspace that still push to
// Amplication's demo repository on GitHub (useDemoRepo), not to Bitbucket.
// completeGitOAuth2Flow clears it for every project of the workspace, so after a
// successful authorization the list is empty; a project listed is a finding to show.
func ProjectsOnDemoRepo(ctx context.Context, c *Client) ([]DemoRepoProject, error) {
	ps, err := c.DemoRepoProjects(ctx)
	if err != nil {
		return nil, err
	}
	var out []DemoRepoProject
	for _, p := range ps {
		if p.UseDemoRepo {
			out = append(out, p)
		}
	}
	return out, nil
}
