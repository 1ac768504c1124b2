package bitbucket

import "time"

// Controls are the emulator's test-only controls: the fault plan, token expiry, latency
// changes and the request log. They sit on their own type so that what bbsetup's commands use
// of the emulator (New/NewDemo, the world-building Add* methods, Start) is not mixed with what
// only tests and benchmarks do to it: no command calls Controls (cmd's
// TestCommandsUseNoEmulatorControls holds that), so the emulator that `bbsetup emulator` and
// `bbsetup demo` serve is always healthy.
type Controls struct{ e *Emulator }

// Controls returns the test-only controls of e.
func (e *Emulator) Controls() Controls { return Controls{e} }

// SetFaults replaces the fault plan; with no rules the emulator is healthy. A request
// is hit by the first rule that matches it and has hits left.
func (c Controls) SetFaults(rules ...Fault) {
	plan := make([]*faultRule, len(rules))
	for i, f := range rules {
		plan[i] = &faultRule{Fault: f, left: f.Times}
	}
	e := c.e
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	e.faults = plan
}

// SetLatency changes the latency added to every request from now on.
func (c Controls) SetLatency(d time.Duration) { c.e.latency.Store(int64(d)) }

// ExpireAccessTokens makes every access token issued so far answer 401 "Access token
// expired." Refresh tokens keep working, and tokens issued later are fresh.
func (c Controls) ExpireAccessTokens() {
	e := c.e
	e.mu.Lock()
	defer e.mu.Unlock()
	e.expireAccess()
}

// expireAccess marks every access token issued so far expired. The caller holds e.mu.
func (e *Emulator) expireAccess() {
	for _, t := range e.access {
		t.expired = true
	}
}

// DeleteRepo deletes a repository, as its owner would on bitbucket.org (a test's "someone
// deleted it meanwhile"); false when the workspace or the repository does not exist.
func (c Controls) DeleteRepo(workspace, slug string) bool {
	e := c.e
	e.mu.Lock()
	defer e.mu.Unlock()
	ws := e.lookupWorkspace(workspace)
	return ws != nil && ws.removeRepo(slug)
}

// Log returns a copy of the request log, oldest first. A request still in flight has
// a zero End and Status.
func (c Controls) Log() []Request {
	e := c.e
	e.logMu.Lock()
	defer e.logMu.Unlock()
	out := make([]Request, len(e.log))
	for i, r := range e.log {
		out[i] = *r
	}
	return out
}

// ResetLog empties the request log.
func (c Controls) ResetLog() {
	e := c.e
	e.logMu.Lock()
	defer e.logMu.Unlock()
	e.log = nil
}

// SetEmptyMainbranch changes Options.EmptyMainbranch from now on: repositories created
// afterwards report "mainbranch": null until their first commit.
func (c Controls) SetEmptyMainbranch(on bool) { c.e.emptyMainbranch.Store(on) }
