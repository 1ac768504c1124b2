package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// commit and date are set by a release build (.goreleaser.yaml) with
// -ldflags "-X github.com/bbsetup/bbsetup/cmd.commit=... -X ...cmd.date=...": the commit
// and its date (RFC 3339). A plain go build leaves them empty and Go's own stamp
// (vcs.revision, vcs.time) is used instead.
var (
	commit string
	date   string
)

// buildVersion is what `bbsetup version` and `bbsetup --version` say about this binary.
type buildVersion struct {
	Version  string `json:"version"`  // the -ldflags version, else the module version, else the default
	Commit   string `json:"commit"`   // the -ldflags commit, else vcs.revision, "" when the build recorded none
	Time     string `json:"date"`     // the -ldflags date, else vcs.time: the commit's time (Go records no build time)
	Modified bool   `json:"modified"` // vcs.modified: built from a work tree with uncommitted changes
	Go       string `json:"go"`       // the Go release it was built with
	OS       string `json:"os"`       // GOOS
	Arch     string `json:"arch"`     // GOARCH
}

// defaultVersion is the value of version when no -ldflags set it.
const defaultVersion = "0.1.0-dev"

// readBuildVersion reads the version of the running binary.
func readBuildVersion() buildVersion {
	bi, _ := debug.ReadBuildInfo()
	v := buildVersionFrom(version, bi)
	return v.withStamp(commit, date)
}

// withStamp puts a release build's -ldflags commit and date over what Go recorded (a
// release is built from a clean checkout of its tag, so it is never "modified").
func (v buildVersion) withStamp(commit, date string) buildVersion {
	if commit != "" {
		v.Commit, v.Modified = commit, false
	}
	if date != "" {
		v.Time = date
	}
	return v
}

// buildVersionFrom combines the -ldflags version (ldflags) and the build information Go
// embeds (bi may be nil): an -ldflags version wins, then the module's own version (a
// tag, or a pseudo-version Go stamps from the commit), then the default.
func buildVersionFrom(ldflags string, bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: ldflags, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
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
	fmt.Fprintf(&b, "  go:      %s (%s/%s)\n", v.Go, v.OS, v.Arch)
	return b.String()
}

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
			v := readBuildVersion()
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
	return strings.NewReplacer("{{", `{{"{{"}}`).Replace(readBuildVersion().String())
}
