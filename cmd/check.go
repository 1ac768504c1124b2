package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) newCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check the Amplication env files and the Bitbucket consumer",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("check is not implemented yet")
		},
	}
}
