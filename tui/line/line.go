// Package line is the wizard as plain line-by-line prompts: the accessible mode of
// bbsetup (--accessible, BBSETUP_ACCESSIBLE=1, and TERM=dumb). It goes through the same
// steps as the Bubble Tea wizard in package tui, with the same checks and words, over the
// same role interfaces (tui.Backend and the values it returns), so the cmd adapter that
// serves the wizard serves it too; only the surface differs.
//
// The surface: whole lines only. No alternate screen, no cursor movement, no colours,
// no spinner (a line says when work starts, another how it ended), numbered choices with
// the default in brackets, and secrets read with the terminal's echo off (turned off
// before the prompt is written). Ctrl+D at a prompt leaves, as q does in the wizard;
// ctrl+c stops bbsetup as everywhere.
package line

import (
	"context"
	"errors"
	"io"

	"github.com/bbsetup/bbsetup/tui"
)

// step is one step of the flow, in the wizard's order (tui/steps.go).
type step int

const (
	stepWelcome step = iota
	stepConsumer
	stepPermissions
	stepCredentials
	stepVerify
	stepEnv
	stepAmpServer
	stepAmpSignIn
	stepAuthorize
	stepWorkspaces
	stepChoice
	stepCreate
	stepConnect
	stepAmpTarget
	stepAmpConnect
	stepSummary
	stepDone
)

// runner is one run: the backend, the surface and the session (what was chosen and done
// so far; the same facts as the wizard's session).
type runner struct {
	ctx  context.Context
	b    tui.Backend
	opts tui.Options
	t    *term

	co         tui.Checkout
	kept       bool
	hint       string // the workspace slug typed on the consumer step
	creds      tui.Credentials
	verdict    *tui.Verdict
	unverified bool
	fix        *tui.Verdict // what the Verify step sent the operator back to fix
	written    []tui.FileResult
	identity   *tui.Identity
	api        tui.Bitbucket
	workspace  tui.Workspace
	repo       *tui.Repo
	created    bool
	filter     string // typed into the Connect step's filter (Create's "connect to it")

	amp        *tui.AmpSignedIn
	ampSkipped bool
	org        *tui.AmpOrg
	orgReused  bool
	target     *tui.AmpTarget
	connected  *tui.AmpConnected
	finished   bool
	outside    tui.OutsideFacts // done outside this machine, as in the wizard
}

// Run runs the flow on in and out until the operator finishes or leaves, and returns the
// Summary, as tui.Run does: tui.ErrQuit (with the partial Summary) when the input ended
// before the end, ctx's error when ctx was cancelled.
func Run(ctx context.Context, b tui.Backend, opts tui.Options, in io.Reader, out io.Writer) (tui.Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &runner{ctx: ctx, b: b, opts: opts, t: newTerm(ctx, in, out)}
	err := r.run()
	sum := r.summary()
	switch {
	case err == nil:
		return sum, nil
	case errors.Is(err, errEnd):
		return sum, tui.ErrQuit
	case ctx.Err() != nil:
		return sum, ctx.Err()
	}
	return sum, err
}

// run goes from step to step; each step returns the next one.
func (r *runner) run() error {
	r.t.say("bbsetup: Connect Amplication to Bitbucket Cloud (line mode)")
	if r.opts.Demo {
		r.t.say("demo: the emulated Bitbucket and Amplication servers; the answers come filled in (press enter to take the value in brackets).")
	}
	r.t.say("Answer each question and press enter; a value in brackets is taken when you just press enter. Ctrl+D leaves.")
	steps := map[step]func() (step, error){
		stepWelcome:     r.welcome,
		stepConsumer:    r.consumer,
		stepPermissions: r.permissions,
		stepCredentials: r.credentials,
		stepVerify:      r.verify,
		stepEnv:         r.env,
		stepAmpServer:   r.ampServer,
		stepAmpSignIn:   r.ampSignIn,
		stepAuthorize:   r.authorize,
		stepWorkspaces:  r.workspaces,
		stepChoice:      r.choice,
		stepCreate:      r.create,
		stepConnect:     r.connect,
		stepAmpTarget:   r.ampTarget,
		stepAmpConnect:  r.ampConnect,
		stepSummary:     r.summaryStep,
	}
	cur := stepWelcome
	for cur != stepDone {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		next, err := steps[cur]()
		if err != nil {
			return err
		}
		cur = next
	}
	return nil
}

// ampPath reports that the flow finishes inside Amplication (signed in, not skipped).
func (r *runner) ampPath() bool { return r.amp != nil && !r.ampSkipped }

// summary is the session as the Summary Run returns (the same as the wizard's).
func (r *runner) summary() tui.Summary {
	s := tui.Summary{
		Completed:       r.finished,
		Checkout:        r.co.Root,
		Layout:          r.co.Layout,
		CallbackURL:     r.co.CallbackURL,
		KeptCredentials: r.kept,
		Verified:        r.verdict != nil && r.verdict.Kind == tui.VerdictOK && !r.unverified,
		Files:           append([]tui.FileResult{}, r.written...),
		ConnectedAs:     r.identity,
		Workspace:       r.workspace.Slug,
		Repository:      r.repo,
		CreatedRepo:     r.created,
		Services:        r.co.Services,
	}
	s.DoneOutside = append(s.DoneOutside, r.outside.Texts()...)
	if r.kept {
		s.ClientID = r.co.ClientID
	} else {
		s.ClientID = r.creds.ID
	}
	switch {
	case r.ampSkipped:
		s.Amplication = &tui.AmpSummary{Skipped: true}
	case r.amp != nil:
		s.Amplication = &tui.AmpSummary{ServerURL: r.amp.URL, Account: r.amp.Account, Workspace: r.amp.Workspace.Name,
			GitOrganization: r.org, Reused: r.orgReused, Connected: r.connected}
	}
	if r.co.Root != "" {
		s.NextSteps = tui.NextSteps(r.co, s.Amplication)
	}
	return s
}
