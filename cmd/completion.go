package cmd

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Shell completion: cobra's own `bbsetup completion bash|zsh|fish|powershell`, plus
// workspace slugs for -w/--workspace and Bitbucket project keys for --project-key, asked of Bitbucket
// with the checkout's key and secret. A completion must never hang a shell or print into
// it: the look-up is bounded by completionTimeout and offers nothing when it fails.

// completionTimeout bounds one look-up (token and listing) for a completion.
const completionTimeout = 3 * time.Second

// completionClient makes one attempt per request: a shell waiting on Tab is no place for
// backoff.
var completionClient = bitbucket.Options{MaxRetries: -1, RequestTimeout: completionTimeout}

// addCompletion enables cobra's completion command and registers the dynamic
// completions on every command that has a --workspace or --project flag.
func (a *Factory) addCompletion(root *cobra.Command) {
	root.CompletionOptions.DisableDefaultCmd = false
	root.CompletionOptions.HiddenDefaultCmd = false
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("workspace") != nil {
			_ = c.RegisterFlagCompletionFunc("workspace", a.completeWorkspaces)
		}
		switch {
		case c.Flags().Lookup("project-key") != nil:
			// --project-key is the Bitbucket project; --project names an Amplication
			// project, which would need a sign-in: nothing offered.
			_ = c.RegisterFlagCompletionFunc("project-key", a.completeProjects)
			for _, name := range []string{"project", "service"} {
				if f := c.Flags().Lookup(name); f != nil && f.Hidden { // repos create's old spelling of --project-key (flagalias.go)
					_ = c.RegisterFlagCompletionFunc(name, a.completeProjects)
				} else if f != nil {
					_ = c.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
				}
			}
		case c.Flags().Lookup("project") != nil:
			_ = c.RegisterFlagCompletionFunc("project", a.completeProjects)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)

	// Make cobra's completion command now rather than when it runs, so that it can be
	// adjusted: runnable, so that an unknown shell is a usage error (cobra.NoArgs names
	// it) rather than the help and exit status 0. Cobra's scripts are written to the
	// output the root has when the command is made: the run's stdout.
	root.SetOut(a.env.Stdout)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" && c.Run == nil && c.RunE == nil {
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
	}
}

// completionContext resolves the global flags (cobra runs no PreRun for a completion)
// and bounds the look-up. ok is false when the globals are unusable.
func (a *Factory) completionContext(cmd *cobra.Command) (context.Context, context.CancelFunc, bool) {
	if err := a.resolveGlobals(cmd); err != nil {
		return nil, nil, false
	}
	parent := cmd.Context()
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, completionTimeout)
	return ctx, cancel, true
}

// completeWorkspaces offers the workspace slugs the consumer's owner belongs to, each
// with its name as the description.
func (a *Factory) completeWorkspaces(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	ctx, cancel, ok := a.completionContext(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer cancel()
	bb, done, err := a.bbapiClientWith(ctx, completionClient)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer done()
	list, err := bb.Workspaces(ctx)
	if err != nil {
		a.debugf("completion: listing workspaces: %v", err)
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, w := range list {
		if strings.HasPrefix(w.Slug, toComplete) {
			out = append(out, completionItem(w.Slug, w.Name))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeProjects offers the project keys of the workspace given with -w (nothing
// without one), each with its name as the description.
func (a *Factory) completeProjects(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	ws, _ := cmd.Flags().GetString("workspace")
	if strings.TrimSpace(ws) == "" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel, ok := a.completionContext(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer cancel()
	bb, done, err := a.bbapiClientWith(ctx, completionClient)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer done()
	list, err := bb.Projects(ctx, ws)
	if err != nil {
		a.debugf("completion: listing the projects of %s: %v", ws, err)
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, p := range list {
		if strings.HasPrefix(strings.ToUpper(p.Key), strings.ToUpper(toComplete)) {
			out = append(out, completionItem(p.Key, p.Name))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completionItem is "value<TAB>description", both made safe for the shell's menu: one
// clean line each, and no blanks in the value (slugs and keys have none).
func completionItem(value, desc string) string {
	value = strings.Join(strings.Fields(safetext.Line(value)), "")
	desc = safetext.Line(desc)
	if desc == "" {
		return value
	}
	return value + "\t" + desc
}
