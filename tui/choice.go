package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Step 9: create a new repository or connect an existing one.

type choiceScreen struct {
	c      *common
	ws     Workspace
	create bool // the highlighted option
}

func newChoice(c *common) *choiceScreen { return &choiceScreen{c: c} }

func (s *choiceScreen) enter(e entry) tea.Cmd {
	s.ws = e.s.Workspace
	return nil
}
func (s *choiceScreen) typing() bool { return false }
func (s *choiceScreen) busy() bool   { return false }

func (s *choiceScreen) keys() bindings {
	km := s.c.km
	return bindings{short: []key.Binding{with(km.Up, "↑/↓", "choose"), km.Enter, km.Back}}
}

func (s *choiceScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, km.Up, km.Down):
		s.create = !s.create
	case key.Matches(k, km.Enter):
		return s.c.report(choiceMsg{create: s.create})
	case key.Matches(k, km.Back):
		return s.c.report(backMsg{})
	}
	return nil
}

func (s *choiceScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Create a repository or connect an existing one") + "\n")
	b.WriteString(st.subtle.Render("Workspace: ") + st.code.Render(s.ws.Slug) + "\n\n")
	b.WriteString(choiceLine(s.c, !s.create, "Connect an existing repository") + "\n")
	b.WriteString(choiceLine(s.c, s.create, "Create a new repository in "+s.ws.Slug))
	return b.String()
}
