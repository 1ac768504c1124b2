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
// Connect runs the three in order for the command line and the wizard, which differ only
// in their words for its refusals; a later check (a git organization of the operator's
// choice, a permission check) goes into PlanConnect or Run.

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
	// Unchanged: the resource already has this repository (and, a service, overrides its
	// project: else Run still marks it).
	Unchanged bool
	// Taken are the services a connect of the project's settings moves: they do not
	// override the project (the server connects each of them) and have another
	// repository (amplication.MovedByProjectConnect).
	Taken []amplication.Resource
}

// Full is "workspace/slug".
func (p ConnectPlan) Full() string { return p.Group + "/" + p.Slug }

// MovesServicesError is PlanConnect's refusal to connect a project's settings that would
// move services connected elsewhere (they do not override the project), unless replace.
type MovesServicesError struct {
	Label string                 // the target (safe text)
	Full  string                 // the new repository
	Moved []amplication.Resource // each with its current repository (unsanitised)
}

func (e *MovesServicesError) Error() string {
	return "connecting " + e.Label + " to " + safetext.Line(e.Full) + " would also move " + e.Names() +
		": they follow the project's settings (no \"Override project settings\" in Amplication)"
}

// Names is "orders (from acme/orders), payments (from acme/pay)" (safe text).
func (e *MovesServicesError) Names() string {
	var parts []string
	for _, r := range e.Moved {
		parts = append(parts, safetext.Line(r.Name)+" (from "+safetext.Line(r.Repo.FullName())+")")
	}
	return strings.Join(parts, ", ")
}

// PlanConnect checks whether t may be connected to group/slug and says what it will
// change: an *amplication.AlreadyConnectedError when it has another repository, and a
// *MovesServicesError when a project connect would move services connected elsewhere,
// both unless replace. A refused plan still names its target and repository.
func PlanConnect(t Target, group, slug string, replace bool) (ConnectPlan, error) {
	pl := ConnectPlan{Target: t, Group: group, Slug: slug}
	unchanged, err := amplication.Connectable(t.Project, t.Resource, group, slug, replace)
	if err != nil {
		return pl, err
	}
	settings := t.Resource.Type == amplication.TypeProjectConfiguration
	if !settings && !t.Resource.Override {
		unchanged = false // connected, but still following the project: Run marks it
	}
	pl.Unchanged = unchanged
	if settings && !unchanged { // an unchanged plan stores nothing, so moves nothing
		pl.Taken = amplication.MovedByProjectConnect(t.Project, group, slug)
		if len(pl.Taken) > 0 && !replace {
			return pl, &MovesServicesError{Label: t.Label(), Full: pl.Full(), Moved: pl.Taken}
		}
	}
	return pl, nil
}

// ConnectRequest is one connect as a surface asks for it: the target by id or name, the
// Bitbucket repository, and what the connect stores and checks with. The command line and
// the wizard fill it in and word Connect's refusals; Connect does the rest.
type ConnectRequest struct {
	// Projects are the projects the target is found among: the command line's overview,
	// the wizard's read again just before (what they have now).
	Projects []amplication.Project
	// Project and Resource name the target by id or name, as Resolve takes them (Resource
	// "": the project's settings).
	Project, Resource string
	// Group is the Bitbucket workspace, Slug the repository (or the one Create makes).
	Group, Slug string
	// Repo, when not nil, is the look-up of the existing repository running beside the
	// sign-in: Connect waits for it once the target is found and takes its slug. Nothing
	// is stored before it has answered.
	Repo    *RepoLookup
	Replace bool
	// Pusher gives the git organization to store once the plan stands (a surface that
	// chose it earlier returns that one). Its error comes back as it is: the surface's.
	Pusher func(context.Context) (Pusher, error)
	// Bitbucket is bbsetup's own client, for the write check and the main branch (nil
	// skips both).
	Bitbucket *bitbucket.Client
	// Create, when not nil, is the repository to create first (its slug replaces Slug).
	Create *NewRepository
	// Root is the checkout's root: where DetectOverride looks for the schema (a service).
	Root string
	// Words are the surface's words for a failed store (ConnectFailed).
	Words ConnectWords
}

// NoRepositoryError is Connect's refusal: Repo's look-up found no repository Group/Slug
// (bbsetup's own account cannot see one). Nothing was stored.
type NoRepositoryError struct {
	Group, Slug string
	Err         error // Bitbucket's answer
}

func (e *NoRepositoryError) Error() string {
	return "there is no Bitbucket repository " + e.Group + "/" + e.Slug + " that bbsetup's own account can see"
}
func (e *NoRepositoryError) Unwrap() error { return e.Err }

// CreateFailedError is Connect's failure to create the repository: Err is the Bitbucket
// client's error, and nothing was stored.
type CreateFailedError struct{ Err error }

func (e *CreateFailedError) Error() string { return e.Err.Error() }
func (e *CreateFailedError) Unwrap() error { return e.Err }

// Connect is the connect both surfaces run: Resolve the target among r.Projects, wait for
// the repository's look-up, PlanConnect (a create into the repository the target already
// has is refused too, unless Replace), take the git organization from r.Pusher, and Run
// with DetectOverride for a service. It returns the plan (with its target as far as it
// got) and the Connected so far, which may come with an error (a repository created,
// then a later step failed).
//
// Refusals before anything is created or stored come back typed for the surface to word:
// Resolve's (*NoSuchError, *AmbiguousError, *NoSettingsError), *NoRepositoryError, the
// look-up's other errors, PlanConnect's (*amplication.AlreadyConnectedError,
// *MovesServicesError) and r.Pusher's own. A failed create is a *CreateFailedError; a
// later failure is worded by ConnectFailed with r.Words.
func Connect(ctx context.Context, c *amplication.Client, r ConnectRequest) (ConnectPlan, *Connected, error) {
	t, err := Resolve(r.Projects, r.Project, r.Resource)
	if err != nil {
		return ConnectPlan{}, nil, err
	}
	slug := r.Slug
	if r.Repo != nil {
		repo, err := r.Repo.Wait()
		var nf *bitbucket.NotFoundError
		switch {
		case errors.As(err, &nf):
			return ConnectPlan{Target: t, Group: r.Group, Slug: slug}, nil, &NoRepositoryError{Group: r.Group, Slug: slug, Err: err}
		case err != nil:
			return ConnectPlan{Target: t, Group: r.Group, Slug: slug}, nil, err
		case repo != nil:
			slug = repo.Slug
		}
	}
	pl, err := PlanConnect(t, r.Group, slug, r.Replace)
	if err == nil && pl.Unchanged && r.Create != nil && !r.Replace {
		// The repository to create is the one the target has: creating it would fail.
		// Unchanged, the resource has it of its own (a service overrides its project).
		err = &amplication.AlreadyConnectedError{Repo: *t.Resource.Repo}
	}
	if err != nil {
		return pl, nil, err
	}
	pu, err := r.Pusher(ctx)
	if err != nil {
		return pl, nil, err
	}
	with := ConnectWith{Pusher: pu, Bitbucket: r.Bitbucket}
	if t.Resource.Type != amplication.TypeProjectConfiguration {
		with.Override = amplication.DetectOverride(ctx, c, r.Root)
	}
	out, err := pl.Run(ctx, c, with, r.Create)
	switch {
	case err != nil && out == nil && r.Create != nil:
		return pl, nil, &CreateFailedError{Err: err}
	case err != nil:
		full := pl.Full()
		if out != nil {
			full = out.Full()
		}
		return pl, out, ConnectFailed(err, t.Label(), safetext.Line(full), t.Project.ID, r.Words)
	}
	return pl, out, nil
}

// NewRepository is a repository Run creates before it connects it.
type NewRepository struct {
	Bitbucket *bitbucket.Client
	Repo      bitbucket.CreateRepo
}

// ConnectWith is what Run stores and checks with: the git organization (and the account
// it pushes as), how the server marks a service's override, and bbsetup's own Bitbucket
// client for the write check and the main branch (nil skips both).
type ConnectWith struct {
	Pusher    Pusher
	Override  amplication.OverrideMethod
	Bitbucket *bitbucket.Client
}

// Connected is a connect as read back (or, Unchanged, as it was).
type Connected struct {
	*amplication.ConnectResult
	Created   *bitbucket.Repository // the repository Run created, if any
	Unchanged bool
	Group     string
	Slug      string
	Pusher    Pusher
	// MainBranch is what Run found or made of a created repository's main branch (nil
	// when it created none).
	MainBranch *bitbucket.MainBranchResult
	// Write is the pusher's permission on the repository, when checked (Amplication pushes
	// as another account than bbsetup's); Write.Why says why it could not be.
	Write *bitbucket.WriteCheck
}

// Run carries out the plan: creates the repository when create is given (its slug then
// replaces the plan's) and makes sure it has a main branch; when Amplication pushes as
// another account than bbsetup's, checks that account can write the repository (a
// *bitbucket.CannotWriteError refuses); stores the connection with the git organization
// (a service marked as overriding its project first, amplication.ConnectService) and
// reads it back; an unchanged plan stores nothing. A failed create comes back as the
// Bitbucket client's error (nothing was stored; no Connected); a later failure with the
// Connected so far (the repository created).
func (p ConnectPlan) Run(ctx context.Context, c *amplication.Client, with ConnectWith, create *NewRepository) (*Connected, error) {
	if p.Unchanged && create == nil {
		return &Connected{ConnectResult: amplication.Settled(p.Project, p.Resource, p.Group, p.Slug), Unchanged: true, Group: p.Group, Slug: p.Slug, Pusher: with.Pusher}, nil
	}
	out := &Connected{Group: p.Group, Slug: p.Slug, Pusher: with.Pusher}
	if create != nil {
		r, mb, err := CreateRepository(ctx, create.Bitbucket, p.Group, create.Repo)
		if r == nil {
			return nil, err
		}
		out.Created, out.Slug = r, r.Slug
		if err != nil {
			return out, err
		}
		out.MainBranch = mb
	}
	if with.Pusher.Mismatch != nil && with.Bitbucket != nil {
		w, err := with.Bitbucket.CheckWrite(ctx, out.Group, out.Slug, with.Pusher.Choice.Org.InstallationID)
		if err != nil {
			return out, err
		}
		out.Write = &w
		if err := bitbucket.RequireWrite(w, out.Group, out.Slug, with.Pusher.Choice.Org.Name); err != nil {
			return out, err
		}
	}
	req := amplication.ConnectRequest{Project: p.Project, Resource: p.Resource, Org: with.Pusher.Org(), Group: out.Group, Slug: out.Slug}
	res, err := amplication.ConnectService(ctx, c, req, with.Override)
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
	var cw *bitbucket.CannotWriteError
	var nm *bitbucket.NoMainBranchError
	var ons *amplication.OverrideNotSetError
	switch {
	case errors.As(err, &cw), errors.As(err, &nm):
		return fmt.Errorf("nothing was stored in Amplication: %w", err)
	case errors.As(err, &ons):
		return fmt.Errorf("%s is connected to %s, but %w; tick \"Override project settings\" for it in Amplication's UI", label, full, err)
	case !errors.As(err, &ce):
		return w.Amp(err)
	}
	old := ce.Old
	switch ce.Phase {
	case amplication.PhaseOverride:
		if errors.Is(ce.Err, amplication.ErrOverrideUnknown) {
			return fmt.Errorf("%s was not connected: bbsetup cannot tell how this Amplication server marks a service as overriding its project (introspection is off and the checkout has no schema.graphql), and without it a later project connect would move the service; tick \"Override project settings\" for it in Amplication's UI and connect it there, or connect the project instead", label)
		}
		var ons *amplication.OverrideNotSetError
		if errors.As(ce.Err, &ons) {
			return fmt.Errorf("%s was not connected: %w; tick \"Override project settings\" for it in Amplication's UI", label, ons)
		}
		lost := ""
		if old != nil {
			lost = " (it may have lost " + safetext.Line(old.FullName()) + ": " + w.ConnectOld(old, projectID) + ")"
		}
		return fmt.Errorf("could not mark %s as overriding its project's repository, so it was not connected%s: %w", label, lost, w.Amp(ce.Err))
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
