// Package testkit is support for bbsetup's tests only: locating the module root and the
// reference documents in ../shared beside it, and skipping loudly (failing under CI) when a
// tool or document a test needs is absent. No product code imports it.
package testkit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot is the nearest directory at or above the working directory that holds go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// SharedPath is the path of rel inside the shared/ directory beside the module root
// (../shared in development and in CI). It does not check that the path exists.
func SharedPath(rel ...string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{filepath.Dir(root), "shared"}, rel...)...), nil
}

// RequireShared returns the path of rel inside ../shared, or skips t with a loud message
// when it is absent (fails under CI, where .ci/run must provide it).
func RequireShared(t testing.TB, rel ...string) string {
	t.Helper()
	p, err := SharedPath(rel...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		SkipUnlessCI(t, fmt.Sprintf("\n\n*** SKIPPED: %s is missing (%v).\n"+
			"*** This test checks bbsetup against a third-party reference document in the shared/ directory beside the repository; check it out there and rerun.\n", p, err))
	}
	return p
}

// SkipUnlessCI skips the test with msg, except under CI (CI set), where a missing tool or
// file means the CI script is broken: there it fails.
func SkipUnlessCI(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI must provide it: see .ci/run)", msg)
	}
	t.Skip(msg)
}
