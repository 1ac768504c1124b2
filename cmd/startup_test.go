package cmd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartupAsksTheTerminalNothing runs the built binary on a pseudo-terminal that has no
// terminal emulator behind it (script(1)), where a colour query would go unanswered and
// stall for five seconds. A non-wizard command must not send the query at all (package
// tui/terminit keeps Bubble Tea's init from sending it).
func TestStartupAsksTheTerminalNothing(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		skipUnlessCI(t, "SKIPPED: script(1) is not installed (Debian: bsdutils)")
	}
	bin := buildBinary(t)
	typescript := filepath.Join(t.TempDir(), "typescript")
	for _, args := range []string{"version", "--help", "check --offline --repo /nonexistent"} {
		c := exec.Command("script", "-qfec", bin+" "+args, typescript)
		c.Env = append(os.Environ(), "TERM=xterm-256color")
		c.Stdin = bytes.NewReader(nil)
		out, _ := c.CombinedOutput()
		data, err := os.ReadFile(typescript)
		if err != nil {
			t.Fatalf("%s: no typescript (%v): %s", args, err, out)
		}
		if bytes.Contains(data, []byte("\x1b]11;?")) || bytes.Contains(data, []byte("\x1b[6n")) {
			t.Errorf("bbsetup %s asked the terminal for its colours at start-up:\n%q", args, data)
		}
		if args == "version" && !strings.Contains(string(data), "bbsetup ") {
			t.Errorf("bbsetup version printed %q", data)
		}
	}
}
