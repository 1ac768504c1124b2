package amplication

// A service connected on its own must override its project's repository (issue 20, item
// 2): the server ignores connectResourceGitRepository's isOverrideGitRepository, so
// without the mark the service keeps "using project settings" and a later project connect
// moves it. And a project connect moves every service that does not override, including
// ones connected elsewhere: MovedByProjectConnect names them before anything is stored.

import (
	"context"
	"errors"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// SchemaOverrideMethod reads the schema SDL in data: OverrideByDisconnect when
// disconnectResourceGitRepository has overrideProjectSettings, else OverrideByUpdate when
// ResourceUpdateInput has gitRepositoryOverride, else OverrideNone.
func SchemaOverrideMethod(data []byte) (OverrideMethod, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "schema.graphql", Input: string(data)})
	if err != nil {
		return OverrideUnknown, fmt.Errorf("the schema does not parse: %w", err)
	}
	var mutation, update bool
	m := OverrideNone
	for _, def := range append(doc.Definitions, doc.Extensions...) {
		switch {
		case def.Name == "Mutation" && def.Kind == ast.Object:
			mutation = true
			if f := def.Fields.ForName("disconnectResourceGitRepository"); f != nil && f.Arguments.ForName("overrideProjectSettings") != nil {
				return OverrideByDisconnect, nil
			}
		case def.Name == "ResourceUpdateInput" && def.Kind == ast.InputObject:
			update = true
			if def.Fields.ForName("gitRepositoryOverride") != nil {
				m = OverrideByUpdate
			}
		}
	}
	if !mutation && !update {
		return OverrideUnknown, fmt.Errorf("the schema has neither Mutation nor ResourceUpdateInput")
	}
	return m, nil
}

// CheckoutOverrideMethod reads SchemaFile in the checkout at root; see SchemaOverrideMethod.
func CheckoutOverrideMethod(root string) (OverrideMethod, error) {
	return readCheckoutSchema(root, SchemaOverrideMethod) // OverrideUnknown on failure
}

// DetectOverride asks the server (introspection), else reads the checkout's schema (root
// "": no checkout to read); OverrideUnknown when neither tells.
func DetectOverride(ctx context.Context, c *Client, root string) OverrideMethod {
	if m, err := c.OverrideSupport(ctx); err == nil {
		return m
	}
	if root == "" {
		return OverrideUnknown
	}
	if m, err := CheckoutOverrideMethod(root); err == nil {
		return m
	}
	return OverrideUnknown
}

// OverrideNotSetError is SetOverride's finding when the server answered but the resource,
// read back, still does not override its project (or is gone).
type OverrideNotSetError struct {
	ResourceID string
	Found      bool // the resource is still in the project
}

func (e *OverrideNotSetError) Error() string {
	if !e.Found {
		return "the service is no longer in its project after marking it as overriding the project's repository"
	}
	return "the Amplication server did not mark the service as overriding its project's repository: it would still follow the project's settings"
}

// SetOverride marks the service res of project projectID as overriding its project's
// repository (MarkOverride with m) and reads it back: the returned resource is as the
// server has it now (with OverrideByDisconnect it has no repository any more). A resource
// that already overrides is returned unchanged without a request. A read-back that still
// shows no override is an *OverrideNotSetError. Call it before ConnectResource for a
// service, and pass ConnectResource the returned resource.
func SetOverride(ctx context.Context, c *Client, projectID string, res Resource, m OverrideMethod) (*Resource, error) {
	if res.Type == TypeProjectConfiguration {
		return nil, fmt.Errorf("the project's settings cannot override the project")
	}
	if res.Override {
		return &res, nil
	}
	if err := c.MarkOverride(ctx, res.ID, m); err != nil {
		return nil, err
	}
	got, err := readResource(ctx, c, projectID, res.ID)
	if err != nil {
		return nil, err
	}
	if got == nil {
		return nil, &OverrideNotSetError{ResourceID: res.ID}
	}
	if !got.Override {
		return nil, &OverrideNotSetError{ResourceID: res.ID, Found: true}
	}
	return got, nil
}

// readResource reads one resource of a project back; nil when it is not there.
func readResource(ctx context.Context, c *Client, projectID, resourceID string) (*Resource, error) {
	ps, err := c.Projects(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.ID != projectID {
			continue
		}
		for _, r := range p.Resources {
			if r.ID == resourceID {
				return &r, nil
			}
		}
	}
	return nil, nil
}

// MovedByProjectConnect names the services a connect of p's settings to group/slug will
// move: those that do not override the project (the server connects each of them) and
// have a repository other than the project's current one and other than group/slug. The
// caller asks (wizard) or needs --replace (CLI) before storing; services without a
// repository are not moved but gain one (Project.Inheriting lists every one).
func MovedByProjectConnect(p Project, group, slug string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Type == TypeProjectConfiguration || r.Override || r.Repo == nil {
			continue
		}
		if r.Repo.Is(group, slug) || p.Inherits(r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// PhaseOverride is ConnectError.Phase when marking the service as overriding failed:
// nothing was connected (with OverrideByDisconnect the service may have lost its old
// repository: ConnectError.Old names it).
const PhaseOverride = "override"

// ConnectService connects a service on its own the way Amplication's UI does: it marks
// the service as overriding its project (SetOverride with m), connects it
// (ConnectResource) and checks, read back, that it has the repository and still
// overrides, so a later project connect leaves it alone. When the service had another
// repository and the connect fails, that repository is put back (OverrideByDisconnect has
// already removed it). The project's settings go straight to ConnectResource.
func ConnectService(ctx context.Context, c *Client, req ConnectRequest, m OverrideMethod) (*ConnectResult, error) {
	if req.Resource.Type == TypeProjectConfiguration {
		return ConnectResource(ctx, c, req)
	}
	var old *GitRepository
	if req.Resource.Repo != nil {
		cp := *req.Resource.Repo
		old = &cp
	}
	res, err := SetOverride(ctx, c, req.Project.ID, req.Resource, m)
	if err != nil {
		return nil, &ConnectError{Phase: PhaseOverride, Err: err, Old: old}
	}
	req.Resource = *res
	out, err := ConnectResource(ctx, c, req)
	if err != nil {
		var ce *ConnectError
		if errors.As(err, &ce) {
			if ce.Old == nil {
				ce.Old = old
			}
			if ce.Phase == PhaseConnect && old != nil && res.Repo == nil {
				orgID := old.Organization.ID
				if orgID == "" {
					orgID = req.Org.ID
				}
				_, ce.RestoreErr = c.Connect(ctx, ConnectInput{ResourceID: res.ID, GitOrganizationID: orgID,
					Repository: old.Name, Group: old.GroupName, Override: true})
				ce.Restored = ce.RestoreErr == nil
			}
		}
		return nil, err
	}
	if out.Old == nil {
		out.Old = old
	}
	if !out.Resource.Override {
		return out, &OverrideNotSetError{ResourceID: res.ID, Found: true}
	}
	return out, nil
}
