package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// Step 2: create the consumer. The workspace slug, the settings URL (o opens it), the
// callback URL (c copies it) and the setup doc's steps.

type consumerScreen struct {
	c        *common
	settings ConsumerSettings
	input    textinput.Model
	editing  bool
	slug     string
	callback string
	err      string
	status   string
	// note is set when the verify step sent the operator back here to fix the consumer.
	note     string
	noteKind VerdictKind
}

func newConsumer(c *common, settings ConsumerSettings) *consumerScreen {
	s := &consumerScreen{c: c, settings: settings, input: newInput(c, "your-workspace")}
	s.input.CharLimit = 62
	s.input.SetValue(c.opts.Workspace) // the demo's workspace; still confirmed with enter
	return s
}

func (s *consumerScreen) enter(e entry) tea.Cmd {
	s.callback = e.s.Checkout.CallbackURL
	if e.fix != nil {
		s.note, s.noteKind = e.fix.Message, e.fix.Kind
	}
	s.status = ""
	if s.slug == "" {
		s.editing = true
		return s.input.Focus()
	}
	return nil
}

func (s *consumerScreen) typing() bool { return s.editing }
func (s *consumerScreen) busy() bool   { return false }

func (s *consumerScreen) keys() bindings {
	km := s.c.km
	if s.editing {
		// Letters go into the slug: open and copy take ctrl here.
		return bindings{short: []key.Binding{with(km.Enter, "enter", "confirm slug"), km.Back,
			with(km.OpenURL, "ctrl+o", "open in browser"), with(km.CopyURL, "ctrl+y", "copy callback URL")}}
	}
	return bindings{short: []key.Binding{
		with(km.Enter, "enter", "next"), km.Open, km.Copy, with(km.Edit, "e", "edit slug"), km.Back,
	}}
}

// validWorkspaceSlug checks the characters Bitbucket allows in a workspace ID.
func validWorkspaceSlug(s string) error {
	if s == "" {
		return fmt.Errorf("type your workspace's slug: the part after bitbucket.org/ in the workspace URL")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("%q is not a workspace slug: use lowercase letters, digits, -, _ and . only (the part after bitbucket.org/)", s)
		}
	}
	return nil
}

// normalizeWorkspace turns what the operator typed into the slug as it will be used:
// trimmed, lowercased, without the Bitbucket address or slashes around it (a pasted
// workspace URL works).
func normalizeWorkspace(typed, base string) string {
	v := strings.ToLower(strings.TrimSpace(typed))
	for _, prefix := range []string{strings.ToLower(base) + "/", "https://bitbucket.org/", "bitbucket.org/"} {
		v = strings.TrimPrefix(v, prefix)
	}
	v = strings.Trim(v, "/")
	if i := strings.IndexByte(v, '/'); i > 0 { // acme/workspace/settings/... -> acme
		v = v[:i]
	}
	return v
}

func (s *consumerScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case openedMsg:
		if msg.err != nil {
			s.status = s.c.st.warn.Render("Could not open a browser: open the URL above yourself.")
		} else {
			s.status = s.c.st.ok.Render("✓") + " Opened the settings page in your browser."
			if s.c.opts.DemoVisits {
				s.status = s.c.st.ok.Render("✓") + " The demo visited the settings page for you (no browser was opened); in real use it opens in your browser."
			}
		}
	case copiedMsg:
		if msg.err != nil {
			s.status = s.c.st.warn.Render("Could not copy: select the callback URL above instead.")
		} else {
			s.status = s.c.st.ok.Render("✓") + " Callback URL sent to the clipboard (if your terminal allows it; otherwise select it above)."
		}
	case tea.KeyMsg:
		if s.editing {
			switch {
			case key.Matches(msg, km.OpenURL):
				ws := normalizeWorkspace(s.input.Value(), s.c.bitbucketURL())
				if err := validWorkspaceSlug(ws); err != nil {
					s.err = err.Error()
					return nil
				}
				return s.c.openCmd(s.settings.SettingsURL(ws))
			case key.Matches(msg, km.CopyURL):
				return s.c.copyCmd(s.callback)
			case key.Matches(msg, km.Enter):
				v := normalizeWorkspace(s.input.Value(), s.c.bitbucketURL())
				if err := validWorkspaceSlug(v); err != nil {
					s.err = errText(err)
					return nil
				}
				s.slug, s.err, s.editing = v, "", false
				s.input.SetValue(v)
				s.input.Blur()
				return nil
			case key.Matches(msg, km.Back):
				if s.slug != "" {
					s.editing, s.err = false, ""
					s.input.SetValue(s.slug)
					s.input.Blur()
					return nil
				}
				return s.c.report(backMsg{})
			}
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			s.err = ""
			return cmd
		}
		switch {
		case key.Matches(msg, km.Open):
			return s.c.openCmd(s.settings.SettingsURL(s.slug))
		case key.Matches(msg, km.Copy):
			return s.c.copyCmd(s.callback)
		case key.Matches(msg, km.Edit):
			s.editing = true
			s.input.CursorEnd()
			return s.input.Focus()
		case key.Matches(msg, km.Enter):
			s.note = "" // fixed (or not: Verify says so again)
			return s.c.report(consumerDoneMsg{workspace: s.slug})
		case key.Matches(msg, km.Back):
			return s.c.report(backMsg{})
		}
	}
	return nil
}

func (s *consumerScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Create an OAuth consumer in Bitbucket") + "\n")
	if s.note != "" {
		title := "Fix the consumer"
		switch s.noteKind {
		case VerdictNotPrivate:
			title = "The consumer is not private"
		case VerdictNoCallback:
			title = "The consumer has no callback URL"
		}
		b.WriteString(s.c.box("warn", title, s.note, "Fix it on the consumer's edit page (steps 3 and 4 below), Save, then press enter.") + "\n")
	}
	b.WriteString("Workspace slug (the part after bitbucket.org/):\n")
	if s.editing {
		b.WriteString(s.input.View() + "\n")
		if s.err != "" {
			b.WriteString(st.bad.Render(s.err) + "\n")
		}
	} else {
		b.WriteString(s.c.indented("  ", st.code.Render(s.slug)) + "\n")
	}
	ws := s.slug
	if s.editing {
		ws = normalizeWorkspace(s.input.Value(), s.c.bitbucketURL())
	}
	if ws == "" {
		ws = "<workspace>"
	}
	opens, copies := "o opens it", "c copies it"
	if s.editing {
		opens, copies = "ctrl+o opens it", "ctrl+y copies it"
	}
	b.WriteString("\n" + st.strong.Render("Settings page") + " (" + opens + "):\n" + s.c.indented("  ", st.code.Render(s.settings.SettingsURL(ws))) + "\n\n")
	b.WriteString(st.strong.Render("On that page:") + "\n")
	steps := []string{
		"Under OAuth consumers (bottom of the sidebar), click " + st.strong.Render("Add consumer") + ".",
		st.strong.Render("Name") + ": anything, e.g. Amplication (local).",
		st.strong.Render("Callback URL") + " (" + copies + "):\n" + s.c.indented("     ", st.code.Render(s.callback)),
		"Tick " + st.strong.Render("This is a private consumer") + ".",
		"Tick the permissions (next screen), then click " + st.strong.Render("Save") + ".",
	}
	for i, t := range steps {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, t)
	}
	if s.status != "" {
		b.WriteString("\n" + s.status)
	}
	return strings.TrimRight(b.String(), "\n")
}
