package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) newEmulatorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "emulator",
		Short: "Run the built-in Bitbucket Cloud emulator on 127.0.0.1",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("emulator is not implemented yet")
		},
	}
}
