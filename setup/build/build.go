// Package build is bbsetup's "done means the first pull request" use case: it commits an
// Amplication project (or, in watch mode, waits for the next commit made elsewhere), follows
// every service's build of that commit through code generation and the push to Bitbucket,
// and ends on each pull request's URL, taken from the PUSH_TO_GIT_PROVIDER step's log and
// confirmed in Bitbucket. A stage that does not move is named with the service that should
// move it and the command that starts it; a failed push carries Amplication's own log lines.
//
// It serves the CLI (`bbsetup amplication build`) and the wizard's Build screen alike: both
// get the same Snapshots through Options.Progress. Every string that came from a server is
// sanitised (setup/safetext) here, where it enters, once.
package build

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/httpc"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// DefaultMessage is the commit message when none is given.
const DefaultMessage = "Connect to Bitbucket (bbsetup)"

// Defaults of Options.
const (
	DefaultTimeout    = 5 * time.Minute
	DefaultInterval   = 700 * time.Millisecond // one Amplication request at most this often
	DefaultStallAfter = 20 * time.Second
	// watchInterval spaces the look-ups for a new commit in watch mode.
	watchInterval = 2 * time.Second
	// errorInterval spaces the polls while the server does not answer.
	errorInterval = 2 * time.Second
	// confirmTries bounds the Bitbucket look-ups for one pull request.
	confirmTries = 4
)

// Amplication is what the follow needs of the Amplication client (*amplication.Client).
type Amplication interface {
	BuildSupport(ctx context.Context) (amplication.BuildAPI, error)
	Commit(ctx context.Context, api amplication.BuildAPI, projectID, message string) (*amplication.Commit, error)
	LatestBuild(ctx context.Context, resourceID string) (*amplication.Commit, error)
	Builds(ctx context.Context, api amplication.BuildAPI, commitID string, resourceIDs []string) ([]amplication.Build, error)
}

// PullRequests confirms a pull request in Bitbucket (*bitbucket.Client).
type PullRequests interface {
	OpenPullRequest(ctx context.Context, ws, slug, branch string) (*bitbucket.PullRequest, error)
}

// Stage is where one service's build is.
type Stage string

// The stages, in order; the last four end a service's follow.
const (
	StageQueued       Stage = "queued"     // committed; no build, or Amplication has not started generating
	StagePlugins      Stage = "plugins"    // downloading private plugins
	StageGenerating   Stage = "generating" // GENERATE_APPLICATION running
	StagePushing      Stage = "pushing"    // PUSH_TO_GIT_PROVIDER running
	StageConfirming   Stage = "confirming" // the URL is logged; asking Bitbucket
	StageDone         Stage = "done"       // the pull request is open in Bitbucket
	StageNotConnected Stage = "not-connected"
	StageFailed       Stage = "failed"
	StageCanceled     Stage = "canceled"
	// StageElsewhere: the service pushes through another git provider (GitHub, …), which
	// bbsetup does not set up: it is listed, not followed, and its build is not counted.
	StageElsewhere Stage = "elsewhere"
)

// Final reports whether the stage ends the service's follow.
func (s Stage) Final() bool {
	return s == StageDone || s == StageNotConnected || s == StageFailed || s == StageCanceled || s == StageElsewhere
}

// Words is the stage as the operator reads it.
func (s Stage) Words() string {
	switch s {
	case StageQueued:
		return "queued"
	case StagePlugins:
		return "downloading private plugins"
	case StageGenerating:
		return "generating code"
	case StagePushing:
		return "pushing to Bitbucket"
	case StageConfirming:
		return "checking the pull request in Bitbucket"
	case StageDone:
		return "done"
	case StageNotConnected:
		return "not connected to a repository"
	case StageFailed:
		return "failed"
	case StageCanceled:
		return "canceled"
	case StageElsewhere:
		return "connected to another git provider, which bbsetup does not set up: not followed"
	}
	return string(s)
}

// Needed is a service the platform needs and the command that starts it.
type Needed struct {
	Name    string `json:"name"`
	Command string `json:"command"`
}

// Stall says that a stage has not moved and who should move it.
type Stall struct {
	Stage Stage         `json:"stage"`
	For   time.Duration `json:"-"`
	// What is the stall in words: "code generation has not moved for 20s".
	What string `json:"what"`
	// Start lists the services to start (from the checkout), most likely first.
	Start []Needed `json:"start"`
	// Notes are further findings (a PR service with other keys than the server's, …).
	Notes []string `json:"notes,omitempty"`
}

// PullRequest is a service's pull request.
type PullRequest struct {
	URL       string `json:"url"`
	ID        int    `json:"id,omitempty"`
	Confirmed bool   `json:"confirmed"` // found open in Bitbucket, from branch amplication
}

// Service is one service's build as followed. Strings are sanitised.
type Service struct {
	ResourceID string       `json:"resource_id"`
	Name       string       `json:"name"`
	Repository string       `json:"repository,omitempty"` // "workspace/slug", "" when not connected
	Provider   string       `json:"provider,omitempty"`   // the repository's git provider; Bitbucket's pull requests are confirmed
	BuildID    string       `json:"build_id,omitempty"`
	Stage      Stage        `json:"stage"`
	Status     string       `json:"status,omitempty"`     // the build's status
	GitStatus  string       `json:"git_status,omitempty"` // the build's git status (derived on v1.10.0)
	PR         *PullRequest `json:"pull_request,omitempty"`
	Stall      *Stall       `json:"stall,omitempty"`
	// Failure is what went wrong, in bbsetup's words, and Log Amplication's own log lines
	// of the failed step.
	Failure string   `json:"failure,omitempty"`
	Log     []string `json:"log,omitempty"`

	changed time.Time // when the build last moved (a step, a status or a log)
	sig     string    // what "moved" compares
	waitLog string    // the push's (or plugins') last log line, sanitised
}

// Connected reports whether the service has a repository to push to.
func (s Service) Connected() bool { return s.Repository != "" }

// Followed reports whether the follow waits for the service: not when it pushes through
// another git provider than Bitbucket.
func (s Service) Followed() bool { return s.Stage != StageElsewhere }

// Phase is what the whole follow is doing.
type Phase string

// The phases.
const (
	PhaseCommitting Phase = "committing"
	PhaseWatching   Phase = "waiting for a commit"
	PhaseFollowing  Phase = "following"
	PhaseDone       Phase = "done"
)

// Snapshot is the follow's state after a change. Services are copies.
type Snapshot struct {
	Phase    Phase
	Commit   *amplication.Commit // sanitised; nil until committed (or seen, in watch mode)
	Services []Service
	// ServerError is the last poll's failure while the server does not answer, "" when it does.
	ServerError string
	Elapsed     time.Duration
}

// Result is how the follow ended.
type Result struct {
	Commit   *amplication.Commit `json:"-"`
	Services []Service           `json:"services"`
	// TimedOut: Options.Timeout passed before every service ended; stalled services carry
	// their Stall.
	TimedOut bool `json:"timed_out"`
	Stats    Stats
}

// OK reports whether every followed connected service reached its pull request.
func (r *Result) OK() bool {
	if r == nil || r.TimedOut {
		return false
	}
	for _, s := range r.Services {
		if !s.Followed() {
			continue
		}
		if s.Connected() && s.Stage != StageDone {
			return false
		}
		if !s.Connected() && s.Stage != StageNotConnected && s.Stage != StageDone {
			return false
		}
	}
	return true
}

// URLs are the pull requests' URLs, in the services' order, each once (services that
// share a repository share its pull request from branch amplication).
func (r *Result) URLs() []string {
	var out []string
	for _, s := range r.Services {
		if s.PR != nil && s.PR.URL != "" && !slices.Contains(out, s.PR.URL) {
			out = append(out, s.PR.URL)
		}
	}
	return out
}

// Stats count the requests a follow made.
type Stats struct {
	AmplicationRequests int
	BitbucketRequests   int
	Elapsed             time.Duration
}

// PerMinute is the Amplication requests per minute.
func (s Stats) PerMinute() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.AmplicationRequests) / s.Elapsed.Minutes()
}

// Layout names the platform's services for the stall advice (from the checkout).
type Layout struct {
	// PRServices are the nx projects of the checkout's pull-request service(s):
	// git-sync-manager, or amplication-git-pull-request-service in older checkouts.
	PRServices []string
	// PushNotes, when set, is asked for further findings when a push stalls or fails
	// (e.g. the PR service's .env.local has another key than the server's).
	PushNotes func() []string
}

// Options configure Run.
type Options struct {
	Project amplication.Project
	Message string // "" means DefaultMessage
	// Watch commits nothing and follows the next commit made by another client.
	Watch bool
	// Timeout bounds the whole follow (default DefaultTimeout); when it passes, Run
	// returns the Result with TimedOut, not an error.
	Timeout    time.Duration
	Interval   time.Duration // default DefaultInterval
	StallAfter time.Duration // default DefaultStallAfter
	// WatchInterval spaces the look-ups for a new commit in watch mode (default 2s).
	WatchInterval time.Duration
	Layout        Layout
	// Progress gets a Snapshot after every change. It is called from Run's goroutine and
	// must not block long.
	Progress func(Snapshot)
	Now      func() time.Time
}

// Commands that start the services a build needs, run from the checkout's top directory
// (Amplication's package.json: serve:dsg, docker:dev).
const (
	BuildManager      = "amplication-build-manager"
	GeneratorService  = "local-data-service-generator-controller"
	DefaultPRService  = "git-sync-manager"
	KafkaName         = "Kafka"
	KafkaStartCommand = "npm run docker:dev -- -d"
)

// Serve is the command that starts an nx project.
func Serve(project string) string { return "npx nx serve " + project }

// ErrNoServices is Run's error for a project without services: a commit would build nothing.
var ErrNoServices = errors.New("the project has no services: a commit would build nothing")

// ErrNoBuilds is Run's error when the server made no build for the commit.
var ErrNoBuilds = errors.New("the Amplication server made no build for the commit")

// Run commits the project (or waits for the next commit, with Watch) and follows its
// builds until every service ends, the timeout passes or ctx ends. The error is the
// Amplication client's (typed) when committing or reading fails for good; a stall or a
// failed build is not an error but the Result.
func Run(ctx context.Context, amp Amplication, prs PullRequests, o Options) (*Result, error) {
	f := newFollower(amp, prs, o)
	return f.run(ctx)
}

type follower struct {
	amp Amplication
	prs PullRequests
	o   Options
	api amplication.BuildAPI

	start    time.Time
	commit   *amplication.Commit
	services []Service
	byID     map[string]int // resource id → index in services
	phase    Phase
	srvErr   string
	lastReq  time.Time
	stats    Stats
	emitted  string
	noBuilds time.Time // when the commit was first seen without builds

	mu sync.Mutex // guards stats for the benchmark's reads
}

func newFollower(amp Amplication, prs PullRequests, o Options) *follower {
	if o.Message == "" {
		o.Message = DefaultMessage
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.StallAfter <= 0 {
		o.StallAfter = DefaultStallAfter
	}
	if o.WatchInterval <= 0 {
		o.WatchInterval = watchInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if len(o.Layout.PRServices) == 0 {
		o.Layout.PRServices = []string{DefaultPRService}
	}
	f := &follower{amp: amp, prs: prs, o: o, byID: map[string]int{}}
	for _, r := range o.Project.Resources {
		if r.Type != amplication.TypeService {
			continue
		}
		s := Service{ResourceID: r.ID, Name: safetext.Line(r.Name), Stage: StageQueued}
		if r.Repo != nil {
			s.Repository = safetext.Line(r.Repo.FullName())
			s.Provider = safetext.Line(r.Repo.Organization.Provider)
			if s.Provider != "" && s.Provider != amplication.ProviderBitbucket {
				s.Stage = StageElsewhere
			}
		}
		f.byID[r.ID] = len(f.services)
		f.services = append(f.services, s)
	}
	return f
}

func (f *follower) run(ctx context.Context) (*Result, error) {
	f.start = f.o.Now()
	if len(f.services) == 0 {
		return nil, ErrNoServices
	}
	outer := ctx
	ctx, cancel := context.WithTimeout(ctx, f.o.Timeout)
	defer cancel()
	end := func(err error) (*Result, error) { return f.end(outer, ctx, err) }

	api, err := f.support(ctx)
	if err != nil {
		return end(err)
	}
	f.api = api
	if f.o.Watch {
		if err := f.awaitCommit(ctx); err != nil {
			return end(err)
		}
	} else {
		f.phase = PhaseCommitting
		f.emit()
		f.count(false)
		c, err := f.amp.Commit(ctx, f.api, f.o.Project.ID, f.o.Message)
		if err != nil {
			return end(err)
		}
		f.setCommit(c)
	}
	f.phase = PhaseFollowing
	f.emit()
	for {
		done, err := f.poll(ctx)
		if err != nil {
			return end(err)
		}
		if done {
			f.phase = PhaseDone
			f.emit()
			return f.result(false), nil
		}
		wait := f.o.Interval
		if f.srvErr != "" {
			wait = max(wait, errorInterval)
		}
		if err := f.pace(ctx, wait); err != nil {
			return end(err)
		}
	}
}

// end turns the timeout (tctx's deadline, while outer goes on) into a Result and keeps
// other errors.
func (f *follower) end(outer, tctx context.Context, err error) (*Result, error) {
	if outer.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		f.markStalls(true)
		f.phase = PhaseDone
		f.emit()
		return f.result(true), nil
	}
	return f.result(false), err
}

func (f *follower) result(timedOut bool) *Result {
	f.mu.Lock()
	st := f.stats
	f.mu.Unlock()
	st.Elapsed = f.o.Now().Sub(f.start)
	return &Result{Commit: f.commit, Services: append([]Service(nil), f.services...), TimedOut: timedOut, Stats: st}
}

// support asks which documents the server takes; a server with introspection off is
// taken to be a v3 server (the documents of today's Amplication).
func (f *follower) support(ctx context.Context) (amplication.BuildAPI, error) {
	f.count(false)
	api, err := f.amp.BuildSupport(ctx)
	var ge *amplication.GraphQLError
	if errors.As(err, &ge) {
		return amplication.BuildAPI{Services: true}, nil
	}
	return api, err
}

func (f *follower) setCommit(c *amplication.Commit) {
	cc := *c
	cc.ID, cc.Message = safetext.Line(cc.ID), safetext.Line(cc.Message)
	f.commit = &cc
}

// awaitCommit reads the newest build of one service of the project (a connected one when
// there is one: every commit of the project's services builds it), then waits for a build
// of another commit.
func (f *follower) awaitCommit(ctx context.Context) error {
	f.phase = PhaseWatching
	f.emit()
	watched := f.services[0].ResourceID
	for _, s := range f.services {
		if s.Connected() && s.Followed() {
			watched = s.ResourceID
			break
		}
	}
	f.count(false)
	base, err := f.amp.LatestBuild(ctx, watched)
	if err != nil {
		return err
	}
	for {
		if err := f.pace(ctx, f.o.WatchInterval); err != nil {
			return err
		}
		f.count(false)
		c, err := f.amp.LatestBuild(ctx, watched)
		if err != nil {
			if transient(err) {
				f.serverError(err)
				continue
			}
			return err
		}
		f.serverError(nil)
		if c != nil && (base == nil || c.ID != base.ID) {
			f.setCommit(c)
			return nil
		}
	}
}

// pace waits until at least d has passed since the last Amplication request.
func (f *follower) pace(ctx context.Context, d time.Duration) error {
	return httpc.Sleep(ctx, d-f.o.Now().Sub(f.lastReq))
}

func (f *follower) count(bitbucket bool) {
	f.mu.Lock()
	if bitbucket {
		f.stats.BitbucketRequests++
	} else {
		f.stats.AmplicationRequests++
		f.lastReq = f.o.Now()
	}
	f.mu.Unlock()
}

// transient reports an error worth polling again for: the server did not answer.
func transient(err error) bool {
	var ue *amplication.UnreachableError
	var he *amplication.HTTPError
	return errors.As(err, &ue) || (errors.As(err, &he) && he.Status >= 500)
}

func (f *follower) serverError(err error) {
	s := ""
	if err != nil {
		s = safetext.Line(err.Error())
	}
	if s != f.srvErr {
		f.srvErr = s
		f.emit()
	}
}

// poll reads the commit's builds once and updates every service; done when all ended.
func (f *follower) poll(ctx context.Context) (bool, error) {
	var ids []string // v1.10.0 reads each service's build on its own
	for _, s := range f.services {
		if !s.Stage.Final() {
			ids = append(ids, s.ResourceID)
		}
	}
	f.count(false)
	if !f.api.Services {
		f.mu.Lock()
		f.stats.AmplicationRequests += max(len(ids)-1, 0)
		f.mu.Unlock()
	}
	builds, err := f.amp.Builds(ctx, f.api, f.commit.ID, ids)
	if err != nil {
		if transient(err) && ctx.Err() == nil {
			f.serverError(err)
			return false, nil
		}
		return false, err
	}
	f.srvErr = ""
	now := f.o.Now()
	if len(builds) == 0 {
		if f.noBuilds.IsZero() {
			f.noBuilds = now
		}
		if now.Sub(f.noBuilds) >= f.o.StallAfter {
			return false, ErrNoBuilds
		}
		f.emit()
		return false, nil
	}
	for i := range builds {
		b := &builds[i]
		idx, ok := f.byID[b.ResourceID]
		if !ok {
			// A resource the project listing did not show (created since): follow it too.
			f.byID[b.ResourceID] = len(f.services)
			f.services = append(f.services, Service{ResourceID: b.ResourceID, Name: safetext.Line(b.ResourceID), Stage: StageQueued})
			idx = len(f.services) - 1
		}
		f.update(ctx, &f.services[idx], b, now)
	}
	// A service without a build of this commit: Amplication did not build it (archived,
	// or a commit of other resources). It is not waited for.
	seen := map[string]bool{}
	for _, b := range builds {
		seen[b.ResourceID] = true
	}
	for i := range f.services {
		s := &f.services[i]
		if !seen[s.ResourceID] && !s.Stage.Final() && now.Sub(f.firstSeen()) >= f.o.StallAfter {
			s.Stage, s.Failure = StageFailed, "Amplication made no build of this service for the commit"
		}
	}
	f.markStalls(false)
	f.emit()
	for _, s := range f.services {
		if !s.Stage.Final() {
			return false, nil
		}
	}
	return true, nil
}

func (f *follower) firstSeen() time.Time {
	if !f.noBuilds.IsZero() {
		return f.noBuilds
	}
	return f.start
}

// signature is what counts as the build moving: statuses, steps and the number of logs.
func signature(b *amplication.Build) string {
	var sb strings.Builder
	sb.WriteString(b.Status + "/" + b.Git())
	for _, s := range b.Steps {
		fmt.Fprintf(&sb, "|%s:%s:%d", s.Name, s.Status, len(s.Logs))
	}
	return sb.String()
}

// update moves one service along its build.
func (f *follower) update(ctx context.Context, s *Service, b *amplication.Build, now time.Time) {
	if s.Stage.Final() {
		return
	}
	s.BuildID = safetext.Line(b.ID)
	s.Status, s.GitStatus = safetext.Line(b.Status), safetext.Line(b.Git())
	if sig := signature(b); sig != s.sig {
		s.sig, s.changed = sig, now
		s.Stall = nil
	}
	gen, push, plugins := b.Step(amplication.StepGenerate), b.PushStep(), b.Step(amplication.StepPrivatePlugins)
	s.waitLog = ""
	if l := push.LastLog(); push != nil && l != nil {
		s.waitLog = safetext.Line(l.Message)
	} else if l := plugins.LastLog(); plugins != nil && l != nil {
		s.waitLog = safetext.Line(l.Message)
	}
	switch {
	case b.PullRequestURL() != "":
		s.PR = &PullRequest{URL: safetext.Line(b.PullRequestURL())}
		if f.prs == nil || (s.Provider != "" && s.Provider != amplication.ProviderBitbucket) {
			s.Stage = StageDone // another provider's pull request is not bbsetup's to check
			return
		}
		s.Stage = StageConfirming
		f.emit() // the URL is on screen before Bitbucket answers
		f.confirm(ctx, s)
	case b.Git() == amplication.GitNotConnected:
		s.Stage = StageNotConnected
	case push != nil && push.Status == amplication.StepFailed, b.Git() == amplication.GitFailed:
		s.Stage = StageFailed
		s.Failure = "the push to Bitbucket failed; Amplication's log of the push:"
		s.Log = stepLog(push, func(l amplication.Log) bool { return !amplication.IsPushStart(l.Message) })
		notes := []string(nil)
		if f.o.Layout.PushNotes != nil {
			notes = f.o.Layout.PushNotes()
		}
		if len(notes) == 0 && slices.ContainsFunc(s.Log, func(l string) bool { return strings.Contains(l, "Bitbucket request failed") }) {
			// Bitbucket refused a call of the PR service; the usual cause on a local
			// platform (SPEC.md): it refreshes the token with the key it read at start.
			var names, cmds []string
			for _, n := range f.prNeeded() {
				names, cmds = append(names, n.Name), append(cmds, n.Command)
			}
			notes = append(notes, "Bitbucket refused a request of "+strings.Join(names, " or ")+"; if it was started before the key and secret were written, it still holds the placeholders and its token refresh fails: restart it ("+strings.Join(cmds, " or ")+")")
		}
		for _, n := range notes {
			s.Log = append(s.Log, "bbsetup: "+n)
		}
	case gen != nil && gen.Status == amplication.StepFailed:
		s.Stage = StageFailed
		s.Failure = "code generation failed; Amplication's log of it:"
		s.Log = lastLines(stepLog(gen, func(l amplication.Log) bool { return l.Level == "Error" }), 10)
		if len(s.Log) == 0 {
			s.Log = lastLines(stepLog(gen, nil), 10)
		}
	case plugins != nil && plugins.Status == amplication.StepFailed:
		s.Stage = StageFailed
		s.Failure = "downloading the private plugins failed; Amplication's log of it:"
		s.Log = lastLines(stepLog(plugins, nil), 10)
	case b.Status == amplication.BuildCanceled || b.Git() == amplication.GitCanceled:
		s.Stage = StageCanceled
		s.Failure = "Amplication canceled the build"
	case b.Status == amplication.BuildFailed || b.Status == amplication.BuildInvalid:
		s.Stage = StageFailed
		s.Failure = "the build ended " + s.Status
	case push != nil:
		s.Stage = StagePushing
	case gen != nil:
		s.Stage = StageGenerating
	case plugins != nil:
		s.Stage = StagePlugins
	case b.Status == amplication.BuildCompleted && b.Git() == amplication.GitCompleted:
		s.Stage, s.Failure = StageFailed, "the build completed but Amplication logged no pull request URL"
	default:
		s.Stage = StageQueued
	}
}

// stepLog is the step's log messages that keep passes, sanitised, one line each.
func stepLog(st *amplication.Step, keep func(amplication.Log) bool) []string {
	if st == nil {
		return nil
	}
	var out []string
	for _, l := range st.Logs {
		if keep != nil && !keep(l) {
			continue
		}
		for _, line := range strings.Split(strings.TrimSpace(l.Message), "\n") {
			if line = safetext.Line(line); strings.TrimSpace(line) != "" {
				out = append(out, line)
			}
		}
	}
	return out
}

func lastLines(ls []string, n int) []string {
	if len(ls) > n {
		return ls[len(ls)-n:]
	}
	return ls
}

// confirm looks the pull request up in Bitbucket: the repository's open pull request from
// branch amplication must be the one Amplication logged.
func (f *follower) confirm(ctx context.Context, s *Service) {
	ws, slug := repoOf(s)
	if ws == "" {
		s.Stage, s.Failure = StageFailed, "Amplication logged "+s.PR.URL+", which names no Bitbucket repository bbsetup can check"
		return
	}
	var lastErr error
	for try := 0; try < confirmTries; try++ {
		if try > 0 {
			t := time.NewTimer(time.Duration(try) * 300 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				s.Stage, s.Failure = StageFailed, "the time ran out while checking the pull request in Bitbucket"
				return
			case <-t.C:
			}
		}
		f.count(true)
		pr, err := f.prs.OpenPullRequest(ctx, ws, slug, bitbucket.AmplicationBranch)
		if err != nil {
			lastErr = err
			continue
		}
		if pr != nil && samePR(pr, s.PR.URL) {
			s.PR.ID, s.PR.Confirmed = pr.ID, true
			s.Stage = StageDone
			return
		}
		lastErr = nil
	}
	if lastErr != nil {
		s.Stage, s.Failure = StageFailed, "Amplication logged the pull request, but bbsetup could not check it in Bitbucket: "+safetext.Line(lastErr.Error())
		return
	}
	s.Stage, s.Failure = StageFailed, fmt.Sprintf("Amplication logged %s, but %s/%s has no open pull request from branch %s with that address in Bitbucket", s.PR.URL, ws, slug, bitbucket.AmplicationBranch)
}

// repoOf is the service's workspace and slug, else the ones in the logged URL
// (https://bitbucket.org/{ws}/{slug}/pull-requests/{id}).
func repoOf(s *Service) (string, string) {
	if ws, slug, ok := strings.Cut(s.Repository, "/"); ok {
		return ws, slug
	}
	if s.PR == nil {
		return "", ""
	}
	u, err := url.Parse(s.PR.URL)
	if err != nil {
		return "", ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) >= 2 {
		return parts[0], parts[1]
	}
	return "", ""
}

// samePR reports whether the logged URL is the pull request's: the same address, or one
// ending in /pull-requests/{id}.
func samePR(pr *bitbucket.PullRequest, logged string) bool {
	norm := func(s string) string { return strings.TrimRight(strings.TrimSpace(s), "/") }
	if pr.HTMLURL != "" && norm(pr.HTMLURL) == norm(logged) {
		return true
	}
	return strings.HasSuffix(norm(logged), "/pull-requests/"+strconv.Itoa(pr.ID))
}

// markStalls names the services whose stage has not moved for StallAfter (all of them
// when final, at the timeout).
func (f *follower) markStalls(final bool) {
	if f.commit == nil {
		return // nothing committed yet (watch mode): nothing can stall
	}
	now := f.o.Now()
	for i := range f.services {
		s := &f.services[i]
		if s.Stage.Final() {
			continue
		}
		since := s.changed
		if since.IsZero() {
			since = f.firstSeen()
		}
		d := now.Sub(since)
		if (d < f.o.StallAfter && !final) || (s.Stall != nil && s.Stall.Stage == s.Stage) {
			continue // not stalled yet, or already said (the words keep the first duration)
		}
		s.Stall = f.stall(s.Stage, d.Round(time.Second), s.waitLog)
	}
}

// stall words a stage that does not move.
func (f *follower) stall(st Stage, d time.Duration, last string) *Stall {
	pr := f.prNeeded()
	switch st {
	case StageGenerating, StageQueued:
		return &Stall{Stage: st, For: d,
			What: fmt.Sprintf("code generation has not moved for %s: nothing has taken the job from Kafka", d),
			Start: []Needed{
				{Name: BuildManager, Command: Serve(BuildManager)},
				{Name: GeneratorService, Command: Serve(GeneratorService)},
				{Name: KafkaName, Command: KafkaStartCommand},
			}}
	case StagePushing, StagePlugins:
		if last == "" {
			last = amplication.LogPushStart
			if st == StagePlugins {
				last = amplication.LogPluginsStart
			}
		}
		what := fmt.Sprintf("the push has waited %s at %q: no pull-request service has taken the job", d, last)
		if st == StagePlugins {
			what = fmt.Sprintf("downloading private plugins has waited %s at %q", d, last)
		}
		s := &Stall{Stage: st, For: d, What: what, Start: append(pr, Needed{Name: KafkaName, Command: KafkaStartCommand})}
		if len(f.o.Layout.PRServices) > 1 {
			s.Notes = append(s.Notes, "the checkout has both pull-request services: serve one of them, not both (each would push every build)")
		}
		if f.o.Layout.PushNotes != nil {
			s.Notes = append(s.Notes, f.o.Layout.PushNotes()...)
		}
		return s
	case StageConfirming:
		return &Stall{Stage: st, For: d, What: fmt.Sprintf("Bitbucket has not confirmed the pull request for %s", d)}
	}
	return nil
}

func (f *follower) prNeeded() []Needed {
	var out []Needed
	for _, p := range f.o.Layout.PRServices {
		out = append(out, Needed{Name: p, Command: Serve(p)})
	}
	return out
}

// emit sends a Snapshot when something the operator sees changed.
func (f *follower) emit() {
	if f.o.Progress == nil {
		return
	}
	snap := Snapshot{Phase: f.phase, Commit: f.commit, ServerError: f.srvErr, Services: make([]Service, len(f.services))}
	copy(snap.Services, f.services)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s|%v|%s", snap.Phase, snap.Commit != nil, snap.ServerError)
	for _, s := range snap.Services {
		fmt.Fprintf(&sb, "|%s:%s:%s", s.ResourceID, s.Stage, s.BuildID)
		if s.PR != nil {
			fmt.Fprintf(&sb, ":%s:%v", s.PR.URL, s.PR.Confirmed)
		}
		if s.Stall != nil {
			fmt.Fprintf(&sb, ":stall-%s", s.Stall.Stage)
		}
	}
	if sb.String() == f.emitted {
		return
	}
	f.emitted = sb.String()
	snap.Elapsed = f.o.Now().Sub(f.start)
	f.o.Progress(snap)
}

// LayoutFor reads the checkout's pull-request service(s) and, for a push that stalls or
// fails, what its env files say: a PR service without the key, or with another key than
// the server's (it refreshes Amplication's token with its own), is named. co nil gives
// the default layout.
func LayoutFor(co *checkout.Checkout, lookupEnv func(string) (string, bool)) Layout {
	var l Layout
	if co == nil {
		return l
	}
	for _, p := range co.PRServices {
		l.PRServices = append(l.PRServices, p.Project)
	}
	l.PushNotes = func() []string {
		in := co.Inspect(lookupEnv)
		var out []string
		for _, f := range append(in.CheckConfigured(), in.CheckKeysIdentical()...) {
			if !f.Failed() {
				continue
			}
			n := f.Title
			if f.Detail != "" {
				n += ": " + f.Detail
			}
			if f.Hint != "" {
				n += " (" + f.Hint + ")"
			}
			out = append(out, safetext.Line(n)+"; a PR service started before .env.local was written still holds the old key: restart it")
		}
		return out
	}
	return l
}
