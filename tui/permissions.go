package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Step 3: the permission rows as a checklist the operator ticks while clicking in Bitbucket.

type permissionsScreen struct {
	c           *common
	rows        []PermissionRow
	ticked      []bool
	missing     []bool // the verify step found these rows missing
	cursor      int
	confirmSkip bool
}

func newPermissions(c *common, form PermissionList) *permissionsScreen {
	rows := form.Permissions()
	return &permissionsScreen{c: c, rows: rows, ticked: make([]bool, len(rows)), missing: make([]bool, len(rows))}
}

// markMissing unticks and marks the rows of the given "Row: Level" labels.
func (s *permissionsScreen) markMissing(labels []string) {
	for i := range s.missing {
		s.missing[i] = false
	}
	first := -1
	for _, l := range labels {
		row, _, _ := strings.Cut(l, ":")
		for i, r := range s.rows {
			if strings.EqualFold(strings.TrimSpace(row), r.Row) {
				s.ticked[i], s.missing[i] = false, true
				if first < 0 || i < first {
					first = i
				}
			}
		}
	}
	if first >= 0 {
		s.cursor = first
	}
}

func (s *permissionsScreen) enter(e entry) tea.Cmd {
	if e.fix != nil {
		s.markMissing(e.fix.Missing)
	}
	s.confirmSkip = false
	return nil
}

func (s *permissionsScreen) typing() bool { return false }
func (s *permissionsScreen) busy() bool   { return false }

func (s *permissionsScreen) keys() bindings {
	km := s.c.km
	if s.confirmSkip {
		return bindings{short: []key.Binding{with(km.Yes, "y", "skip anyway"), with(km.No, "n/esc", "keep ticking")}}
	}
	return bindings{short: []key.Binding{
		with(km.Up, "↑/↓", "move"), km.Toggle, s.toggleAllKey(), km.Enter, km.Back,
	}}
}

// toggleAllKey is a: it ticks every row, or, when all are ticked, unticks them, and its
// help says which.
func (s *permissionsScreen) toggleAllKey() key.Binding {
	if s.allTicked() {
		return with(s.c.km.ToggleAll, "a", "untick all")
	}
	return s.c.km.ToggleAll
}

func (s *permissionsScreen) allTicked() bool {
	for _, t := range s.ticked {
		if !t {
			return false
		}
	}
	return true
}

func (s *permissionsScreen) count() int {
	n := 0
	for _, t := range s.ticked {
		if t {
			n++
		}
	}
	return n
}

func (s *permissionsScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	if s.confirmSkip {
		switch {
		case key.Matches(k, km.Yes):
			s.confirmSkip = false
			return s.c.report(permissionsDoneMsg{skipped: true})
		case key.Matches(k, km.No, km.Back):
			s.confirmSkip = false
		}
		return nil
	}
	switch {
	case key.Matches(k, km.Up):
		s.cursor = (s.cursor - 1 + len(s.rows)) % max(len(s.rows), 1)
	case key.Matches(k, km.Down):
		s.cursor = (s.cursor + 1) % max(len(s.rows), 1)
	case key.Matches(k, km.Toggle):
		if s.cursor < len(s.ticked) {
			s.ticked[s.cursor] = !s.ticked[s.cursor]
		}
	case key.Matches(k, km.ToggleAll):
		all := !s.allTicked()
		for i := range s.ticked {
			s.ticked[i] = all
		}
	case key.Matches(k, km.Enter):
		if s.allTicked() {
			return s.c.report(permissionsDoneMsg{})
		}
		s.confirmSkip = true
	case key.Matches(k, km.Back):
		return s.c.report(backMsg{})
	}
	return nil
}

func (s *permissionsScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Tick the permissions") + "\n")
	b.WriteString(st.subtle.Render("On the consumer form, under Permissions, tick these boxes; tick each row here as you go.") + "\n")
	if slices.Contains(s.missing, true) {
		b.WriteString(st.warn.Render("Bitbucket says the rows marked missing are not ticked on the consumer: tick them there, Save, then here.") + "\n")
	}
	b.WriteString("\n")
	nameW := 0
	for _, r := range s.rows {
		nameW = max(nameW, len(r.Row))
	}
	narrow := s.c.width < nameW+6+20
	for i, r := range s.rows {
		box := "[ ]"
		if s.ticked[i] {
			box = st.ok.Render("[x]")
		}
		cur := "  "
		name := st.text.Render(r.Row)
		if i == s.cursor {
			cur = st.cursor.Render("› ")
			name = st.selected.Render(r.Row)
		}
		levels := st.code.Render(r.Levels)
		if narrow {
			fmt.Fprintf(&b, "%s%s %s\n      %s", cur, box, name, levels)
		} else {
			fmt.Fprintf(&b, "%s%s %s%s  %s", cur, box, name, strings.Repeat(" ", nameW-len(r.Row)), levels)
		}
		if s.missing[i] && !s.ticked[i] {
			b.WriteString(" " + st.bad.Render("← missing"))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n%d of %d rows ticked.", s.count(), len(s.rows))
	if s.confirmSkip {
		b.WriteString("\n" + s.c.box("warn", "Not every row is ticked",
			"Amplication needs all of them; the check on the Verify screen says exactly what is missing.",
			"y: continue anyway   n: keep ticking"))
	}
	return b.String()
}
