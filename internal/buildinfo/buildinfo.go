// Package buildinfo says which bbsetup this binary is: the version a release build
// stamped with -ldflags (cmd's version, commit and date), else what Go recorded in the
// binary (the module version, vcs.revision, vcs.time, vcs.modified), the Go release and
// the platform, and the text `bbsetup version` prints of it.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is what `bbsetup version` and `bbsetup --version` say about this binary.
type Version struct {
	Version  string `json:"version"`  // the -ldflags version, else the module version, else the default
	Commit   string `json:"commit"`   // the -ldflags commit, else vcs.revision, "" when the build recorded none
	Time     string `json:"date"`     // the -ldflags date, else vcs.time: the commit's time (Go records no build time)
	Modified bool   `json:"modified"` // vcs.modified: built from a work tree with uncommitted changes
	Go       string `json:"go"`       // the Go release it was built with
	OS       string `json:"os"`       // GOOS
	Arch     string `json:"arch"`     // GOARCH
}

// DefaultVersion is the version when no -ldflags set one.
const DefaultVersion = "0.1.0-dev"

// Read reads the version of the running binary: version, commit and date are a release
// build's -ldflags values (cmd's version, commit and date; empty when not set).
func Read(version, commit, date string) Version {
	bi, _ := debug.ReadBuildInfo()
	v := From(version, bi)
	return v.WithStamp(commit, date)
}

// WithStamp puts a release build's -ldflags commit and date over what Go recorded (a
// release is built from a clean checkout of its tag, so it is never "modified").
func (v Version) WithStamp(commit, date string) Version {
	if commit != "" {
		v.Commit, v.Modified = commit, false
	}
	if date != "" {
		v.Time = date
	}
	return v
}

// From combines the -ldflags version (ldflags) and the build information Go
// embeds (bi may be nil): an -ldflags version wins, then the module's own version (a
// tag, or a pseudo-version Go stamps from the commit), then the default.
func From(ldflags string, bi *debug.BuildInfo) Version {
	v := Version{Version: ldflags, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi == nil {
		return v
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	if (ldflags == "" || ldflags == DefaultVersion) && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
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
func (v Version) String() string {
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
