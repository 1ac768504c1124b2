package tui

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/bbsetup/bbsetup/setup/mask"
)

// Step 6: the per-file masked diff and a confirm. Nothing is written before the confirm key;
// then the result per file and the services to start.

type envScreen struct {
	c       *common
	planner EnvPlanner
	ctx     context.Context
	co      Checkout
	creds   Credentials

	job      request
	planning bool
	plan     *EnvPlan
	planErr  error
	vp       viewport.Model
	vpWidth  int // the width the diff in vp is wrapped to
	applying bool
	// quitPending: the operator quit during the write; the wizard quits when it is done.
	quitPending bool
	applied     bool
	appliedFor  Credentials // the key and secret that were written
	results     []FileResult
	prService   []string // the PR service checked after the write (safe text)
	applyErr    error
}

// allowOutsideKey confirms writing through a link that leads outside the checkout.
var allowOutsideKey = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "write there anyway"))

// outside returns the plan error when it is a link leading outside the checkout and the
// backend can allow it.
func (s *envScreen) outside() (*OutsideCheckoutError, OutsideAllower, bool) {
	var oe *OutsideCheckoutError
	al, ok := s.planner.(OutsideAllower)
	if s.planErr == nil || !ok || !errors.As(s.planErr, &oe) {
		return nil, nil, false
	}
	return oe, al, true
}

// planMsg is the result of PlanEnv.
type planMsg struct {
	seq  uint64
	plan EnvPlan
	err  error
}

func newEnv(c *common, planner EnvPlanner) *envScreen {
	vp := viewport.New(c.width, 10)
	// The wizard's keys drive it; only arrows and pages scroll.
	vp.KeyMap = viewport.KeyMap{
		PageDown:     key.NewBinding(key.WithKeys("pgdown", " ")),
		PageUp:       key.NewBinding(key.WithKeys("pgup")),
		HalfPageUp:   key.NewBinding(key.WithKeys("ctrl+u")),
		HalfPageDown: key.NewBinding(key.WithKeys("ctrl+d")),
		Up:           key.NewBinding(key.WithKeys("up", "k")),
		Down:         key.NewBinding(key.WithKeys("down", "j")),
	}
	return &envScreen{c: c, planner: planner, vp: vp, job: newRequest(c)}
}

func (s *envScreen) enter(e entry) tea.Cmd {
	s.ctx, s.co, s.creds = e.ctx, e.s.Checkout, e.s.Creds
	if s.applied && s.appliedFor == s.creds {
		return nil
	}
	// A new key and secret (Bitbucket rejected the written ones): plan them afresh.
	s.applied, s.applyErr, s.results = false, nil, nil
	return s.planCmd()
}

func (s *envScreen) planCmd() tea.Cmd {
	s.planning, s.plan, s.planErr = true, nil, nil
	planner, co, creds := s.planner, s.co, s.creds
	return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
		p, err := planner.PlanEnv(ctx, co, creds)
		return planMsg{seq: seq, plan: p, err: err}
	})
}

func (s *envScreen) applyCmd() tea.Cmd {
	s.applying = true
	plan := *s.plan
	// The write is not tied to the step's context: once confirmed it runs to the end
	// (each file is written atomically by the backend).
	return s.job.run(context.WithoutCancel(s.ctx), func(ctx context.Context, seq uint64) tea.Msg {
		res, err := plan.Apply(ctx)
		var pr []string
		if err == nil {
			pr = plan.PRServiceLines(ctx) // a PR service running now started before the write
		}
		return envAppliedMsg{seq: seq, results: res, err: err, prService: pr}
	})
}

func (s *envScreen) typing() bool { return false }
func (s *envScreen) busy() bool   { return s.planning || s.applying }

// holdsQuit implements quitHolder: a quit waits for the write.
func (s *envScreen) holdsQuit() bool { return s.applying }

func (s *envScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.planning:
		return bindings{short: []key.Binding{with(km.Back, "esc", "back")}}
	case s.applying:
		return bindings{}
	case s.applied && s.applyErr == nil:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "next")}}
	case s.applied:
		return bindings{short: []key.Binding{with(km.Retry, "r", "plan again")}}
	case s.planErr != nil:
		if _, _, ok := s.outside(); ok {
			return bindings{short: []key.Binding{allowOutsideKey, km.Retry, km.Back}}
		}
		return bindings{short: []key.Binding{km.Retry, km.Back}}
	case s.plan != nil && !s.plan.Changed():
		return bindings{short: []key.Binding{with(km.Enter, "enter", "next"), km.Back}}
	}
	return bindings{short: []key.Binding{
		with(km.Enter, "enter", "write these files"), with(km.Up, "↑/↓", "scroll"), km.Back,
	}}
}

// heading is the screen's title and, with a plan shown, the line above the diff.
func (s *envScreen) heading() string {
	st := s.c.st
	h := st.heading.Render("Write the key and secret into the env files") + "\n"
	if s.plan != nil && !s.planning && !s.applied && s.planErr == nil {
		if s.plan.Changed() {
			h += st.subtle.Render("Nothing is written until you press enter. The secret is masked ("+
				mask.Secret(s.creds.Secret)+"). A backup of each file is kept outside the checkout.") + "\n\n"
		} else {
			h += st.ok.Render("✓") + " The files already hold this key and secret; nothing to write.\n\n"
		}
	}
	return h
}

// layout sizes the diff viewport to what the heading leaves (one line kept for "more").
func (s *envScreen) layout() {
	s.vp.Width = s.c.width
	used := strings.Count(wrap(s.heading(), s.c.width), "\n") + 1
	// The body keeps a line for the "↓ more" hint and one the frame keeps for its own: the
	// diff fits, so pgdn/pgup reach the viewport instead of scrolling the frame.
	s.vp.Height = max(s.c.height-used-2, 1)
	if s.plan != nil && s.vpWidth != s.vp.Width {
		s.vp.SetContent(s.diffText()) // re-wrapped to the new width
		s.vpWidth = s.vp.Width
	}
}

func (s *envScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	s.layout()
	switch msg := msg.(type) {
	case quitPendingMsg:
		s.quitPending = true
	case planMsg:
		if !s.job.answered(msg.seq, &s.planning) {
			return nil
		}
		if msg.err != nil {
			s.planErr = msg.err
			return nil
		}
		p := msg.plan
		s.plan = &p
		s.vp.SetContent(s.diffText())
		s.vpWidth = s.vp.Width
		s.vp.GotoTop()
	case envAppliedMsg:
		if !s.job.current(msg.seq) {
			return nil
		}
		s.applying, s.applied, s.appliedFor = false, true, s.creds
		s.results, s.applyErr, s.prService = msg.results, msg.err, msg.prService
	case tea.KeyMsg:
		switch {
		case s.planning && key.Matches(msg, km.Back):
			return s.c.report(backMsg{}) // leaving the step cancels the read
		case s.planning || s.applying:
			return nil
		case s.applied:
			if s.applyErr == nil && key.Matches(msg, km.Enter) {
				return s.c.report(envDoneMsg{})
			}
			if s.applyErr != nil && key.Matches(msg, km.Retry) {
				s.applied, s.applyErr = false, nil
				return s.planCmd()
			}
		case key.Matches(msg, km.Back):
			return s.c.report(backMsg{})
		case s.planErr != nil:
			if key.Matches(msg, km.Retry) {
				return s.planCmd()
			}
			if _, al, ok := s.outside(); ok && key.Matches(msg, allowOutsideKey) {
				al.AllowOutsideCheckout() // sets a flag; the reading happens in planCmd
				return s.planCmd()
			}
		case s.plan != nil && key.Matches(msg, km.Enter):
			if !s.plan.Changed() {
				return s.c.report(envDoneMsg{})
			}
			return s.applyCmd()
		default:
			var cmd tea.Cmd
			s.vp, cmd = s.vp.Update(msg)
			return cmd
		}
	}
	return nil
}

// diffText is every file's diff, coloured, with a header per file, wrapped to the
// viewport's width. The diff's own ---/+++ lines are left out: the file's path relative to
// the checkout is its header.
func (s *envScreen) diffText() string {
	st := s.c.st
	width := max(s.vp.Width, 1)
	var b strings.Builder
	for i, f := range s.plan.Files {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(wrap(st.strong.Render(rel(s.co.Root, f.Path))+" "+st.faint.Render("("+FileState(f)+")"), width) + "\n")
		if !f.Changed {
			continue
		}
		for _, line := range DiffLines(f.Diff) {
			render := func(x ...string) string { return strings.Join(x, " ") } // context lines: unstyled
			switch {
			case strings.HasPrefix(line, "@@"):
				render = st.diffHunk.Render
			case strings.HasPrefix(line, "+"):
				render = st.diffAdd.Render
			case strings.HasPrefix(line, "-"):
				render = st.diffDel.Render
			}
			// A wrapped diff line goes on with a continuation marker in the sign column.
			for _, seg := range strings.Split(diffWrap(line, width), "\n") {
				b.WriteString(render(seg) + "\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// FileState says what a plan does to file f: "new file", "will change" or that it
// already holds the values.
func FileState(f FilePlan) string {
	switch {
	case f.Changed && !f.Exists:
		return "new file"
	case f.Changed:
		return "will change"
	}
	return "no change: already holds these values"
}

// DiffLines is a file's unified diff, line by line, without the file header (the ---
// and +++ lines before the first hunk), whose paths are absolute and long.
func DiffLines(diff string) []string {
	var out []string
	inHunk := false
	for _, line := range strings.Split(strings.TrimRight(diff, "\n"), "\n") {
		if !inHunk && (strings.HasPrefix(line, "+++ ") || strings.HasPrefix(line, "--- ")) {
			continue
		}
		if strings.HasPrefix(line, "@@") {
			inHunk = true
		}
		out = append(out, line)
	}
	return out
}

// diffWrap wraps one diff line to width: the lines it goes on to start with "↪" in the
// +/- column, so they read as one line of the file.
func diffWrap(line string, width int) string {
	if ansi.StringWidth(line) <= width || width < 4 {
		return wrap(line, width)
	}
	first, _, _ := strings.Cut(wrapPlain(line, width), "\n")
	rest := strings.TrimLeft(line[len(first):], " ")
	segs := strings.Split(wrapPlain(rest, width-1), "\n")
	for i, seg := range segs {
		segs[i] = diffCont + seg
	}
	return first + "\n" + strings.Join(segs, "\n")
}

// diffCont marks a diff line's continuation.
const diffCont = "↪"

func (s *envScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(s.heading())
	switch {
	case s.planning:
		b.WriteString(s.c.spinnerLine("Reading the env files…"))
	case s.applying:
		if s.quitPending {
			b.WriteString(s.c.spinnerLine("Writing the env files… then quitting (the write is not interrupted)."))
		} else {
			b.WriteString(s.c.spinnerLine("Writing the env files…"))
		}
	case s.planErr != nil:
		next := "Fix what it says, then press r to read them again (or esc to go back)."
		if oe, _, ok := s.outside(); ok {
			next = "Press a to write there anyway if " + oe.Target + " is yours and meant to get the secret, r to read the files again, or esc to go back."
		}
		b.WriteString(s.c.errorBox("The env files cannot be written", withoutRunAgain(s.planErr.Error()), next))
	case s.applied:
		b.WriteString(s.resultsView())
	case s.plan != nil:
		b.WriteString(s.vp.View())
		if !s.vp.AtBottom() {
			b.WriteString("\n" + st.faint.Render("↓ more (↓/pgdn)"))
		}
	}
	return b.String()
}

func (s *envScreen) resultsView() string {
	st := s.c.st
	var b strings.Builder
	for _, r := range s.results {
		switch {
		case r.Changed && r.Backup != "":
			b.WriteString(st.ok.Render("✓ written ") + rel(s.co.Root, r.Path) + st.faint.Render(" (backup "+rel(s.co.Root, r.Backup)+")") + "\n")
		case r.Changed:
			b.WriteString(st.ok.Render("✓ written ") + rel(s.co.Root, r.Path) + "\n")
		default:
			b.WriteString(st.faint.Render("= up to date ") + rel(s.co.Root, r.Path) + "\n")
		}
	}
	if s.applyErr != nil {
		b.WriteString(s.c.errorBox("Writing failed", withoutRunAgain(s.applyErr.Error()), "Fix what it says, then press r to read the files again and retry."))
		return b.String()
	}
	// The server now (the next screen checks it), the other services after the wizard.
	if len(s.prService) > 0 {
		b.WriteString("\nThe PR service (it pushes to Bitbucket):\n")
		for _, l := range s.prService {
			b.WriteString(wrap(l, s.c.width) + "\n")
		}
	}
	const server = "npx nx serve amplication-server"
	b.WriteString("\n" + st.strong.Render("Now") + ": start (or restart) the Amplication server, in its own terminal, from the checkout; it reads these files when it starts:\n")
	b.WriteString("  " + st.code.Render(server) + "\n")
	if s.c.opts.Demo {
		// Started after the write, or (--stale-server) running since before it: the next
		// screen checks which, and restarts it when needed.
		b.WriteString(st.faint.Render("  (demo: the emulated server is started or restarted for you; the next screen checks it)") + "\n")
	}
	var later []string
	for _, svc := range s.co.Services {
		if svc != server {
			later = append(later, svc)
		}
	}
	if len(later) > 0 {
		b.WriteString("\n" + st.strong.Render("After this wizard") + ", start the other services the same way (the summary lists them again):\n")
		for _, svc := range later {
			b.WriteString("  " + st.code.Render(svc) + "\n") // wrapped lines hang under it
		}
	}
	b.WriteString("\nPress enter to check the server.")
	return b.String()
}

// runAgain is the command line's "…and run again" at the end of an env file error: in the
// wizard r reads the files again (the box's next line says so), so it is left out.
var runAgain = regexp.MustCompile(`(?:,? (?:and|then) run (?:it |bbsetup )?again|; run (?:it |bbsetup )?again)(\.?)$`)

// withoutRunAgain drops runAgain from msg.
func withoutRunAgain(msg string) string { return runAgain.ReplaceAllString(msg, "$1") }
