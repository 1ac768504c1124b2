package cmd

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// ptyRun starts argv on a pseudo-terminal (script(1); "exec" makes the program script's
// own child) and returns the script process and the program's pid once it runs.
// syncBuffer is a bytes.Buffer that script's output goroutine and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func ptyRun(t *testing.T, env []string, argv ...string) (*exec.Cmd, io.WriteCloser, *syncBuffer, func() int) {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: script(1) is not installed (Debian: bsdutils)")
	}
	// script(1) with a pipe for stdin gives the terminal no size (0x0), on which the wizard
	// draws only "…": give it 80x24 first (the shell then becomes the program by exec, so
	// the pid found below is the program's; a signal before the exec ends the shell).
	c := exec.Command("script", "-qfec", "stty cols 80 rows 24 && exec "+strings.Join(quoteAll(argv), " "), "/dev/null")
	c.Env = append(append(os.Environ(), "TERM=xterm-256color"), env...)
	stdin, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	c.Stdout, c.Stderr = out, out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill() }) // waitExit reaps it
	child := func() int {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.Process.Pid), "task", strconv.Itoa(c.Process.Pid), "children"))
			if f := strings.Fields(string(b)); len(f) > 0 {
				pid, _ := strconv.Atoi(f[0])
				return pid
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatal("the program never started under script(1)")
		return 0
	}
	return c, stdin, out, child
}

// waitExit waits (bounded) for script to end and returns the program's exit code.
func waitExit(t *testing.T, c *exec.Cmd, limit time.Duration, out *syncBuffer) (int, bool) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), true
		}
		return 0, true
	case <-time.After(limit):
		return -1, false
	}
}

// TestSignalsAtRandomMoments sends SIGTERM to the built binary running the demo (wizard,
// emulator and scratch checkout) at random moments, many times: every run ends, promptly,
// with 130 (or killed by the signal before bbsetup's handler was installed), and leaves no
// scratch checkout behind.
func TestSignalsAtRandomMoments(t *testing.T) {
	matrix.Record(t, "Hostile input", "SIGTERM at random moments to the demo, 12 times", "every run ends (exit 130) and removes its scratch checkout; none hangs")
	t.Parallel() // after Record (the matrix keeps source order): waits on child processes
	if testing.Short() {
		t.Skip("builds and runs the binary 12 times")
	}
	bin := buildBinary(t)
	// Each run is its own process with its own TMPDIR: the twelve run side by side.
	for i := range 12 {
		t.Run(fmt.Sprintf("run%d", i), func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			// NO_COLOR: no colour query, which script(1) would leave unanswered for 5 s.
			c, _, out, child := ptyRun(t, []string{"TMPDIR=" + tmp, "NO_COLOR=1"}, bin, "demo", "--no-browser", "--repos", "50")
			pid := child()
			delay := time.Duration(rand.IntN(1500)) * time.Millisecond
			time.Sleep(delay)
			killPID(pid, syscall.SIGTERM)
			code, ok := waitExit(t, c, 10*time.Second, out)
			if !ok {
				killPID(pid, syscall.SIGKILL)
				t.Fatalf("run %d: bbsetup did not end within 10s of SIGTERM (%s after start)\n%s", i, delay, out.String())
			}
			if code != ExitInterrupted && code != 128+int(syscall.SIGTERM) {
				t.Errorf("run %d: exit %d, want 130\n%s", i, code, out.String())
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "bbsetup-demo-*")); len(left) > 0 && code == ExitInterrupted {
				t.Errorf("run %d: the scratch checkout was left behind: %v", i, left)
			}
		})
	}
}

// TestSecondSignalForcesExit: two signals in a row (the second may arrive while the first
// one's orderly stop runs, and then ends bbsetup at once) still end with 130.
func TestSecondSignalForcesExit(t *testing.T) {
	matrix.Record(t, "Hostile input", "two SIGTERMs in a row to the demo", "exit 130, promptly")
	matrix.Record(t, "Hostile input", "a second signal ends the demo at once", "the scratch checkout and the demo's state directory are removed all the same")
	t.Parallel() // after Record (the matrix keeps source order): waits on child processes
	bin := buildBinary(t)
	tmp := t.TempDir()
	c, _, out, child := ptyRun(t, []string{"NO_COLOR=1", "TMPDIR=" + tmp}, bin, "demo", "--no-browser", "--repos", "50")
	pid := child()
	// Wait (bounded) for the first screen, so the scratch checkout exists.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "Amplication checkout"); {
		if time.Now().After(deadline) {
			t.Fatalf("the first screen never showed:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	killPID(pid, syscall.SIGTERM)
	killPID(pid, syscall.SIGTERM)
	code, ok := waitExit(t, c, 10*time.Second, out)
	if !ok || code != ExitInterrupted {
		t.Fatalf("exit %d (ended: %v), want 130\n%s", code, ok, out.String())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "bbsetup-demo-*")); len(left) > 0 {
		t.Errorf("left behind after two signals: %v\n%s", left, out.String())
	}
}

// TestSecretPromptReactsToSignals: Ctrl+C (SIGINT from the terminal) and SIGTERM at the
// hidden secret prompt end configure with 130 at once, without waiting for Enter, and
// the terminal's echo is back on.
func TestSecretPromptReactsToSignals(t *testing.T) {
	matrix.Record(t, "Hostile input", "Ctrl+C, SIGTERM and SIGQUIT at the hidden secret prompt", "exit 130 without Enter (SIGQUIT too: no goroutine dump, no exit 2); nothing written")
	t.Parallel() // after Record (the matrix keeps source order): waits on child processes
	bin := buildBinary(t)
	for _, how := range []string{"ctrl+c", "sigterm", "sigquit"} {
		t.Run(how, func(t *testing.T) {
			repo := demoCheckout(t)
			c, stdin, out, child := ptyRun(t, nil, bin, "configure", "--no-verify", "--client-id", "k0123456789", "--client-secret-stdin", "--repo", repo)
			pid := child()
			deadline := time.Now().Add(15 * time.Second)
			for !strings.Contains(out.String(), "Paste the consumer's secret") {
				if time.Now().After(deadline) {
					t.Fatalf("no prompt:\n%s", out.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			switch how {
			case "ctrl+c":
				io.WriteString(stdin, "\x03")
			case "sigterm":
				killPID(pid, syscall.SIGTERM)
			default:
				killPID(pid, syscall.SIGQUIT)
			}
			code, ok := waitExit(t, c, 10*time.Second, out)
			if !ok {
				t.Fatalf("configure still waits for Enter after %s\n%s", how, out.String())
			}
			if code != ExitInterrupted || strings.Contains(out.String(), "goroutine ") {
				t.Errorf("exit %d, want 130 (and no goroutine dump)\n%s", code, out.String())
			}
			if _, err := os.Stat(filepath.Join(repo, "packages", "amplication-server", ".env.local")); err == nil {
				t.Errorf("a file was written")
			}
		})
	}
}
