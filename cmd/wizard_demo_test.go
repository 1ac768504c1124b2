package cmd

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// The demo writes the scratch checkout's files, which makes backups: they go into the
// demo's own state directory and are removed with it, never into the operator's state
// directory (XDG_STATE_HOME here, a directory of the test's). The built binary runs `demo`
// in a terminal; the operator presses enter through to the write, then q.
func TestDemoLeavesNothingInTheStateDir(t *testing.T) {
	t.Parallel() // after Record (the matrix keeps source order): waits on child processes
	bin := buildBinary(t)
	state, tmp := t.TempDir(), t.TempDir()
	// script(1) gives the terminal no size: 100x32, as the lead's run.
	c, stdin, out, _ := ptyRun(t, []string{"NO_COLOR=1", "TMPDIR=" + tmp, "XDG_STATE_HOME=" + state, "HOME=" + t.TempDir()},
		"sh", "-c", "stty cols 100 rows 32 && exec \"$0\" demo --no-browser --repos 20", bin)
	waitFor := func(subs ...string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			v := ansi.Strip(out.String())
			ok := true
			for _, s := range subs {
				ok = ok && strings.Contains(v, s)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("never saw %q:\n%s", subs, v)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	press := func(k string) { io.WriteString(stdin, k) }
	waitFor("Callback URL to register")
	press("\r")
	waitFor("Workspace slug")
	press("\r")
	waitFor("open in browser")
	press("\r")
	waitFor("rows ticked")
	press("a")
	press("\r")
	waitFor("Secret (hidden)")
	press("\r")
	waitFor("Bitbucket accepted the key and secret")
	press("\r")
	waitFor("will change")
	press("\r")
	waitFor("✓ written", "backup")
	// The demo's PR service is emulated: the screen says how it stands, not that no
	// process serves it in the scratch checkout.
	waitFor("git-sync-manager runs with the keys just written (demo: the emulated one)")
	// The backup exists while the demo runs: in the demo's own state directory, under TMPDIR.
	backups, _ := filepath.Glob(filepath.Join(tmp, "bbsetup-demo-state-*", "bbsetup", "backups", "*"))
	if len(backups) != 1 {
		t.Fatalf("backups in the demo's state directory: %v\n%s", backups, ansi.Strip(out.String()))
	}
	press("q")
	code, ok := waitExit(t, c, 15*time.Second, out)
	if !ok {
		t.Fatalf("the demo did not end after q:\n%s", ansi.Strip(out.String()))
	}
	if code != ExitInterrupted { // a quit before the end
		t.Errorf("exit %d, want %d:\n%s", code, ExitInterrupted, ansi.Strip(out.String()))
	}
	if left, _ := os.ReadDir(state); len(left) != 0 {
		t.Fatalf("the demo left %v in XDG_STATE_HOME", left)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "bbsetup-demo*")); len(left) != 0 {
		t.Fatalf("the demo left %v behind", left)
	}
	if !strings.Contains(ansi.Strip(out.String()), "and its backups were removed") {
		t.Errorf("the demo does not say its backups went:\n%s", ansi.Strip(out.String()))
	}
}
