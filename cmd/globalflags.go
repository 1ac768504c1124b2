package cmd

import (
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// globalFlagsFor lists, by command path, the global flags the command uses; --help shows
// only those under "Global Flags" (the others are still accepted, and ignored). A command
// not listed shows them all, as does bbsetup's own help, the one place that lists every
// global flag.
var globalFlagsFor = map[string][]string{
	"bbsetup wizard":                {"repo", "bitbucket-url", "api-url", "amplication-url", "debug", "allow-outside-checkout"},
	"bbsetup demo":                  {"debug"}, // the demo's own checkout and emulators
	"bbsetup configure":             {"repo", "bitbucket-url", "debug", "allow-outside-checkout"},
	"bbsetup check":                 {"repo", "bitbucket-url", "debug"},
	"bbsetup authorize":             {"repo", "bitbucket-url", "api-url", "debug"},
	"bbsetup workspaces":            {"repo", "bitbucket-url", "api-url", "debug"},
	"bbsetup projects":              {"repo", "bitbucket-url", "api-url", "debug"},
	"bbsetup repos":                 {"repo", "bitbucket-url", "api-url", "debug"},
	"bbsetup repos list":            {"repo", "bitbucket-url", "api-url", "debug"},
	"bbsetup repos create":          {"repo", "bitbucket-url", "api-url", "debug"},
	"bbsetup amplication":           {"repo", "amplication-url", "amplication-workspace", "bitbucket-url", "api-url", "debug"},
	"bbsetup amplication status":    {"repo", "amplication-url", "amplication-workspace", "debug"},
	"bbsetup amplication authorize": {"repo", "amplication-url", "amplication-workspace", "bitbucket-url", "debug"},
	"bbsetup amplication connect":   {"repo", "amplication-url", "amplication-workspace", "bitbucket-url", "api-url", "debug"},
	"bbsetup emulator":              {"repo", "debug"},
	"bbsetup version":               {},
	"bbsetup help":                  {},
	"bbsetup completion":            {},
	"bbsetup completion bash":       {},
	"bbsetup completion zsh":        {},
	"bbsetup completion fish":       {},
	"bbsetup completion powershell": {},
}

// helpShowsApplicableGlobals makes root's help (and so every command's) list only the
// global flags the command uses (globalFlagsFor).
func helpShowsApplicableGlobals(root *cobra.Command) {
	show := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		if applies, ok := globalFlagsFor[c.CommandPath()]; ok && c != root {
			var hidden []*pflag.Flag
			root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
				if !f.Hidden && !slices.Contains(applies, f.Name) {
					f.Hidden = true
					hidden = append(hidden, f)
				}
			})
			defer func() {
				for _, f := range hidden {
					f.Hidden = false
				}
			}()
		}
		show(c, args)
	})
}
