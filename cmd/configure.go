package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) newConfigureCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "configure",
		Short: "Write the Bitbucket key and secret into both .env.local files",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("configure is not implemented yet")
		},
	}
}
