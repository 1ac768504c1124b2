package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// projectJSON is one element of `bbsetup projects --json`.
type projectJSON struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	UUID      string `json:"uuid"`
	IsPrivate bool   `json:"is_private"`
}

// projectsOptions are the flags of `bbsetup projects`.
type projectsOptions struct {
	workspace string
	asJSON    bool
}

func newCmdProjects(a *Factory, runF func(*projectsOptions) error) *cobra.Command {
	var o projectsOptions
	c := &cobra.Command{
		Use:   "projects --workspace W",
		Short: "List the projects of a workspace",
		Long: `List the projects of a Bitbucket workspace, sorted by key: the keys
'bbsetup repos create --project-key KEY' and 'bbsetup amplication connect
--project-key KEY' take.

It signs in with the key and secret in the Amplication checkout's .env.local files
(client_credentials grant) and needs the "Projects: Read" permission.`,
		Example: "  bbsetup projects -w acme\n  bbsetup projects -w acme --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := workspaceFlagError(o.workspace); err != nil { // usagewords.go: missing, empty or no slug
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return a.runProjects(cmd.Context(), o.workspace, o.asJSON)
		},
	}
	c.Flags().StringVarP(&o.workspace, "workspace", "w", "", "workspace `SLUG` (see bbsetup workspaces)")
	c.Flags().BoolVar(&o.asJSON, "json", false, "print a JSON array instead of a table")
	_ = c.MarkFlagRequired("workspace")
	return c
}

// runProjects lists the projects; --workspace was checked (workspaceFlagError).
func (a *Factory) runProjects(ctx context.Context, ws string, asJSON bool) error {
	bb, done, err := a.bbapiClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	list, err := bb.Projects(ctx, ws)
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]projectJSON, 0, len(list))
		for _, p := range list {
			out = append(out, projectJSON{Key: p.Key, Name: p.Name, UUID: p.UUID, IsPrivate: p.IsPrivate})
		}
		return bbapiWriteJSON(a.env.Stdout, out)
	}
	if len(list) == 0 {
		a.noteNone("Workspace %s has no projects.", safetext.Line(ws))
		return nil
	}
	l := a.newListing("KEY\tNAME\tPRIVATE")
	for _, p := range list {
		private := "no"
		if p.IsPrivate {
			private = "yes"
		}
		l.row("%s\t%s\t%s", bbapiClean(p.Key), bbapiClean(p.Name), private)
	}
	return l.done(plural(len(list), "project", "projects") + " in workspace " + safetext.Line(ws) + ".")
}
