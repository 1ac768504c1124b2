package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

// ampConnectOptions are the flags of `bbsetup amplication connect`.
type ampConnectOptions struct {
	workspace, repository, create, projectKey, description string
	public                                                 bool
	project, service                                       string
	replace, json                                          bool
}

// ampConnectResult is the --json output of `bbsetup amplication connect`.
type ampConnectResult struct {
	Resource        ampResourceJSON    `json:"resource"`
	Project         ampWorkspaceJSON   `json:"project"`
	Repository      ampRepoJSON        `json:"repository"`
	Created         bool               `json:"created"`
	Replaced        *string            `json:"replaced"`   // the previous "workspace/slug", null when none
	Unchanged       bool               `json:"unchanged"`  // it was already connected to this repository
	Inheriting      []ampWorkspaceJSON `json:"inheriting"` // services that use the project's repository
	GitOrganization ampOrgJSON         `json:"git_organization"`
}

type ampRepoJSON struct {
	Workspace string `json:"workspace"`
	Slug      string `json:"slug"`
	FullName  string `json:"full_name"`
}

func (a *app) newAmplicationConnectCmd(si *ampSignIn) *cobra.Command {
	var o ampConnectOptions
	c := &cobra.Command{
		Use:   "connect --workspace W (--repository SLUG | --create NAME) --project NAME|ID [--service NAME|ID]",
		Short: "Connect an Amplication project or service to a Bitbucket repository",
		Long: `connect makes a Bitbucket repository the one Amplication pushes a project's (or one
service's) code to.

The repository is checked (--repository) or created (--create, like bbsetup repos create)
with bbsetup's own Bitbucket client and the consumer's key and secret, before anything is
stored in Amplication, which does not check. Without --service, the project's settings are
connected, and every service without a repository of its own inherits it. A resource that
already has a repository is refused unless --replace is given; then the old connection is
removed first and put back if the new one fails. The result is read back from the server.

Needs Amplication's Bitbucket authorization first: bbsetup amplication authorize.`,
		Example: `  bbsetup amplication connect --workspace acme --repository checkout-service --project Shop
  bbsetup amplication connect --workspace acme --repository orders --project Shop --service orders --replace
  bbsetup amplication connect --workspace acme --create "Shop Platform" --project-key WEB --project Shop --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ampClean(a.runAmplicationConnect(cmd.Context(), *si, o))
		},
	}
	f := c.Flags()
	f.StringVarP(&o.workspace, "workspace", "w", "", "Bitbucket workspace `SLUG` of the repository (see bbsetup workspaces)")
	f.StringVar(&o.repository, "repository", "", "an existing repository's `SLUG`")
	f.StringVar(&o.create, "create", "", "create a repository `NAME` (the slug is made from it) and connect it")
	f.StringVar(&o.projectKey, "project-key", "", "with --create: the Bitbucket project `KEY` (default: the workspace's oldest project)")
	f.BoolVar(&o.public, "public", false, "with --create: make the repository public (default private)")
	f.StringVar(&o.description, "description", "", "with --create: the repository's description `TEXT`")
	f.StringVar(&o.project, "project", "", "the Amplication project `NAME|ID`")
	f.StringVar(&o.service, "service", "", "connect only this service `NAME|ID` (default: the project's settings, which services inherit)")
	f.BoolVar(&o.replace, "replace", false, "replace the repository the resource is connected to")
	f.BoolVar(&o.json, "json", false, "print the result as a JSON object")
	return c
}

func (o ampConnectOptions) validate() error {
	switch {
	case workspaceFlagError(o.workspace) != nil: // usagewords.go: missing, empty or no slug
		return workspaceFlagError(o.workspace)
	case (o.repository == "") == (o.create == ""):
		return usageErrorf("give exactly one of --repository SLUG (an existing repository) and --create NAME (a new one)")
	case o.create == "" && (o.projectKey != "" || o.public || o.description != ""):
		return usageErrorf("--project-key, --public and --description go with --create only")
	case strings.TrimSpace(o.project) == "":
		return usageErrorf("--project is required: the Amplication project's name or id (see bbsetup amplication status)")
	}
	if o.create != "" {
		if err := bitbucket.ValidateSlug(bitbucket.Slugify(o.create)); err != nil {
			return usageErrorf("--create %q cannot be used: %v", o.create, err)
		}
	}
	return nil
}

func (a *app) runAmplicationConnect(ctx context.Context, si ampSignIn, o ampConnectOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	ws := strings.TrimSpace(o.workspace)
	s, err := a.ampClient()
	if err != nil {
		return err
	}
	defer s.close()
	bb, bbDone, err := a.bbapiClient(ctx)
	if err != nil {
		return err
	}
	defer bbDone()

	// The Bitbucket check runs beside the Amplication sign-in: neither needs the other,
	// and nothing is stored before both have answered.
	type looked struct {
		repo *bitbucket.Repository
		err  error
	}
	var lookup chan looked
	received := false
	lctx, lcancel := context.WithCancel(ctx)
	defer func() {
		lcancel()
		if lookup != nil && !received {
			<-lookup // the look-up ends with the command, not after it
		}
	}()
	if o.repository != "" {
		lookup = make(chan looked, 1)
		go func() {
			r, err := bb.Repository(lctx, ws, strings.TrimSpace(o.repository))
			lookup <- looked{r, err}
		}()
	}
	if err := a.ampSignIn(ctx, s, si); err != nil {
		return err
	}
	ov := s.ov
	orgs := ov.Bitbucket()
	wsName := "the current workspace"
	if ov.Current != nil {
		wsName = "workspace " + ampName(ov.Current.Name)
	}
	if len(orgs) == 0 {
		return fmt.Errorf("the Amplication workspace (%s) is not connected to Bitbucket yet: run bbsetup amplication authorize first", wsName)
	}
	org := orgs[0]
	if len(orgs) > 1 {
		a.debugf("amplication: %d Bitbucket git organizations; using %s", len(orgs), ampName(org.Name))
	}
	p, err := ampPickProject(ov.Projects, o.project)
	if err != nil {
		return err
	}
	var res *amplication.Resource
	if o.service != "" {
		if res, err = ampPickService(p, o.service); err != nil {
			return err
		}
	} else if res = p.Settings(); res == nil {
		return fmt.Errorf("project %s has no settings resource (ProjectConfiguration) to connect; connect one service with --service", ampName(p.Name))
	}
	label := ampResourceLabel(*res, *p)

	var repo *bitbucket.Repository
	if lookup != nil {
		l := <-lookup
		received = true
		var nf *bitbucket.NotFoundError
		switch {
		case errors.As(l.err, &nf):
			return fmt.Errorf("there is no Bitbucket repository %s/%s that the consumer's owner can see, so nothing was connected: check the slug with bbsetup repos list --workspace %s, or create it with --create NAME",
				ws, strings.TrimSpace(o.repository), ws)
		case l.err != nil:
			return l.err
		}
		repo = l.repo
	}
	slug := ""
	if repo != nil {
		slug = repo.Slug
	} else {
		slug = bitbucket.Slugify(o.create)
	}
	full := ws + "/" + slug

	unchanged, err := amplication.Connectable(*p, *res, ws, slug, o.replace)
	var ace *amplication.AlreadyConnectedError
	switch {
	case errors.As(err, &ace):
		how := ""
		if ace.Inherited {
			how = ", the project's repository, which it inherits"
		}
		return fmt.Errorf("%s is already connected to %s%s; pass --replace to connect it to %s instead", label, ampName(ace.Repo.FullName()), how, full)
	case unchanged && o.create == "":
		return a.ampConnectPrint(o, amplication.Settled(*p, *res, ws, slug), org, ws, slug, false, true)
	case unchanged && !o.replace:
		return fmt.Errorf("%s is already connected to %s; pass --replace to connect it to %s instead", label, ampName(res.Repo.FullName()), full)
	}

	// Connecting the project's settings connects every service that does not override
	// them, also one that has a repository of its own (connected with --service: the
	// server ignores isOverrideGitRepository): say which lose theirs.
	var taken []amplication.Resource
	if res.Type == amplication.TypeProjectConfiguration {
		for _, r := range p.Inheriting() {
			if r.Repo != nil && !p.Inherits(r) && !(strings.EqualFold(r.Repo.GroupName, ws) && r.Repo.Name == slug) {
				taken = append(taken, r)
			}
		}
	}

	created := false
	if o.create != "" {
		r, err := bb.CreateRepository(ctx, ws, bitbucket.CreateRepo{Name: o.create, Description: o.description, ProjectKey: o.projectKey, Public: o.public})
		if err != nil {
			return a.reposCreateProjectError(ctx, bb, ws, o.projectKey, err) // names the workspace's keys
		}
		repo, slug, created = r, r.Slug, true
		full = ws + "/" + slug
		fmt.Fprintf(a.env.Stderr, "Created %s repository %s in Bitbucket.\n", bbapiVisibility(r.IsPrivate), ampName(full))
	}

	out, err := amplication.ConnectResource(ctx, s.c, amplication.ConnectRequest{Project: *p, Resource: *res, Org: org, Group: ws, Slug: slug})
	if err != nil {
		return a.ampConnectError(s, err, label, full, p)
	}
	if err := a.ampConnectPrint(o, out, org, ws, slug, created, false); err != nil {
		return err
	}
	for _, r := range taken {
		fmt.Fprintf(a.env.Stderr, "Note: %s had %s of its own and now uses the project's: Amplication connects every service that does not override the project's settings.\n",
			ampName(r.Name), ampName(r.Repo.FullName()))
	}
	if res.Type != amplication.TypeProjectConfiguration && !res.Override {
		fmt.Fprintf(a.env.Stderr, "Note: in Amplication, %s still follows the settings of project %s, so connecting project %s again replaces it with the project's repository.\n",
			ampName(res.Name), ampName(p.Name), ampName(p.Name))
	}
	return nil
}

// ampConnectError words a failed amplication.ConnectResource.
func (a *app) ampConnectError(s *ampSession, err error, label, full string, p *amplication.Project) error {
	var ce *amplication.ConnectError
	if !errors.As(err, &ce) {
		return a.ampError(s, err)
	}
	old := ce.Old
	switch ce.Phase {
	case amplication.PhaseDisconnect:
		return fmt.Errorf("could not disconnect %s from %s, so nothing was changed: %w", label, ampName(old.FullName()), a.ampError(s, ce.Err))
	case amplication.PhaseConnect:
		cerr := a.ampError(s, ce.Err)
		switch {
		case old == nil:
			return fmt.Errorf("the Amplication server did not connect %s to %s: %w", label, full, cerr)
		case !ce.Restored:
			return fmt.Errorf("the Amplication server did not connect %s to %s (%w), and putting back %s failed too (%v): connect it again with bbsetup amplication connect --workspace %s --repository %s --project %s",
				label, full, cerr, ampName(old.FullName()), a.ampError(s, ce.RestoreErr), ampName(old.GroupName), ampName(old.Name), ampName(p.ID))
		}
		return fmt.Errorf("the Amplication server did not connect %s to %s, so it is connected to %s again: %w", label, full, ampName(old.FullName()), cerr)
	}
	if ce.Err != nil {
		return fmt.Errorf("connected, but reading it back failed: %w; check with bbsetup amplication status", a.ampError(s, ce.Err))
	}
	got := "no repository"
	if ce.Got != "" {
		got = ampName(ce.Got)
	}
	return fmt.Errorf("the Amplication server answered the connect, but reading %s back shows %s instead of %s; check with bbsetup amplication status", label, got, full)
}

// ampResourceLabel names a resource for the operator: "orders (project Shop)", or
// "the settings of project Shop".
func ampResourceLabel(r amplication.Resource, p amplication.Project) string {
	if r.Type == amplication.TypeProjectConfiguration {
		return "the settings of project " + ampName(p.Name)
	}
	return fmt.Sprintf("%s (project %s)", ampName(r.Name), ampName(p.Name))
}

// ampConnectPrint prints the result read back (or, unchanged, as it was).
func (a *app) ampConnectPrint(o ampConnectOptions, res *amplication.ConnectResult, org amplication.GitOrganization, ws, slug string, created, unchanged bool) error {
	full := ws + "/" + slug
	np, nr, old, inheriting := &res.Project, &res.Resource, res.Old, res.Inheriting
	if o.json {
		out := ampConnectResult{
			Resource:        ampResourceJSON{ID: nr.ID, Name: nr.Name, Type: nr.Type, Override: nr.Override, Repository: &full},
			Project:         ampWorkspaceJSON{ID: np.ID, Name: np.Name},
			Repository:      ampRepoJSON{Workspace: ws, Slug: slug, FullName: full},
			Created:         created,
			Unchanged:       unchanged,
			Inheriting:      []ampWorkspaceJSON{},
			GitOrganization: ampOrgJSON{ID: org.ID, Name: org.Name, Type: org.Type},
		}
		if old != nil {
			f := old.FullName()
			out.Replaced = &f
		}
		for _, r := range inheriting {
			out.Inheriting = append(out.Inheriting, ampWorkspaceJSON{ID: r.ID, Name: r.Name})
		}
		return bbapiWriteJSON(a.env.Stdout, out)
	}
	w := a.env.Stdout
	name := ampName(nr.Name)
	if nr.Type == amplication.TypeProjectConfiguration {
		name = "project settings"
	}
	note := ""
	switch {
	case unchanged:
		note = " (already connected; nothing changed)"
	case old != nil:
		note = " (was " + ampName(old.FullName()) + ")"
	}
	fmt.Fprintf(w, "%s (project %s) → %s%s\n", name, ampName(np.Name), ampName(full), note)
	if nr.Type == amplication.TypeProjectConfiguration {
		if len(inheriting) == 0 {
			fmt.Fprintln(w, "No service inherits it yet: every service of the project has a repository of its own.")
		} else {
			names := make([]string, 0, len(inheriting))
			for _, r := range inheriting {
				names = append(names, ampName(r.Name))
			}
			fmt.Fprintf(w, "Services that inherit it: %s.\n", strings.Join(names, ", "))
		}
	}
	return nil
}
