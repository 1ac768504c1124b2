package cmd

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// An API that cannot be reached is one sentence in the operator's words, with the flag
// to check; the HTTP client's own error is only in the --debug log.
func TestMessageNetworkErrorOneSentence(t *testing.T) {
	t.Parallel() // waits (retries, a build, a timeout): overlaps with the others that do
	w := bbapiStart(t, 0, nil)
	api := "http://" + closedPort(t) + "/2.0"
	code, _, errOut := w.run(t, "repos", "list", "-w", "acme", "--api-url", api)
	want := "bbsetup: could not reach Bitbucket at " + strings.TrimPrefix(strings.TrimSuffix(api, "/2.0"), "http://") +
		" (connection refused). Check your network connection, or --api-url if you set it, and try again.\n"
	if code != 1 || errOut != want {
		t.Errorf("exit %d, stderr:\n%q\nwant\n%q", code, errOut, want)
	}
	for _, raw := range []string{"dial tcp", `Get "`, "connect:"} {
		if strings.Contains(errOut, raw) {
			t.Errorf("the message carries the raw Go error (%q): %s", raw, errOut)
		}
	}
	// With --debug the detail is there, once, on a debug line.
	_, _, errOut = w.run(t, "repos", "list", "-w", "acme", "--api-url", api, "--debug")
	if n := strings.Count(errOut, "debug: error detail: "); n != 1 || !strings.Contains(errOut, "dial tcp") {
		t.Errorf("--debug: %d detail lines:\n%s", n, errOut)
	}

	// The token endpoint unreachable: its own sentence names --bitbucket-url.
	code, _, errOut = w.run(t, "workspaces", "--bitbucket-url", "http://"+closedPort(t))
	if code != 1 || !strings.Contains(errOut, "--bitbucket-url") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 ||
		strings.Contains(errOut, "dial tcp") || !strings.HasSuffix(errOut, ".\n") {
		t.Errorf("token endpoint unreachable: exit %d: %q", code, errOut)
	}
}

// A usage mistake points at the help of the very command that was called, and every
// message ends a sentence (a full stop, or the question "did you mean …?").
func TestMessageUsageHintNamesSubcommand(t *testing.T) {
	w := bbapiStart(t, 0, nil)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"repos", "create", "-w", "acme"}, "Run 'bbsetup repos create --help' for usage."},
		{[]string{"repos", "list", "--nope"}, "Run 'bbsetup repos list --help' for usage."},
		{[]string{"repos", "lst"}, "Run 'bbsetup repos --help' for usage."},
		{[]string{"projects"}, "Run 'bbsetup projects --help' for usage."},
		{[]string{"nope"}, "Run 'bbsetup --help' for usage."},
	} {
		code, _, errOut := w.run(t, c.args...)
		lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
		if code != 2 || len(lines) != 2 || lines[1] != c.want || !strings.HasSuffix(lines[0], ".") && !strings.HasSuffix(lines[0], "?") { // "did you mean …?"
			t.Errorf("bbsetup %s: exit %d:\n%s", strings.Join(c.args, " "), code, errOut)
		}
	}
	if got := sentence("try again"); got != "try again." {
		t.Errorf("sentence: %q", got)
	}
	if got := sentence("Done."); got != "Done." {
		t.Errorf("sentence: %q", got)
	}
}

// An unknown --project names the workspace's project keys (and the case mistake).
func TestMessageReposCreateUnknownProject(t *testing.T) {
	w := bbapiStart(t, 0, nil)
	code, out, errOut := w.run(t, "repos", "create", "-w", "acme", "--name", "Checkout", "--project-key", "NOPE")
	if code != 1 || out != "" || errOut != "bbsetup: workspace acme has no project NOPE; its project keys are OSS, PLAT, WEB (see bbsetup projects -w acme).\n" {
		t.Errorf("exit %d: %q", code, errOut)
	}
	code, _, errOut = w.run(t, "repos", "create", "-w", "acme", "--name", "Checkout", "--project-key", "web")
	if code != 1 || !strings.Contains(errOut, "did you mean WEB?") {
		t.Errorf("lowercase key: exit %d: %q", code, errOut)
	}
	// The key that exists works, and nothing was created by the refused attempts.
	code, out, errOut = w.run(t, "repos", "create", "-w", "acme", "--name", "Checkout", "--project-key", "WEB")
	if code != 0 || !strings.Contains(out, "Created private repository acme/checkout in project WEB.") {
		t.Errorf("WEB: exit %d: %s%s", code, out, errOut)
	}
}

// Outside any checkout, the first error says how to try bbsetup without one.
func TestMessageOutsideCheckoutMentionsDemo(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"check", "--offline"}, {"workspaces"}, {"configure", "--client-id", "k", "--no-verify"}} {
		r := envcmdExec(t, dir, "", map[string]string{"BBSETUP_CLIENT_SECRET": "s3cret-value"}, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "no Amplication checkout at or above "+dir) ||
			!strings.Contains(r.stderr, "pass --repo DIR") || !strings.Contains(r.stderr, "run: bbsetup demo.") {
			t.Errorf("bbsetup %v: exit %d: %s", args, r.code, r.stderr)
		}
	}
}

// A directory named with --repo that is not a checkout: said once, in one sentence, with
// no advice to "run bbsetup inside your checkout or pass --repo" (the operator did pass it).
func TestMessageRepoNotACheckoutSaidOnce(t *testing.T) {
	dir := t.TempDir()
	for _, repo := range []string{filepath.Join(dir, "nonexistent"), dir} {
		r := envcmdExec(t, dir, "", nil, "check", "--offline", "--repo", repo)
		if r.code != 1 || !strings.Contains(r.stderr, repo) || strings.Count(r.stderr, "top directory") != 1 || !strings.Contains(r.stderr, "--repo DIR") ||
			strings.Contains(r.stderr, "Run bbsetup inside") || !strings.HasSuffix(strings.TrimSpace(r.stderr), ".") {
			t.Errorf("--repo %s: exit %d: %q", repo, r.code, r.stderr)
		}
	}
}
