package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// The connect: an Amplication project's settings (which every service without a
// repository of its own inherits) or one service gets a Bitbucket repository. Resolve
// finds the target, PlanConnect says what it will change before anything is created or
// stored, Run creates the repository when asked, stores the connection and reads it back.
// The command line and the wizard call the same three; a later check (a git organization
// of the operator's choice, a permission check) goes into PlanConnect or Run.

// NoSuchError is a refusal of Resolve or UseWorkspace: no What ("project", "service" of
// Project, "workspace") has the name or id asked for. Have lists what there is (safe
// text).
type NoSuchError struct {
	What, Want, Project string
	Have                []string
}

func (e *NoSuchError) Error() string { return "no such " + e.What + " " + e.Want }

// AmbiguousError is a refusal of Resolve or UseWorkspace: several of What have that name.
// IDs lists them (safe text).
type AmbiguousError struct {
	What, Want, Project string
	IDs                 []string
}

func (e *AmbiguousError) Error() string {
	return "several of the " + e.What + "s have the name " + e.Want
}

// NoSettingsError is Resolve's refusal: the project has no settings resource to connect.
type NoSettingsError struct{ Project string }

func (e *NoSettingsError) Error() string { return "project " + e.Project + " has no settings resource" }

// Target is a resolved connect target: a project and one of its resources.
type Target struct {
	Project  amplication.Project
	Resource amplication.Resource
}

// Label names the target: "orders (project Shop)" or "the settings of project Shop" (safe
// text).
func (t Target) Label() string {
	if t.Resource.Type == amplication.TypeProjectConfiguration {
		return "the settings of project " + safetext.Line(t.Project.Name)
	}
	return fmt.Sprintf("%s (project %s)", safetext.Line(t.Resource.Name), safetext.Line(t.Project.Name))
}

// Resolve finds the target among ps: the project by id, else by name (case-insensitive);
// then the resource by id, else a service by name; resource "" is the project's settings.
func Resolve(ps []amplication.Project, project, resource string) (Target, error) {
	resource = strings.TrimSpace(resource)
	p, err := ResolveProject(ps, project)
	if err != nil {
		return Target{}, err
	}
	if resource == "" {
		set := p.Settings()
		if set == nil {
			return Target{}, &NoSettingsError{Project: safetext.Line(p.Name)}
		}
		return Target{Project: p, Resource: *set}, nil
	}
	for _, r := range p.Resources {
		if r.ID == resource {
			return Target{Project: p, Resource: r}, nil
		}
	}
	ri, err := pick("service", len(p.Resources), resource, safetext.Line(p.Name),
		func(i int) string { return p.Resources[i].ID }, func(i int) string { return p.Resources[i].Name },
		func(i int) bool { return p.Resources[i].Type != amplication.TypeProjectConfiguration })
	if err != nil {
		return Target{}, err
	}
	return Target{Project: p, Resource: p.Resources[ri]}, nil
}

// ResolveProject finds the project among ps by id, else by name (case-insensitive): the
// first half of Resolve, for what needs a project alone (a build).
func ResolveProject(ps []amplication.Project, project string) (amplication.Project, error) {
	pi, err := pick("project", len(ps), strings.TrimSpace(project), "",
		func(i int) string { return ps[i].ID }, func(i int) string { return ps[i].Name }, func(int) bool { return true })
	if err != nil {
		return amplication.Project{}, err
	}
	return ps[pi], nil
}

// pick finds want among n candidates of what (those ok accepts): by id, else by name;
// project names the project of services ("" for projects and workspaces).
func pick(what string, n int, want, project string, id, name func(int) string, ok func(int) bool) (int, error) {
	for i := range n {
		if ok(i) && id(i) == want {
			return i, nil
		}
	}
	var found []int
	var have []string
	for i := range n {
		if !ok(i) {
			continue
		}
		if project == "" {
			have = append(have, fmt.Sprintf("%s (id %s)", safetext.Line(name(i)), safetext.Line(id(i))))
		} else {
			have = append(have, safetext.Line(name(i)))
		}
		// The name the operator sees (safe text) is the one typed back.
		if strings.EqualFold(strings.TrimSpace(safetext.Line(name(i))), safetext.Line(want)) {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return 0, &NoSuchError{What: what, Want: safetext.Line(want), Project: project, Have: have}
	}
	var ids []string
	for _, i := range found {
		if project == "" {
			ids = append(ids, fmt.Sprintf("%s (id %s)", safetext.Line(name(i)), safetext.Line(id(i))))
		} else {
			ids = append(ids, safetext.Line(id(i)))
		}
	}
	return 0, &AmbiguousError{What: what, Want: safetext.Line(want), Project: project, IDs: ids}
}

// ConnectPlan is what a connect will change, known before anything is created or stored.
type ConnectPlan struct {
	Target
	Group, Slug string // the Bitbucket workspace and repository slug
	// Unchanged: the resource already has this repository.
	Unchanged bool
	// Taken are the services that have a repository of their own and lose it: connecting
	// the project's settings connects every service that does not override them (the
	// server ignores isOverrideGitRepository).
	Taken []amplication.Resource
}

// Full is "workspace/slug".
func (p ConnectPlan) Full() string { return p.Group + "/" + p.Slug }

// PlanConnect checks whether t may be connected to group/slug (an
// *amplication.AlreadyConnectedError when it has another repository and replace is false)
// and says what it will change.
func PlanConnect(t Target, group, slug string, replace bool) (ConnectPlan, error) {
	unchanged, err := amplication.Connectable(t.Project, t.Resource, group, slug, replace)
	if err != nil {
		return ConnectPlan{}, err
	}
	pl := ConnectPlan{Target: t, Group: group, Slug: slug, Unchanged: unchanged}
	if t.Resource.Type == amplication.TypeProjectConfiguration {
		for _, r := range t.Project.Inheriting() {
			if r.Repo != nil && !t.Project.Inherits(r) && !r.Repo.Is(group, slug) {
				pl.Taken = append(pl.Taken, r)
			}
		}
	}
	return pl, nil
}

// NewRepository is a repository Run creates before it connects it.
type NewRepository struct {
	Bitbucket *bitbucket.Client
	Repo      bitbucket.CreateRepo
}

// Connected is a connect as read back (or, Unchanged, as it was).
type Connected struct {
	*amplication.ConnectResult
	Created   *bitbucket.Repository // the repository Run created, if any
	Unchanged bool
	Group     string
	Slug      string
}

// Run carries out the plan: creates the repository when create is given (its slug then
// replaces the plan's), stores the connection with the git organization and reads it
// back; an unchanged plan stores nothing. A failed create comes back as the Bitbucket
// client's error (nothing was stored; no Connected); a failed store as an
// *amplication.ConnectError, with the Connected so far (the repository created).
func (p ConnectPlan) Run(ctx context.Context, c *amplication.Client, org amplication.GitOrganization, create *NewRepository) (*Connected, error) {
	if p.Unchanged && create == nil {
		return &Connected{ConnectResult: amplication.Settled(p.Project, p.Resource, p.Group, p.Slug), Unchanged: true, Group: p.Group, Slug: p.Slug}, nil
	}
	out := &Connected{Group: p.Group, Slug: p.Slug}
	if create != nil {
		r, err := create.Bitbucket.CreateRepository(ctx, p.Group, create.Repo)
		if err != nil {
			return nil, err
		}
		out.Created, out.Slug = r, r.Slug
	}
	res, err := amplication.ConnectResource(ctx, c, amplication.ConnectRequest{Project: p.Project, Resource: p.Resource, Org: org, Group: out.Group, Slug: out.Slug})
	if err != nil {
		return out, err
	}
	out.ConnectResult = res
	return out, nil
}

// ConnectWords are a surface's words for a failed store: how to check, how to connect
// again.
type ConnectWords struct {
	Amp        func(error) error                                             // the advice table, in the surface's words
	Check      string                                                        // "; check with …" (after a read-back)
	ConnectOld func(old *amplication.GitRepository, projectID string) string // how to put old back
}

// ConnectFailed words a failed Run's *amplication.ConnectError (any other error goes
// through w.Amp): what was stored, what was put back, and what to do.
func ConnectFailed(err error, label, full, projectID string, w ConnectWords) error {
	var ce *amplication.ConnectError
	if !errors.As(err, &ce) {
		return w.Amp(err)
	}
	old := ce.Old
	switch ce.Phase {
	case amplication.PhaseDisconnect:
		return fmt.Errorf("could not disconnect %s from %s, so nothing was changed: %w", label, safetext.Line(old.FullName()), w.Amp(ce.Err))
	case amplication.PhaseConnect:
		cerr := w.Amp(ce.Err)
		switch {
		case old == nil:
			return fmt.Errorf("the Amplication server did not connect %s to %s: %w", label, full, cerr)
		case !ce.Restored:
			return fmt.Errorf("the Amplication server did not connect %s to %s (%w), and putting back %s failed too (%v): %s",
				label, full, cerr, safetext.Line(old.FullName()), w.Amp(ce.RestoreErr), w.ConnectOld(old, projectID))
		}
		return fmt.Errorf("the Amplication server did not connect %s to %s, so it is connected to %s again: %w", label, full, safetext.Line(old.FullName()), cerr)
	}
	if ce.Err != nil {
		return fmt.Errorf("connected, but reading it back failed: %w%s", w.Amp(ce.Err), w.Check)
	}
	got := "no repository"
	if ce.Got != "" {
		got = safetext.Line(ce.Got)
	}
	return fmt.Errorf("the Amplication server answered the connect, but reading %s back shows %s instead of %s%s", label, got, full, w.Check)
}
