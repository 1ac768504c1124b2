// Package tui is bbsetup's interactive wizard: the Bubble Tea screens that take an operator
// from "create the Bitbucket consumer" to "repository connected". It talks to the outside
// world only through the Backend interface (backend.go), so every screen is testable with a
// fake; cmd/ adapts the setup/ packages to it.
//
// The root model (this file) owns the step order and every transition; each screen lives in
// its own file and reports what happened with a typed message (nextMsg-like values such as
// credentialsMsg, backMsg, fixMsg) instead of reaching into other screens.
package tui

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// Messages between the screens and the root. Screens emit them with emit; only the root
// changes steps.
type (
	backMsg            struct{}
	checkoutMsg        struct{ keep bool }
	consumerDoneMsg    struct{ workspace string }
	permissionsDoneMsg struct{ skipped bool }
	credentialsMsg     struct{ c Credentials }
	verifiedMsg        struct {
		v          Verdict
		unverified bool
	}
	fixMsg        struct{ v Verdict }
	envDoneMsg    struct{}
	authorizedMsg struct{ id Identity }
	workspaceMsg  struct{ ws Workspace }
	choiceMsg     struct{ create bool }
	repoMsg       struct {
		repo    Repo
		created bool
	}
	connectInsteadMsg struct{ slug string }
	finishMsg         struct{}
	// envAppliedMsg is the result of ApplyEnv; the root records it before the env screen
	// sees it, so a quit right after still reports what was written.
	envAppliedMsg struct {
		seq     uint64
		results []FileResult
		err     error
	}
)

func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// common is what every screen shares: the backend, options, styles, keys, sizes.
type common struct {
	b       Backend
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
	winW   int
	winH   int

	spinning bool
	quitting bool
	finished bool
	// quitAfterWrite holds a quit asked for while the env files are being written: it
	// happens when the write's result is in, so the quit message can say what was written.
	quitAfterWrite bool

	// What the operator chose and what happened, for the later steps and the Summary.
	checkout   Checkout
	kept       bool
	creds      Credentials
	verdict    *Verdict
	unverified bool
	written    []FileResult
	writeErr   error
	identity   *Identity
	workspace  Workspace
	repo       *Repo
	created    bool

	welcome     *welcomeScreen
	consumer    *consumerScreen
	permissions *permissionsScreen
	credentials *credentialsScreen
	verify      *verifyScreen
	env         *envScreen
	authorize   *authorizeScreen
	workspaces  *workspacesScreen
	choice      *choiceScreen
	create      *createScreen
	connect     *connectScreen
	summary     *summaryScreen
}

// Init implements tea.Model: it enters the first step.
func (m Model) Init() tea.Cmd {
	cmd := m.w.goTo(stepWelcome)
	m.w.layout()
	return cmd
}

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.w.update(msg)
	m.w.layout()
	return m, cmd
}

// View implements tea.Model.
func (m Model) View() string { return m.w.view() }

func (w *wizard) screen(s step) screen {
	switch s {
	case stepWelcome:
		return w.welcome
	case stepConsumer:
		return w.consumer
	case stepPermissions:
		return w.permissions
	case stepCredentials:
		return w.credentials
	case stepVerify:
		return w.verify
	case stepEnv:
		return w.env
	case stepAuthorize:
		return w.authorize
	case stepWorkspaces:
		return w.workspaces
	case stepChoice:
		return w.choice
	case stepCreate:
		return w.create
	case stepConnect:
		return w.connect
	default:
		return w.summary
	}
}

func (w *wizard) active() screen { return w.screen(w.cur) }

// goTo makes s the active step: it cancels the old step's context and enters s with a new
// one.
func (w *wizard) goTo(s step) tea.Cmd {
	if w.cancel != nil {
		w.cancel()
	}
	ctx, cancel := context.WithCancel(w.base)
	w.cancel = cancel
	w.cur = s
	w.scroll = 0
	w.help.ShowAll = false
	return w.withSpinner(w.active().enter(ctx))
}

// stop cancels whatever is in flight.
func (w *wizard) stop() {
	if w.cancel != nil {
		w.cancel()
	}
	w.connect.stopListing() // it runs under w.base, not the step's context
}

func (w *wizard) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		w.resize(msg.Width, msg.Height)
		return nil
	case tea.KeyMsg:
		if w.quitting || w.quitAfterWrite {
			return nil
		}
		typing := w.active().typing()
		switch {
		case key.Matches(msg, w.c.km.ForceQuit), !typing && key.Matches(msg, w.c.km.Quit):
			return w.quit()
		case !typing && key.Matches(msg, w.c.km.Help):
			w.help.ShowAll = !w.help.ShowAll
			w.resize(w.winW, w.winH)
			return nil
		case key.Matches(msg, w.c.km.PageDown, w.c.km.PageUp) && w.overflow() > 0:
			if key.Matches(msg, w.c.km.PageDown) {
				w.scroll = min(w.scroll+max(w.c.height-2, 1), w.overflow())
			} else {
				w.scroll = max(w.scroll-max(w.c.height-2, 1), 0)
			}
			return nil
		}
	case spinner.TickMsg:
		if !w.active().busy() || w.c.noTicks {
			w.spinning = false
			return nil
		}
		var cmd tea.Cmd
		w.c.spin, cmd = w.c.spin.Update(msg)
		return cmd
	case envAppliedMsg:
		if msg.seq == w.env.seq {
			w.written = append([]FileResult{}, msg.results...)
			w.writeErr = msg.err
			if w.quitAfterWrite {
				w.env.update(msg)
				return w.quit()
			}
		}
	case backMsg:
		if s, ok := w.back(); ok {
			return w.goTo(s)
		}
		return nil
	case checkoutMsg:
		w.checkout = w.welcome.co
		w.kept = msg.keep
		w.authorize.callback = w.checkout.CallbackURL
		w.env.root = w.checkout.Root
		if msg.keep {
			w.creds = Credentials{}
			w.authorize.creds = Credentials{}
			w.authorize.kept = true
			w.authorize.canBack = true
			return w.goTo(stepAuthorize)
		}
		w.authorize.kept = false
		w.consumer.callback = w.checkout.CallbackURL
		return w.goTo(stepConsumer)
	case consumerDoneMsg:
		w.workspaces.hint = msg.workspace
		w.consumer.note = ""
		return w.goTo(stepPermissions)
	case permissionsDoneMsg:
		return w.goTo(stepCredentials)
	case credentialsMsg:
		w.creds = msg.c
		w.verify.creds = msg.c
		w.verify.callback = w.checkout.CallbackURL
		return w.goTo(stepVerify)
	case verifiedMsg:
		v := msg.v
		w.verdict = &v
		w.unverified = msg.unverified
		w.env.creds = w.creds
		w.env.services = w.checkout.Services
		return w.goTo(stepEnv)
	case fixMsg:
		return w.fix(msg.v)
	case envDoneMsg:
		w.authorize.creds = w.creds
		w.authorize.callback = w.checkout.CallbackURL
		w.authorize.canBack = w.written == nil // nothing written: back to the diff is safe
		return w.goTo(stepAuthorize)
	case authorizedMsg:
		id := msg.id
		w.identity = &id
		return w.goTo(stepWorkspaces)
	case workspaceMsg:
		w.workspace = msg.ws
		w.choice.ws = msg.ws
		w.create.ws = msg.ws.Slug
		w.connect.setWorkspace(msg.ws.Slug, w.base)
		return tea.Batch(w.goTo(stepChoice), w.connect.prefetch())
	case choiceMsg:
		if msg.create {
			w.connect.stopListing()
			return w.goTo(stepCreate)
		}
		w.connect.initialFilter = ""
		return w.goTo(stepConnect)
	case connectInsteadMsg:
		w.connect.initialFilter = msg.slug
		return w.goTo(stepConnect)
	case repoMsg:
		r := msg.repo
		w.repo = &r
		w.created = msg.created
		w.finished = true // the summary is the end: quitting from it is finishing
		w.summary.sum = Model{w: w}.Summary()
		return w.goTo(stepSummary)
	case finishMsg:
		w.finished = true
		w.quitting = true
		w.stop()
		return tea.Quit
	case repoBatchMsg:
		// The listing may be running before (or after) the Connect screen shows.
		return w.withSpinner(w.connect.update(msg))
	case projectsMsg:
		// A load cancelled by leaving Create still ends the load, whatever is active.
		return w.withSpinner(w.create.update(msg))
	}
	return w.withSpinner(w.active().update(msg))
}

// fix sends the operator to the screen that fixes what the verdict found.
func (w *wizard) fix(v Verdict) tea.Cmd {
	switch v.Kind {
	case VerdictBadCredentials:
		w.credentials.note = v.Message
		return w.goTo(stepCredentials)
	case VerdictNotPrivate, VerdictNoCallback:
		w.consumer.note = v.Message
		w.consumer.noteKind = v.Kind
		w.consumer.callback = w.checkout.CallbackURL
		return w.goTo(stepConsumer)
	case VerdictMissingScopes:
		w.permissions.markMissing(v.Missing)
		return w.goTo(stepPermissions)
	}
	return nil
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
	if w.cur == stepEnv && w.env.applying {
		w.quitAfterWrite = true
		w.env.quitPending = true
		return nil
	}
	w.quitting = true
	w.stop()
	return tea.Quit
}
