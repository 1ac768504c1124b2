package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/flow"
)

// ampConnectOptions are the flags of `bbsetup amplication connect`.
type ampConnectOptions struct {
	signIn                                                 ampSignIn
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

func newCmdAmplicationConnect(a *Factory, si *ampSignIn, runF func(*ampConnectOptions) error) *cobra.Command {
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
			if err := o.validate(); err != nil {
				return ampClean(err)
			}
			o.signIn = *si
			if runF != nil {
				return runF(&o)
			}
			return ampClean(a.runAmplicationConnect(cmd.Context(), o))
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

func (a *Factory) runAmplicationConnect(ctx context.Context, o ampConnectOptions) error {
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
	lookup := lookupRepo(ctx, bb, ws, strings.TrimSpace(o.repository))
	defer lookup.stop()
	if err := a.ampSignIn(ctx, s, o.signIn); err != nil {
		return err
	}
	org, err := a.ampGitOrg(s)
	if err != nil {
		return err
	}
	t, err := ampTarget(s.ov.Projects, o.project, o.service)
	if err != nil {
		return err
	}

	repo, err := lookup.wait()
	var nf *bitbucket.NotFoundError
	switch {
	case errors.As(err, &nf):
		return fmt.Errorf("there is no Bitbucket repository %s/%s that the consumer's owner can see, so nothing was connected: check the slug with bbsetup repos list --workspace %s, or create it with --create NAME",
			ws, strings.TrimSpace(o.repository), ws)
	case err != nil:
		return err
	}
	slug := bitbucket.Slugify(o.create)
	if repo != nil {
		slug = repo.Slug
	}
	pl, err := flow.PlanConnect(t, ws, slug, o.replace)
	var ace *amplication.AlreadyConnectedError
	switch {
	case errors.As(err, &ace):
		how := ""
		if ace.Inherited {
			how = ", the project's repository, which it inherits"
		}
		return fmt.Errorf("%s is already connected to %s%s; pass --replace to connect it to %s instead", t.Label(), ampName(ace.Repo.FullName()), how, pl.Full())
	case pl.Unchanged && o.create != "" && !o.replace:
		return fmt.Errorf("%s is already connected to %s; pass --replace to connect it to %s instead", t.Label(), ampName(t.Resource.Repo.FullName()), pl.Full())
	}
	var create *flow.NewRepository
	if o.create != "" {
		create = &flow.NewRepository{Bitbucket: bb, Repo: bitbucket.CreateRepo{Name: o.create, Description: o.description, ProjectKey: o.projectKey, Public: o.public}}
	}
	out, err := pl.Run(ctx, s.Client, org, create)
	if out != nil && out.Created != nil {
		fmt.Fprintf(a.env.Stderr, "Created %s repository %s in Bitbucket.\n", bbapiVisibility(out.Created.IsPrivate), ampName(ws+"/"+out.Slug))
	}
	switch {
	case err != nil && out == nil && create != nil:
		return a.reposCreateProjectError(ctx, bb, ws, o.projectKey, err) // names the workspace's keys
	case err != nil:
		if out != nil {
			slug = out.Slug
		}
		return flow.ConnectFailed(err, t.Label(), ws+"/"+slug, t.Project.ID, a.ampConnectWords(s))
	}
	if err := a.ampConnectPrint(o, out, org); err != nil {
		return err
	}
	if !out.Unchanged {
		a.ampConnectNotes(pl)
	}
	return nil
}

// ampConnectPrint prints the result read back (or, unchanged, as it was).
func (a *Factory) ampConnectPrint(o ampConnectOptions, res *flow.Connected, org amplication.GitOrganization) error {
	ws, slug, created, unchanged := res.Group, res.Slug, res.Created != nil, res.Unchanged
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

// ampConnectNotes says what a connect changed beyond the target: services that lost a
// repository of their own, or a service that still follows its project's settings.
func (a *Factory) ampConnectNotes(pl flow.ConnectPlan) {
	for _, r := range pl.Taken {
		fmt.Fprintf(a.env.Stderr, "Note: %s had %s of its own and now uses the project's: Amplication connects every service that does not override the project's settings.\n",
			ampName(r.Name), ampName(r.Repo.FullName()))
	}
	if res := pl.Resource; res.Type != amplication.TypeProjectConfiguration && !res.Override {
		fmt.Fprintf(a.env.Stderr, "Note: in Amplication, %s still follows the settings of project %s, so connecting project %s again replaces it with the project's repository.\n",
			ampName(res.Name), ampName(pl.Project.Name), ampName(pl.Project.Name))
	}
}

// ampGitOrg is the Bitbucket git organization of the Amplication workspace the connect
// stores (the first one: the workspace has one after bbsetup amplication authorize).
func (a *Factory) ampGitOrg(s *ampSession) (amplication.GitOrganization, error) {
	ov := s.ov
	orgs := ov.Bitbucket()
	if len(orgs) == 0 {
		wsName := "the current workspace"
		if ov.Current != nil {
			wsName = "workspace " + ampName(ov.Current.Name)
		}
		return amplication.GitOrganization{}, fmt.Errorf("the Amplication workspace (%s) is not connected to Bitbucket yet: run bbsetup amplication authorize first", wsName)
	}
	if len(orgs) > 1 {
		a.debugf("amplication: %d Bitbucket git organizations; using %s", len(orgs), ampName(orgs[0].Name))
	}
	return orgs[0], nil
}

// repoLookup is a look-up of a repository running beside other work.
type repoLookup struct {
	done   chan struct{}
	repo   *bitbucket.Repository
	err    error
	cancel context.CancelFunc
}

// lookupRepo starts looking up ws/slug ("" looks up nothing).
func lookupRepo(ctx context.Context, bb *bitbucket.Client, ws, slug string) *repoLookup {
	l := &repoLookup{done: make(chan struct{})}
	if slug == "" {
		close(l.done)
		l.cancel = func() {}
		return l
	}
	lctx, cancel := context.WithCancel(ctx)
	l.cancel = cancel
	go func() {
		defer close(l.done)
		l.repo, l.err = bb.Repository(lctx, ws, slug)
	}()
	return l
}

// wait waits for the look-up's answer.
func (l *repoLookup) wait() (*bitbucket.Repository, error) {
	<-l.done
	return l.repo, l.err
}

// stop ends the look-up with the command, not after it.
func (l *repoLookup) stop() {
	l.cancel()
	<-l.done
}

// ampConnectWords are the command line's words for a failed connect.
func (a *Factory) ampConnectWords(s *ampSession) flow.ConnectWords {
	return flow.ConnectWords{
		Amp:   func(err error) error { return a.ampError(s, err) },
		Check: "; check with bbsetup amplication status",
		ConnectOld: func(old *amplication.GitRepository, projectID string) string {
			return fmt.Sprintf("connect it again with bbsetup amplication connect --workspace %s --repository %s --project %s", ampName(old.GroupName), ampName(old.Name), ampName(projectID))
		},
	}
}
