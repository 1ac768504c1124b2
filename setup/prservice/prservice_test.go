package prservice

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestServes(t *testing.T) {
	root := "/home/op/amplication"
	gsm := Service{Project: "git-sync-manager", Dir: "ee/packages/git-sync-manager"}
	old := Service{Project: "amplication-git-pull-request-service", Dir: "packages/amplication-git-pull-request-service"}
	cases := []struct {
		args []string
		cwd  string
		s    Service
		want bool
	}{
		{[]string{"node", root + "/node_modules/.bin/nx", "serve", "git-sync-manager"}, root, gsm, true},
		{[]string{"npm", "exec", "nx", "serve", "git-sync-manager"}, root, gsm, true},
		{[]string{"node", "/usr/lib/node_modules/npm/bin/npx-cli.js", "nx", "serve", "git-sync-manager", "--configuration=development"}, root, gsm, true},
		{[]string{"nx", "--verbose", "serve", "git-sync-manager"}, root, gsm, true},
		{[]string{"nx", "run", "git-sync-manager:serve"}, root, gsm, true},
		{[]string{"nx", "run", "git-sync-manager:serve:production"}, root, gsm, true},
		{[]string{"node", root + "/node_modules/nx/bin/nx.js", "serve"}, root + "/ee/packages/git-sync-manager", gsm, true},
		{[]string{"nx", "serve"}, root, gsm, false},
		{[]string{"nx", "serve", "amplication-server"}, root, gsm, false},
		{[]string{"nx", "run", "git-sync-manager:build"}, root, gsm, false},
		{[]string{"nx", "serve", "git-sync-manager"}, root, old, false},
		{[]string{"nx", "serve", "amplication-git-pull-request-service"}, root, old, true},
		{[]string{"node", "dist/ee/packages/git-sync-manager/main.js"}, root, gsm, true},
		{[]string{"/usr/bin/node", "--enable-source-maps", root + "/dist/packages/amplication-git-pull-request-service/main.js"}, "/tmp", old, true},
		{[]string{"node", "dist/ee/packages/git-sync-manager"}, root, gsm, false},
		{[]string{"vim", "dist/ee/packages/git-sync-manager/main.js"}, root, gsm, false},
		{[]string{"node", "../dist/ee/packages/git-sync-manager/main.js"}, root, gsm, false},
		{[]string{"git-sync-manager"}, root, gsm, false},
	}
	for _, tc := range cases {
		if got := Serves(tc.args, tc.cwd, root, tc.s); got != tc.want {
			t.Errorf("Serves(%q in %s, %s) = %v, want %v", tc.args, tc.cwd, tc.s.Project, got, tc.want)
		}
	}
}

func TestWithin(t *testing.T) {
	for _, tc := range []struct {
		dir, root string
		want      bool
	}{{"/a/b", "/a/b", true}, {"/a/b/c", "/a/b", true}, {"/a/bc", "/a/b", false}, {"/a", "/a/b", false}, {"", "/a", false}, {"/a/b/../c", "/a/b", false}} {
		if got := Within(tc.dir, tc.root); got != tc.want {
			t.Errorf("Within(%q, %q) = %v", tc.dir, tc.root, got)
		}
	}
}

// TestCheckDecides drives check with a given process list: the start time against the
// file's modification time, the precision, a missing file, both services, a process
// outside the checkout, and a system that cannot be inspected.
func TestCheckDecides(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"ee/packages/git-sync-manager", "packages/amplication-git-pull-request-service"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	svcs := Known(root)
	if len(svcs) != 2 || svcs[0].Project != "amplication-git-pull-request-service" || svcs[1].Project != "git-sync-manager" {
		t.Fatalf("Known = %+v", svcs)
	}
	written := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	if err := os.WriteFile(svcs[1].EnvLocal, []byte("BITBUCKET_CLIENT_ID=k\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(svcs[1].EnvLocal, written, written); err != nil {
		t.Fatal(err)
	}
	rr, _ := filepath.EvalSymlinks(root)
	gsm := func(pid int, started time.Time, cwd string) proc {
		return proc{pid: pid, started: started, cwd: cwd, args: []string{"npx", "nx", "serve", "git-sync-manager"}}
	}
	prec := 100 * time.Millisecond

	r := check(root, svcs, []proc{gsm(10, written.Add(-time.Hour), rr)}, prec, nil)
	if !r.Checked || r.Services[1].State != Stale || len(r.StaleServices()) != 1 || r.Services[0].State != NotRunning || r.BothRunning() {
		t.Errorf("started an hour before: %+v", r)
	}
	r = check(root, svcs, []proc{gsm(10, written.Add(time.Second), rr)}, prec, nil)
	if r.Services[1].State != Fresh || len(r.StaleServices()) != 0 {
		t.Errorf("started after: %+v", r)
	}
	r = check(root, svcs, []proc{gsm(10, written.Add(-50*time.Millisecond), rr)}, prec, nil)
	if r.Services[1].State != Fresh {
		t.Errorf("within the precision: %+v", r)
	}
	r = check(root, svcs, []proc{gsm(10, written.Add(-time.Hour), "/elsewhere")}, prec, nil)
	if r.Services[1].State != NotRunning {
		t.Errorf("another checkout's process: %+v", r)
	}
	// The older service has no .env.local: running is not stale.
	oldSvc := proc{pid: 11, started: written.Add(-time.Hour), cwd: rr, args: []string{"nx", "serve", "amplication-git-pull-request-service"}}
	r = check(root, svcs, []proc{gsm(10, written.Add(time.Minute), rr), oldSvc}, prec, nil)
	if r.Services[0].State != Fresh || r.Services[1].State != Fresh || !r.BothRunning() || len(r.Running()) != 2 {
		t.Errorf("both: %+v", r)
	}
	r = check(root, svcs, nil, 0, ErrUnsupported)
	if r.Checked || !errors.Is(r.Why, ErrUnsupported) || r.Services[1].State != NotChecked || r.Services[1].EnvModified.IsZero() {
		t.Errorf("unsupported: %+v", r)
	}
	if got := svcs[1].RestartCommand(); got != "npx nx serve git-sync-manager" {
		t.Errorf("RestartCommand = %q", got)
	}
	if c := (Process{Args: []string{"nx", "serve", "x\x1b[2J"}}).Command(); c == "nx serve x\x1b[2J" {
		t.Errorf("unsanitised command %q", c)
	}
}
