package cmd

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestVersionBinaryReleaseStamp builds bbsetup with the -ldflags a release sets (as
// .goreleaser.yaml does) and reads `version` and `version --json`.
func TestVersionBinaryReleaseStamp(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "bbsetup")
	const pkg = "github.com/bbsetup/bbsetup/cmd"
	ldflags := "-s -w -X " + pkg + ".version=1.2.3 -X " + pkg + ".commit=0123456789abcdef0123456789abcdef01234567 -X " + pkg + ".date=2026-12-06T12:00:00Z"
	build := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, "github.com/bbsetup/bbsetup")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("bbsetup version: %v\n%s", err, out)
	}
	for _, want := range []string{"bbsetup 1.2.3\n", "commit:  0123456789abcdef0123456789abcdef01234567\n", "date:    2026-12-06T12:00:00Z (commit time)\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("bbsetup version lacks %q:\n%s", want, out)
		}
	}
	out, err = exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatalf("bbsetup version --json: %v\n%s", err, out)
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("bbsetup version --json is not JSON: %v\n%s", err, out)
	}
	want := map[string]any{"version": "1.2.3", "commit": "0123456789abcdef0123456789abcdef01234567", "date": "2026-12-06T12:00:00Z",
		"modified": false, "os": runtime.GOOS, "arch": runtime.GOARCH}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("version --json: %s = %v, want %v\n%s", k, v[k], w, out)
		}
	}
	if g, _ := v["go"].(string); !strings.HasPrefix(g, "go1.") {
		t.Errorf("version --json: go = %v", v["go"])
	}
}

// TestVersionBinary builds bbsetup as an operator would and runs `version` and
// `--version`: both print the same text, with the -ldflags version, and the commit the
// work tree is at when Go could stamp it (a clone; Go does not stamp in a git worktree).
func TestVersionBinary(t *testing.T) {
	t.Parallel() // waits (retries, a build, a timeout): overlaps with the others that do
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "bbsetup")
	build := exec.Command("go", "build", "-buildvcs=auto", "-ldflags", "-X github.com/bbsetup/bbsetup/cmd.version=9.8.7-test", "-o", bin, "github.com/bbsetup/bbsetup")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("bbsetup %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	v, flag := run("version"), run("--version")
	if v != flag {
		t.Errorf("bbsetup version and bbsetup --version differ:\n%s---\n%s", v, flag)
	}
	if !strings.HasPrefix(v, "bbsetup 9.8.7-test\n") || !strings.Contains(v, "  go:      go") {
		t.Errorf("bbsetup version:\n%s", v)
	}
	if fi, err := os.Stat(filepath.Join("..", ".git")); err == nil && fi.IsDir() {
		head, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err == nil && !strings.Contains(v, "commit:  "+strings.TrimSpace(string(head))) {
			t.Errorf("bbsetup version does not name the commit %s:\n%s", head, v)
		}
	} else if !strings.Contains(v, "commit:  ") {
		t.Errorf("bbsetup version has no commit line:\n%s", v)
	}
}
