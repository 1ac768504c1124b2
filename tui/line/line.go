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

// runner is one run: the backend, the surface and the facts (what was chosen and done so
// far: tui.Facts, as the wizard's session keeps them, so the Summary is built as there).
type runner struct {
	ctx  context.Context
	b    tui.Backend
	opts tui.Options
	t    *term

	tui.Facts
	fix    *tui.Verdict // what the Verify step sent the operator back to fix
	filter string       // typed into the Connect step's filter (Create's "connect to it")
}

// Run runs the flow on in and out until the operator finishes or leaves, and returns the
// Summary, as tui.Run does: tui.ErrQuit (with the partial Summary) when the input ended
// before the end, ctx's error when ctx was cancelled.
func Run(ctx context.Context, b tui.Backend, opts tui.Options, in io.Reader, out io.Writer) (tui.Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &runner{ctx: ctx, b: b, opts: opts, t: newTerm(ctx, in, out)}
	err := r.run()
	sum := r.Summary()
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
