package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// helpSection is the flag names listed in the section of help text that starts with title.
func helpSection(help, title string) []string {
	i := strings.Index(help, "\n"+title+"\n")
	if i < 0 {
		return nil
	}
	var names []string
	for _, line := range strings.Split(help[i+len(title)+2:], "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		for _, w := range strings.Fields(line) {
			if strings.HasPrefix(w, "--") {
				names = append(names, strings.TrimSuffix(strings.TrimPrefix(w, "--"), ","))
				break
			}
		}
	}
	return names
}

// TestHelpListsApplicableGlobals: a command's --help lists under "Global Flags" only the
// global flags it uses; the flags it does not list are still accepted.
func TestHelpListsApplicableGlobals(t *testing.T) {
	dir := demoCheckout(t)
	for _, c := range []struct {
		args      []string
		want, not []string
	}{
		{[]string{"version", "--help"}, nil, []string{"repo", "api-url", "amplication-url", "debug"}},
		{[]string{"check", "--help"}, []string{"repo", "bitbucket-url", "debug"}, []string{"api-url", "amplication-url", "amplication-workspace", "allow-outside-checkout"}},
		{[]string{"help", "check"}, []string{"repo", "bitbucket-url", "debug"}, []string{"api-url", "amplication-url"}},
		{[]string{"configure", "--help"}, []string{"repo", "bitbucket-url", "allow-outside-checkout"}, []string{"api-url", "amplication-url"}},
		{[]string{"repos", "list", "--help"}, []string{"repo", "bitbucket-url", "api-url", "debug"}, []string{"amplication-url", "amplication-workspace", "allow-outside-checkout"}},
		// status asks Bitbucket who bbsetup is (the organizations' accounts), so it uses both URLs
		{[]string{"amplication", "status", "--help"}, []string{"repo", "amplication-url", "amplication-workspace", "debug", "api-url", "bitbucket-url"}, []string{"allow-outside-checkout"}},
		{[]string{"amplication", "build", "--help"}, []string{"amplication-url", "bitbucket-url", "api-url"}, []string{"allow-outside-checkout"}},
		{[]string{"amplication", "connect", "--help"}, []string{"amplication-url", "bitbucket-url", "api-url"}, []string{"allow-outside-checkout"}},
		{[]string{"demo", "--help"}, []string{"debug"}, []string{"repo", "api-url", "bitbucket-url"}},
	} {
		r := envcmdExec(t, dir, "", nil, c.args...)
		if r.code != ExitOK {
			t.Fatalf("bbsetup %q: exit %d: %s", c.args, r.code, r.stderr)
		}
		got := helpSection(r.stdout, "Global Flags:")
		for _, w := range c.want {
			if !slicesContains(got, w) {
				t.Errorf("bbsetup %q: Global Flags lack --%s: %q", c.args, w, got)
			}
		}
		for _, n := range c.not {
			if slicesContains(got, n) {
				t.Errorf("bbsetup %q: Global Flags list --%s, which it does not use: %q", c.args, n, got)
			}
		}
	}
	// bbsetup's own help lists every global flag.
	r := envcmdExec(t, dir, "", nil, "--help")
	for _, f := range []string{"repo", "bitbucket-url", "api-url", "amplication-url", "amplication-workspace", "debug", "allow-outside-checkout"} {
		if !strings.Contains(r.stdout, "--"+f+" ") {
			t.Errorf("bbsetup --help lacks --%s", f)
		}
	}
	// A flag the help does not list is still accepted.
	if r := envcmdExec(t, dir, "", nil, "check", "--offline", "--api-url", "http://127.0.0.1:1/2.0"); r.code == ExitUsage {
		t.Errorf("check --api-url: exit 2: %s", r.stderr)
	}
}

// TestGlobalFlagsForEveryCommand: every command a user can run says which global flags
// it uses, and names only global flags that exist.
func TestGlobalFlagsForEveryCommand(t *testing.T) {
	root := (&Factory{env: Env{}}).newRootCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c != root && !c.Hidden {
			if _, ok := globalFlagsFor[c.CommandPath()]; !ok {
				t.Errorf("%s: not in globalFlagsFor", c.CommandPath())
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	for path, names := range globalFlagsFor {
		for _, n := range names {
			if root.PersistentFlags().Lookup(n) == nil {
				t.Errorf("%s: --%s is not a global flag", path, n)
			}
		}
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
