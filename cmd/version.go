package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// buildVersion is what `bbsetup version` and `bbsetup --version` say about this binary.
type buildVersion struct {
	Version  string // the -ldflags version, else the module version, else the default
	Commit   string // vcs.revision, "" when the build recorded none
	Time     string // vcs.time: the commit's time (Go records no build time)
	Modified bool   // vcs.modified: built from a work tree with uncommitted changes
	Go       string // the Go release it was built with
}

// defaultVersion is the value of version when no -ldflags set it.
const defaultVersion = "0.1.0-dev"

// readBuildVersion reads the version of the running binary.
func readBuildVersion() buildVersion {
	bi, _ := debug.ReadBuildInfo()
	return buildVersionFrom(version, bi)
}

// buildVersionFrom combines the -ldflags version (ldflags) and the build information Go
// embeds (bi may be nil): an -ldflags version wins, then the module's own version (a
// tag, or a pseudo-version Go stamps from the commit), then the default.
func buildVersionFrom(ldflags string, bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: ldflags, Go: runtime.Version()}
	if bi == nil {
		return v
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	if (ldflags == "" || ldflags == defaultVersion) && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the text of `bbsetup version`: the version on the first line, then the
// commit, its time and the Go release, one to a line.
func (v buildVersion) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bbsetup %s\n", v.Version)
	if v.Commit != "" {
		c := v.Commit
		if v.Modified {
			c += " (with uncommitted changes)"
		}
		fmt.Fprintf(&b, "  commit:  %s\n", c)
	} else {
		fmt.Fprintf(&b, "  commit:  unknown (built without version control information)\n")
	}
	if v.Time != "" {
		fmt.Fprintf(&b, "  date:    %s (commit time)\n", v.Time)
	}
	fmt.Fprintf(&b, "  go:      %s\n", v.Go)
	return b.String()
}

func (a *app) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print bbsetup's version, commit and build date",
		Long: `Print bbsetup's version, the commit it was built from (and whether the work tree had
uncommitted changes), the commit's date and the Go release. bbsetup --version prints
the same.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprint(a.env.Stdout, readBuildVersion())
			return nil
		},
	}
}

// versionTemplate is the root command's --version text. It is a text/template: the
// version text has no template actions, but escape braces all the same.
func versionTemplate() string {
	return strings.NewReplacer("{{", `{{"{{"}}`).Replace(readBuildVersion().String())
}
