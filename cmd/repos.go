package cmd

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// repoJSON is one repository in `bbsetup repos list --json` and `repos create --json`.
type repoJSON struct {
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	FullName    string  `json:"full_name"`
	UUID        string  `json:"uuid"`
	Description string  `json:"description"`
	ProjectKey  string  `json:"project_key"`
	IsPrivate   bool    `json:"is_private"`
	HTMLURL     string  `json:"html_url"`
	CloneHTTPS  string  `json:"clone_https"`
	CloneSSH    string  `json:"clone_ssh"`
	UpdatedOn   *string `json:"updated_on"` // RFC 3339; null when Bitbucket sent none
}

func toRepoJSON(r bitbucket.Repository) repoJSON {
	out := repoJSON{Slug: r.Slug, Name: r.Name, FullName: r.FullName, UUID: r.UUID,
		Description: r.Description, ProjectKey: r.ProjectKey, IsPrivate: r.IsPrivate,
		HTMLURL: r.HTMLURL, CloneHTTPS: r.CloneHTTPS, CloneSSH: r.CloneSSH}
	if !r.UpdatedOn.IsZero() {
		s := r.UpdatedOn.UTC().Format(time.RFC3339)
		out.UpdatedOn = &s
	}
	return out
}

// reposListOptions are the flags of `bbsetup repos list`.
type reposListOptions struct {
	workspace, filter string
	asJSON            bool
}

// reposCreateOptions are the flags of `bbsetup repos create`.
type reposCreateOptions struct {
	workspace, name, project, description string
	public, asJSON                        bool
}

func newCmdRepos(a *Factory, listF func(*reposListOptions) error, createF func(*reposCreateOptions) error) *cobra.Command {
	repos := &cobra.Command{
		Use:   "repos",
		Short: "List or create repositories in a Bitbucket workspace",
		Long: `List or create repositories in a Bitbucket workspace, signed in with the key and
secret in the Amplication checkout's .env.local files (client_credentials grant).`,
		// Runnable, so that a mistyped subcommand is a usage error (cobra.NoArgs names it)
		// rather than the help and exit status 0.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}

	var lo reposListOptions
	list := &cobra.Command{
		Use:   "list",
		Short: "List the repositories of a workspace",
		Long: `List the repositories of a workspace in the order Bitbucket lists them, which is
the order the wizard's "Connect an existing repository" screen shows them in. --filter
narrows the list on Bitbucket's side to names that contain the text (case-insensitive).

At a terminal it prints a table with a header and the count. Piped or redirected, it
prints one tab-separated line per repository (slug, name, project, visibility, date
updated) and nothing else; the count goes to standard error.

Needs the "Repositories: Read" permission.`,
		Example: "  bbsetup repos list --workspace acme\n  bbsetup repos list -w acme | cut -f1\n  bbsetup repos list --workspace acme --filter api --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := workspaceFlagError(lo.workspace); err != nil {
				return err
			}
			if listF != nil {
				return listF(&lo)
			}
			return a.runReposList(cmd.Context(), lo.workspace, lo.filter, lo.asJSON)
		},
	}
	list.Flags().StringVarP(&lo.workspace, "workspace", "w", "", "workspace `SLUG` (see bbsetup workspaces)")
	list.Flags().StringVar(&lo.filter, "filter", "", "only repositories whose name contains `TEXT`")
	list.Flags().BoolVar(&lo.asJSON, "json", false, "print a JSON array instead of a table")

	var co reposCreateOptions
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a repository in a workspace",
		Long: `Create a git repository in a workspace. The slug is made from --name (lowercase
letters, digits, "_", "-" and "."); the repository is private unless --public is given,
and lands in the Bitbucket project --project-key, or in the workspace's oldest project
without it.

Needs the "Repositories: Admin" permission.`,
		Example: "  bbsetup repos create --workspace acme --name \"Checkout Service\" --project-key WEB",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := co.validate(); err != nil {
				return err
			}
			if createF != nil {
				return createF(&co)
			}
			return a.runReposCreate(cmd.Context(), co.workspace, bitbucket.CreateRepo{
				Name: co.name, Description: co.description, ProjectKey: co.project, Public: co.public,
			}, co.asJSON)
		},
	}
	create.Flags().StringVarP(&co.workspace, "workspace", "w", "", "workspace `SLUG` (see bbsetup workspaces)")
	create.Flags().StringVar(&co.name, "name", "", "repository `NAME`; the slug is made from it")
	create.Flags().StringVar(&co.project, "project-key", "", "Bitbucket project `KEY` (default: the workspace's oldest project; see bbsetup projects)")
	addDeprecatedAlias(create.Flags(), a.env.Stderr, "project", "project-key", "--project names an Amplication project, in bbsetup amplication connect") // flagalias.go
	create.Flags().StringVar(&co.description, "description", "", "repository description `TEXT`")
	create.Flags().BoolVar(&co.public, "public", false, "make the repository public (default private)")
	create.Flags().BoolVar(&co.asJSON, "json", false, "print the created repository as a JSON object")

	repos.AddCommand(list, create)
	return repos
}

// validate refuses, before anything is asked, a --workspace that is missing or no slug
// and a --name that is missing or makes no slug.
func (o reposCreateOptions) validate() error {
	if err := workspaceFlagError(o.workspace); err != nil { // usagewords.go
		return err
	}
	if strings.TrimSpace(o.name) == "" {
		return requiredFlagError("name", "give the repository a name") // usagewords.go
	}
	if err := bitbucket.ValidateSlug(bitbucket.Slugify(o.name)); err != nil {
		return usageErrorf("--name %q cannot be used: %v", o.name, err)
	}
	return nil
}

func (a *Factory) runReposList(ctx context.Context, ws, filter string, asJSON bool) error {
	bb, done, err := a.bbapiClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	var all []bitbucket.Repository
	err = bb.ListRepositories(ctx, ws, bitbucket.ListOptions{Filter: filter}, func(batch []bitbucket.Repository, _, _ int) {
		all = append(all, batch...)
	})
	if err != nil {
		return err
	}
	// Bitbucket's order, as the wizard's connect screen shows them (ListRepositories
	// hands pages on in page order).

	if asJSON {
		out := make([]repoJSON, 0, len(all))
		for _, r := range all {
			out = append(out, toRepoJSON(r))
		}
		return bbapiWriteJSON(a.env.Stdout, out)
	}
	// At a terminal: an aligned table with a header and the count. Piped (like gh): one
	// tab-separated line per repository and nothing else on stdout; the count and the
	// "no repositories" sentence go to stderr.
	if len(all) == 0 {
		if strings.TrimSpace(filter) != "" {
			a.noteNone("No repositories in workspace %s have a name containing %q.", safetext.Line(ws), safetext.Line(filter))
		} else {
			a.noteNone("Workspace %s has no repositories the consumer's owner can see.", safetext.Line(ws))
		}
		return nil
	}
	l := a.newListing("SLUG\tNAME\tPROJECT\tVISIBILITY\tUPDATED")
	for _, r := range all {
		updated := "-"
		if !r.UpdatedOn.IsZero() {
			updated = r.UpdatedOn.UTC().Format("2006-01-02")
		}
		l.row("%s\t%s\t%s\t%s\t%s", bbapiClean(r.Slug), bbapiClean(r.Name),
			bbapiClean(bbapiOr(r.ProjectKey, "-")), bbapiVisibility(r.IsPrivate), updated)
	}
	return l.done(plural(len(all), "repository", "repositories") + " in workspace " + safetext.Line(ws) + ".")
}

// runReposCreate creates the repository; the flags were checked (reposCreateOptions.validate).
func (a *Factory) runReposCreate(ctx context.Context, ws string, r bitbucket.CreateRepo, asJSON bool) error {
	bb, done, err := a.bbapiClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	repo, mb, err := flow.CreateRepository(ctx, bb, ws, r)
	switch {
	case repo == nil:
		return a.reposCreateProjectError(ctx, bb, ws, r.ProjectKey, err)
	case err != nil:
		return fmt.Errorf("created %s/%s, but %w", ws, bbapiClean(repo.Slug), err)
	}
	if mb.Committed {
		fmt.Fprintf(a.env.Stderr, "Added README.md on %s so the repository has a default branch (Amplication needs one before its first push).\n", bbapiClean(mb.Branch))
	}
	if asJSON {
		return bbapiWriteJSON(a.env.Stdout, toRepoJSON(*repo))
	}
	where := ""
	if repo.ProjectKey != "" {
		where = " in project " + bbapiClean(repo.ProjectKey)
	}
	fmt.Fprintf(a.env.Stdout, "Created %s repository %s%s.\n", bbapiVisibility(repo.IsPrivate), bbapiClean(bbapiOr(repo.FullName, ws+"/"+repo.Slug)), where)
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{{"Web", repo.HTMLURL}, {"Clone (HTTPS)", repo.CloneHTTPS}, {"Clone (SSH)", repo.CloneSSH}} {
		if row[1] != "" {
			fmt.Fprintf(tw, "  %s:\t%s\n", row[0], bbapiClean(row[1]))
		}
	}
	return tw.Flush()
}

func bbapiVisibility(private bool) string {
	if private {
		return "private"
	}
	return "public"
}

func bbapiOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// reposCreateProjectError turns Bitbucket's refusal of an unknown --project-key into an error
// that names the workspace's project keys; any other error is returned as it is. It asks
// for the projects only after a refusal, so a create that works costs no extra request.
func (a *Factory) reposCreateProjectError(ctx context.Context, bb *bitbucket.Client, ws, key string, err error) error {
	upe, perr := flow.UnknownProject(ctx, bb, ws, key, err)
	if perr != nil {
		a.debugf("listing the projects of %s after the create failed: %v", ws, perr)
	}
	if upe == nil {
		return err
	}
	if len(upe.Keys) == 0 {
		return fmt.Errorf("workspace %s has no project %s, and no projects at all; create one in Bitbucket first", ws, bbapiClean(key))
	}
	keys := make([]string, 0, len(upe.Keys))
	for _, k := range upe.Keys {
		keys = append(keys, bbapiClean(k))
	}
	hint := ""
	if upe.Suggest != "" {
		hint = fmt.Sprintf(" (project keys are case-sensitive: did you mean %s?)", bbapiClean(upe.Suggest))
	}
	return fmt.Errorf("workspace %s has no project %s%s; its project keys are %s (see bbsetup projects -w %s)",
		ws, bbapiClean(key), hint, strings.Join(keys, ", "), ws)
}
