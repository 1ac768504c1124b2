package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// One wording for one kind of usage mistake, whichever check finds it (cobra's required
// flags, a command's own validation): "--NAME is required: what to give".

// workspaceAdvice is what to give for a missing --workspace.
const workspaceAdvice = "name a workspace slug (see bbsetup workspaces)"

// requiredFlagError is the usage error for a flag that is missing or empty.
func requiredFlagError(name, advice string) error {
	return usageErrorf("--%s is required: %s", name, advice)
}

// requiredFlagsError words cobra's "required flag(s) "x" not set" (err) as
// requiredFlagError does, for the first required flag of c that was not given.
func requiredFlagsError(c *cobra.Command, err error) error {
	var missing *pflag.Flag
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if req := f.Annotations[cobra.BashCompOneRequiredFlag]; missing == nil && len(req) > 0 && req[0] == "true" && !f.Changed {
			missing = f
		}
	})
	if missing == nil {
		return &UsageError{Err: err}
	}
	advice := workspaceAdvice
	if missing.Name != "workspace" {
		_, usage := pflag.UnquoteUsage(missing)
		advice = fmt.Sprintf("give %s", strings.TrimSpace(usage))
	}
	return requiredFlagError(missing.Name, advice)
}
