package cmd

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/tui"
	"github.com/bbsetup/bbsetup/tui/line"
)

// addAccessibleFlag adds --accessible to the wizard's commands (bbsetup, wizard, demo).
func addAccessibleFlag(c *cobra.Command, o *wizardOptions) {
	c.Flags().BoolVar(&o.accessibleFlag, "accessible", false, "plain line-by-line prompts instead of the full-screen wizard, for screen readers and simple terminals (env BBSETUP_ACCESSIBLE=1; on by itself when TERM=dumb)")
}

// accessible reports that the wizard runs as the line mode (package tui/line): the
// --accessible flag, BBSETUP_ACCESSIBLE=1, or a terminal that says it can do no more
// than lines (TERM=dumb).
func (a *Factory) accessible(o wizardOptions) bool {
	if o.accessibleFlag {
		return true
	}
	switch strings.ToLower(a.env.Getenv("BBSETUP_ACCESSIBLE")) {
	case "1", "true", "yes":
		return true
	}
	return a.env.Getenv("TERM") == "dumb"
}

// wizardSurface is the surface the wizard runs on: the Bubble Tea screens, or the line
// mode. Both take the same backend and options and return the same Summary.
func (a *Factory) wizardSurface(o wizardOptions) func(context.Context, tui.Backend, tui.Options, io.Reader, io.Writer) (tui.Summary, error) {
	if a.accessible(o) {
		return line.Run
	}
	return tui.Run
}
