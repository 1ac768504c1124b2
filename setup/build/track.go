package build

import "github.com/bbsetup/bbsetup/setup/amplication"

// Tracker keeps what a printer of the follow's progress has said, so each snapshot tells
// only what changed: a new phase, the commit once, the server's trouble coming and going,
// a service's line when it changes, and a stall's advice once per stalled stage (the
// other services it holds point to the one whose line has it). The zero Tracker is ready.
type Tracker struct {
	last    map[string]string // resource id → the line (and stall) said last
	advised map[Stage]string  // stalled stage → the service whose line has the advice
	phase   Phase
	srvErr  string
	commit  bool
}

// Changes are what a snapshot changed, in the order a printer says them.
type Changes struct {
	Phase Phase // the new phase; "" when it did not change
	// Commit is the commit when first seen; nil otherwise.
	Commit *amplication.Commit
	// ServerChanged: the server stopped answering (ServerError, its last failure) or
	// answers again (ServerError "").
	ServerChanged bool
	ServerError   string
	Services      []ServiceChange
}

// ServiceChange is one service whose line or stall changed.
type ServiceChange struct {
	Service Service
	// Line is the service's line, to say when ShowLine (it changed).
	Line     string
	ShowLine bool
	// Stall is the service's stall (nil when it moves). AdvisedBy is "" when this
	// service's line carries the stall's advice, else the service whose line already does.
	Stall     *Stall
	AdvisedBy string
}

// Track tells what s changed since the last snapshot; line is a service's line as the
// surface says it (a change of it is a change).
func (t *Tracker) Track(s Snapshot, line func(Service) string) Changes {
	if t.last == nil {
		t.last, t.advised = map[string]string{}, map[Stage]string{}
	}
	var ch Changes
	if s.Phase != t.phase {
		t.phase, ch.Phase = s.Phase, s.Phase
	}
	if s.Commit != nil && !t.commit {
		t.commit, ch.Commit = true, s.Commit
	}
	if s.ServerError != t.srvErr {
		t.srvErr, ch.ServerChanged, ch.ServerError = s.ServerError, true, s.ServerError
	}
	if s.Commit == nil {
		return ch // the services' lines start with the commit
	}
	for _, sv := range s.Services {
		if c, ok := t.service(sv, line(sv)); ok {
			ch.Services = append(ch.Services, c)
		}
	}
	return ch
}

// service is sv's change, if any, with l its line now.
func (t *Tracker) service(sv Service, l string) (ServiceChange, bool) {
	key := l
	if sv.Stall != nil {
		key += "|stall:" + string(sv.Stall.Stage)
	}
	prev := t.last[sv.ResourceID]
	if prev == key {
		return ServiceChange{}, false
	}
	t.last[sv.ResourceID] = key
	c := ServiceChange{Service: sv, Line: l, ShowLine: true}
	if sv.Stall == nil {
		return c, true
	}
	c.Stall = sv.Stall
	c.ShowLine = prev != l // the stage changed too: say it first
	if by, ok := t.advised[sv.Stall.Stage]; ok {
		c.AdvisedBy = by
		return c, true
	}
	t.advised[sv.Stall.Stage] = sv.Name
	return c, true
}

// Reached counts the followed connected services and those that reached their pull
// request.
func (r *Result) Reached() (done, connected int) {
	for _, s := range r.Services {
		if s.Connected() && s.Followed() {
			connected++
			if s.Stage == StageDone {
				done++
			}
		}
	}
	return done, connected
}

// Elsewhere counts the services that push through another git provider (not followed).
func (r *Result) Elsewhere() int {
	n := 0
	for _, s := range r.Services {
		if !s.Followed() {
			n++
		}
	}
	return n
}
