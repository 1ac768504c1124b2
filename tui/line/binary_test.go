//go:build linux

package line_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"github.com/bbsetup/bbsetup/cmd"
)

// TestLineModeCtrlCAtAHiddenPrompt runs the built binary as the foreground process of a
// pseudo-terminal (its controlling terminal, so ctrl+c is the terminal's SIGINT, not a
// test's call) and presses ctrl+c at the secret's hidden prompt: bbsetup stops, says that
// nothing was written, exits 130, and leaves the terminal's echo on.
func TestLineModeCtrlCAtAHiddenPrompt(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	bin := filepath.Join(t.TempDir(), "bbsetup")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/bbsetup/bbsetup").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	w := newWorld(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	c := exec.Command(bin, "--accessible", "--repo", w.CheckoutDir, "--bitbucket-url", w.Server.URL, "--api-url", w.Server.APIURL)
	c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir(), "TERM=xterm-256color"}
	c.Stdin, c.Stdout, c.Stderr = tty, tty, tty
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	p := &ptyRun{t: t, ptmx: ptmx, tty: tty, code: make(chan int, 1), cancel: func() {}}
	go p.read()
	go func() {
		err := c.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			p.code <- 0
		case errors.As(err, &ee):
			p.code <- ee.ExitCode()
		default:
			p.code <- -1
		}
	}()
	t.Cleanup(func() {
		if c.ProcessState == nil {
			_ = c.Process.Kill()
		}
	})

	p.waitFor("Press enter to start")
	p.typeLine("")
	p.waitFor("Workspace slug (the part after bitbucket.org/): ")
	p.typeLine("acme")
	p.waitFor("Press enter for the permissions")
	p.typeLine("")
	p.waitFor("Are all 6 rows ticked? [Y/n]: ")
	p.typeLine("")
	p.waitFor("Key: ")
	p.typeLine(w.Consumer.Key)
	p.waitFor("Secret (hidden): ")
	p.wantEchoOff()
	if _, err := ptmx.Write([]byte{3}); err != nil { // ctrl+c
		t.Fatal(err)
	}
	p.waitFor("bbsetup: setup stopped; nothing was written.")
	if code := p.exitCode(); code != cmd.ExitInterrupted {
		t.Fatalf("exit %d, want %d", code, cmd.ExitInterrupted)
	}
	p.wantEchoOn()
	wantPlain(t, p.output())
}
