package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Sign in to Amplication: an email and a password (shown as bullets), or a pasted API
// token (ctrl+t switches). When the account has several workspaces, a choice of them
// (the current one first selected). The sign-in also checks which Bitbucket key the
// running server uses (the root sends a stale server back to the server screen).

type ampSignInScreen struct {
	c       *common
	signer  AmpSignIner
	ctx     context.Context
	co      Checkout
	canBack bool

	email, password, token textinput.Model
	useToken               bool
	focus                  int // 0 email, 1 password (token mode: the token only)
	formErr                string

	job     request
	busyNow bool
	err     error
	signed  *AmpSignedIn // signed in; choosing among several workspaces
	pick    int
}

// ampSignInMsg is the result of SignInAmp or UseAmpWorkspace.
type ampSignInMsg struct {
	seq      uint64
	a        AmpSignedIn
	err      error
	switched bool // the result of a workspace switch
}

func newAmpSignIn(c *common, signer AmpSignIner) *ampSignInScreen {
	s := &ampSignInScreen{c: c, signer: signer, job: newRequest(c),
		email: newInput(c, "you@example.com"), password: newInput(c, "your Amplication password"), token: newInput(c, "an API token from Amplication's settings")}
	for _, ti := range []*textinput.Model{&s.password, &s.token} {
		ti.EchoMode = textinput.EchoPassword
		ti.EchoCharacter = '•'
	}
	s.email.CharLimit, s.password.CharLimit, s.token.CharLimit = 256, 256, 4096
	// The field label carries the focus marker, which survives NO_COLOR (as on the key and
	// secret screen): the inputs' own prompt is blank.
	s.email.Prompt, s.password.Prompt, s.token.Prompt = "  ", "  ", "  "
	s.email.SetValue(c.opts.AmpEmail)
	s.password.SetValue(c.opts.AmpPassword)
	return s
}

func (s *ampSignInScreen) enter(e entry) tea.Cmd {
	s.ctx, s.co, s.canBack = e.ctx, e.s.checkout, e.canBack
	s.busyNow, s.formErr, s.signed = false, "", nil
	f := s.firstToFix()
	s.err = nil
	return s.setFocus(f)
}

// firstToFix is the field the operator is to fill in or correct first: the email when it
// is empty or not an email address, else the password (empty, refused by the server: the
// email is seldom the wrong one, or filled in: enter on it signs in).
func (s *ampSignInScreen) firstToFix() int {
	if s.useToken || !emailShaped(s.email.Value()) {
		return 0
	}
	return 1
}

// emailShaped reports whether v looks like an email address (something@something).
func emailShaped(v string) bool {
	user, host, ok := strings.Cut(strings.TrimSpace(v), "@")
	return ok && user != "" && host != ""
}

func (s *ampSignInScreen) inputs() []*textinput.Model {
	if s.useToken {
		return []*textinput.Model{&s.token}
	}
	return []*textinput.Model{&s.email, &s.password}
}

func (s *ampSignInScreen) setFocus(i int) tea.Cmd {
	s.email.Blur()
	s.password.Blur()
	s.token.Blur()
	in := s.inputs()
	s.focus = min(i, len(in)-1)
	return in[s.focus].Focus()
}

func (s *ampSignInScreen) typing() bool { return s.signed == nil && !s.busyNow }
func (s *ampSignInScreen) busy() bool   { return s.busyNow }

func (s *ampSignInScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.busyNow:
		return bindings{short: []key.Binding{with(km.Back, "esc", "cancel")}}
	case s.signed != nil:
		return bindings{short: []key.Binding{with(km.Up, "↑/↓", "choose"), with(km.Enter, "enter", "use this workspace"), km.Back}}
	}
	other := "use an API token instead"
	if s.useToken {
		other = "use email and password instead"
	}
	// As on the key and secret screen: enter on the last field submits.
	var b []key.Binding
	switch {
	case s.useToken:
		b = []key.Binding{with(km.Enter, "enter", "sign in"), km.Back}
	case s.focus == 0:
		b = []key.Binding{with(km.Enter, "enter", "next field"), km.Back, with(km.Tab, "tab", "next field")}
	default:
		b = []key.Binding{with(km.Enter, "enter", "sign in"), km.Back, with(km.PrevField, "shift+tab", "previous field")}
	}
	b = append(b, key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", other)))
	return bindings{short: b}
}

func (s *ampSignInScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case ampSignInMsg:
		if !s.job.current(msg.seq) {
			return nil
		}
		s.busyNow = false
		if msg.err != nil {
			s.err = msg.err
			return s.setFocus(s.focus)
		}
		a := msg.a
		if len(a.Workspaces) > 1 && !msg.switched {
			// Several workspaces: the operator chooses (the current one is selected).
			s.signed, s.pick = &a, 0
			for i, w := range a.Workspaces {
				if w.ID == a.Workspace.ID {
					s.pick = i
				}
			}
			s.email.Blur()
			s.password.Blur()
			s.token.Blur()
			return nil
		}
		return s.c.report(ampSignedMsg{a: a})
	case tea.KeyMsg:
		if s.busyNow {
			if key.Matches(msg, km.Back) {
				s.busyNow = false
				s.job.drop()
				return s.setFocus(s.focus)
			}
			return nil
		}
		if s.signed != nil {
			return s.pickKey(msg)
		}
		return s.formKey(msg)
	}
	return nil
}

func (s *ampSignInScreen) pickKey(msg tea.KeyMsg) tea.Cmd {
	km := s.c.km
	ws := s.signed.Workspaces
	switch {
	case key.Matches(msg, km.Up):
		s.pick = (s.pick + len(ws) - 1) % len(ws)
	case key.Matches(msg, km.Down):
		s.pick = (s.pick + 1) % len(ws)
	case key.Matches(msg, km.Enter):
		chosen := ws[s.pick]
		if chosen.ID == s.signed.Workspace.ID {
			return s.c.report(ampSignedMsg{a: *s.signed})
		}
		s.busyNow, s.err = true, nil
		api := s.signed.API
		return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
			a, err := api.UseAmpWorkspace(ctx, chosen.ID)
			return ampSignInMsg{seq: seq, a: a, err: err, switched: true}
		})
	case key.Matches(msg, km.Back):
		s.signed = nil
		return s.setFocus(s.focus)
	}
	return nil
}

func (s *ampSignInScreen) formKey(msg tea.KeyMsg) tea.Cmd {
	km := s.c.km
	switch {
	case msg.String() == "ctrl+t":
		s.useToken = !s.useToken
		s.formErr, s.err = "", nil
		return s.setFocus(s.firstToFix())
	// As in huh and browser forms: tab and ↓ go to the next field, shift+tab and ↑ to the
	// previous one; shift+tab leaves the form only from the first field.
	case (msg.Type == tea.KeyShiftTab || msg.Type == tea.KeyUp) && s.focus > 0:
		return s.setFocus(s.focus - 1)
	case msg.Type == tea.KeyTab || msg.Type == tea.KeyDown:
		return s.setFocus((s.focus + 1) % len(s.inputs()))
	case msg.Type == tea.KeyUp:
		return nil
	case key.Matches(msg, km.Back):
		if s.canBack {
			return s.c.report(backMsg{})
		}
		return nil
	case key.Matches(msg, km.Enter) && !msg.Paste:
		if s.focus < len(s.inputs())-1 {
			return s.setFocus(s.focus + 1)
		}
		return s.submit()
	}
	if msg.Paste || len(msg.Runes) > 1 {
		msg.Runes = []rune(strings.TrimSpace(string(msg.Runes)))
	}
	in := s.inputs()[s.focus]
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	s.formErr = ""
	return cmd
}

func (s *ampSignInScreen) submit() tea.Cmd {
	l := AmpLogin{}
	if s.useToken {
		l.Token = strings.TrimSpace(s.token.Value())
		if l.Token == "" {
			s.formErr = "Paste an API token (Amplication: Workspace settings → API Tokens), or press ctrl+t to sign in with your email and password."
			return nil
		}
	} else {
		l.Email, l.Password = strings.TrimSpace(s.email.Value()), s.password.Value()
		switch {
		case l.Email == "":
			s.formErr = "Type the email you sign in to Amplication with."
			return s.setFocus(0)
		case !emailShaped(l.Email):
			s.formErr = "That is not an email address: type the email you sign in to Amplication with."
			return s.setFocus(0)
		case l.Password == "":
			s.formErr = "Type your Amplication password (it is shown as bullets only)."
			return s.setFocus(1)
		}
	}
	s.busyNow, s.err, s.formErr = true, nil, ""
	signer, co := s.signer, s.co
	return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
		a, err := signer.SignInAmp(ctx, co, l)
		return ampSignInMsg{seq: seq, a: a, err: err}
	})
}

func (s *ampSignInScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Sign in to Amplication") + "\n")
	if s.signed != nil {
		b.WriteString("Signed in as " + safetext.Line(s.signed.Account) + ". The account has several workspaces; connect which one?\n\n")
		for i, w := range s.signed.Workspaces {
			label := safetext.Line(w.Name)
			if w.ID == s.signed.Workspace.ID {
				label += st.faint.Render(" (current)")
			}
			b.WriteString(choiceLine(s.c, i == s.pick, label) + "\n")
		}
		if s.busyNow {
			b.WriteString("\n" + s.c.spinnerLine("Switching the workspace…"))
		}
		if s.err != nil {
			b.WriteString("\n" + s.c.errorBox("The workspace could not be chosen", safetext.Line(s.err.Error()), "Press enter to try again."))
		}
		return strings.TrimRight(b.String(), "\n")
	}
	b.WriteString(st.subtle.Render("bbsetup signs in to your local Amplication to connect it to Bitbucket; the password is used for this sign-in only and never stored.") + "\n\n")
	// Only the focused field's label has the marker (the frame follows it when scrolling).
	focused := s.typing()
	if s.useToken {
		b.WriteString(fieldLabel(s.c, focused, "API token") + st.faint.Render(" (hidden)") + "\n" + s.token.View() + "\n")
	} else {
		b.WriteString(fieldLabel(s.c, focused && s.focus == 0, "Email") + "\n" + s.email.View() + "\n")
		b.WriteString(fieldLabel(s.c, focused && s.focus == 1, "Password") + st.faint.Render(" (hidden)") + "\n" + s.password.View() + "\n")
	}
	if s.formErr != "" {
		b.WriteString(st.bad.Render(s.formErr) + "\n")
	}
	switch {
	case s.busyNow:
		b.WriteString("\n" + s.c.spinnerLine("Signing in and checking the server's Bitbucket key…"))
	case s.err != nil:
		b.WriteString("\n" + s.c.errorBox("The sign-in did not work", safetext.Line(s.err.Error()), "Correct it and press enter, or esc to go back."))
	}
	if s.c.opts.Demo && !s.useToken {
		b.WriteString("\n" + st.faint.Render("(demo: the emulated server's user is filled in)"))
	}
	return strings.TrimRight(b.String(), "\n")
}
