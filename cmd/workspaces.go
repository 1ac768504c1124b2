package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) newWorkspacesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "workspaces",
		Short: "List the Bitbucket workspaces the consumer can see",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("workspaces is not implemented yet")
		},
	}
}
