package tui

// Program start-up: the wizard's options, its result, and running it on a terminal.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	_ "github.com/bbsetup/bbsetup/tui/terminit" // before bubbletea's init: see its doc
)

// Options configure the wizard.
type Options struct {
	NoBrowser bool // show URLs, never open a browser (except in Demo, see below)
	Remote    bool // the session is remote (SSH_CONNECTION set): show the ssh -L hint
	RepoDir   string
	// Demo marks the screens as a demo. OpenBrowser is then called even with NoBrowser, so
	// the demo backend can make the browser's visit itself on a headless machine.
	Demo bool
	// DemoVisits: the demo backend makes the browser's visit itself (OpenBrowser opens no
	// browser), so the screens say so instead of "opened in your browser".
	DemoVisits   bool
	NoColor      bool   // plain output; NO_COLOR in the environment has the same effect
	BitbucketURL string // e.g. https://bitbucket.org (for links shown on screen)
	// Prefill is typed into the key and secret inputs (the demo's consumer); the secret is
	// still shown as bullets only.
	Prefill Credentials
	// Workspace is typed into the workspace slug input (the demo's "acme"); the operator
	// still confirms it.
	Workspace string
	// AmpEmail and AmpPassword are typed into the Amplication sign-in (the demo's user);
	// the password is still shown as bullets only.
	AmpEmail, AmpPassword string
}

// ErrQuit is returned by Run when the operator quit before the last screen.
var ErrQuit = errors.New("the wizard was quit before it finished")

// New returns the wizard for b, drawing on standard output's colour profile.
func New(b Backend, opts Options) Model {
	return newModel(b, opts, os.Stdout, nil)
}

// newModel builds the wizard; out receives OSC 52 sequences; r (nil: one for out) renders
// the styles.
func newModel(b Backend, opts Options, out io.Writer, r *lipgloss.Renderer) Model {
	noColor := opts.NoColor || noColorRequested(os.LookupEnv)
	if r == nil {
		r = newRenderer(out, noColor)
	}
	c := &common{
		browser:  b,
		opts:     opts,
		st:       newStyles(r, noColor),
		km:       defaultKeyMap(),
		width:    78,
		height:   20,
		clip:     out,
		debounce: 300 * time.Millisecond,
		ampPoll:  ampPollInterval,
		tick:     tea.Tick,
	}
	c.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.st.code))
	h := help.New()
	h.Styles = c.st.help
	w := &wizard{c: c, base: context.Background(), help: h, winW: 80, winH: 24}
	for i, def := range steps {
		w.screens[i] = def.new(c, b)
	}
	w.resize(80, 24)
	return Model{w: w}
}

// Run runs the wizard on in/out until the operator finishes or quits, and returns the
// Summary. It returns ErrQuit (with the partial Summary) when the operator quit early, and
// ctx's error when ctx was cancelled.
func Run(ctx context.Context, b Backend, opts Options, in io.Reader, out io.Writer) (Summary, error) {
	noColor := opts.NoColor || noColorRequested(os.LookupEnv)
	r := newRenderer(out, noColor)
	if !noColor {
		// Ask the terminal for its background now, while it is still ours: inside the
		// program Bubble Tea reads the input and would swallow the answer, and the first
		// frame would wait five seconds for it (see package terminit).
		dark := r.HasDarkBackground()
		lipgloss.SetHasDarkBackground(dark) // bubbles' own default styles use the default renderer
	}
	m := newModel(b, opts, out, r)
	m.w.base = ctx
	p := tea.NewProgram(m, programOptions(ctx, in, out)...)
	final, err := p.Run()
	fm, ok := final.(Model)
	if !ok {
		fm = m
	}
	fm.w.stop()
	sum := fm.Summary()
	if err != nil {
		// Whatever stopped the program, leave the terminal as it was: the cursor shown
		// (Bubble Tea hides it and may not get to show it again on an error).
		_, _ = io.WriteString(out, ansi.ShowCursor)
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		return sum, fmt.Errorf("the wizard stopped: %w", err)
	}
	if !sum.Completed {
		return sum, ErrQuit
	}
	return sum, nil
}

// programOptions are the Bubble Tea program's options: the one place the terminal is set
// up.
func programOptions(ctx context.Context, in io.Reader, out io.Writer) []tea.ProgramOption {
	// No signal handler of Bubble Tea's own: bbsetup's (cmd.Main) is the only owner of
	// SIGINT/SIGTERM/SIGHUP/SIGQUIT and stops the program through ctx. With two owners,
	// Bubble Tea's handler could block sending to a loop ctx had already ended: a hang.
	return []tea.ProgramOption{tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx), tea.WithoutSignalHandler()}
}

// Summary reports what the wizard did so far.
func (m Model) Summary() Summary { return m.w.s.Summary() }
