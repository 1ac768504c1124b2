//go:build linux

package cmd

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestSIGTERMDuringStartup stops the built binary in the middle of its packages'
// initialisation, before main runs, and sends SIGTERM there: bbsetup's handler is
// installed during initialisation (internal/earlysignal), so the run goes on, says it was
// interrupted and exits 130, instead of being killed silently with 143.
//
// How it stops there: GODEBUG=inittrace=1 makes Go's runtime write one line per package
// it initialises to stderr, and stderr is a pipe shrunk to one page that the test does not
// read, so the write blocks some 50 packages in (internal/earlysignal is about the 22nd;
// bbsetup's own packages come at the end, after 120 more).
func TestSIGTERMDuringStartup(t *testing.T) {
	matrix.Record(t, "Hostile input", "SIGTERM while the binary initialises its packages (before main)", "exit 130 with the interrupted message, not a silent 143")
	bin := buildBinary(t)
	repo := demoCheckout(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	const fSetPipeSz, fionread = 1031, 0x541B // F_SETPIPE_SZ, FIONREAD
	if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, w.Fd(), fSetPipeSz, 4096); e != 0 {
		t.Skipf("cannot shrink the pipe: %v", e)
	}
	c := exec.Command(bin, "configure", "--client-id", "k0123456789", "--client-secret-stdin", "--no-verify", "--repo", repo)
	c.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	stdin, err := c.StdinPipe() // kept open: configure waits for the secret
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	c.Stderr = w
	var stdout bytes.Buffer
	c.Stdout = &stdout
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	defer c.Process.Kill()
	// Wait (bounded) until the pipe is full, with no room for another init line (a write
	// of at most a page is all or nothing), and stays so: the runtime is blocked there.
	full, last := false, int32(-1)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var n int32
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, r.Fd(), fionread, uintptr(unsafe.Pointer(&n))); e == 0 && n > 4096-200 && n == last {
			full = true
			break
		}
		last = n
	}
	if !full {
		t.Fatal("the binary never filled its stderr pipe with init lines")
	}
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Read the rest, which lets the initialisation go on; the pipe ends with the process.
	done := make(chan []byte, 1)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	var errOut []byte
	select {
	case errOut = <-done:
	case <-time.After(15 * time.Second):
		c.Process.Kill()
		t.Fatal("bbsetup did not end within 15 s of SIGTERM")
	}
	err = c.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
	}
	text := string(errOut)
	if i := strings.LastIndex(text, "init "); i >= 0 {
		if j := strings.Index(text[i:], "\n"); j >= 0 {
			text = text[i+j+1:] // what bbsetup itself wrote, after the init lines
		}
	}
	if code != ExitInterrupted || !strings.Contains(text, "interrupted") {
		t.Errorf("exit %d, want 130 and the interrupted message; stderr after the init lines: %q", code, text)
	}
	if !strings.Contains(string(errOut), "init github.com/bbsetup/bbsetup/internal/earlysignal") {
		t.Errorf("internal/earlysignal was not initialised")
	}
}
