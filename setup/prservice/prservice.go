// Package prservice finds a running pull-request service of an Amplication checkout that
// started before the .env.local it reads was last written (issue 20, item 4). Env files
// are read once, at start: such a process still holds the old Bitbucket key and secret
// (often the committed placeholders), so Amplication's first pushes work for the two
// hours the authorizing token lives, then every push fails at the token refresh.
//
// A process serves a PR service of the checkout when its working directory is in the
// checkout and its command line serves it: `nx serve <project>` or `nx run
// <project>:serve[:conf]` (npx and npm exec included; `nx serve` alone when the working
// directory is the project's), or node running the built service under the checkout's
// dist/<project dir>/. Its start time is held against the .env.local's modification time.
//
// Linux reads /proc; macOS asks ps and lsof; elsewhere the check is not made and the
// Report says so.
//
// Nothing here is particular to the PR services but Known: setup/checkout checks the
// Amplication server (nx project amplication-server) with the same Check.
package prservice

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Service is one PR service directory of a checkout (or another nx project's served
// the same way: the Amplication server).
type Service struct {
	Project  string // the nx project: "git-sync-manager" or "amplication-git-pull-request-service"
	Dir      string // its directory relative to the checkout root, slash-separated
	EnvLocal string // the .env.local it reads (absolute)
}

// Known are the PR services bbsetup knows, by layout (SPEC.md): the older one and the
// current one. v1.10.0 to v1.14.4 checkouts hold both.
func Known(root string) []Service {
	var out []Service
	for _, s := range []struct{ project, dir string }{
		{"amplication-git-pull-request-service", "packages/amplication-git-pull-request-service"},
		{"git-sync-manager", "ee/packages/git-sync-manager"},
	} {
		d := filepath.Join(root, filepath.FromSlash(s.dir))
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, Service{Project: s.project, Dir: s.dir, EnvLocal: filepath.Join(d, ".env.local")})
		}
	}
	return out
}

// Process is one running process that serves a PR service.
type Process struct {
	PID     int
	Started time.Time
	Args    []string // the command line, unsanitised
	Cwd     string
}

// Command is the command line, sanitised, for display.
func (p Process) Command() string { return safetext.Line(strings.Join(p.Args, " ")) }

// State is what Check found for one service.
type State int

// The states.
const (
	NotChecked State = iota // processes cannot be inspected here (Report.Why)
	NotRunning              // no process of this checkout serves it
	Fresh                   // running, started after the .env.local was last written
	Stale                   // running, started before: restart it
)

func (s State) String() string {
	return [...]string{"not checked", "not running", "fresh", "stale"}[s]
}

// ServiceReport is one service's finding.
type ServiceReport struct {
	Service
	State State
	// EnvModified is the .env.local's modification time; zero when it does not exist
	// (then a running process is not stale: there is nothing newer to read).
	EnvModified time.Time
	Processes   []Process // every process serving it
	Stale       []Process // those started before EnvModified
}

// RestartCommand is what to run (in the checkout root) after stopping the service.
func (s Service) RestartCommand() string { return "npx nx serve " + s.Project }

// Report is Check's answer.
type Report struct {
	Checked  bool  // false: not checked on this system, Why says why
	Why      error // when !Checked
	Services []ServiceReport
	// Precision is how far apart a start time and a modification time must be to tell
	// them apart (the system's start-time resolution).
	Precision time.Duration
}

// Running lists the services that run.
func (r Report) Running() []ServiceReport {
	var out []ServiceReport
	for _, s := range r.Services {
		if s.State == Fresh || s.State == Stale {
			out = append(out, s)
		}
	}
	return out
}

// StaleServices lists the services with a process started before their .env.local.
func (r Report) StaleServices() []ServiceReport {
	var out []ServiceReport
	for _, s := range r.Services {
		if s.State == Stale {
			out = append(out, s)
		}
	}
	return out
}

// BothRunning reports whether more than one PR service runs (a v1.10–v1.14.4 checkout
// holds both; both consume the same requests, so every build would be processed twice).
func (r Report) BothRunning() bool { return len(r.Running()) > 1 }

// ErrUnsupported is Report.Why on a system bbsetup cannot inspect processes on.
var ErrUnsupported = errors.New("bbsetup cannot list running processes on this system")

// proc is one process as a system lister sees it.
type proc struct {
	pid     int
	started time.Time
	args    []string
	cwd     string // "" when unknown
}

// Check finds the processes serving each of services (Known(root)) of the checkout at
// root and compares their start times with each .env.local's modification time.
func Check(root string, services []Service) Report {
	ps, precision, err := systemProcesses()
	return check(root, services, ps, precision, err)
}

func check(root string, services []Service, ps []proc, precision time.Duration, listErr error) Report {
	r := Report{Checked: listErr == nil, Why: listErr, Precision: precision}
	realRoot := root
	if rr, err := filepath.EvalSymlinks(root); err == nil {
		realRoot = rr
	}
	for _, s := range services {
		sr := ServiceReport{Service: s, State: NotChecked}
		if fi, err := os.Stat(s.EnvLocal); err == nil {
			sr.EnvModified = fi.ModTime()
		}
		if listErr != nil {
			r.Services = append(r.Services, sr)
			continue
		}
		sr.State = NotRunning
		for _, p := range ps {
			if !Within(p.cwd, realRoot) || !Serves(p.args, p.cwd, realRoot, s) {
				continue
			}
			pp := Process{PID: p.pid, Started: p.started, Args: p.args, Cwd: p.cwd}
			sr.Processes = append(sr.Processes, pp)
			if !sr.EnvModified.IsZero() && p.started.Before(sr.EnvModified.Add(-precision)) {
				sr.Stale = append(sr.Stale, pp)
			}
		}
		switch {
		case len(sr.Stale) > 0:
			sr.State = Stale
		case len(sr.Processes) > 0:
			sr.State = Fresh
		}
		r.Services = append(r.Services, sr)
	}
	return r
}

// Within reports whether dir is root or below it (both cleaned absolute paths).
func Within(dir, root string) bool {
	if dir == "" || root == "" {
		return false
	}
	dir, root = filepath.Clean(dir), filepath.Clean(root)
	return dir == root || strings.HasPrefix(dir, root+string(filepath.Separator))
}

// Serves reports whether a command line (args, run in cwd) serves s of the checkout at
// root: nx serving the project, or node running its build under root/dist/<s.Dir>/.
func Serves(args []string, cwd, root string, s Service) bool {
	for i, a := range args {
		if b := base(a); b == "nx" || b == "nx.js" {
			if nxServes(args[i+1:], cwd, root, s) {
				return true
			}
		}
	}
	if len(args) > 1 && strings.HasPrefix(base(args[0]), "node") {
		dist := filepath.Join(root, "dist", filepath.FromSlash(s.Dir))
		for _, a := range args[1:] {
			if strings.HasPrefix(a, "-") {
				continue
			}
			p := a
			if !filepath.IsAbs(p) {
				p = filepath.Join(cwd, p)
			}
			if Within(filepath.Clean(p), dist) && filepath.Clean(p) != dist {
				return true
			}
		}
	}
	return false
}

// nxServes reads the arguments after nx: "serve <project>" (flags anywhere), "serve"
// alone in the project's directory, or "run <project>:serve[:configuration]".
func nxServes(rest []string, cwd, root string, s Service) bool {
	var pos []string
	for _, a := range rest {
		if !strings.HasPrefix(a, "-") {
			pos = append(pos, a)
		}
	}
	if len(pos) == 0 {
		return false
	}
	switch pos[0] {
	case "serve":
		if len(pos) > 1 {
			return pos[1] == s.Project
		}
		return Within(cwd, filepath.Join(root, filepath.FromSlash(s.Dir)))
	case "run":
		if len(pos) > 1 {
			target := strings.Split(pos[1], ":")
			return len(target) >= 2 && target[0] == s.Project && target[1] == "serve"
		}
	}
	return false
}

func base(a string) string {
	a = strings.TrimRight(a, "/")
	if i := strings.LastIndexAny(a, `/\`); i >= 0 {
		a = a[i+1:]
	}
	return a
}

// sortByPID orders processes for stable output.
func sortByPID(ps []proc) {
	slices.SortFunc(ps, func(a, b proc) int { return a.pid - b.pid })
}
