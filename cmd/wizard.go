package cmd

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
)

type wizardOptions struct {
	noBrowser bool
	json      bool
}

func (a *app) newWizardCmd() *cobra.Command {
	var o wizardOptions
	c := &cobra.Command{
		Use:   "wizard",
		Short: "Run the guided setup wizard (the default command)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runWizard(cmd.Context(), o)
		},
	}
	c.Flags().BoolVar(&o.noBrowser, "no-browser", false, "show URLs instead of opening a browser")
	c.Flags().BoolVar(&o.json, "json", false, "print the summary as JSON after the wizard exits")
	return c
}

func (a *app) newDemoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Try the wizard against the built-in emulator and a scratch checkout",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("demo is not implemented yet")
		},
	}
}

func (a *app) runWizard(ctx context.Context, o wizardOptions) error {
	return errors.New("the wizard is not implemented yet")
}
