package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
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

	email, password, token *field
	form                   form // email and password, or (useToken) the token
	useToken               bool
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
		email: newTextField(c, "Email", "you@example.com", 256).Validate(func(v string) error {
			switch {
			case strings.TrimSpace(v) == "":
				return errors.New("Type the email you sign in to Amplication with.")
			case !emailShaped(v):
				return errors.New("That is not an email address: type the email you sign in to Amplication with.")
			}
			return nil
		}),
		password: newTextField(c, "Password", "your Amplication password", 256).Secret().Validate(func(v string) error {
			if v == "" {
				return errors.New("Type your Amplication password (it is shown as bullets only).")
			}
			return nil
		}),
		token: newTextField(c, "API token", "an API token from Amplication's settings", 4096).Secret().Validate(func(v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("Paste an API token (Amplication: Workspace settings → API Tokens), or press ctrl+t to sign in with your email and password.")
			}
			return nil
		}),
	}
	s.email.SetValue(c.opts.AmpEmail)
	s.password.SetValue(c.opts.AmpPassword)
	s.setMode()
	return s
}

func (s *ampSignInScreen) enter(e entry) tea.Cmd {
	s.ctx, s.co, s.canBack = e.ctx, e.s.Checkout, e.canBack
	s.busyNow, s.formErr, s.signed = false, "", nil
	s.err = nil
	return s.form.focusOn(s.firstToFix())
}

// setMode puts the fields of the current mode in the form: email and password, or the
// token.
func (s *ampSignInScreen) setMode() {
	if s.useToken {
		s.form = newForm(wrapForward, "sign in", s.token)
		return
	}
	s.form = newForm(wrapForward, "sign in", s.email, s.password)
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
	b := s.form.focused().KeyBinds()
	b = append(b, key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", other)))
	return bindings{short: b}
}

func (s *ampSignInScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case ampSignInMsg:
		if !s.job.answered(msg.seq, &s.busyNow) {
			return nil
		}
		if msg.err != nil {
			s.err = msg.err
			return s.form.focusOn(s.form.focus)
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
			s.form.blur()
			return nil
		}
		return s.c.report(ampSignedMsg{a: a})
	case tea.KeyMsg:
		if s.busyNow {
			if key.Matches(msg, km.Back) {
				s.busyNow = false
				s.job.drop()
				return s.form.focusOn(s.form.focus)
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
		return s.form.focusOn(s.form.focus)
	}
	return nil
}

func (s *ampSignInScreen) formKey(msg tea.KeyMsg) tea.Cmd {
	km := s.c.km
	switch {
	case msg.String() == "ctrl+t":
		s.useToken = !s.useToken
		s.formErr, s.err = "", nil
		s.setMode()
		return s.form.focusOn(s.firstToFix())
	}
	// As in huh and browser forms (form.go).
	if cmd, ok := s.form.move(msg); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, km.Back):
		if s.canBack {
			return s.c.report(backMsg{})
		}
		return nil
	case key.Matches(msg, km.Enter) && !msg.Paste:
		if !s.form.focused().last {
			return s.form.focusOn(s.form.focus + 1)
		}
		return s.submit()
	}
	cmd := s.form.focused().Update(msg)
	s.formErr = ""
	return cmd
}

func (s *ampSignInScreen) submit() tea.Cmd {
	if i, err := s.form.invalid(); err != nil {
		s.formErr = err.Error()
		return s.form.focusOn(i)
	}
	l := AmpLogin{}
	if s.useToken {
		l.Token = strings.TrimSpace(s.token.Value())
	} else {
		l.Email, l.Password = strings.TrimSpace(s.email.Value()), s.password.Value()
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
	for _, f := range s.form.fields {
		b.WriteString(f.View(focused) + "\n")
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
