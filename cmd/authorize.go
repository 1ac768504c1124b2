package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) newAuthorizeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "authorize",
		Short: "Authorize in the browser and show who is connected",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("authorize is not implemented yet")
		},
	}
}
