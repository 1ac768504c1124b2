package tui

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/flow"
)

// Step 4: the consumer's key and secret. The secret is echoed as bullets; pasted whitespace
// and newlines are trimmed; the format is checked before going on.

type credentialsScreen struct {
	c      *common
	id     *field
	secret *field
	form   form
	err    string
	// note is set when the verify step sent the operator back here.
	note string
}

func newCredentials(c *common) *credentialsScreen {
	s := &credentialsScreen{c: c,
		id: newTextField(c, "Key", "the consumer's Key", 256).Validate(func(v string) error {
			return checkFormat("key", strings.TrimSpace(v))
		}),
		secret: newTextField(c, "Secret", "the consumer's Secret", 256).Secret().Validate(func(v string) error {
			return checkFormat("secret", strings.TrimSpace(v))
		}),
	}
	s.id.SetValue(c.opts.Prefill.ID)
	s.secret.SetValue(c.opts.Prefill.Secret)
	s.form = newForm(wrapBoth, "verify", s.id, s.secret)
	return s
}

func (s *credentialsScreen) enter(e entry) tea.Cmd {
	if e.fix != nil {
		s.note = e.fix.Message
	}
	s.err = ""
	if s.note != "" || s.id.Value() == "" {
		return s.form.focusOn(0)
	}
	return s.form.focusOn(1)
}

func (s *credentialsScreen) typing() bool { return true }
func (s *credentialsScreen) busy() bool   { return false }

func (s *credentialsScreen) keys() bindings {
	// As in huh and browser forms: enter on the last field submits, shift+tab goes to the
	// previous field and leaves the form only from the first.
	return bindings{short: s.form.focused().KeyBinds()}
}

// demoSecret reports whether enter would take the demo consumer's secret: the secret
// field is empty and the key is the demo consumer's (the demo's emulated Bitbucket shows
// no secret to copy again after one was typed over).
func (s *credentialsScreen) demoSecret() bool {
	p := s.c.opts.Prefill
	return p.Secret != "" && strings.TrimSpace(s.secret.Value()) == "" && strings.TrimSpace(s.id.Value()) == p.ID
}

// checkFormat says what is wrong with a pasted key or secret, in the operator's words.
func checkFormat(what, v string) error {
	if v == "" {
		return fmt.Errorf("the %s is empty: in Bitbucket, click the consumer's name to reveal its Key and Secret, and copy the %s", what, what)
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("the %s contains a space or control character: copy it again, without anything around it", what)
		}
	}
	return nil
}

func (s *credentialsScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	if cmd, ok := s.form.move(k); ok {
		return cmd
	}
	switch {
	case key.Matches(k, km.Back):
		return s.c.report(backMsg{})
	case key.Matches(k, km.Enter) && !k.Paste:
		if !s.form.focused().last {
			return s.form.focusOn(s.form.focus + 1)
		}
		if s.demoSecret() {
			s.secret.SetValue(s.c.opts.Prefill.Secret) // as the line mode's enter does
		}
		if i, err := s.form.invalid(); err != nil {
			s.err = errText(err)
			return s.form.focusOn(i)
		}
		s.err, s.note = "", ""
		id, secret := strings.TrimSpace(s.id.Value()), strings.TrimSpace(s.secret.Value())
		return s.c.report(credentialsMsg{c: Credentials{ID: id, Secret: secret}})
	}
	cmd := s.form.focused().Update(k)
	s.err = ""
	return cmd
}

func (s *credentialsScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Paste the consumer's key and secret") + "\n")
	if s.note != "" {
		b.WriteString(s.c.errorBox("The key or secret did not work", s.note,
			"Copy both again from the consumer (click its name in OAuth consumers) and press enter.") + "\n")
	} else {
		b.WriteString(st.subtle.Render("In Bitbucket's OAuth consumers list, click the consumer's name: it reveals the Key and the Secret.") + "\n\n")
	}
	b.WriteString(s.id.View(true) + "\n")
	if flow.LooksLikeSecret(strings.TrimSpace(s.id.Value())) {
		b.WriteString(st.warn.Render("  This looks like a secret (32 letters and digits). The Key is the shorter value, shown above the Secret.") + "\n")
	}
	b.WriteString(s.secret.View(true))
	if s.demoSecret() {
		b.WriteString("\n" + st.subtle.Render("  Empty: enter takes the demo consumer's secret."))
	}
	if s.err != "" {
		b.WriteString("\n" + st.bad.Render(s.err))
	}
	return b.String()
}
