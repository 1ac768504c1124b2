package cmd

import (
	"strings"
	"testing"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// `bbsetup completion SHELL` prints cobra's script for that shell.
func TestCompletionScripts(t *testing.T) {
	w := bbapiStart(t, 0, nil)
	for shell, want := range map[string]string{
		"bash":       "complete -o default -F __start_bbsetup bbsetup",
		"zsh":        "#compdef bbsetup",
		"fish":       "complete -c bbsetup",
		"powershell": "Register-ArgumentCompleter",
	} {
		code, out, errOut := w.run(t, "completion", shell)
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "__complete") {
			t.Errorf("completion %s: exit %d, script lacks %q (%d bytes)\n%s", shell, code, want, len(out), errOut)
		}
	}
	if code, _, errOut := w.run(t, "completion", "tcsh"); code != 2 {
		t.Errorf("completion tcsh: exit %d: %s", code, errOut)
	}
}

// The shell asks `bbsetup __complete ...` for candidates: the workspaces and projects
// come from Bitbucket (the emulator), and a failure offers nothing, quietly.
func TestCompletionFromAPI(t *testing.T) {
	t.Parallel() // waits (retries, a build, a timeout): overlaps with the others that do
	w := bbapiStart(t, 0, nil)
	complete := func(args ...string) []string {
		t.Helper()
		code, out, errOut := w.run(t, append([]string{"__complete"}, args...)...)
		if code != 0 {
			t.Fatalf("__complete %v: exit %d: %s", args, code, errOut)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if last := lines[len(lines)-1]; last != ":4" { // ShellCompDirectiveNoFileComp
			t.Errorf("__complete %v: directive %q, want :4", args, last)
		}
		return lines[:len(lines)-1]
	}
	got := complete("repos", "list", "-w", "")
	if strings.Join(got, "|") != "acme\tAcme Corporation|acme-labs\tAcme Labs|playground\tPlayground" {
		t.Errorf("-w: %q", got)
	}
	if got := complete("projects", "--workspace", "acme-"); strings.Join(got, "|") != "acme-labs\tAcme Labs" {
		t.Errorf("--workspace acme-: %q", got)
	}
	if got := complete("repos", "create", "-w", "acme", "--name", "x", "--project-key", "p"); strings.Join(got, "|") != "PLAT\tPlatform" {
		t.Errorf("--project p: %q", got)
	}
	if got := complete("repos", "create", "--project-key", ""); len(got) != 0 {
		t.Errorf("--project without -w: %q", got)
	}
	// Bitbucket unreachable, or hanging: nothing offered, nothing printed for the shell.
	if got := complete("repos", "list", "--api-url", "http://"+closedPort(t)+"/2.0", "-w", ""); len(got) != 0 {
		t.Errorf("unreachable: %q", got)
	}
	w.srv.Controls().SetFaults(bbemu.Fault{PathPrefix: "/2.0/user/workspaces", Kind: bbemu.FaultHang})
	if got := complete("repos", "list", "-w", ""); len(got) != 0 {
		t.Errorf("hanging: %q", got)
	}
}
