package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// unknownCommandError is the usage error for a word that names none of c's commands,
// with the commands it is close to ("Did you mean"): cobra's own check (cobra.NoArgs on a
// command with subcommands) names the word but suggests nothing.
func unknownCommandError(c *cobra.Command, word string) error {
	msg := fmt.Sprintf("unknown command %q for %q", safetext.Line(word), c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	var near []string
	for _, s := range c.SuggestionsFor(word) {
		s = `"` + c.CommandPath() + " " + s + `"`
		if !slices.Contains(near, s) {
			near = append(near, s)
		}
	}
	switch len(near) {
	case 0:
		msg += "; see the commands with " + c.CommandPath() + " --help"
	case 1:
		msg += ": did you mean " + near[0] + "?"
	default:
		msg += ": did you mean " + strings.Join(near[:len(near)-1], ", ") + " or " + near[len(near)-1] + "?"
	}
	return &UsageError{Err: fmt.Errorf("%s", msg)}
}

// misplacedCommandError is, for a command with subcommands, the error to report instead
// of a flag error when a word before the flag names no subcommand: `repos lst -w x` is an
// unknown command "lst", not an unknown flag -w of `repos`. nil when that is not the case.
func misplacedCommandError(c *cobra.Command) error {
	if c == nil || !c.HasAvailableSubCommands() || len(c.Flags().Args()) == 0 {
		return nil
	}
	return unknownCommandError(c, c.Flags().Args()[0])
}

// argsError is the hook for a failed argument check of c: an unknown command, worded
// with its suggestions, when c has subcommands; otherwise nil (keep the check's error).
func argsError(c *cobra.Command, args []string) error {
	if c == nil || !c.HasAvailableSubCommands() || len(args) == 0 {
		return nil
	}
	return unknownCommandError(c, args[0])
}

// runnableGroups makes every command of the tree that only groups others (`amplication`)
// runnable, printing its help: cobra prints the help of a group that cannot run for any
// words after it and exits 0, so `bbsetup amplication stat` would never be a usage error.
func runnableGroups(c *cobra.Command) {
	if c.HasSubCommands() && !c.Runnable() {
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
	for _, sub := range c.Commands() {
		runnableGroups(sub)
	}
}
