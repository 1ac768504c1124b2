package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/internal/buildinfo"
)

// commit and date are set by a release build (.goreleaser.yaml) with
// -ldflags "-X github.com/bbsetup/bbsetup/cmd.commit=... -X ...cmd.date=...": the commit
// and its date (RFC 3339). A plain go build leaves them empty and Go's own stamp
// (vcs.revision, vcs.time) is used instead (internal/buildinfo).
var (
	commit string
	date   string
)

func (a *Factory) newVersionCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "version",
		Short: "Print bbsetup's version, commit and build date",
		Long: `Print bbsetup's version, the commit it was built from (and whether the work tree had
uncommitted changes), the commit's date, the Go release and the platform. bbsetup
--version prints the same; --json prints it as one JSON object (version, commit, date,
modified, go, os, arch).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := buildinfo.Read(version, commit, date)
			if !asJSON {
				fmt.Fprint(a.env.Stdout, v)
				return nil
			}
			return writeJSON(a.env.Stdout, v) // jsonout.go: the one encoder
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the version as JSON on stdout")
	return c
}

// versionTemplate is the root command's --version text. It is a text/template: the
// version text has no template actions, but escape braces all the same.
func versionTemplate() string {
	return strings.NewReplacer("{{", `{{"{{"}}`).Replace(buildinfo.Read(version, commit, date).String())
}
