package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// Step 1: the detected checkout, what will change, the callback URL; a path input when no
// checkout was found; keep-or-replace when it is already configured.

type welcomeScreen struct {
	c       *common
	finder  CheckoutFinder
	job     request
	loading bool
	found   bool
	co      Checkout
	err     error
	editing bool // the path input is shown
	input   textinput.Model
	keep    bool // the highlighted choice when Configured
}

// checkoutFoundMsg is the result of FindCheckout.
type checkoutFoundMsg struct {
	seq uint64
	co  Checkout
	err error
}

func newInput(c *common, placeholder string) textinput.Model {
	ti := textinput.New()
	ti.Placeholder = placeholder
	ti.Prompt = "› "
	ti.Cursor.SetMode(cursor.CursorStatic)
	c.st.styleInput(&ti)
	return ti
}

func newWelcome(c *common, finder CheckoutFinder) *welcomeScreen {
	return &welcomeScreen{c: c, finder: finder, job: newRequest(c), input: newInput(c, "/path/to/amplication"), keep: true}
}

func (s *welcomeScreen) enter(entry) tea.Cmd {
	if s.found || s.loading {
		return nil
	}
	return s.find(s.c.opts.RepoDir)
}

func (s *welcomeScreen) find(dir string) tea.Cmd {
	s.loading = true
	finder := s.finder
	return s.job.run(context.Background(), func(_ context.Context, seq uint64) tea.Msg {
		co, err := finder.FindCheckout(expandHome(dir))
		return checkoutFoundMsg{seq: seq, co: co, err: err}
	})
}

func (s *welcomeScreen) typing() bool { return s.editing && !s.loading }
func (s *welcomeScreen) busy() bool   { return s.loading }

func (s *welcomeScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.loading:
		return bindings{}
	case s.editing:
		b := []key.Binding{with(km.Enter, "enter", "use this path")}
		if s.found {
			b = append(b, with(km.Back, "esc", "cancel"))
		}
		return bindings{short: b}
	case s.co.Configured:
		return bindings{short: []key.Binding{
			with(km.Up, "↑/↓", "choose"), with(km.Enter, "enter", "continue"), with(km.Edit, "e", "other checkout"),
		}}
	default:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "start"), with(km.Edit, "e", "other checkout")}}
	}
}

func (s *welcomeScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case checkoutFoundMsg:
		if !s.job.answered(msg.seq, &s.loading) {
			return nil
		}
		if msg.err != nil {
			s.err = msg.err
			s.editing = true
			return s.input.Focus()
		}
		s.co, s.found, s.err, s.editing = msg.co, true, nil, false
		s.keep = msg.co.Configured
		s.input.Blur()
		return nil
	case tea.KeyMsg:
		if s.loading {
			return nil
		}
		if s.editing {
			switch {
			case key.Matches(msg, km.Enter):
				dir := strings.TrimSpace(s.input.Value())
				if dir == "" {
					return nil
				}
				return s.find(dir)
			case key.Matches(msg, km.Back) && s.found:
				s.editing, s.err = false, nil
				s.input.Blur()
				return nil
			}
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			return cmd
		}
		switch {
		case key.Matches(msg, km.Up, km.Down) && s.co.Configured:
			s.keep = !s.keep
		case key.Matches(msg, km.Edit):
			s.editing = true
			s.input.SetValue(s.co.Root)
			s.input.CursorEnd()
			return s.input.Focus()
		case key.Matches(msg, km.Enter):
			return s.c.report(checkoutMsg{co: s.co, keep: s.co.Configured && s.keep})
		}
	}
	return nil
}

func (s *welcomeScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Connect Amplication to Bitbucket Cloud") + "\n")
	b.WriteString(st.subtle.Render("Puts a Bitbucket consumer's key and secret into your Amplication checkout, then connects your account and a repository.") + "\n\n")
	if s.loading {
		b.WriteString(s.c.spinnerLine("Looking for the Amplication checkout…"))
		return b.String()
	}
	if s.editing {
		if s.err != nil {
			b.WriteString(s.c.errorBox("No usable Amplication checkout", s.err.Error(),
				"Type the path of your Amplication checkout (the folder that holds packages/amplication-server) and press enter.") + "\n")
		} else {
			b.WriteString("Path of the Amplication checkout:\n")
		}
		b.WriteString(s.input.View())
		return b.String()
	}
	co := s.co
	b.WriteString(s.c.kv("Checkout", 10, st.code.Render(co.Root)) + "\n")
	b.WriteString(s.c.kv("Layout", 10, layoutText(co)) + "\n")
	b.WriteString(st.strong.Render("Callback URL") + " to register on the consumer:\n" + s.c.indented("  ", st.code.Render(co.CallbackURL)) + "\n\n")
	b.WriteString("Will set BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET (and BILLING_ENABLED=false for the server) in:\n")
	for _, p := range changedFiles(co) {
		b.WriteString(s.c.indented("  ", st.code.Render(rel(co.Root, p))) + "\n")
	}
	b.WriteString(st.faint.Render("Only .env.local files; the committed .env files stay as they are.") + "\n\n")
	if co.Configured {
		b.WriteString(st.ok.Render("✓") + " A key and secret are already configured (key " + st.code.Render(co.ClientID) + ").\n")
		b.WriteString(choiceLine(s.c, s.keep, "Keep them: check them with Bitbucket, then authorize") + "\n")
		b.WriteString(choiceLine(s.c, !s.keep, "Replace them with a new consumer"))
	} else {
		b.WriteString("Press enter to start: first, create the consumer in Bitbucket.")
	}
	return b.String()
}

// choiceLine renders one option of a choice, with the cursor when selected.
func choiceLine(c *common, selected bool, text string) string {
	if selected {
		return c.st.cursor.Render("› ") + c.st.selected.Render(text)
	}
	return "  " + c.st.text.Render(text)
}

// expandHome expands a leading ~ (alone or followed by /) to the home directory, as a shell
// would: the path input is not a shell.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~"))
}

func layoutText(co Checkout) string {
	switch co.Layout {
	case "older":
		return "older (server + amplication-git-pull-request-service)"
	case "current":
		return "current (server + git-sync-manager)"
	case "older+current":
		return "both PR services present (amplication-git-pull-request-service and git-sync-manager)"
	}
	return co.Layout
}

func changedFiles(co Checkout) []string {
	return append([]string{co.ServerEnv}, co.PREnvs...)
}
