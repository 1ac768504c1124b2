package cmd

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/build"
)

// Flag parsing, without emulators (gh's NewCmdX(f, runF) tests): each command is built with
// a runF that captures its options, run with the operator's arguments, and the options or
// the usage error checked. What the commands then do is tested end to end elsewhere, a
// few tests per command.

// parse runs c with args and returns the error (nil: runF got the options).
func parse(c *cobra.Command, args ...string) error {
	c.SetArgs(args)
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	c.SilenceErrors, c.SilenceUsage = true, true
	_, err := c.ExecuteC()
	return err
}

// isUsage reports whether err is a usage mistake whose words contain want.
func isUsage(err error, want string) bool {
	var ue *UsageError
	return errors.As(err, &ue) && strings.Contains(err.Error(), want)
}

func TestFlagsAuthorize(t *testing.T) {
	var got *authorizeOptions
	c := newCmdAuthorize(&Factory{}, func(o *authorizeOptions) error { got = o; return nil })
	if err := parse(c, "--no-browser", "--timeout", "90s", "--json"); err != nil {
		t.Fatal(err)
	}
	if want := (authorizeOptions{noBrowser: true, timeout: 90 * time.Second, json: true}); *got != want {
		t.Errorf("options %+v, want %+v", *got, want)
	}
	got = nil
	if err := parse(newCmdAuthorize(&Factory{}, func(o *authorizeOptions) error { got = o; return nil })); err != nil || got.timeout != defaultAuthorizeTimeout {
		t.Errorf("defaults: %+v, %v", got, err)
	}
	for _, bad := range []string{"0s", "-1m"} {
		c := newCmdAuthorize(&Factory{}, func(*authorizeOptions) error { t.Fatal("ran"); return nil })
		if err := parse(c, "--timeout", bad); !isUsage(err, "--timeout must be positive") {
			t.Errorf("--timeout %s: %v", bad, err)
		}
	}
}

func TestFlagsConfigure(t *testing.T) {
	var got *configureOptions
	c := newCmdConfigure(&Factory{}, func(o *configureOptions) error { got = o; return nil })
	if err := parse(c, "--client-id", "KEY", "--client-secret-stdin", "--dry-run", "--no-verify", "--json"); err != nil {
		t.Fatal(err)
	}
	if want := (configureOptions{clientID: "KEY", secretStdin: true, dryRun: true, noVerify: true, json: true}); *got != want {
		t.Errorf("options %+v, want %+v", *got, want)
	}
	// An argument may be a pasted secret: refused without repeating it.
	c = newCmdConfigure(&Factory{}, func(*configureOptions) error { t.Fatal("ran"); return nil })
	if err := parse(c, "s3cr3t-value"); !isUsage(err, "configure takes no arguments") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("argument: %v", err)
	}
}

func TestFlagsCheckWorkspacesProjectsWizard(t *testing.T) {
	var ch *checkOptions
	if err := parse(newCmdCheck(&Factory{}, func(o *checkOptions) error { ch = o; return nil }), "--offline", "--json"); err != nil || !ch.offline || !ch.json {
		t.Errorf("check: %+v %v", ch, err)
	}
	var ws *workspacesOptions
	if err := parse(newCmdWorkspaces(&Factory{}, func(o *workspacesOptions) error { ws = o; return nil }), "--json"); err != nil || !ws.json {
		t.Errorf("workspaces: %+v %v", ws, err)
	}
	var pr *projectsOptions
	if err := parse(newCmdProjects(&Factory{}, func(o *projectsOptions) error { pr = o; return nil }), "-w", "acme", "--json"); err != nil || pr.workspace != "acme" || !pr.asJSON {
		t.Errorf("projects: %+v %v", pr, err)
	}
	if err := parse(newCmdProjects(&Factory{}, func(*projectsOptions) error { t.Fatal("ran"); return nil })); err == nil || !strings.Contains(err.Error(), "workspace") {
		t.Errorf("projects without -w: %v", err)
	}
	for _, ws := range []string{"  ", "ac/me"} {
		if err := parse(newCmdProjects(&Factory{}, func(*projectsOptions) error { t.Fatal("ran"); return nil }), "-w", ws); !isUsage(err, "--workspace") {
			t.Errorf("projects -w %q: %v", ws, err)
		}
	}
	var wz *wizardOptions
	if err := parse(newCmdWizard(&Factory{}, func(o *wizardOptions) error { wz = o; return nil }), "--no-browser", "--json"); err != nil || !wz.noBrowser || !wz.json {
		t.Errorf("wizard: %+v %v", wz, err)
	}
}

func TestFlagsRepos(t *testing.T) {
	var lo *reposListOptions
	var co *reposCreateOptions
	repos := func() *cobra.Command {
		return newCmdRepos(&Factory{}, func(o *reposListOptions) error { lo = o; return nil }, func(o *reposCreateOptions) error { co = o; return nil })
	}
	if err := parse(repos(), "list", "--workspace", "acme", "--filter", "api", "--json"); err != nil {
		t.Fatal(err)
	}
	if want := (reposListOptions{workspace: "acme", filter: "api", asJSON: true}); *lo != want {
		t.Errorf("list %+v, want %+v", *lo, want)
	}
	if err := parse(repos(), "create", "-w", "acme", "--name", "Shop API", "--project", "WEB", "--description", "d", "--public", "--json"); err != nil {
		t.Fatal(err)
	}
	if want := (reposCreateOptions{workspace: "acme", name: "Shop API", project: "WEB", description: "d", public: true, asJSON: true}); *co != want {
		t.Errorf("create %+v, want %+v", *co, want)
	}
	co = nil
	if err := parse(repos(), "create", "-w", "acme", "--name", "Shop API", "--project-key", "WEB"); err != nil || co == nil || co.project != "WEB" {
		t.Errorf("create --project-key WEB: %+v %v", co, err)
	}
	for _, tc := range []struct{ args []string }{{[]string{"list"}}, {[]string{"list", "-w", "  "}}, {[]string{"list", "-w", "ac/me"}}} {
		lo = nil
		if err := parse(repos(), tc.args...); !isUsage(err, "--workspace") || lo != nil {
			t.Errorf("%q: %v", tc.args, err)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "--name", "n"}, "--workspace is required"},
		{[]string{"create", "-w", "ac/me", "--name", "n"}, "--workspace"},
		{[]string{"create", "-w", "acme"}, "--name is required"},
		{[]string{"create", "-w", "acme", "--name", "  "}, "--name is required"},
		{[]string{"create", "-w", "acme", "--name", "!!!"}, "--name"},
	} {
		co = nil
		if err := parse(repos(), tc.args...); !isUsage(err, tc.want) || co != nil {
			t.Errorf("%q: %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
}

func TestFlagsAmplication(t *testing.T) {
	var st *ampStatusOptions
	var az *ampAuthorizeOptions
	var cn *ampConnectOptions
	amp := func() *cobra.Command {
		return newCmdAmplication(&Factory{}, ampRunners{
			status:    func(o *ampStatusOptions) error { st = o; return nil },
			authorize: func(o *ampAuthorizeOptions) error { az = o; return nil },
			connect:   func(o *ampConnectOptions) error { cn = o; return nil },
		})
	}
	if err := parse(amp(), "status", "--email", "me@example.com", "--password-stdin", "--json"); err != nil {
		t.Fatal(err)
	}
	if want := (ampStatusOptions{signIn: ampSignIn{email: "me@example.com", passwordStdin: true}, json: true}); *st != want {
		t.Errorf("status %+v, want %+v", *st, want)
	}
	if err := parse(amp(), "authorize", "--no-browser", "--timeout", "10m", "--email", "me@example.com"); err != nil {
		t.Fatal(err)
	}
	if az.signIn.email != "me@example.com" || !az.noBrowser || az.timeout != 10*time.Minute {
		t.Errorf("authorize %+v", *az)
	}
	if err := parse(amp(), "authorize", "--timeout", "0s"); !isUsage(err, "--timeout must be positive") {
		t.Errorf("authorize --timeout 0s: %v", err)
	}

	if err := parse(amp(), "connect", "-w", "acme", "--create", "Shop API", "--project-key", "WEB", "--public", "--description", "d",
		"--project", "Shop", "--service", "orders", "--replace", "--json"); err != nil {
		t.Fatal(err)
	}
	want := ampConnectOptions{workspace: "acme", create: "Shop API", projectKey: "WEB", public: true, description: "d", project: "Shop", service: "orders", replace: true, json: true}
	if !reflect.DeepEqual(*cn, want) {
		t.Errorf("connect %+v, want %+v", *cn, want)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"connect", "--repository", "r", "--project", "Shop"}, "--workspace is required"},
		{[]string{"connect", "-w", "acme", "--project", "Shop"}, "exactly one of --repository"},
		{[]string{"connect", "-w", "acme", "--repository", "r", "--create", "n", "--project", "Shop"}, "exactly one of --repository"},
		{[]string{"connect", "-w", "acme", "--repository", "r", "--public", "--project", "Shop"}, "go with --create only"},
		{[]string{"connect", "-w", "acme", "--repository", "r"}, "--project is required"},
		{[]string{"connect", "-w", "acme", "--create", "!!!", "--project", "Shop"}, "--create"},
	} {
		cn = nil
		if err := parse(amp(), tc.args...); !isUsage(err, tc.want) || cn != nil {
			t.Errorf("%q: %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
}

func TestFlagsAmplicationBuild(t *testing.T) {
	var got *ampBuildOptions
	amp := func() *cobra.Command {
		return newCmdAmplication(&Factory{}, ampRunners{build: func(o *ampBuildOptions) error { got = o; return nil }})
	}
	if err := parse(amp(), "build", "--project", "Shop", "--message", "First build", "--timeout", "10m", "--stall-after", "3s",
		"--json", "--email", "me@example.com", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	want := ampBuildOptions{signIn: ampSignIn{email: "me@example.com", passwordStdin: true}, project: "Shop", message: "First build",
		timeout: 10 * time.Minute, stallAfter: 3 * time.Second, json: true}
	if *got != want {
		t.Errorf("build %+v, want %+v", *got, want)
	}
	got = nil
	if err := parse(amp(), "build", "--project", "Shop", "--watch"); err != nil || !got.watch ||
		got.timeout != build.DefaultTimeout || got.stallAfter != build.DefaultStallAfter {
		t.Errorf("defaults: %+v, %v", got, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build"}, "--project is required"},
		{[]string{"build", "--project", " "}, "--project is required"},
		{[]string{"build", "--project", "Shop", "--timeout", "0s"}, "--timeout must be more than 0"},
		{[]string{"build", "--project", "Shop", "--stall-after", "-1s"}, "--stall-after must be more than 0"},
		{[]string{"build", "--project", "Shop", "--watch", "--message", "x"}, "--watch commits nothing"},
	} {
		got = nil
		if err := parse(amp(), tc.args...); !isUsage(err, tc.want) || got != nil {
			t.Errorf("%q: %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
	if err := parse(amp(), "build", "--project", "Shop", "extra"); err == nil || got != nil {
		t.Errorf("an argument: %v", err)
	}
}
