package cmd

import (
	"testing"
)

// TestMissingWorkspaceOneWording: a missing or empty --workspace is one mistake: the same
// sentence and exit code from every command that needs it, whichever check finds it.
func TestMissingWorkspaceOneWording(t *testing.T) {
	dir := demoCheckout(t)
	const want = "bbsetup: --workspace is required: name a workspace slug (see bbsetup workspaces).\n"
	for _, args := range [][]string{
		{"projects"}, {"projects", "-w", ""}, {"projects", "--workspace", " "},
		{"repos", "list"}, {"repos", "list", "-w", ""},
		{"repos", "create", "--name", "x"},
	} {
		r := envcmdExec(t, dir, "", nil, args...)
		if r.code != ExitUsage || r.stderr != want+"Run 'bbsetup "+cmdPath(args)+" --help' for usage.\n" {
			t.Errorf("bbsetup %q: exit %d:\n%s\nwant exit 2 and\n%s", args, r.code, r.stderr, want)
		}
	}
}

// cmdPath is the command words of args (up to the first flag).
func cmdPath(args []string) string {
	s := ""
	for _, a := range args {
		if len(a) > 0 && a[0] == '-' {
			break
		}
		if s != "" {
			s += " "
		}
		s += a
	}
	return s
}
