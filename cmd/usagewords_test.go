package cmd

import (
	"strings"
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

// TestSecretFlagValueHint: a value given to a flag that reads a secret on standard input
// is not repeated, and the hint shows that flag on the command that was called.
func TestSecretFlagValueHint(t *testing.T) {
	dir := demoCheckout(t)
	const value = "typedPassword0123456789"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"amplication", "status", "--password-stdin=" + value}, "pass show amplication | bbsetup amplication status --email EMAIL --password-stdin"},
		{[]string{"amplication", "connect", "--password-stdin=" + value}, "| bbsetup amplication connect --email EMAIL --password-stdin"},
		{[]string{"configure", "--client-secret-stdin=" + value}, "pass show bitbucket | bbsetup configure --client-id KEY --client-secret-stdin"},
	} {
		r := envcmdExec(t, dir, "", nil, c.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("bbsetup %q: exit %d, want 2 and %q:\n%s", c.args[:2], r.code, c.want, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, value) {
			t.Errorf("bbsetup %q: the value was repeated", c.args[:2])
		}
		if strings.Contains(c.args[0], "amplication") && strings.Contains(r.stderr, "configure") {
			t.Errorf("bbsetup %q: the hint names configure: %s", c.args[:2], r.stderr)
		}
	}
}

// TestBadWorkspaceOneExitCode: a --workspace that is no workspace slug is a usage
// mistake (exit 2, before any request) for every command that takes one, as repos list
// says it.
func TestBadWorkspaceOneExitCode(t *testing.T) {
	dir := demoCheckout(t)
	for _, args := range [][]string{
		{"repos", "list", "-w", "../x"},
		{"projects", "-w", "../x"},
		{"projects", "-w", "acme/x"},
		{"amplication", "connect", "-w", "../x", "--repository", "r", "--project", "p"},
	} {
		r := envcmdExec(t, dir, "", nil, args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "is not a workspace slug") {
			t.Errorf("bbsetup %q: exit %d, want 2 and \"is not a workspace slug\":\n%s", args, r.code, r.stderr)
		}
	}
}
