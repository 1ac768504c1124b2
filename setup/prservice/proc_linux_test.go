//go:build linux

package prservice

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHelperProcess is the stand-in PR service the tests start: with BBSETUP_PRSERVICE_HELPER
// set it prints "ready" and waits until its stdin closes (the test ends or dies).
func TestHelperProcess(t *testing.T) {
	if os.Getenv("BBSETUP_PRSERVICE_HELPER") != "1" {
		return
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// startService starts the helper with a command line that serves the PR service
// (args after the test flags) in dir, and waits until it runs. A first argument "node"
// becomes the process's argv[0], as when node runs a built service.
func startService(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	argv0 := ""
	if len(args) > 0 && args[0] == "node" {
		argv0, args = args[0], args[1:]
	}
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	if argv0 != "" {
		cmd.Args[0] = argv0
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BBSETUP_PRSERVICE_HELPER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- strings.TrimSpace(line) == "ready"
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the helper did not start")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the helper did not start within 20s")
	}
	return cmd
}

// checkout makes a temp checkout with the current PR service layout and returns its root.
func checkout(t *testing.T, dirs ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func writeEnv(t *testing.T, p string) {
	t.Helper()
	if err := os.WriteFile(p, []byte("BITBUCKET_CLIENT_ID=k\nBITBUCKET_CLIENT_SECRET=s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func findState(t *testing.T, r Report, project string) ServiceReport {
	t.Helper()
	if !r.Checked {
		t.Fatalf("not checked: %v", r.Why)
	}
	for _, s := range r.Services {
		if s.Project == project {
			return s
		}
	}
	t.Fatalf("no %s in %+v", project, r)
	return ServiceReport{}
}

// TestStaleServiceRealProcesses: a real process whose command line is `... nx serve
// git-sync-manager`, started in the checkout, then the .env.local written: stale. One
// started after the write is fresh; once the old one stops, the service is fresh.
func TestStaleServiceRealProcesses(t *testing.T) {
	root := checkout(t, "ee/packages/git-sync-manager")
	svcs := Known(root)
	if r := Check(root, svcs); findState(t, r, "git-sync-manager").State != NotRunning {
		t.Fatalf("nothing started yet: %+v", r)
	}
	old := startService(t, root, "nx", "serve", "git-sync-manager")
	time.Sleep(3 * linuxPrecision)
	writeEnv(t, svcs[0].EnvLocal)
	s := findState(t, Check(root, svcs), "git-sync-manager")
	if s.State != Stale || len(s.Stale) != 1 || s.Stale[0].PID != old.Process.Pid || !strings.Contains(s.Stale[0].Command(), "nx serve git-sync-manager") {
		t.Fatalf("started before the write: %+v", s)
	}
	if s.Stale[0].Started.After(s.EnvModified) || time.Since(s.Stale[0].Started) > time.Minute {
		t.Errorf("start time %v against the write %v", s.Stale[0].Started, s.EnvModified)
	}

	time.Sleep(3 * linuxPrecision)
	fresh := startService(t, root, "nx", "serve", "git-sync-manager")
	s = findState(t, Check(root, svcs), "git-sync-manager")
	if s.State != Stale || len(s.Processes) != 2 || len(s.Stale) != 1 {
		t.Fatalf("old and new: %+v", s)
	}
	old.Process.Kill()
	old.Wait()
	s = findState(t, Check(root, svcs), "git-sync-manager")
	if s.State != Fresh || len(s.Processes) != 1 || s.Processes[0].PID != fresh.Process.Pid {
		t.Fatalf("only the new one: %+v", s)
	}

	// Written again after it started: stale again (set the time rather than wait).
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(svcs[0].EnvLocal, future, future); err != nil {
		t.Fatal(err)
	}
	if s := findState(t, Check(root, svcs), "git-sync-manager"); s.State != Stale {
		t.Errorf("after a later write: %+v", s)
	}
}

// TestBuiltServiceAndBothLayouts: node running dist/<dir>/main.js counts; with both PR
// services of a v1.10–v1.14.4 checkout running, BothRunning; a process of another checkout
// does not count.
func TestBuiltServiceAndBothLayouts(t *testing.T) {
	root := checkout(t, "ee/packages/git-sync-manager", "packages/amplication-git-pull-request-service")
	svcs := Known(root)
	for _, s := range svcs {
		writeEnv(t, s.EnvLocal)
	}
	past := time.Now().Add(-time.Hour)
	for _, s := range svcs {
		if err := os.Chtimes(s.EnvLocal, past, past); err != nil {
			t.Fatal(err)
		}
	}
	other := checkout(t, "ee/packages/git-sync-manager")
	startService(t, other, "nx", "serve", "git-sync-manager")
	if r := Check(root, svcs); len(r.Running()) != 0 {
		t.Fatalf("another checkout's service counted: %+v", r.Running())
	}
	startService(t, filepath.Join(root, "ee"), "node", "../dist/ee/packages/git-sync-manager/main.js")
	r := Check(root, svcs)
	if findState(t, r, "git-sync-manager").State != Fresh || r.BothRunning() {
		t.Fatalf("built service: %+v", r)
	}
	startService(t, root, "nx", "run", "amplication-git-pull-request-service:serve")
	r = Check(root, svcs)
	if !r.BothRunning() || findState(t, r, "amplication-git-pull-request-service").State != Fresh {
		t.Fatalf("both: %+v", r)
	}
}

// TestProcStartTime reads a made-up /proc: the start time is the boot time (now minus
// uptime) plus field 22 in ticks, with a command name holding blanks and parentheses.
func TestProcStartTime(t *testing.T) {
	dir := t.TempDir()
	cwd := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "uptime"), []byte("1000.50 1990.00\n"), 0o644))
	pd := filepath.Join(dir, "4242")
	must(os.Mkdir(pd, 0o755))
	must(os.WriteFile(filepath.Join(pd, "cmdline"), []byte("node\x00nx\x00serve\x00git-sync-manager\x00"), 0o644))
	// 52 fields; field 22 (starttime) = 50050 ticks = 500.5 s after boot.
	fields := []string{"4242", "(a) (b c)", "S"}
	for i := 4; i <= 52; i++ {
		v := "0"
		if i == 22 {
			v = "50050"
		}
		fields = append(fields, v)
	}
	must(os.WriteFile(filepath.Join(pd, "stat"), []byte(strings.Join(fields, " ")+"\n"), 0o644))
	must(os.Symlink(cwd, filepath.Join(pd, "cwd")))
	must(os.Mkdir(filepath.Join(dir, "self"), 0o755))
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	ps, prec, err := procProcesses(dir, func() time.Time { return now })
	if err != nil || len(ps) != 1 || prec != linuxPrecision {
		t.Fatalf("%+v %v %v", ps, prec, err)
	}
	want := now.Add(-1000500 * time.Millisecond).Add(500500 * time.Millisecond)
	if !ps[0].started.Equal(want) || ps[0].cwd != cwd || strings.Join(ps[0].args, " ") != "node nx serve git-sync-manager" {
		t.Errorf("got %+v, want start %v", ps[0], want)
	}
	if _, _, err := procProcesses(t.TempDir(), time.Now); err == nil {
		t.Error("a /proc without uptime was read")
	}
}
