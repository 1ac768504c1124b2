package cmd

import (
	"path/filepath"
	"strings"
	"testing"
)

// Issue 16 item 11: the wizard checks for a terminal on stdin and on the screen before it
// starts, says so in one sentence (the same for a pipe, /dev/null and a file) with exit 2,
// and leaves the cursor shown.
func TestE2EWizardWithoutATerminal(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	for _, tc := range []struct{ name, redirect string }{
		{"stdin from /dev/null", "< /dev/null"},
		{"stdin from a pipe", "PIPE"},
		{"stdout to a file", "> " + filepath.Join(dir, "out")},
		{"demo with stdin from /dev/null", "DEMO"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shell := quoteAll([]string{bin})[0] + " --repo " + quoteAll([]string{dir})[0] + " " + tc.redirect
			want := "bbsetup: the wizard needs an interactive terminal (stdin and the screen); in scripts use 'bbsetup configure', 'bbsetup check' and 'bbsetup authorize' instead."
			switch tc.redirect {
			case "PIPE":
				shell = "echo | " + quoteAll([]string{bin})[0] + " --repo " + quoteAll([]string{dir})[0]
			case "DEMO":
				shell = quoteAll([]string{bin})[0] + " demo < /dev/null"
				want = "bbsetup: the demo runs the interactive wizard and needs a terminal (stdin and the screen)"
			}
			tt := newTmuxShell(t, "", []string{"TERM=xterm-256color"}, shell)
			code := tt.exitCode()
			s := strings.Join(strings.Fields(tt.tmux("capture-pane", "-p", "-J", "-t", "e2e")), " ")
			if code != ExitUsage || !strings.Contains(s, want) {
				t.Fatalf("exit %d, want %d and %q; screen:\n%s", code, ExitUsage, want, s)
			}
			if strings.Contains(s, "bubbletea") || strings.Contains(s, "error opening") || strings.Contains(s, "/dev/tty") {
				t.Fatalf("an internal error reached the screen:\n%s", s)
			}
			if flag := strings.TrimSpace(tt.tmux("display-message", "-p", "-t", "e2e", "#{cursor_flag}")); flag != "1" {
				t.Fatalf("the cursor is hidden after the wizard exited (cursor_flag %q)", flag)
			}
		})
	}
}
