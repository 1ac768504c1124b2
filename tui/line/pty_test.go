//go:build linux

package line_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/bbsetup/bbsetup/cmd"
	"github.com/bbsetup/bbsetup/internal/testkit"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
)

// waitLimit bounds every wait for the line mode's output.
const waitLimit = 60 * time.Second

// ptyRun is bbsetup (cmd.Run, in this process) on a pseudo-terminal: its stdin, stdout
// and stderr are the terminal's, as in a real shell; the test types lines on the other
// side and reads what the terminal shows (the echo of what was typed included).
type ptyRun struct {
	t    *testing.T
	ptmx *os.File
	tty  *os.File

	mu   sync.Mutex
	out  bytes.Buffer
	seen int // waitFor looks after this offset

	code   chan int
	cancel context.CancelFunc
}

// startPty runs bbsetup with args and the environment env (nothing of the test
// process's own) on a new pseudo-terminal.
func startPty(t *testing.T, env map[string]string, args ...string) *ptyRun {
	t.Helper()
	return startPtyOut(t, env, nil, args...)
}

// startPtyOut is startPty with standard output going to stdout instead of the terminal
// (nil: the terminal), as `bbsetup --json > file` does.
func startPtyOut(t *testing.T, env map[string]string, stdout io.Writer, args ...string) *ptyRun {
	t.Helper()
	// The backups of the env files go to the process's XDG_STATE_HOME (set by TestMain):
	// the adapter opens a checkout given by path with the process's environment.
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	_ = pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80})
	ctx, cancel := context.WithCancel(context.Background())
	p := &ptyRun{t: t, ptmx: ptmx, tty: tty, code: make(chan int, 1), cancel: cancel}
	go p.read()
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var out io.Writer = tty
	if stdout != nil {
		out = stdout
	}
	e := cmd.Env{
		Stdin: tty, Stdout: out, Stderr: tty,
		Getenv:          func(k string) string { return env[k] },
		LookupEnv:       lookup,
		Getwd:           func() (string, error) { return t.TempDir(), nil },
		StdinIsTerminal: true, StdoutIsTerminal: stdout == nil, StderrIsTerminal: true,
	}
	go func() { p.code <- cmd.Run(ctx, args, e) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.code:
		case <-time.After(waitLimit):
			t.Error("bbsetup did not stop")
		}
		tty.Close()
		ptmx.Close()
	})
	return p
}

// read collects what the terminal shows until it is closed.
func (p *ptyRun) read() {
	buf := make([]byte, 4096)
	for {
		n, err := p.ptmx.Read(buf)
		p.mu.Lock()
		p.out.Write(buf[:n])
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// output is everything the terminal showed so far.
func (p *ptyRun) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until each text has appeared, in order, after what earlier waits
// matched, and returns the output from there.
func (p *ptyRun) waitFor(texts ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(waitLimit)
	var ended time.Time
	for {
		p.mu.Lock()
		all := p.out.String()
		p.mu.Unlock()
		from, rest, ok := p.seen, all[p.seen:], true
		at := p.seen
		for _, s := range texts {
			i := strings.Index(all[at:], s)
			if i < 0 {
				ok = false
				break
			}
			at += i + len(s)
		}
		if ok {
			p.seen = at
			return all[from:at]
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited %s for %q; the terminal shows, after the last match:\n%s", waitLimit, texts, rest)
		}
		select {
		case c := <-p.code:
			p.code <- c
			// bbsetup ended: what it wrote last may still be on its way through the
			// terminal; give it a moment, then say so.
			if ended.IsZero() {
				ended = time.Now()
			} else if time.Since(ended) > 2*time.Second {
				p.t.Fatalf("bbsetup ended (exit %d) before %q; the terminal shows, after the last match:\n%s", c, texts, rest)
			}
			time.Sleep(20 * time.Millisecond)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitForAny waits until one of texts appears after what earlier waits matched, and
// returns which (the first to appear), with the output up to it.
func (p *ptyRun) waitForAny(texts ...string) (int, string) {
	p.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		p.mu.Lock()
		all := p.out.String()
		p.mu.Unlock()
		best, at := -1, len(all)
		for i, s := range texts {
			if j := strings.Index(all[p.seen:], s); j >= 0 && p.seen+j < at {
				best, at = i, p.seen+j
			}
		}
		if best >= 0 {
			from := p.seen
			p.seen = at + len(texts[best])
			return best, all[from:p.seen]
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited %s for any of %q; the terminal shows, after the last match:\n%s", waitLimit, texts, all[p.seen:])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// typeLine types s and enter, as an operator would.
func (p *ptyRun) typeLine(s string) {
	p.t.Helper()
	if _, err := io.WriteString(p.ptmx, s+"\r"); err != nil {
		p.t.Fatal(err)
	}
}

// exitCode waits for bbsetup to end.
func (p *ptyRun) exitCode() int {
	p.t.Helper()
	select {
	case c := <-p.code:
		p.code <- c
		return c
	case <-time.After(waitLimit):
		p.t.Fatalf("bbsetup did not end; the terminal shows:\n%s", p.output()[p.seen:])
	}
	return -1
}

// escape is any escape sequence: the line mode writes none (no cursor movement, no
// alternate screen, no colours, no title, no clipboard).
var escape = regexp.MustCompile(`\x1b`)

// wantPlain checks that out has no escape sequence and no carriage return that is not the
// terminal's own line ending (a bare \r moves the cursor back over a line, as spinners do).
func wantPlain(t *testing.T, out string) {
	t.Helper()
	if loc := escape.FindStringIndex(out); loc != nil {
		lo := max(loc[0]-80, 0)
		t.Fatalf("the line mode wrote an escape sequence: %q", out[lo:min(loc[1]+20, len(out))])
	}
	if i := strings.Index(strings.ReplaceAll(out, "\r\n", "\n"), "\r"); i >= 0 {
		t.Fatalf("the line mode wrote a bare carriage return at %d", i)
	}
}

// freePort returns a loopback port nothing listens on, for a server started later
// (testkit.UnusedPort: outside the ephemeral range, so no test running beside this one is
// handed it meanwhile).
func freePort(t *testing.T) int {
	t.Helper()
	return testkit.UnusedPort(t)
}

// newWorld starts the demo world (both emulators, a scratch checkout) with the callback
// on a port of the test's choosing.
func newWorld(t *testing.T) *demo.World {
	t.Helper()
	w, err := demo.Start(demo.Options{Repos: 300, ClientPort: freePort(t), AmplicationPort: freePort(t), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// visit makes the browser's visit to an authorize URL: it follows the redirects to the
// callback, as a browser would after Grant access (the emulator approves at once).
func visit(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("the browser's visit: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// landed is where the browser lands after Grant access, without going there: the address
// an operator copies from the address bar when bbsetup cannot listen on the callback port.
func landed(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer c.CloseIdleConnections()
	for range 5 {
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if loc == "" {
			t.Fatalf("no redirect from %s (%s)", req.URL, resp.Status)
		}
		if strings.Contains(loc, "code=") {
			return loc
		}
		if req, err = http.NewRequestWithContext(ctx, http.MethodGet, resp.Request.URL.ResolveReference(mustParse(t, loc)).String(), nil); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("no code after 5 redirects")
	return ""
}

// firstURL is the first URL in out.
func firstURL(out string) (string, error) {
	m := regexp.MustCompile(`https?://\S+`).FindString(out)
	if m == "" {
		return "", errors.New("no URL")
	}
	return m, nil
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wantEchoOff checks that the terminal's echo is off now: called as soon as a hidden
// prompt shows, it fails when the echo went off only after the prompt was written (what
// is typed the moment the prompt shows would be echoed).
func (p *ptyRun) wantEchoOff() {
	p.t.Helper()
	tio, err := unix.IoctlGetTermios(int(p.tty.Fd()), unix.TCGETS)
	if err != nil {
		p.t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO != 0 {
		p.t.Fatal("a hidden prompt is on screen while the terminal's echo is on")
	}
}

// wantEchoOn checks that the echo is back on (after a hidden prompt).
func (p *ptyRun) wantEchoOn() {
	p.t.Helper()
	tio, err := unix.IoctlGetTermios(int(p.tty.Fd()), unix.TCGETS)
	if err != nil {
		p.t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		p.t.Fatal("the terminal's echo is still off at a prompt that is not hidden")
	}
}
