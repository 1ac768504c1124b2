package flow

// The wizard's Build screen (tui.AmpBuilder) on top of setup/build: the same follow as
// the command line's `amplication build`, with the wizard's signed-in session.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/build"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// AmpBuilder commits the connected project and follows its builds (the Build screen). The
// signed-in session (AmpSignedIn.API) implements it.
type AmpBuilder interface {
	// BuildAmp commits the project (or, with Watch, waits for the next commit made
	// elsewhere) and follows its builds until each service ends, the follow's timeout
	// passes or ctx ends. Each change is sent on updates (the send gives up when ctx
	// ends); the last state is returned. The error says what happened and what to do,
	// in the operator's words.
	BuildAmp(ctx context.Context, req AmpBuildRequest, updates chan<- AmpBuildProgress) (AmpBuildProgress, error)
}

// AmpDemoServiceStarter is what the demo's session adds to AmpBuilder: it starts one of
// the emulated services (the build manager, the code generator, the PR service), as the
// operator would run its npx nx serve command in another terminal. The Build screen uses
// it only in the demo (Options.Demo), and says so on screen.
type AmpDemoServiceStarter interface {
	StartAmpDemoService(ctx context.Context, name string) error
}

// The signed-in session builds; the demo's starts services too (only the demo's Config
// has StartService).
var (
	_ AmpBuilder            = (*ampAPI)(nil)
	_ AmpDemoServiceStarter = (*ampAPI)(nil)
)

// AmpBuildRequest is what to build.
type AmpBuildRequest struct {
	ProjectID, Project string // the project's id and name
	Watch              bool
}

// AmpBuildProgress is the follow's state. Every string is safe text.
type AmpBuildProgress struct {
	Project     string            `json:"project"`
	Commit      string            `json:"commit,omitempty"` // its id, "" before the commit
	Message     string            `json:"message,omitempty"`
	Waiting     bool              `json:"-"` // watch mode: no commit yet
	ServerError string            `json:"-"` // the server does not answer now
	Services    []AmpBuildService `json:"services"`
	Ended       bool              `json:"ended"`     // every service ended, or the time ran out
	OK          bool              `json:"ok"`        // every connected service reached its pull request
	TimedOut    bool              `json:"timed_out"` // the follow's timeout passed
}

// AmpBuildService is one service's build.
type AmpBuildService struct {
	Name       string    `json:"name"`
	Repository string    `json:"repository,omitempty"`
	Stage      string    `json:"stage"` // in words: "generating code", "pushing to Bitbucket", "done"…
	Final      bool      `json:"final"`
	Done       bool      `json:"done"` // the pull request is open in Bitbucket
	URL        string    `json:"url,omitempty"`
	PRID       int       `json:"pull_request,omitempty"`
	Failure    string    `json:"failure,omitempty"`
	Log        []string  `json:"log,omitempty"`
	Stall      *AmpStall `json:"stall,omitempty"`
}

// AmpStall is a stage that does not move and what to start.
type AmpStall struct {
	What  string     `json:"what"`
	Start []AmpStart `json:"start"`
	Notes []string   `json:"notes,omitempty"`
}

// AmpStart is a service to start and its command.
type AmpStart struct{ Name, Command string }

// URLs are the pull requests' URLs, each once.
func (p AmpBuildProgress) URLs() []string {
	var out []string
	for _, s := range p.Services {
		if s.URL != "" && !slices.Contains(out, s.URL) {
			out = append(out, s.URL)
		}
	}
	return out
}

// BuildFailed words the follow's error (build.Run's) once for every surface: a project
// without services, a commit the server made no build for (within stallAfter), the
// operator's stop (ctx's error as it is), or else amp, the surface's advice table.
func BuildFailed(ctx context.Context, err error, project string, stallAfter time.Duration, amp func(error) error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, build.ErrNoServices):
		return fmt.Errorf("project %s has no services, so a commit would build nothing: add a service in Amplication first", safetext.Line(project))
	case errors.Is(err, build.ErrNoBuilds):
		return fmt.Errorf("Amplication made no build for the commit of project %s within %s: check the server's log (%s)", safetext.Line(project), stallAfter, AmpStartCommand)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return amp(err)
}

// StartAmpDemoService implements tui.AmpDemoServiceStarter: only the demo can start its
// emulated services.
func (api *ampAPI) StartAmpDemoService(_ context.Context, name string) error {
	if api.b.cfg.StartService == nil {
		return errors.New("only the demo can start a service for you")
	}
	return api.b.cfg.StartService(name)
}

// BuildAmp implements tui.AmpBuilder: the project as it is now, committed (or, with
// Watch, the next commit made elsewhere) and followed to each service's pull request,
// confirmed with bbsetup's own Bitbucket client.
func (api *ampAPI) BuildAmp(ctx context.Context, req AmpBuildRequest, updates chan<- AmpBuildProgress) (AmpBuildProgress, error) {
	s, cfg := api.s, api.b.cfg
	out := AmpBuildProgress{Project: safetext.Line(req.Project)}
	amp := func(err error) error { return s.ClassifyAmp(err).Wizard() }
	ps, err := s.Client.Projects(ctx)
	if err != nil {
		return out, amp(err)
	}
	want := req.ProjectID
	if want == "" {
		want = req.Project
	}
	p, err := ResolveProject(ps, want)
	if err != nil {
		return out, fmt.Errorf("project %s is no longer in Amplication: go back and choose it again", out.Project)
	}
	bb, co, err := api.consumerClient()
	if err != nil {
		return out, err
	}
	send := func(sn build.Snapshot) {
		out = buildProgress(out, sn.Commit, sn.Services, sn.Phase == build.PhaseWatching, sn.ServerError)
		select {
		case updates <- out:
		case <-ctx.Done():
		}
	}
	stallAfter := orDefault(cfg.BuildStallAfter, build.DefaultStallAfter)
	res, err := build.Run(ctx, s.Client, bb, build.Options{
		Project: p, Watch: req.Watch, Timeout: orDefault(cfg.BuildTimeout, build.DefaultTimeout), StallAfter: stallAfter,
		Layout: build.LayoutFor(co, cfg.LookupEnv), Progress: send,
	})
	if err != nil {
		return out, BuildFailed(ctx, err, p.Name, stallAfter, amp)
	}
	out = buildProgress(out, res.Commit, res.Services, false, "")
	out.Ended, out.OK, out.TimedOut = true, res.OK(), res.TimedOut
	return out, nil
}

// orDefault is d, or def when d is not set.
func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// buildProgress is the follow's state in the screen's terms (setup/build sanitised it).
func buildProgress(out AmpBuildProgress, c *amplication.Commit, svcs []build.Service, waiting bool, srvErr string) AmpBuildProgress {
	out.Waiting, out.ServerError = waiting, srvErr
	if c != nil {
		out.Commit, out.Message = c.ID, c.Message
	}
	out.Services = make([]AmpBuildService, 0, len(svcs))
	for _, sv := range svcs {
		ts := AmpBuildService{Name: sv.Name, Repository: sv.Repository, Stage: sv.Stage.Words(), Final: sv.Stage.Final(),
			Done: sv.Stage == build.StageDone, Failure: sv.Failure, Log: sv.Log}
		switch sv.Stage {
		case build.StageNotConnected:
			ts.Stage = "not connected to a repository (NotConnected): nothing to push"
		case build.StageElsewhere:
			ts.Stage = "not followed (" + amplication.ProviderName(sv.Provider) + ", which bbsetup does not set up)"
		}
		if sv.PR != nil {
			ts.URL, ts.PRID = sv.PR.URL, sv.PR.ID
		}
		if st := sv.Stall; st != nil {
			ts.Stall = &AmpStall{What: st.What, Notes: st.Notes}
			for _, n := range st.Start {
				ts.Stall.Start = append(ts.Stall.Start, AmpStart{Name: n.Name, Command: n.Command})
			}
		}
		out.Services = append(out.Services, ts)
	}
	return out
}
