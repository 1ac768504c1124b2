// Package browseropen decides how bbsetup opens a URL in the operator's browser and
// starts that command: $BROWSER when set, else the system's opener (open on macOS,
// rundll32's URL handler on Windows, xdg-open with a graphical session on Linux and the
// BSDs, wslview or the Windows handler from WSL without one). The command is started
// with bbsetup's secrets removed from its environment.
package browseropen

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/childenv"
)

// DefaultWait is how long a command may run before it counts as having opened the URL
// (a browser started by $BROWSER that stays in the foreground).
const DefaultWait = 5 * time.Second

// ErrNoGraphicalSession is the answer on Linux and the BSDs (not WSL) when neither
// DISPLAY nor WAYLAND_DISPLAY is set and $BROWSER is not: xdg-open would fall back to a
// text browser that takes over the terminal, so no opener runs.
var ErrNoGraphicalSession = errors.New("no graphical session here (DISPLAY and WAYLAND_DISPLAY are unset), so no browser was opened")

// System is what the policy reads and how the command is started. The zero value of
// each field means the real one (runtime.GOOS, os.Getenv, os.Environ, exec.LookPath,
// os.ReadFile, DefaultWait).
type System struct {
	GOOS     string
	Getenv   func(string) string
	Environ  func() []string
	LookPath func(string) (string, error)
	ReadFile func(string) ([]byte, error)
	Wait     time.Duration
}

func (s System) goos() string {
	if s.GOOS != "" {
		return s.GOOS
	}
	return runtime.GOOS
}

func (s System) getenv(k string) string {
	if s.Getenv != nil {
		return s.Getenv(k)
	}
	return os.Getenv(k)
}

func (s System) lookPath(name string) (string, error) {
	if s.LookPath != nil {
		return s.LookPath(name)
	}
	return exec.LookPath(name)
}

func (s System) readFile(name string) ([]byte, error) {
	if s.ReadFile != nil {
		return s.ReadFile(name)
	}
	return os.ReadFile(name)
}

// Command is one way to open the URL: a program and its arguments.
type Command struct {
	Path string
	Args []string
}

// IsWSL reports whether bbsetup runs in the Windows Subsystem for Linux: WSL sets
// WSL_DISTRO_NAME in every session, and its kernel's release names Microsoft
// ("...-microsoft-standard-WSL2", "...-Microsoft" for WSL 1).
func (s System) IsWSL() bool {
	if s.goos() != "linux" {
		return false
	}
	if s.getenv("WSL_DISTRO_NAME") != "" || s.getenv("WSL_INTEROP") != "" {
		return true
	}
	b, err := s.readFile("/proc/sys/kernel/osrelease")
	return err == nil && strings.Contains(strings.ToLower(string(b)), "microsoft")
}

// windowsURLHandler opens a URL in Windows' default browser. rundll32 passes its last
// argument to the URL handler untouched; cmd.exe's start would read & in a query
// string as a command separator.
var windowsURLHandler = []string{"url.dll,FileProtocolHandler"}

// wslRundll32 is where WSL mounts Windows' rundll32 when Windows' PATH is not appended.
const wslRundll32 = "/mnt/c/Windows/System32/rundll32.exe"

// Commands lists the commands to try, in order, to open url; an error says why there is
// none. $BROWSER (a list separated by ':', ';' on Windows, each a command whose "%s" is
// replaced by the URL, else the URL is appended) wins everywhere, also with no display.
func (s System) Commands(url string) ([]Command, error) {
	if b := strings.TrimSpace(s.getenv("BROWSER")); b != "" {
		sep := ":"
		if s.goos() == "windows" {
			sep = ";" // C:\... has a colon
		}
		var out []Command
		for _, cand := range strings.Split(b, sep) {
			fields := strings.Fields(cand)
			if len(fields) == 0 {
				continue
			}
			args, replaced := fields[1:], false
			for i, f := range args {
				if strings.Contains(f, "%s") {
					args[i], replaced = strings.ReplaceAll(f, "%s", url), true
				}
			}
			if !replaced {
				args = append(args, url)
			}
			out = append(out, Command{Path: fields[0], Args: args})
		}
		if len(out) == 0 {
			return nil, errors.New("$BROWSER names no command, so no browser was opened; set it to your browser's command or unset it")
		}
		return out, nil
	}
	switch s.goos() {
	case "darwin":
		return []Command{{Path: "open", Args: []string{url}}}, nil
	case "windows":
		return []Command{{Path: "rundll32", Args: append(append([]string{}, windowsURLHandler...), url)}}, nil
	}
	graphical := s.getenv("DISPLAY") != "" || s.getenv("WAYLAND_DISPLAY") != ""
	wsl := s.IsWSL()
	var names []string
	if graphical {
		// Not www-browser: it is often a text browser, which would take over the terminal.
		names = append(names, "xdg-open", "x-www-browser")
	}
	if wsl {
		names = append(names, "wslview", "rundll32.exe", wslRundll32)
	}
	if len(names) == 0 {
		return nil, ErrNoGraphicalSession
	}
	var out []Command
	for _, n := range names {
		p, err := s.lookPath(n)
		if err != nil {
			continue
		}
		args := []string{url}
		if strings.HasSuffix(n, "rundll32.exe") {
			args = append(append([]string{}, windowsURLHandler...), url)
		}
		out = append(out, Command{Path: p, Args: args})
		if n == "rundll32.exe" {
			break // the fixed path is the same program
		}
	}
	if len(out) == 0 {
		if wsl && !graphical {
			return nil, errors.New("no way to open the Windows browser from WSL here (no wslview, no rundll32.exe), so no browser was opened; install wslu (it has wslview) or set BROWSER")
		}
		return nil, fmt.Errorf("no browser opener found (tried %s), so no browser was opened; install xdg-utils or set BROWSER", strings.Join(names, ", "))
	}
	return out, nil
}

// Open tries Commands(url) in order until one opens it: it exits with 0, or is still
// running after Wait (a browser that stays in the foreground; it is left running). Each
// gets ChildEnv of the environment, no stdin, and its output is discarded (it must not
// reach stdout, which may carry --json, or the screen). The URL must carry no secret: it
// is in the command's arguments.
func (s System) Open(url string) error {
	cmds, err := s.Commands(url)
	if err != nil {
		return err
	}
	environ := os.Environ
	if s.Environ != nil {
		environ = s.Environ
	}
	wait := s.Wait
	if wait <= 0 {
		wait = DefaultWait
	}
	env := childenv.Without(environ())
	var last error
	for _, c := range cmds {
		cmd := exec.Command(c.Path, c.Args...)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			last = err
			continue
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil {
				return nil
			}
			last = err
		case <-time.After(wait):
			return nil
		}
	}
	if strings.TrimSpace(s.getenv("BROWSER")) != "" {
		return errors.New("no command in $BROWSER could open the URL")
	}
	return fmt.Errorf("the browser could not be opened (%s: %v)", cmds[len(cmds)-1].Path, last)
}
