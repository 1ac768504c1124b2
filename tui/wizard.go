// Package tui is bbsetup's interactive wizard: the Bubble Tea screens that take an operator
// from "create the Bitbucket consumer" to "repository connected". It talks to the outside
// world only through the role interfaces in backend.go, so every screen is testable with a
// fake; cmd/ adapts the setup/ packages to them.
//
// The package's parts:
//   - program.go: Options, New and Run (the one place the Bubble Tea program is set up);
//   - steps.go: the step table (title, constructor, back rule of every screen) and the
//     screen interface;
//   - wizard.go (this file): the root model: entering steps, the root's update;
//   - transitions.go: the transition table (a screen's done message → session → next step);
//   - session.go: what was chosen and what happened (Facts, which the line mode keeps too,
//     and the wizard's session around them), what a screen is given when it is entered
//     (entry), and the Summary built from the Facts;
//   - frame.go: the frame's own messages (size, global keys, spinner), the header, the
//     scrolled body, the help line and the quit message;
//   - request.go: the request helper (one in flight, stale answers dropped, cancelled
//     on leaving the step); form.go: form fields shaped like huh's and their focus;
//     authtrip.go: the browser trip both authorize screens share;
//   - one file per screen, each holding only the backend role it uses.
//
// How to add a screen: docs/tui.md.
//
// Screens never reach into each other or into the root: each gets what it needs in its
// entry and reports what happened with a typed message (credentialsMsg, backMsg, fixMsg…);
// only the root changes the session and the step.
package tui

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// Messages from the screens to the root. Screens send them with report; only the root
// changes steps and the session.
type (
	backMsg     struct{}
	checkoutMsg struct {
		co   Checkout
		keep bool
	}
	consumerDoneMsg    struct{ workspace string }
	permissionsDoneMsg struct{ skipped bool }
	credentialsMsg     struct{ c Credentials }
	verifiedMsg        struct {
		v          Verdict
		unverified bool
	}
	fixMsg        struct{ v Verdict }
	envDoneMsg    struct{}
	authorizedMsg struct {
		a      Authorized
		reused bool // Amplication's existing git organization was kept
	}
	workspaceMsg struct{ ws Workspace }
	choiceMsg    struct{ create bool }
	repoMsg      struct {
		repo    Repo
		created bool
	}
	connectInsteadMsg struct{ slug string }
	// ampServerDoneMsg: the server answers (and, signed in, uses the written key), or the
	// operator skips Amplication.
	ampServerDoneMsg struct {
		skip bool
		key  *AmpKey // signed in: the key check that passed
	}
	ampSignedMsg    struct{ a AmpSignedIn }
	ampTargetMsg    struct{ t AmpTarget }
	ampConnectedMsg struct{ r AmpConnected }
	// outsideMsg records something done outside this machine (see Facts.Outside).
	outsideMsg struct{ fact outsideFact }
	finishMsg  struct{}
	// envAppliedMsg is the result of the plan's Apply; the root records it in the session
	// before the env screen sees it, so a quit right after still reports what was written.
	envAppliedMsg struct {
		seq       uint64
		results   []FileResult
		err       error
		prService []string // the PR service checked after the write
	}
)

// Messages from the root to a screen.
type (
	// quitPendingMsg tells a quitHolder that the operator quit: the wizard quits when its
	// work is done.
	quitPendingMsg struct{}
	// prefetchMsg starts the Connect screen's listing of ws as soon as the workspace is
	// chosen, under base (the wizard's context), before the screen is entered.
	prefetchMsg struct {
		ws   string
		api  RepoLister
		base context.Context
		// again: list again from the start (a new authorization, a repository created).
		again bool
	}
	// stopListingMsg stops the Connect screen's listing (the Create path does not need it).
	stopListingMsg struct {
		// drop: what was listed is stale too (a repository was created): the next entry
		// lists again.
		drop bool
	}
)

// common is what every screen shares: options, styles, keys, sizes, the browser.
type common struct {
	browser Browser
	opts    Options
	st      styles
	km      keyMap
	width   int // body width
	height  int // body height
	spin    spinner.Model
	seq     uint64
	clip    io.Writer // where OSC 52 sequences go (the terminal)
	noTicks bool      // tests: no spinner ticks

	// debounce is how long typing must pause before the connect screen searches the server.
	debounce time.Duration
	// ampPoll is how often the Amplication server screen re-checks on its own.
	ampPoll time.Duration
	// tick is tea.Tick (tests fire the ticks themselves).
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	// reports are the messages the screens reported during this update (see report).
	reports []tea.Msg
}

// report hands msg to the root, which handles it as soon as the screen's update returns,
// before the next key press: keys typed right after the one that left a screen reach the
// next screen. It returns nil, so a screen can end with "return s.c.report(msg)".
func (c *common) report(msg tea.Msg) tea.Cmd {
	c.reports = append(c.reports, msg)
	return nil
}

// nextSeq returns a fresh operation id; results carrying an older id are stale and dropped.
func (c *common) nextSeq() uint64 { c.seq++; return c.seq }

// Model is the wizard, a tea.Model. Create it with New and run it with Run (or your own
// tea.Program).
type Model struct{ w *wizard }

// wizard is the root state; Model wraps a pointer so the tea.Model value stays cheap.
type wizard struct {
	c      *common
	base   context.Context
	cur    step
	cancel context.CancelFunc
	help   help.Model
	scroll int
	// followed is the focused body line (and the size) the scroll last followed.
	followed [3]int
	// frame is the body and help as last laid out (see layout).
	frame   rendered
	winW    int
	winH    int
	screens [numSteps]screen

	spinning bool
	quitting bool
	// quitHeld holds a quit asked for while a quitHolder works (the env files being
	// written): it happens when the result is in, so the quit message can say what was
	// written.
	quitHeld bool

	s session
}

// Init implements tea.Model: it enters the first step.
func (m Model) Init() tea.Cmd {
	cmd := m.w.reported(m.w.goTo(stepWelcome))
	m.w.layout()
	return cmd
}

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.w.update(asText(msg))
	m.w.layout()
	return m, cmd
}

// View implements tea.Model.
func (m Model) View() string { return m.w.view() }

func (w *wizard) active() screen { return w.screens[w.cur] }

// goTo makes s the active step (see enter).
func (w *wizard) goTo(s step) tea.Cmd { return w.enter(s, entry{}) }

// enter makes s the active step: it cancels the old step's context and enters s with a new
// one, the session so far and e's reasons.
func (w *wizard) enter(s step, e entry) tea.Cmd {
	if w.cancel != nil {
		w.cancel()
	}
	ctx, cancel := context.WithCancel(w.base)
	w.cancel = cancel
	w.cur = s
	w.scroll = 0
	if w.help.ShowAll {
		w.help.ShowAll = false
		w.resize(w.winW, w.winH) // the body gets the full help's lines back
	}
	e.ctx, e.s = ctx, w.s
	_, e.canBack = w.back()
	return w.withSpinner(w.active().enter(e))
}

// back returns the step Esc leads to from the current one, if going back is safe there.
func (w *wizard) back() (step, bool) {
	if w.s.resuming && w.s.resume != w.cur && (w.cur == stepAmpSignIn || w.cur == stepAuthorize || w.cur == stepAmpAuthorize) {
		return w.s.resume, true // redoing a step in place: esc gives it up
	}
	if rule := steps[w.cur].back; rule != nil {
		return rule(&w.s)
	}
	return 0, false
}

// deliver hands msg to step s's screen, active or not.
func (w *wizard) deliver(s step, msg tea.Msg) tea.Cmd { return w.screens[s].update(msg) }

// stop cancels whatever is in flight.
func (w *wizard) stop() {
	if w.cancel != nil {
		w.cancel()
	}
	w.deliver(stepConnect, stopListingMsg{}) // it runs under w.base, not the step's context
}

// update handles msg, then what the screens reported while handling it.
func (w *wizard) update(msg tea.Msg) tea.Cmd { return w.reported(w.handle(msg)) }

// reported handles the reports pending, in order, and returns their commands batched with
// cmd.
func (w *wizard) reported(cmd tea.Cmd) tea.Cmd {
	for len(w.c.reports) > 0 {
		r := w.c.reports[0]
		w.c.reports = w.c.reports[1:]
		cmd = tea.Batch(cmd, w.handle(r))
	}
	return cmd
}

// handle is the root's update: the frame's own messages first (frame.go), then the
// transition table (transitions.go), then the screen the message is for.
func (w *wizard) handle(msg tea.Msg) tea.Cmd {
	if cmd, ok := w.frameUpdate(msg); ok {
		return cmd
	}
	if cmd, ok := w.transit(msg); ok {
		return cmd
	}
	if t, ok := msg.(targeted); ok {
		// For one screen whatever is active (a listing running before Connect shows).
		return w.withSpinner(w.deliver(t.target(), msg))
	}
	return w.withSpinner(w.active().update(msg))
}

// withSpinner starts the spinner when the active screen became busy.
func (w *wizard) withSpinner(cmd tea.Cmd) tea.Cmd {
	if w.c.noTicks || w.spinning || !w.active().busy() {
		return cmd
	}
	w.spinning = true
	return tea.Batch(cmd, w.c.spin.Tick)
}

func (w *wizard) quit() tea.Cmd {
	if h, ok := w.active().(quitHolder); ok && h.holdsQuit() {
		w.quitHeld = true
		return w.active().update(quitPendingMsg{})
	}
	w.quitting = true
	w.stop()
	return tea.Quit
}

// asText marks a burst of several runes that arrived without bracketed paste (typed fast,
// or pasted by a terminal that does not bracket) as a paste: it is text. Otherwise a word
// that is also a key's name ("end", "down", "enter") would match that key (a KeyMsg's
// String is its runes) and be dropped from the field, or move the focus.
func asText(msg tea.Msg) tea.Msg {
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyRunes && len(k.Runes) > 1 && !k.Paste {
		k.Paste = true
		return k
	}
	return msg
}
