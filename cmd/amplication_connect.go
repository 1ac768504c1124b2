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
	project, service, gitOrg                               string
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
	// PushesAs is the Bitbucket account Amplication pushes as (the git organization's);
	// OwnAccount whether it is bbsetup's own (null when it could not be compared).
	PushesAs   string `json:"pushes_as"`
	OwnAccount *bool  `json:"own_account"`
	// MainBranchCreated: bbsetup committed README.md on main so the new repository has a
	// default branch.
	MainBranchCreated bool `json:"main_branch_created"`
	// WriteChecked: the pusher's write permission was checked (it is not bbsetup's own
	// account); null when no check was needed.
	WriteChecked *bool `json:"write_checked"`
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
removed first and put back if the new one fails. A project connect that would move services
connected to other repositories (they do not override the project) is refused too unless
--replace. A service is first marked as overriding its project, as Amplication's UI does,
so a later project connect leaves it alone. The result is read back from the server.

Amplication pushes as the Bitbucket account of the workspace's git organization: with
several, --git-org chooses one (default: the one whose account is bbsetup's own, the
consumer's owner). When that account is not bbsetup's own, bbsetup checks that it can write
the repository (which needs workspace admin; it says when it cannot check). A repository
created with --create gets a README.md on main, so Amplication's first push has a branch.

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
	f.BoolVar(&o.replace, "replace", false, "replace the repository the resource is connected to (and move services a project connect takes along)")
	f.StringVar(&o.gitOrg, "git-org", "", "the Amplication git organization `NAME|ID` to connect through: the Bitbucket account Amplication pushes as (default: bbsetup's own; see bbsetup amplication status)")
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
	lookup := flow.LookupRepo(ctx, bb, ws, strings.TrimSpace(o.repository))
	defer lookup.Stop()
	own := flow.LookupOwn(ctx, bb) // who bbsetup is, for who Amplication pushes as
	defer own.Stop()
	if err := a.ampSignIn(ctx, s, o.signIn); err != nil {
		return err
	}
	pu, err := a.ampPusher(ctx, s, own, o.gitOrg)
	if err != nil {
		return err
	}
	req := flow.ConnectRequest{
		Projects: s.ov.Projects, Project: o.project, Resource: o.service,
		Group: ws, Slug: strings.TrimSpace(o.repository), Repo: lookup, Replace: o.replace,
		Pusher:    func(context.Context) (flow.Pusher, error) { return pu, nil }, // chosen above, beside the look-ups
		Bitbucket: bb,
		Root:      s.Checkout.Root,
		Words:     a.ampConnectWords(s),
	}
	if o.create != "" {
		req.Slug = bitbucket.Slugify(o.create)
		req.Create = &flow.NewRepository{Bitbucket: bb, Repo: bitbucket.CreateRepo{Name: o.create, Description: o.description, ProjectKey: o.projectKey, Public: o.public}}
	}
	pl, out, err := flow.Connect(ctx, s.Client, req)
	if out != nil && out.Created != nil {
		fmt.Fprintf(a.env.Stderr, "Created %s repository %s in Bitbucket.\n", bbapiVisibility(out.Created.IsPrivate), ampName(ws+"/"+out.Slug))
	}
	if out != nil {
		a.ampPushNotes(out)
	}
	if err != nil {
		return a.ampConnectError(ctx, o, bb, pl, err)
	}
	if err := a.ampConnectPrint(o, out, pu.Org()); err != nil {
		return err
	}
	if !out.Unchanged {
		a.ampConnectNotes(pl)
	}
	return nil
}

// ampConnectError words flow.Connect's refusals with the flags (its failures after the
// store are worded already, with ampConnectWords).
func (a *Factory) ampConnectError(ctx context.Context, o ampConnectOptions, bb *bitbucket.Client, pl flow.ConnectPlan, err error) error {
	var cf *flow.CreateFailedError
	var nr *flow.NoRepositoryError
	var ace *amplication.AlreadyConnectedError
	var mse *flow.MovesServicesError
	switch {
	case errors.As(err, &cf):
		return a.reposCreateProjectError(ctx, bb, pl.Group, o.projectKey, cf.Err) // names the workspace's keys
	case errors.As(err, &nr):
		return fmt.Errorf("there is no Bitbucket repository %s/%s that the consumer's owner can see, so nothing was connected: check the slug with bbsetup repos list --workspace %s, or create it with --create NAME",
			nr.Group, nr.Slug, nr.Group)
	case errors.As(err, &mse):
		return fmt.Errorf("%s; pass --replace to move them too, or connect each of them on its own first with --service (which marks it as overriding the project)", mse.Error())
	case errors.As(err, &ace):
		how := ""
		if ace.Inherited {
			how = ", the project's repository, which it inherits"
		}
		return fmt.Errorf("%s is already connected to %s%s; pass --replace to connect it to %s instead", pl.Label(), ampName(ace.Repo.FullName()), how, pl.Full())
	}
	return ampResolveError(err) // --project and --service
}

// ampConnectPrint prints the result read back (or, unchanged, as it was).
func (a *Factory) ampConnectPrint(o ampConnectOptions, res *flow.Connected, org amplication.GitOrganization) error {
	full := res.Full()
	np, nr := &res.Project, &res.Resource
	if o.json {
		out := ampConnectResult{
			Resource:          ampResourceJSON{ID: nr.ID, Name: nr.Name, Type: nr.Type, Override: nr.Override, Repository: &full},
			Project:           ampWorkspaceJSON{ID: np.ID, Name: np.Name},
			Repository:        ampRepoJSON{Workspace: res.Group, Slug: res.Slug, FullName: full},
			Created:           res.Created != nil,
			Unchanged:         res.Unchanged,
			Inheriting:        []ampWorkspaceJSON{},
			GitOrganization:   ampOrgJSON{ID: org.ID, Name: org.Name, Type: org.Type},
			PushesAs:          res.Pusher.Choice.Org.Name,
			OwnAccount:        res.OwnAccount(),
			MainBranchCreated: res.MainBranchCreated(),
			WriteChecked:      res.WriteChecked(),
		}
		if res.Old != nil {
			f := res.Old.FullName()
			out.Replaced = &f
		}
		for _, r := range res.Inheriting {
			out.Inheriting = append(out.Inheriting, ampWorkspaceJSON{ID: r.ID, Name: r.Name})
		}
		return bbapiWriteJSON(a.env.Stdout, out)
	}
	w := a.env.Stdout
	settings, inheriting, overrides := res.Inherits()
	name := ampName(nr.Name)
	if settings {
		name = "project settings"
	}
	note := ""
	switch {
	case res.Unchanged:
		note = " (already connected; nothing changed)"
	case res.Old != nil:
		note = " (was " + ampName(res.Old.FullName()) + ")"
	}
	fmt.Fprintf(w, "%s (project %s) → %s%s\n", name, ampName(np.Name), ampName(full), note)
	switch {
	case settings && len(inheriting) == 0:
		fmt.Fprintln(w, "No service inherits it yet: every service of the project has a repository of its own.")
	case settings:
		fmt.Fprintf(w, "Services that inherit it: %s.\n", strings.Join(inheriting, ", "))
	case overrides:
		fmt.Fprintf(w, "It overrides the settings of project %s (\"Override project settings\"), so connecting the project leaves it alone.\n", ampName(np.Name))
	}
	fmt.Fprintln(w, res.Pusher.Says())
	return nil
}

// ampPushNotes says on stderr what the push checks found: the main branch made, an
// account that is not bbsetup's own, a write permission that could not be checked.
func (a *Factory) ampPushNotes(out *flow.Connected) {
	for _, n := range out.PushNotes() {
		if n.Warning {
			fmt.Fprintf(a.env.Stderr, "Warning: %s.\n", n.Text)
		} else {
			fmt.Fprintf(a.env.Stderr, "%s.\n", n.Text)
		}
	}
}

// ampConnectNotes says what a connect changed beyond the target: services that lost a
// repository of their own (moved with --replace).
func (a *Factory) ampConnectNotes(pl flow.ConnectPlan) {
	for _, n := range pl.TakenNotes() {
		fmt.Fprintf(a.env.Stderr, "Note: %s.\n", n)
	}
}

// ampPusher chooses the Bitbucket git organization the connect stores (flow.PickPusher),
// its refusals worded with the flags.
func (a *Factory) ampPusher(ctx context.Context, s *ampSession, own *flow.OwnLookup, want string) (flow.Pusher, error) {
	pu, err := flow.PickPusher(ctx, s.Client, own, want, flow.PickWords{
		Amp:   func(err error) error { return a.ampError(s, err) },
		Debug: func(err error) { a.debugf("%v", err) },
	})
	var ce *amplication.GitOrgChoiceError
	if errors.As(err, &ce) {
		if ce.Problem == amplication.NoBitbucketOrg {
			wsName := "the current workspace"
			if s.ov.Current != nil {
				wsName = "workspace " + ampName(s.ov.Current.Name)
			}
			return flow.Pusher{}, fmt.Errorf("the Amplication workspace (%s) is not connected to Bitbucket yet: run bbsetup amplication authorize first", wsName)
		}
		return flow.Pusher{}, usageErrorf("%s; pass --git-org NAME|ID (the name is the Bitbucket account Amplication pushes as; see bbsetup amplication status)", ce.Error())
	}
	return pu, err
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
