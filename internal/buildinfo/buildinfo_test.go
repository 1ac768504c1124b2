package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFrom(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/bbsetup/bbsetup", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-11-30T12:34:56Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := From(DefaultVersion, bi).String()
	for _, want := range []string{
		"bbsetup v0.3.0\n",
		"commit:  0123456789abcdef0123456789abcdef01234567 (with uncommitted changes)\n",
		"date:    2026-11-30T12:34:56Z (commit time)\n",
		"go:      go1.26.8 (" + runtime.GOOS + "/" + runtime.GOARCH + ")\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("version text lacks %q:\n%s", want, got)
		}
	}
	// An -ldflags version wins over the module's; "(devel)" is no version.
	if got := From("1.2.3", bi).Version; got != "1.2.3" {
		t.Errorf("ldflags version: %q", got)
	}
	bi.Main.Version = "(devel)"
	bi.Settings = nil
	v := From(DefaultVersion, bi)
	if v.Version != DefaultVersion || v.Commit != "" || !strings.Contains(v.String(), "commit:  unknown") {
		t.Errorf("a build without VCS information: %+v\n%s", v, v)
	}
	if v := From(DefaultVersion, nil); v.Version != DefaultVersion || v.Go == "" {
		t.Errorf("no build information: %+v", v)
	}
	// A release's -ldflags commit and date win over Go's stamp; a release is never
	// "modified"; empty ones leave Go's stamp.
	bi.Settings = []debug.BuildSetting{{Key: "vcs.revision", Value: "aaaa"}, {Key: "vcs.time", Value: "2026-01-01T00:00:00Z"}, {Key: "vcs.modified", Value: "true"}}
	v = From("1.0.0", bi).WithStamp("bbbb", "2026-12-06T10:00:00Z")
	if v.Commit != "bbbb" || v.Time != "2026-12-06T10:00:00Z" || v.Modified {
		t.Errorf("-ldflags commit and date: %+v", v)
	}
	if v := From("1.0.0", bi).WithStamp("", ""); v.Commit != "aaaa" || v.Time != "2026-01-01T00:00:00Z" || !v.Modified {
		t.Errorf("no -ldflags commit and date: %+v", v)
	}
}
