package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Step 8: the workspace picker, a bubbles/list with filtering.

type workspacesScreen struct {
	c       *common
	api     WorkspaceLister
	ctx     context.Context
	job     request
	loading bool
	loaded  bool
	err     error
	all     []Workspace
	list    list.Model
	// slugW and nameW are the widest slug and name (the delegate's columns).
	slugW, nameW int
	hint         string // the slug chosen before, else typed on the consumer screen: preselected
	gen          int    // the authorization (session.apiGen) the list was loaded with
	canBack      bool
}

// workspacesMsg is the result of Workspaces.
type workspacesMsg struct {
	seq uint64
	ws  []Workspace
	err error
}

// wsItem is a workspace in the list.
type wsItem Workspace

// FilterValue implements list.Item: the filter matches slug and name.
func (i wsItem) FilterValue() string { return i.Slug + " " + i.Name }

// wsDelegate renders one workspace per line: slug, name, admin marker, in aligned columns
// (slugW and nameW are the widest slug and name, set when the list is loaded).
type wsDelegate struct {
	c            *common
	slugW, nameW *int
}

// Height, Spacing, Update and Render implement list.ItemDelegate.
func (d wsDelegate) Height() int                         { return 1 }
func (d wsDelegate) Spacing() int                        { return 0 }
func (d wsDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }
func (d wsDelegate) Render(w io.Writer, m list.Model, index int, it list.Item) {
	ws, ok := it.(wsItem)
	if !ok {
		return
	}
	st := d.c.st
	cur, slug := "  ", st.text.Render(ws.Slug)
	if index == m.Index() {
		cur, slug = st.cursor.Render("› "), st.selected.Render(ws.Slug)
	}
	// Columns: at most half the width for the slug, a third for the name.
	lw := m.Width()
	slugW, nameW := *d.slugW, *d.nameW
	if slugW+2+8 > lw-2 {
		nameW = 0 // no room for aligned names
	}
	nameW = min(nameW, max(lw-2-slugW-2, 0))
	line := cur + slug + strings.Repeat(" ", max(slugW-ansi.StringWidth(ws.Slug), 0))
	name := ""
	if ws.Name != "" && ws.Name != ws.Slug && nameW > 0 {
		name = ws.Name
	}
	if ws.Admin || name != "" {
		line += "  " + st.subtle.Render(name) + strings.Repeat(" ", max(nameW-ansi.StringWidth(name), 0))
	}
	if ws.Admin {
		line += "  " + st.ok.Render("[admin]")
	}
	line = strings.TrimRight(line, " ")
	fmt.Fprint(w, fit(line, m.Width()))
}

func newWorkspaces(c *common) *workspacesScreen {
	s := &workspacesScreen{c: c, job: newRequest(c)}
	l := list.New(nil, wsDelegate{c: c, slugW: &s.slugW, nameW: &s.nameW}, c.width, 10)
	l.SetShowTitle(false)
	l.SetShowHelp(false)
	l.SetStatusBarItemName("workspace", "workspaces")
	l.DisableQuitKeybindings()
	l.KeyMap.ShowFullHelp.SetEnabled(false)
	l.KeyMap.CloseFullHelp.SetEnabled(false)
	l.Styles = c.st.list
	l.FilterInput.Cursor.SetMode(cursor.CursorStatic)
	c.st.styleInput(&l.FilterInput)
	s.list = l
	return s
}

func (s *workspacesScreen) enter(e entry) tea.Cmd {
	s.ctx, s.api, s.hint, s.canBack = e.ctx, e.s.API, e.s.Hint, e.canBack
	if e.s.Workspace.Slug != "" {
		s.hint = e.s.Workspace.Slug
	}
	if s.loaded && s.err == nil && s.gen == e.s.apiGen {
		return nil
	}
	s.gen = e.s.apiGen
	return s.load()
}

func (s *workspacesScreen) load() tea.Cmd {
	s.loading, s.err = true, nil
	api := s.api
	return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
		ws, err := api.Workspaces(ctx)
		return workspacesMsg{seq: seq, ws: ws, err: err}
	})
}

func (s *workspacesScreen) typing() bool { return s.list.FilterState() == list.Filtering }
func (s *workspacesScreen) busy() bool   { return s.loading }

func (s *workspacesScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.loading:
		return bindings{short: []key.Binding{with(km.Back, "esc", "cancel")}}
	case credentialsRejected(s.err):
		return bindings{short: s.backKey(km.ChangeKey, with(km.Retry, "r", "reload"))}
	case s.err != nil || len(s.all) == 0:
		return bindings{short: s.backKey(append(s.c.againKeys(s.err), with(km.Retry, "r", "reload"))...)}
	case s.list.FilterState() == list.Filtering:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "apply filter"), with(km.Back, "esc", "clear filter")}}
	case s.list.FilterState() == list.FilterApplied:
		return bindings{short: []key.Binding{with(km.Up, "↑/↓", "move"), with(km.Enter, "enter", "choose"), with(km.Back, "esc", "clear filter")}}
	}
	return bindings{
		short: s.backKey(with(km.Up, "↑/↓", "move"), km.Filter, with(km.Enter, "enter", "choose")),
		full: [][]key.Binding{
			{with(km.Up, "↑/k", "up"), with(km.Down, "↓/j", "down"), with(km.Left, "←/pgup", "previous page"), with(km.Right, "→/pgdn", "next page")},
			{km.Filter, with(km.Enter, "enter", "choose"), with(km.Retry, "r", "reload")},
		},
	}
}

// backKey is b with esc when going back is allowed.
func (s *workspacesScreen) backKey(b ...key.Binding) []key.Binding {
	if s.canBack {
		b = append(b, s.c.km.Back)
	}
	return b
}

func (s *workspacesScreen) layout() {
	s.list.SetSize(s.c.width, max(s.c.height-1, 3))
}

func (s *workspacesScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case workspacesMsg:
		if !s.job.answered(msg.seq, &s.loading) {
			return nil
		}
		if msg.err != nil {
			s.err = msg.err
			return nil
		}
		s.loaded, s.all = true, msg.ws
		items := make([]list.Item, len(msg.ws))
		sel := 0
		s.slugW, s.nameW = 0, 0
		for i, w := range msg.ws {
			items[i] = wsItem(w)
			s.slugW = max(s.slugW, ansi.StringWidth(w.Slug))
			if w.Name != w.Slug {
				s.nameW = max(s.nameW, ansi.StringWidth(w.Name))
			}
			if w.Slug == s.hint {
				sel = i
			}
		}
		s.layout()
		cmd := s.list.SetItems(items)
		s.list.Select(sel)
		return cmd
	case tea.KeyMsg:
		if s.loading {
			if key.Matches(msg, km.Back) {
				s.job.drop() // the late answer is dropped
				s.loading, s.err = false, errors.New("cancelled")
			}
			return nil
		}
		if s.err != nil || len(s.all) == 0 {
			if cmd, ok := s.c.againCmd(msg, s.err); ok {
				return cmd
			}
			switch {
			case key.Matches(msg, km.Back) && s.canBack:
				return s.c.report(backMsg{})
			case key.Matches(msg, km.Retry):
				return s.load()
			case key.Matches(msg, km.ChangeKey) && credentialsRejected(s.err):
				return s.c.report(rejectedFix(s.err))
			}
			return nil
		}
		if s.list.FilterState() != list.Filtering {
			switch {
			case key.Matches(msg, km.Back) && s.canBack && s.list.FilterState() == list.Unfiltered:
				return s.c.report(backMsg{})
			case key.Matches(msg, km.Enter):
				if it, ok := s.list.SelectedItem().(wsItem); ok {
					return s.c.report(workspaceMsg{ws: Workspace(it)})
				}
				return nil
			case key.Matches(msg, km.Retry):
				return s.load()
			}
		}
	}
	s.layout()
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return cmd
}

func (s *workspacesScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Choose the workspace") + "\n")
	switch {
	case s.loading:
		b.WriteString(s.c.spinnerLine("Loading your workspaces…"))
	case credentialsRejected(s.err):
		b.WriteString(s.c.errorBox("Could not list your workspaces", s.err.Error(),
			"Press k to change the key and secret (they are checked, then written again), or r to try again."))
	case credentialLost(s.err):
		b.WriteString(s.c.lostBox("Could not list your workspaces", s.err))
	case s.err != nil:
		b.WriteString(s.c.errorBox("Could not list your workspaces", s.err.Error(), "Press r to try again."))
	case len(s.all) == 0:
		b.WriteString(s.c.box("warn", "Your account is not in any workspace",
			"Repositories live in workspaces, and this account is a member of none. Create one in Bitbucket ("+
				st.code.Render(s.c.bitbucketURL()+"/workspace/create")+") or ask to be invited to one.",
			"Then press r to reload."))
	default:
		b.WriteString(s.list.View())
	}
	return b.String()
}
