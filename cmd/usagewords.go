package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
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

// secretFlagValueError is the usage error for a value given to a flag that reads a secret
// on standard input (--client-secret-stdin=VALUE, --password-stdin=VALUE): it never repeats
// the value (it may be the pasted secret) and shows how to pipe it to the command that was
// called.
func secretFlagValueError(c *cobra.Command, flag string) error {
	path := "bbsetup"
	if c != nil {
		path = c.CommandPath()
	}
	example := path + " --" + flag
	switch flag {
	case "client-secret-stdin":
		example = "pass show bitbucket | " + path + " --client-id KEY --client-secret-stdin"
	case "password-stdin":
		example = "pass show amplication | " + path + " --email EMAIL --password-stdin"
	}
	return usageErrorf("--%s takes no value (what was given is not shown and was not used): pipe the secret on standard input instead, e.g. %s", flag, example)
}

// workspaceFlagError is the usage error for a --workspace that is missing, empty or not
// a workspace slug (bitbucket.ValidateWorkspace); nil when ws is one.
func workspaceFlagError(ws string) error {
	if strings.TrimSpace(ws) == "" {
		return requiredFlagError("workspace", workspaceAdvice)
	}
	if err := bitbucket.ValidateWorkspace(ws); err != nil {
		return &UsageError{Err: fmt.Errorf("--workspace: %w", err)}
	}
	return nil
}
