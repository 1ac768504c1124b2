package cmd

import (
	"strings"
	"testing"
)

// TestUnknownCommandSuggests: a mistyped command is a usage error (exit 2) that names
// the word and the command it is close to; a flag after a mistyped subcommand does not
// hide the mistyped word behind "unknown shorthand flag".
func TestUnknownCommandSuggests(t *testing.T) {
	dir := demoCheckout(t)
	for _, c := range []struct {
		args []string
		want []string // in stderr
	}{
		{[]string{"workspace"}, []string{`unknown command "workspace" for "bbsetup"`, `did you mean "bbsetup workspaces"?`}},
		{[]string{"chek"}, []string{`unknown command "chek" for "bbsetup"`, `did you mean "bbsetup check"?`}},
		{[]string{"chek", "--offline"}, []string{`unknown command "chek"`, `"bbsetup check"`}},
		{[]string{"repos", "lst", "-w", "x"}, []string{`unknown command "lst" for "bbsetup repos"`, `did you mean "bbsetup repos list"?`}},
		{[]string{"repos", "lst"}, []string{`unknown command "lst" for "bbsetup repos"`, `"bbsetup repos list"`}},
		{[]string{"amplication", "stat"}, []string{`unknown command "stat" for "bbsetup amplication"`, `"bbsetup amplication status"`}},
		{[]string{"zzzzzz"}, []string{`unknown command "zzzzzz" for "bbsetup"`, "bbsetup --help"}},
	} {
		r := envcmdExec(t, dir, "", nil, c.args...)
		if r.code != ExitUsage {
			t.Errorf("bbsetup %q: exit %d, want %d\n%s", c.args, r.code, ExitUsage, r.stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("bbsetup %q: stderr lacks %q:\n%s", c.args, w, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "shorthand") {
			t.Errorf("bbsetup %q: blames a flag: %s", c.args, r.stderr)
		}
	}
}
