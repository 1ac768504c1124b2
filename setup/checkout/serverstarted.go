package checkout

import (
	"fmt"
	"strings"

	"github.com/bbsetup/bbsetup/setup/prservice"
)

// The Amplication server's start time against its .env.local, as for the PR services
// (prservice.go): the key check (the client_id in the server's authorize URL) cannot see
// the secret, so a server started before the secret alone changed still holds the old
// one, and Amplication's authorization fails with "Bitbucket request failed.". The
// process scan is setup/prservice's (its Service is any nx project of the checkout).

// ServerProject is the server's nx project.
const ServerProject = "amplication-server"

// ServerStartedID is ServerStartedFinding's ID.
const ServerStartedID = ServerProject + "-started"

// ServerStartCommand starts the Amplication server from the checkout.
const ServerStartCommand = "npx nx serve " + ServerProject

// serverRestart is the restart hint's command.
const serverRestart = ServerStartCommand

// ServerReport looks for running processes serving the checkout's Amplication server
// (nx serve amplication-server, or node running dist/packages/amplication-server/…, with
// the working directory in the checkout) and when each started. It reads /proc or runs
// ps: call it off a UI's thread.
func (c *Checkout) ServerReport() prservice.Report {
	return prservice.Check(c.Root, []prservice.Service{{Project: ServerProject, Dir: serverDir, EnvLocal: c.ServerEnvLocal}})
}

// ServerStartedFinding words r (ServerReport's) as one finding, ID ServerStartedID: a
// check that fails when a process serving the server in the checkout started before its
// .env.local was last written (it still holds the old key and secret) and passes when
// every one started after; a note when none runs in the checkout (it may run elsewhere,
// e.g. in docker, or be the demo's emulator) or processes cannot be inspected here.
func ServerStartedFinding(r prservice.Report) Finding {
	id := ServerStartedID
	if len(r.Services) == 0 {
		return note(id, "whether "+ServerProject+" was started after its .env.local was written was not checked", "")
	}
	s := r.Services[0]
	switch s.State {
	case prservice.NotChecked:
		return note(id, fmt.Sprintf("whether %s was started after its .env.local was written was not checked", ServerProject),
			fmt.Sprintf("%v; the server reads the env files only when it starts: restart it after writing the key and secret (%s)", r.Why, serverRestart))
	case prservice.NotRunning:
		return note(id, fmt.Sprintf("%s is not running in this checkout, so when it started is not known", ServerProject),
			fmt.Sprintf("it may run elsewhere (in docker, on another machine); it reads .env.local only when it starts: restart it after writing the key and secret (%s)", serverRestart))
	case prservice.Fresh:
		return Finding{ID: id, Kind: KindCheck, OK: true,
			Title:  fmt.Sprintf("%s was started after its .env.local was written", ServerProject),
			Detail: describeProcs(s.Processes, s)}
	}
	var pids []string
	for _, p := range s.Stale {
		pids = append(pids, fmt.Sprint(p.PID))
	}
	return Finding{ID: id, Kind: KindCheck,
		Title:  fmt.Sprintf("%s was started before its .env.local was last written: it still uses the old Bitbucket key and secret", ServerProject),
		Detail: describeProcs(s.Stale, s),
		Hint:   fmt.Sprintf("restart the server so it reads .env.local: stop it (Ctrl+C in its terminal, or kill %s) and run %s in the checkout", strings.Join(pids, " "), serverRestart)}
}

// CheckServerStarted is ServerStartedFinding for check: the server's start time against its
// .env.local, beside the PR services' (CheckPRServiceStarted).
func (in *Inspection) CheckServerStarted() []Finding {
	return []Finding{ServerStartedFinding(in.c.ServerReport())}
}
