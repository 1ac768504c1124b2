package checkout

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/prservice"
)

// prServices are the checkout's PR services as setup/prservice sees them.
func (c *Checkout) prServices() []prservice.Service {
	var out []prservice.Service
	for _, s := range c.PRServices {
		dir := s.Dir
		if r, err := filepath.Rel(c.Root, s.Dir); err == nil {
			dir = filepath.ToSlash(r)
		}
		out = append(out, prservice.Service{Project: s.Project, Dir: dir, EnvLocal: s.EnvLocal})
	}
	return out
}

// PRServiceReport looks for running PR services of the checkout and when each started
// (setup/prservice).
func (c *Checkout) PRServiceReport() prservice.Report {
	return prservice.Check(c.Root, c.prServices())
}

// CheckPRServiceStarted is one finding per PR service: a check that fails when a process
// serving it started before its .env.local was last written (it still holds the old key
// and secret: Amplication's pushes would fail at the first token refresh, about two hours
// after authorizing) and passes when it started after; a note when none runs (start it)
// or when this system's processes cannot be inspected. With both PR services of an older
// checkout running, a failing check says to serve only one.
func (in *Inspection) CheckPRServiceStarted() []Finding {
	return PRServiceFindings(in.c.PRServiceReport())
}

// PRServiceFindings words a prservice.Report as findings (IDs "<project>-started" and
// "one-pr-service"), for check and for the surfaces that scan on their own.
func PRServiceFindings(r prservice.Report) []Finding {
	var out []Finding
	for _, s := range r.Services {
		id := s.Project + "-started"
		start := s.RestartCommand()
		switch s.State {
		case prservice.NotChecked:
			out = append(out, note(id, fmt.Sprintf("whether %s was started after its .env.local was written was not checked", s.Project),
				fmt.Sprintf("%v; a running %s reads the env files only when it starts: restart it after writing the key and secret (%s)", r.Why, s.Project, start)))
		case prservice.NotRunning:
			out = append(out, note(id, fmt.Sprintf("%s is not running in this checkout", s.Project),
				fmt.Sprintf("start it in the checkout after writing the key and secret: %s (Amplication pushes to Bitbucket through it)", start)))
		case prservice.Fresh:
			out = append(out, Finding{ID: id, Kind: KindCheck, OK: true,
				Title:  fmt.Sprintf("%s was started after its .env.local was written", s.Project),
				Detail: describeProcs(s.Processes, s)})
		case prservice.Stale:
			var pids []string
			for _, p := range s.Stale {
				pids = append(pids, fmt.Sprint(p.PID))
			}
			out = append(out, Finding{ID: id, Kind: KindCheck,
				Title:  fmt.Sprintf("%s was started before its .env.local was last written: it still uses the old Bitbucket key and secret", s.Project),
				Detail: describeProcs(s.Stale, s) + "; Amplication's first pushes work for about two hours, then every push fails when it refreshes the token",
				Hint:   fmt.Sprintf("stop it (Ctrl+C in its terminal, or kill %s) and start it again in the checkout: %s", strings.Join(pids, " "), start)})
		}
	}
	if r.BothRunning() {
		var names []string
		for _, s := range r.Running() {
			names = append(names, s.Project)
		}
		out = append(out, Finding{ID: "one-pr-service", Kind: KindCheck,
			Title:  "both PR services are running: " + strings.Join(names, " and "),
			Detail: "this checkout holds both; they consume the same requests, so every build would be processed twice",
			Hint:   "serve only one of them: stop the other"})
	}
	return out
}

// describeProcs says which processes and when, against the file's time (to the
// millisecond: a restart and a write are often within the same second).
func describeProcs(ps []prservice.Process, s prservice.ServiceReport) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("process %d (%s) started %s", p.PID, clip(p.Command(), 100), p.Started.Local().Format(stampFormat)))
	}
	d := strings.Join(parts, "; ")
	if !s.EnvModified.IsZero() {
		d += "; " + s.Dir + "/.env.local written " + s.EnvModified.Local().Format(stampFormat)
	} else {
		d += "; " + s.Dir + "/.env.local does not exist"
	}
	return d
}

// stampFormat is a start or modification time in describeProcs.
const stampFormat = time.DateTime + ".000"

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
