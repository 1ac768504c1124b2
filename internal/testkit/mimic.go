package testkit

import (
	"os/exec"
	"testing"
	"time"
)

// ServeMimic starts a real process in dir whose command line serves project as
// `npx nx serve project` does (… nx serve project), waiting on its stdin; it ends with t.
// It returns once the process runs, then waits long enough for a file written after it to
// be told apart from its start (Linux start times: 10 ms ticks; ps: seconds are not
// waited for).
func ServeMimic(t testing.TB, dir, project string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "read x", "nx", "serve", project)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
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
	time.Sleep(300 * time.Millisecond)
	return cmd
}
