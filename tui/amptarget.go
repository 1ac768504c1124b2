package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

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

	seq      uint64
	loading  bool
	err      error
	projects []AmpProject
	rows     []ampRow
	cur      int
	confirm  bool // "replace?" is asked for rows[cur]
}

// ampRow is one line of the list: a project's settings or a service.
type ampRow struct{ p, r int }

type ampProjectsMsg struct {
	seq uint64
	ps  []AmpProject
	err error
}

func newAmpTarget(c *common) *ampTargetScreen { return &ampTargetScreen{c: c} }

func (s *ampTargetScreen) enter(e entry) tea.Cmd {
	s.ctx, s.canBack = e.ctx, e.canBack
	s.api = nil
	if e.s.amp != nil {
		s.api = e.s.amp.API
	}
	s.repo = ""
	if e.s.repo != nil {
		s.repo = e.s.repo.FullName
	}
	s.confirm = false
	return s.load()
}

func (s *ampTargetScreen) load() tea.Cmd {
	if s.api == nil {
		s.err = errNotSignedIn
		return nil
	}
	s.seq = s.c.nextSeq()
	s.loading, s.err = true, nil
	seq, ctx, api := s.seq, s.ctx, s.api
	return func() tea.Msg {
		ps, err := api.AmpProjects(ctx)
		return ampProjectsMsg{seq: seq, ps: ps, err: err}
	}
}

func (s *ampTargetScreen) typing() bool { return false }
func (s *ampTargetScreen) busy() bool   { return s.loading }

func (s *ampTargetScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.loading:
		return bindings{short: []key.Binding{km.Back}}
	case s.err != nil:
		return bindings{short: []key.Binding{with(km.Retry, "enter/r", "try again"), km.Back}}
	case s.confirm:
		return bindings{short: []key.Binding{with(km.Yes, "y", "replace it"), with(km.No, "n/esc", "choose another")}}
	}
	return bindings{short: []key.Binding{with(km.Up, "↑/↓", "choose"), with(km.Enter, "enter", "connect this"), km.Back}}
}

func (s *ampTargetScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case ampProjectsMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.loading = false
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
				if r.Repo != "" && !strings.EqualFold(r.Repo, s.repo) {
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
	first := -1
	for pi, p := range ps {
		for ri, r := range p.Resources {
			s.rows = append(s.rows, ampRow{p: pi, r: ri})
			if first < 0 && !r.Settings && r.Repo == "" {
				first = len(s.rows) - 1
			}
		}
	}
	if first >= 0 {
		s.cur = first
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

func (s *ampTargetScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Which Amplication project or service pushes to "+safetext.Line(s.repo)+"?") + "\n")
	switch {
	case s.loading:
		b.WriteString(s.c.spinnerLine("Reading the projects and their services…"))
		return b.String()
	case s.err != nil:
		b.WriteString(s.c.errorBox("The projects could not be read", safetext.Line(s.err.Error()), "Press enter to try again."))
		return b.String()
	case len(s.rows) == 0:
		b.WriteString("The Amplication workspace has no project yet: create one in Amplication, then press r.")
		return b.String()
	}
	b.WriteString(st.subtle.Render("A project's settings connect every service that inherits them; a service connects only itself. Nothing is stored until the next step.") + "\n\n")
	for i, rw := range s.rows {
		p := s.projects[rw.p]
		r := p.Resources[rw.r]
		var label string
		if r.Settings {
			label = "Project " + safetext.Line(p.Name) + " (its settings)  " + st.faint.Render(repoText(r))
		} else {
			label = "  " + safetext.Line(r.Name) + "  " + st.faint.Render(repoText(r))
		}
		b.WriteString(choiceLine(s.c, i == s.cur, label) + "\n")
	}
	cur := s.projects[s.rows[s.cur].p]
	r := s.row(s.cur)
	if r.Settings {
		if names := inheritors(cur); len(names) > 0 {
			b.WriteString("\n" + "Services that inherit the project's repository: " + strings.Join(names, ", ") + ".\n")
		} else {
			b.WriteString("\n" + "No service inherits it: every service of " + safetext.Line(cur.Name) + " has a repository of its own.\n")
		}
	}
	if s.confirm {
		t := AmpTarget{Project: cur, Resource: r}
		what := safetext.Line(t.Label()) + " is connected to " + safetext.Line(r.Repo)
		if r.Provider != "" {
			what += " (" + safetext.Line(r.Provider) + ")"
		}
		if r.Inherits {
			what += ", the project's repository, which it inherits"
		}
		b.WriteString("\n" + s.c.box("warn", "Replace its repository?", what+" now. Replace it with "+safetext.Line(s.repo)+"? (Nothing changes until you confirm the connect.)", "Press y to replace it, n to choose another."))
	}
	return strings.TrimRight(b.String(), "\n")
}
