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
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
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
	Demo         bool
	NoColor      bool   // plain output; NO_COLOR in the environment has the same effect
	BitbucketURL string // e.g. https://bitbucket.org (for links shown on screen)
	// Prefill is typed into the key and secret inputs (the demo's consumer); the secret is
	// still shown as bullets only.
	Prefill Credentials
	// Workspace is typed into the workspace slug input (the demo's "acme"); the operator
	// still confirms it.
	Workspace string
}

// Summary is what the wizard did, returned by Run; it marshals to the --json output.
type Summary struct {
	Completed       bool         `json:"completed"` // the operator reached the last screen
	Checkout        string       `json:"checkout,omitempty"`
	Layout          string       `json:"layout,omitempty"`
	CallbackURL     string       `json:"callback_url,omitempty"`
	KeptCredentials bool         `json:"kept_credentials"` // the configured key and secret were kept
	ClientID        string       `json:"client_id_masked,omitempty"`
	Verified        bool         `json:"verified"` // the live credential check passed
	Files           []FileResult `json:"files"`    // the files written (empty: nothing written)
	ConnectedAs     *Identity    `json:"connected_as,omitempty"`
	Workspace       string       `json:"workspace,omitempty"`
	Repository      *Repo        `json:"repository,omitempty"`
	CreatedRepo     bool         `json:"created_repository"`
	Services        []string     `json:"services,omitempty"`
	NextSteps       []string     `json:"next_steps,omitempty"`
}

// ErrQuit is returned by Run when the operator quit before the last screen.
var ErrQuit = errors.New("the wizard was quit before it finished")

// step is one screen of the wizard, in order.
type step int

const (
	stepWelcome step = iota
	stepConsumer
	stepPermissions
	stepCredentials
	stepVerify
	stepEnv
	stepAuthorize
	stepWorkspaces
	stepChoice
	stepCreate
	stepConnect
	stepSummary
	numSteps
)

var stepTitles = [numSteps]string{
	"Amplication checkout",
	"Create the consumer",
	"Permissions",
	"Key and secret",
	"Verify",
	"Env files",
	"Authorize",
	"Workspace",
	"Create or connect",
	"Create repository",
	"Connect repository",
	"Summary",
}

// String is the step's title, shown in the header.
func (s step) String() string { return stepTitles[s] }

// screen is what the root needs from every step.
type screen interface {
	// enter is called each time the step becomes active, with a context cancelled when it
	// stops being active.
	enter(ctx context.Context) tea.Cmd
	update(msg tea.Msg) tea.Cmd
	view() string
	keys() bindings
	// typing reports that a text field has focus: q and ? then go to it.
	typing() bool
	// busy reports that something is in flight (the spinner ticks only then).
	busy() bool
}

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
		b:        b,
		opts:     opts,
		st:       newStyles(r, noColor),
		km:       defaultKeyMap(),
		width:    78,
		height:   20,
		clip:     out,
		debounce: 300 * time.Millisecond,
	}
	c.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.st.code))
	h := help.New()
	h.Styles = c.st.help
	w := &wizard{c: c, base: context.Background(), help: h, winW: 80, winH: 24}
	w.welcome = newWelcome(c)
	w.consumer = newConsumer(c)
	w.permissions = newPermissions(c)
	w.credentials = newCredentials(c)
	w.verify = newVerify(c)
	w.env = newEnv(c)
	w.authorize = newAuthorize(c)
	w.workspaces = newWorkspaces(c)
	w.choice = newChoice(c)
	w.create = newCreate(c)
	w.connect = newConnect(c)
	w.summary = newSummary(c)
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
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx))
	final, err := p.Run()
	fm, ok := final.(Model)
	if !ok {
		fm = m
	}
	fm.w.stop()
	sum := fm.Summary()
	if err != nil {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		return sum, fmt.Errorf("the wizard stopped: %w", err)
	}
	if !fm.w.finished {
		return sum, ErrQuit
	}
	return sum, nil
}

// Summary reports what the wizard did so far.
func (m Model) Summary() Summary {
	w := m.w
	s := Summary{
		Completed:       w.finished,
		Checkout:        w.checkout.Root,
		Layout:          w.checkout.Layout,
		CallbackURL:     w.checkout.CallbackURL,
		KeptCredentials: w.kept,
		Verified:        w.verdict != nil && w.verdict.Kind == VerdictOK && !w.unverified,
		Files:           append([]FileResult{}, w.written...),
		ConnectedAs:     w.identity,
		Workspace:       w.workspace.Slug,
		Repository:      w.repo,
		CreatedRepo:     w.created,
		Services:        w.checkout.Services,
	}
	if w.kept {
		s.ClientID = w.checkout.ClientIDMasked
	} else if w.creds.ID != "" {
		s.ClientID = mask(w.creds.ID)
	}
	if w.checkout.Root != "" {
		s.NextSteps = nextSteps(w.checkout)
	}
	return s
}

func nextSteps(co Checkout) []string {
	steps := []string{}
	if len(co.Services) > 0 {
		steps = append(steps, "Start the services (each in its own terminal, from "+co.Root+"): "+strings.Join(co.Services, "; "))
	}
	steps = append(steps, "Open Amplication (the client, "+clientHost(co.CallbackURL)+"), choose a service and use Connect to Bitbucket under Sync with Git Provider.")
	return steps
}

// clientHost is the CLIENT_HOST part of a callback URL.
func clientHost(callback string) string {
	if i := strings.Index(callback, "/bitbucket-auth-app/"); i > 0 {
		return callback[:i]
	}
	if callback == "" {
		return "http://localhost:3001"
	}
	return callback
}

// Init implements tea.Model: it enters the first step.
func (m Model) Init() tea.Cmd {
	return m.w.goTo(stepWelcome)
}

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.w.update(msg)
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

// back returns the step Esc leads to from the current one, if going back is safe there.
func (w *wizard) back() (step, bool) {
	switch w.cur {
	case stepConsumer:
		return stepWelcome, true
	case stepPermissions:
		return stepConsumer, true
	case stepCredentials:
		return stepPermissions, true
	case stepVerify:
		return stepCredentials, true
	case stepEnv:
		if w.written != nil {
			return 0, false
		}
		return stepCredentials, true
	case stepAuthorize:
		if w.kept {
			return stepWelcome, true
		}
		if w.written == nil {
			return stepEnv, true
		}
	case stepChoice:
		return stepWorkspaces, true
	case stepCreate, stepConnect:
		return stepChoice, true
	}
	return 0, false
}

func (w *wizard) resize(width, height int) {
	w.winW, w.winH = max(width, 1), max(height, 1)
	bw := w.winW
	if bw >= 30 {
		bw -= 2 // a one-column margin each side
	}
	w.c.width = bw
	w.help.Width = w.winW
	w.c.height = max(w.winH-w.chromeHeight(), 1)
}

// chromeHeight is the lines the header and help take.
func (w *wizard) chromeHeight() int {
	helpLines := 1
	if w.help.ShowAll {
		helpLines = lipgloss.Height(w.help.View(w.bindings()))
	}
	// header, blank, [body], blank, help
	return 3 + helpLines
}

// globalKeys are help and quit, shown on every screen.
func (w *wizard) globalKeys() []key.Binding {
	if w.active().typing() {
		return []key.Binding{w.c.km.ForceQuit}
	}
	return []key.Binding{w.c.km.Help, w.c.km.Quit}
}

// bindings are the active screen's keys plus help and quit.
func (w *wizard) bindings() bindings {
	b := w.active().keys()
	global := w.globalKeys()
	short := append(append([]key.Binding{}, b.short...), global...)
	full := append(append([][]key.Binding{}, b.FullHelp()...), global)
	return bindings{short: short, full: full}
}

// helpView is the help line (or the full help). The short line keeps help and quit: when
// it is too wide, the screen's keys are dropped from the end (? shows them all).
func (w *wizard) helpView() string {
	if w.help.ShowAll {
		return w.help.View(w.bindings())
	}
	screen := w.active().keys().short
	global := w.globalKeys()
	measure := w.help
	measure.Width = 0 // no truncation while measuring
	for n := len(screen); ; n-- {
		keys := append(append([]key.Binding{}, screen[:n]...), global...)
		if n == 0 || ansi.StringWidth(measure.ShortHelpView(keys)) <= w.winW {
			return w.help.ShortHelpView(keys)
		}
	}
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

// overflow is how many body lines do not fit.
func (w *wizard) overflow() int {
	return max(len(w.bodyLines())-max(w.c.height-1, 1), 0)
}

func (w *wizard) bodyLines() []string {
	body := w.active().view()
	return strings.Split(wrap(body, w.c.width), "\n")
}

func (w *wizard) view() string {
	st := w.c.st
	if w.quitting {
		return w.quitView()
	}
	header := st.title.Render("bbsetup") + " " +
		st.stepLabel.Render(fmt.Sprintf("%d/%d %s", int(w.cur)+1, int(numSteps), w.cur))
	if w.c.opts.Demo {
		header += " " + st.demo.Render("[demo]")
	}
	header = ansi.Truncate(header, w.winW, "…")

	lines := w.bodyLines()
	h := w.c.height
	if len(lines) > h {
		// Too tall: show a window and a scroll hint on its last line.
		shown := max(h-1, 1)
		w.scroll = min(w.scroll, len(lines)-shown)
		window := append([]string{}, lines[w.scroll:w.scroll+shown]...)
		if h >= 2 {
			if rest := len(lines) - w.scroll - shown; rest > 0 {
				window = append(window, st.faint.Render(fmt.Sprintf("↓ %d more lines (pgdn)", rest)))
			} else {
				window = append(window, st.faint.Render("↑ pgup for the top"))
			}
		}
		lines = window
	}
	margin := ""
	if w.winW >= 30 {
		margin = " "
	}
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("\n\n")
	for _, l := range lines {
		b.WriteString(margin)
		b.WriteString(ansi.Truncate(l, w.c.width, "…"))
		b.WriteString("\n")
	}
	b.WriteString("\n")
	// help truncates with an ellipsis only when the ellipsis fits; make sure of the rest.
	hl := strings.Split(w.helpView(), "\n")
	for i, l := range hl {
		hl[i] = fit(l, w.winW)
	}
	b.WriteString(strings.Join(hl, "\n"))
	return b.String()
}

func (w *wizard) quitView() string {
	st := w.c.st
	if w.finished {
		return wrap(w.summary.final(), w.winW) + "\n"
	}
	var b strings.Builder
	if len(w.written) == 0 {
		b.WriteString(st.strong.Render("Quit.") + " Nothing was written; your .env.local files are unchanged.\n")
	} else {
		b.WriteString(st.strong.Render("Quit.") + " These files were already written:\n")
		for _, r := range w.written {
			line := "  " + r.Path
			if !r.Changed {
				line += " (already up to date)"
			} else if r.Backup != "" {
				line += " (previous version in " + r.Backup + ")"
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("Run bbsetup again and choose \"keep\" to authorize and pick a repository.\n")
	}
	return wrap(b.String(), w.winW)
}

// wrap wraps s to width columns at spaces, with hard breaks only for words longer than a
// line. Hyphens do not break (paths and slugs such as amplication-server stay whole): they
// are swapped for a non-breaking hyphen of the same width while wrapping.
func wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	if !strings.Contains(s, "-") {
		return ansi.Wrap(s, width, "")
	}
	s = strings.ReplaceAll(s, "-", nbHyphen)
	return strings.ReplaceAll(ansi.Wrap(s, width, ""), nbHyphen, "-")
}

const nbHyphen = "\u2011"
