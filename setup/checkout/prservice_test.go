package checkout

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/prservice"
)

// TestPRServiceHelperProcess is the stand-in PR service: with BBSETUP_CHECKOUT_PR_HELPER
// set it prints "ready" and waits until its stdin closes.
func TestPRServiceHelperProcess(t *testing.T) {
	if os.Getenv("BBSETUP_CHECKOUT_PR_HELPER") != "1" {
		return
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// servePR starts a process in dir whose command line is `... nx serve <project>`.
func servePR(t *testing.T, dir, project string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPRServiceHelperProcess$", "--", "nx", "serve", project)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BBSETUP_CHECKOUT_PR_HELPER=1")
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
	ready := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		ready <- l
	}()
	select {
	case l := <-ready:
		if strings.TrimSpace(l) != "ready" {
			t.Fatalf("the helper said %q", l)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the helper did not start within 20s")
	}
	return cmd
}

// TestCheckOfflineStalePRService: check --offline, on a checkout whose git-sync-manager
// runs (a real process in the checkout), fails when it started before the key and secret
// were written, with the restart command, and passes once restarted.
func TestCheckOfflineStalePRService(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("real processes are inspected on Linux in this test; macOS goes through ps (not run here)")
	}
	root := checkout(t, "current")
	co, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	id := "git-sync-manager-started"
	if f := findings(co.CheckOffline(nil))[id]; f.Kind != KindNote || !strings.Contains(f.Title, "not running") || !strings.Contains(f.Detail, "npx nx serve git-sync-manager") {
		t.Fatalf("nothing running: %+v", f)
	}
	old := servePR(t, root, "git-sync-manager")
	time.Sleep(300 * time.Millisecond)
	p, err := co.Plan(Credentials{ClientID: "KeyAbc123", ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	f := findings(co.CheckOffline(nil))[id]
	if !f.Failed() || !strings.Contains(f.Title, "started before") || !strings.Contains(f.Hint, "npx nx serve git-sync-manager") ||
		!strings.Contains(f.Hint, fmt.Sprint(old.Process.Pid)) || !strings.Contains(f.Detail, "ee/packages/git-sync-manager/.env.local written") {
		t.Fatalf("started before the write: %+v", f)
	}
	old.Process.Kill()
	old.Wait()
	time.Sleep(300 * time.Millisecond)
	servePR(t, root, "git-sync-manager")
	if f := findings(co.CheckOffline(nil))[id]; f.Kind != KindCheck || !f.OK || !strings.Contains(f.Title, "after") {
		t.Fatalf("restarted: %+v", f)
	}
}

// TestPRServiceFindingsWording: both services running fails "one-pr-service"; a system
// that cannot be inspected is a note that says so.
func TestPRServiceFindingsWording(t *testing.T) {
	now := time.Now()
	svc := func(project, dir string, st prservice.State) prservice.ServiceReport {
		sr := prservice.ServiceReport{Service: prservice.Service{Project: project, Dir: dir}, State: st, EnvModified: now}
		if st == prservice.Fresh {
			sr.Processes = []prservice.Process{{PID: 7, Started: now.Add(time.Minute), Args: []string{"nx", "serve", project}}}
		}
		return sr
	}
	r := prservice.Report{Checked: true, Services: []prservice.ServiceReport{
		svc("amplication-git-pull-request-service", "packages/amplication-git-pull-request-service", prservice.Fresh),
		svc("git-sync-manager", "ee/packages/git-sync-manager", prservice.Fresh)}}
	got := findings(PRServiceFindings(r))
	if f := got["one-pr-service"]; !f.Failed() || !strings.Contains(f.Hint, "only one") {
		t.Errorf("both: %+v", f)
	}
	r = prservice.Report{Why: prservice.ErrUnsupported, Services: []prservice.ServiceReport{svc("git-sync-manager", "ee/packages/git-sync-manager", prservice.NotChecked)}}
	if f := PRServiceFindings(r)[0]; f.Kind != KindNote || !strings.Contains(f.Title, "not checked") || !strings.Contains(f.Detail, "cannot list") {
		t.Errorf("unsupported: %+v", f)
	}
}
