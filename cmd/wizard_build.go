package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/build"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/tui"
)

// The wizard's Build screen (tui/build.go) on top of setup/build: the same follow as
// bbsetup amplication build, with the signed-in session of the wizard.

var (
	_ tui.AmpBuilder            = (*ampWizardAPI)(nil)
	_ tui.AmpDemoServiceStarter = (*ampWizardAPI)(nil)
)

// StartAmpDemoService implements tui.AmpDemoServiceStarter: only the demo can start its
// emulated services.
func (api *ampWizardAPI) StartAmpDemoService(_ context.Context, name string) error {
	if api.b.o.startService == nil {
		return errors.New("only the demo can start a service for you")
	}
	return api.b.o.startService(name)
}

// wizardBuildTimeout bounds the wizard's follow, as --timeout's default does the CLI's.
var wizardBuildTimeout = build.DefaultTimeout

// BuildAmp implements tui.AmpBuilder.
func (api *ampWizardAPI) BuildAmp(ctx context.Context, req tui.AmpBuildRequest, updates chan<- tui.AmpBuildProgress) (tui.AmpBuildProgress, error) {
	s := api.s
	out := tui.AmpBuildProgress{Project: ampName(req.Project), Command: "bbsetup amplication build --project " + ampName(req.Project)}
	ps, err := s.c.Projects(ctx)
	if err != nil {
		return out, api.b.ampError(s, err)
	}
	var p *amplication.Project
	for i := range ps {
		if (req.ProjectID != "" && ps[i].ID == req.ProjectID) || (req.ProjectID == "" && ps[i].Name == req.Project) {
			p = &ps[i]
		}
	}
	if p == nil {
		return out, fmt.Errorf("project %s is no longer in Amplication.", ampName(req.Project))
	}
	co, err := checkout.Open(s.co.Root)
	if err != nil {
		return out, err
	}
	cr, ok := co.Current()
	if !ok {
		return out, fmt.Errorf("bbsetup checks the pull requests in Bitbucket with the key and secret in %s, and they are not set.", co.ServerEnvLocal)
	}
	b := api.b
	b.a.secret(cr.ClientSecret)
	hc := oauth.ClientCredentialsClient(b.base, oauth.EndpointsFor(b.a.g.BitbucketURL), cr.ClientID, cr.ClientSecret, b.hc)
	bb := bitbucket.New(b.a.g.APIURL, hc, bitbucket.Options{})

	send := func(sn build.Snapshot) {
		out = wizardBuildProgress(out, sn.Commit, sn.Services, sn.Phase == build.PhaseWatching, sn.ServerError)
		select {
		case updates <- out:
		case <-ctx.Done():
		}
	}
	stallAfter := build.DefaultStallAfter
	if d, err := time.ParseDuration(b.a.env.Getenv("BBSETUP_BUILD_STALL_AFTER")); err == nil && d > 0 {
		stallAfter = d // tests and slow machines (docs/build.md)
	}
	res, err := build.Run(ctx, s.c, bb, build.Options{
		Project: *p, Watch: req.Watch, Timeout: wizardBuildTimeout, StallAfter: stallAfter,
		Layout: build.LayoutFor(co, b.a.env.LookupEnv), Progress: send,
	})
	switch {
	case errors.Is(err, build.ErrNoServices):
		return out, fmt.Errorf("project %s has no services, so a commit would build nothing. Add a service in Amplication first.", ampName(p.Name))
	case errors.Is(err, build.ErrNoBuilds):
		return out, fmt.Errorf("Amplication made no build for the commit within %s. Look at the server's log (npx nx serve amplication-server).", build.DefaultStallAfter)
	case err != nil && ctx.Err() != nil:
		return out, ctx.Err()
	case err != nil:
		return out, api.b.ampError(s, err)
	}
	out = wizardBuildProgress(out, res.Commit, res.Services, false, "")
	out.Ended, out.OK, out.TimedOut = true, res.OK(), res.TimedOut
	return out, nil
}

// wizardBuildProgress is the follow's state in the screen's terms (already sanitised by
// setup/build).
func wizardBuildProgress(out tui.AmpBuildProgress, c *amplication.Commit, svcs []build.Service, waiting bool, srvErr string) tui.AmpBuildProgress {
	out.Waiting, out.ServerError = waiting, srvErr
	if c != nil {
		out.Commit, out.Message = c.ID, c.Message
	}
	out.Services = make([]tui.AmpBuildService, 0, len(svcs))
	for _, sv := range svcs {
		ts := tui.AmpBuildService{Name: sv.Name, Repository: sv.Repository, Stage: sv.Stage.Words(), Final: sv.Stage.Final(),
			Done: sv.Stage == build.StageDone, Failure: sv.Failure, Log: sv.Log}
		if sv.Stage == build.StageNotConnected {
			ts.Stage = "not connected to a repository (NotConnected): nothing to push"
		}
		if sv.PR != nil {
			ts.URL, ts.PRID = sv.PR.URL, sv.PR.ID
		}
		if st := sv.Stall; st != nil {
			ts.Stall = &tui.AmpStall{What: st.What, Notes: st.Notes}
			for _, n := range st.Start {
				ts.Stall.Start = append(ts.Stall.Start, tui.AmpStart{Name: n.Name, Command: n.Command})
			}
		}
		out.Services = append(out.Services, ts)
	}
	return out
}
