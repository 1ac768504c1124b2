package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// The Amplication target: the projects and their services with the repository each has
// now. The operator picks a project (its settings: every service that inherits them, listed)
// or one service. One already connected elsewhere asks first whether to replace it, naming
// what it is connected to. Nothing is stored here: the Connect step does it.

type ampTargetScreen struct {
	c       *common
	ctx     context.Context
	api     AmpTargetLister
	repo    string // "workspace/slug" chosen on Bitbucket
	canBack bool
	chosen  string // the resource chosen before (its ID), selected again when listed
	// startNote says why the cursor starts where it does when that is a service: the
	// command line's default is the project's settings.
	startNote string

	job      request
	loading  bool
	err      error
	projects []AmpProject
	rows     []ampRow
	cur      int
	confirm  bool // "replace?" is asked for rows[cur]

	// The list's window when the screen does not fit the body (set by layout): rows
	// first..first+shown, with a position line; offset is where the last window started.
	windowed             bool
	first, shown, offset int
	terse                bool // the explanation is left out to make room for the list
}

// ampRow is one line of the list: a project's settings or a service.
type ampRow struct{ p, r int }

type ampProjectsMsg struct {
	seq uint64
	ps  []AmpProject
	err error
}

func newAmpTarget(c *common) *ampTargetScreen { return &ampTargetScreen{c: c, job: newRequest(c)} }

func (s *ampTargetScreen) enter(e entry) tea.Cmd {
	s.ctx, s.canBack = e.ctx, e.canBack
	s.api = nil
	if e.s.Amp != nil {
		s.api = e.s.Amp.API
	}
	s.repo = ""
	if e.s.Repo != nil {
		s.repo = e.s.Repo.FullName
	}
	s.chosen = ""
	if e.s.Target != nil {
		s.chosen = e.s.Target.Resource.ID
	}
	s.confirm = false
	return s.load()
}

func (s *ampTargetScreen) load() tea.Cmd {
	if s.api == nil {
		s.err = errNotSignedIn
		return nil
	}
	s.loading, s.err = true, nil
	api := s.api
	return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
		ps, err := api.AmpProjects(ctx)
		return ampProjectsMsg{seq: seq, ps: ps, err: err}
	})
}

func (s *ampTargetScreen) typing() bool { return false }
func (s *ampTargetScreen) busy() bool   { return s.loading }

func (s *ampTargetScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.loading:
		return bindings{short: []key.Binding{km.Back}}
	case s.err != nil:
		return bindings{short: append(s.c.againKeys(s.err), with(km.Retry, "enter/r", "try again"), km.Back)}
	case s.confirm:
		return bindings{short: []key.Binding{with(km.Yes, "y", "replace it"), with(km.No, "n/esc", "choose another")}}
	}
	return bindings{short: []key.Binding{with(km.Up, "↑/↓", "choose"), with(km.Enter, "enter", "connect this"), km.Back}}
}

func (s *ampTargetScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case ampProjectsMsg:
		if !s.job.answered(msg.seq, &s.loading) {
			return nil
		}
		if msg.err != nil {
			s.err = msg.err
			return nil
		}
		s.setProjects(msg.ps)
	case tea.KeyMsg:
		switch {
		case s.loading:
			if key.Matches(msg, km.Back) {
				return s.c.report(backMsg{})
			}
		case s.err != nil:
			if cmd, ok := s.c.againCmd(msg, s.err); ok {
				return cmd
			}
			switch {
			case key.Matches(msg, km.Enter, km.Retry):
				return s.load()
			case key.Matches(msg, km.Back):
				return s.c.report(backMsg{})
			}
		case s.confirm:
			switch {
			case key.Matches(msg, km.Yes):
				return s.choose(true)
			case key.Matches(msg, km.No, km.Back):
				s.confirm = false
			}
		default:
			switch {
			case key.Matches(msg, km.Up) && len(s.rows) > 0:
				s.cur = (s.cur + len(s.rows) - 1) % len(s.rows)
			case key.Matches(msg, km.Down) && len(s.rows) > 0:
				s.cur = (s.cur + 1) % len(s.rows)
			case key.Matches(msg, km.Retry) && len(s.rows) == 0:
				return s.load()
			case key.Matches(msg, km.Enter) && len(s.rows) > 0:
				r := s.row(s.cur)
				if r.Repo != "" && !strings.EqualFold(r.Repo, s.repo) || r.Settings && len(movers(s.projects[s.rows[s.cur].p], s.repo)) > 0 {
					s.confirm = true
					return nil
				}
				return s.choose(false)
			case key.Matches(msg, km.Back):
				return s.c.report(backMsg{})
			}
		}
	}
	return nil
}

// setProjects lists the rows and selects the first service with no repository (else the
// first row).
func (s *ampTargetScreen) setProjects(ps []AmpProject) {
	s.projects, s.rows, s.cur = ps, nil, 0
	first, chosen := -1, -1
	for pi, p := range ps {
		for ri, r := range p.Resources {
			s.rows = append(s.rows, ampRow{p: pi, r: ri})
			if first < 0 && !r.Settings && r.Repo == "" {
				first = len(s.rows) - 1
			}
			if s.chosen != "" && r.ID == s.chosen {
				chosen = len(s.rows) - 1
			}
		}
	}
	s.startNote = ""
	switch {
	case chosen >= 0:
		s.cur = chosen
	case first >= 0:
		s.cur = first
		p := ps[s.rows[first].p]
		s.startNote = "The cursor starts on " + safetext.Line(s.row(first).Name) + ", the first service with no repository; choose project " +
			safetext.Line(p.Name) + " above it to connect the project's settings instead (what bbsetup amplication connect does without --service)."
	}
}

func (s *ampTargetScreen) row(i int) AmpResource {
	return s.projects[s.rows[i].p].Resources[s.rows[i].r]
}

func (s *ampTargetScreen) choose(replace bool) tea.Cmd {
	rw := s.rows[s.cur]
	t := AmpTarget{Project: s.projects[rw.p], Resource: s.row(s.cur), Replace: replace}
	s.confirm = false
	return s.c.report(ampTargetMsg{t: t})
}

// movers are the services a connect of p's settings to repo would move: not overriding
// the project, with a repository other than the project's and repo ("orders (from
// acme/orders)").
func movers(p AmpProject, repo string) []string {
	set := ""
	for _, x := range p.Resources {
		if x.Settings {
			set = x.Repo
		}
	}
	if strings.EqualFold(set, repo) && set != "" {
		return nil // unchanged: nothing is stored
	}
	var out []string
	for _, r := range p.Resources {
		if r.Settings || r.Override || r.Inherits || r.Repo == "" || strings.EqualFold(r.Repo, set) || strings.EqualFold(r.Repo, repo) {
			continue
		}
		out = append(out, safetext.Line(r.Name)+" (from "+safetext.Line(r.Repo)+")")
	}
	return out
}

// inheritors are the services of p that would push to the project's repository.
func inheritors(p AmpProject) []string {
	var out []string
	for _, r := range p.Resources {
		if r.Settings {
			continue
		}
		set := ""
		for _, x := range p.Resources {
			if x.Settings {
				set = x.Repo
			}
		}
		if r.Repo == "" || r.Inherits || r.Repo == set {
			out = append(out, safetext.Line(r.Name))
		}
	}
	return out
}

func repoText(r AmpResource) string {
	if r.Repo == "" {
		return "not connected"
	}
	t := "→ " + safetext.Line(r.Repo)
	if r.Provider != "" && r.Provider != "Bitbucket" {
		t += " (" + safetext.Line(r.Provider) + ")"
	}
	if r.Inherits {
		t += " (the project's)"
	}
	return t
}

// rowLabel is a row's name column: "Project Shop" for a project's settings, its services
// indented under it.
func (s *ampTargetScreen) rowLabel(i int) string {
	p := s.projects[s.rows[i].p]
	if r := s.row(i); !r.Settings {
		return "  " + safetext.Line(r.Name)
	}
	return "Project " + safetext.Line(p.Name)
}

// nameWidth is the name column's width: the widest label, at most half the body.
func (s *ampTargetScreen) nameWidth() int {
	w := 0
	for i := range s.rows {
		w = max(w, ansi.StringWidth(s.rowLabel(i)))
	}
	return min(w, max((s.c.width-markerW)/2, 1))
}

// rowLines renders row i: the marker, the name column, and the repository in an aligned
// column. What does not fit goes on under the repository column, or, when the name is
// wider than its column or the column leaves too little room, on lines of its own under
// the name (a hanging indent): nothing is cut.
func (s *ampTargetScreen) rowLines(i int) []string {
	st := s.c.st
	width := s.c.width
	marker, label := "  ", s.rowLabel(i)
	name := st.text.Render(label)
	if i == s.cur {
		marker, name = st.cursor.Render(focusMarker), st.selected.Render(label)
	}
	nameW := s.nameWidth()
	col := markerW + nameW + 2
	repo := repoText(s.row(i))
	if ansi.StringWidth(label) <= nameW && width-col >= max(12, longestWord(repo)) {
		parts := strings.Split(wrap(repo, width-col), "\n")
		out := []string{marker + name + strings.Repeat(" ", col-markerW-ansi.StringWidth(label)) + st.faint.Render(parts[0])}
		for _, p := range parts[1:] {
			out = append(out, strings.Repeat(" ", col)+st.faint.Render(p))
		}
		return out
	}
	// The name, then the repository under it, both wrapped with their indent kept.
	indent := markerW + ansi.StringWidth(label) - ansi.StringWidth(strings.TrimLeft(label, " "))
	out := strings.Split(wrapLine(marker+name, width), "\n")
	hang := min(indent+2, width/2)
	for _, p := range strings.Split(wrap(repo, max(width-hang, 1)), "\n") {
		out = append(out, strings.Repeat(" ", hang)+st.faint.Render(p))
	}
	return out
}

// markerW is the focus marker's width: the rows' first column.
var markerW = ansi.StringWidth(focusMarker)

// longestWord is the width of s's widest word, or part of a path ("group/", "name"): what
// its column must hold for it to wrap without a word broken inside.
func longestWord(s string) int {
	w := 0
	for _, f := range strings.Fields(s) {
		for _, part := range strings.SplitAfter(f, "/") {
			w = max(w, ansi.StringWidth(part))
		}
	}
	return w
}

// top is the text above the list: the heading and, once listed, the explanation (left out
// on a screen too short for it and a few rows).
func (s *ampTargetScreen) top() string {
	st := s.c.st
	h := st.heading.Render("Which Amplication project or service pushes to "+safetext.Line(s.repo)+"?") + "\n"
	if !s.loading && s.err == nil && len(s.rows) > 0 && !s.terse {
		h += st.subtle.Render("A project's settings connect every service that inherits them; a service connects only itself. Nothing is stored until the next step.") + "\n"
		if s.startNote != "" {
			h += st.subtle.Render(s.startNote) + "\n"
		}
		h += "\n"
	}
	return h
}

// below is the text under the list: the services a project's settings connect, or the
// replace prompt.
func (s *ampTargetScreen) below() string {
	var b strings.Builder
	cur := s.projects[s.rows[s.cur].p]
	r := s.row(s.cur)
	if r.Settings {
		if names := inheritors(cur); len(names) > 0 {
			b.WriteString("\n" + "Services that inherit the project's repository: " + strings.Join(names, ", ") + ".")
		} else {
			b.WriteString("\n" + "No service inherits it: every service of " + safetext.Line(cur.Name) + " has a repository of its own.")
		}
	}
	if s.confirm {
		b.WriteString("\n\n" + s.c.box("warn", "Replace its repository?", replaceQuestion(cur, r, s.repo), "Press y to replace it, n to choose another."))
	}
	return b.String()
}

// replaceQuestion is what a connect of r (of project p) to repo replaces or moves.
func replaceQuestion(p AmpProject, r AmpResource, repo string) string {
	t := AmpTarget{Project: p, Resource: r}
	var parts []string
	if r.Repo != "" && !strings.EqualFold(r.Repo, repo) {
		what := safetext.Line(t.Label()) + " is connected to " + safetext.Line(r.Repo)
		if r.Provider != "" {
			what += " (" + safetext.Line(r.Provider) + ")"
		}
		if r.Inherits {
			what += ", the project's repository, which it inherits"
		}
		parts = append(parts, what+" now. Replace it with "+safetext.Line(repo)+"?")
	}
	if r.Settings {
		if m := movers(p, repo); len(m) > 0 {
			parts = append(parts, "Connecting the project also moves "+strings.Join(m, ", ")+" to "+safetext.Line(repo)+": they follow the project's settings. Move them too?")
		}
	}
	return strings.Join(parts, " ") + " (Nothing changes until you confirm the connect.)"
}

// ReplaceQuestion is replaceQuestion for the line mode.
func ReplaceQuestion(p AmpProject, r AmpResource, repo string) string {
	return replaceQuestion(p, r, repo)
}

// lines counts the body lines text takes at the body's width.
func (s *ampTargetScreen) lines(text string) int {
	if text == "" {
		return 0
	}
	return strings.Count(wrap(text, s.c.width), "\n") + 1
}

// layout keeps the cursor's row in the list's window. The list is windowed, with a
// position line above it, only when the screen does not fit the body: the heading and the
// text under the list stay in view.
func (s *ampTargetScreen) layout() {
	s.windowed, s.first, s.terse = false, 0, false
	if s.loading || s.err != nil || len(s.rows) == 0 {
		return
	}
	heights := make([]int, len(s.rows))
	total := 0
	for i := range s.rows {
		heights[i] = len(s.rowLines(i))
		total += heights[i]
	}
	fixed := s.lines(strings.TrimSuffix(s.top(), "\n")) + s.lines(s.below())
	if fixed+total <= s.c.height {
		return
	}
	s.windowed = true
	room := s.c.height - fixed - 1 // the position line
	if room < 3 {
		s.terse = true
		room = s.c.height - s.lines(strings.TrimSuffix(s.top(), "\n")) - s.lines(s.below()) - 1
	}
	room = max(room, 1)
	// The window ends at the cursor's row at the latest and starts at it at the earliest.
	s.first = min(s.offset, s.cur)
	used := 0
	for i := s.first; i <= s.cur; i++ {
		used += heights[i]
	}
	for used > room && s.first < s.cur {
		used -= heights[s.first]
		s.first++
	}
	s.offset = s.first
	s.shown = 0
	for i, n := s.first, 0; i < len(s.rows); i++ {
		if n += heights[i]; n > room && i > s.cur {
			break
		}
		s.shown++
	}
}

func (s *ampTargetScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(s.top())
	switch {
	case s.loading:
		b.WriteString(s.c.spinnerLine("Reading the projects and their services…"))
		return b.String()
	case ampSignInLost(s.err):
		b.WriteString(s.c.lostBox("The projects could not be read", s.err))
		return b.String()
	case s.err != nil:
		b.WriteString(s.c.errorBox("The projects could not be read", safetext.Line(s.err.Error()), "Press enter to try again."))
		return b.String()
	case len(s.rows) == 0:
		b.WriteString("The Amplication workspace has no project yet: create one in Amplication, then press r.")
		return b.String()
	}
	first, end := 0, len(s.rows)
	if s.windowed {
		first, end = s.first, min(s.first+s.shown, len(s.rows))
		b.WriteString(st.faint.Render("row "+thousands(s.cur+1)+" of "+thousands(len(s.rows))) + "\n")
	}
	for i := first; i < end; i++ {
		b.WriteString(strings.Join(s.rowLines(i), "\n") + "\n")
	}
	b.WriteString(s.below())
	return strings.TrimRight(b.String(), "\n")
}
