package tui

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// Step 4: the consumer's key and secret. The secret is echoed as bullets; pasted whitespace
// and newlines are trimmed; the format is checked before going on.

type credentialsScreen struct {
	c      *common
	id     textinput.Model
	secret textinput.Model
	focus  int // 0 key, 1 secret
	err    string
	// note is set when the verify step sent the operator back here.
	note string
}

func newCredentials(c *common) *credentialsScreen {
	s := &credentialsScreen{c: c, id: newInput(c, "the consumer's Key"), secret: newInput(c, "the consumer's Secret")}
	s.secret.EchoMode = textinput.EchoPassword
	s.secret.EchoCharacter = '•'
	s.id.CharLimit, s.secret.CharLimit = 256, 256
	// The field label carries the focus marker, which survives NO_COLOR.
	s.id.Prompt, s.secret.Prompt = "  ", "  "
	s.id.SetValue(c.opts.Prefill.ID)
	s.secret.SetValue(c.opts.Prefill.Secret)
	return s
}

func (s *credentialsScreen) enter(e entry) tea.Cmd {
	if e.fix != nil {
		s.note = e.fix.Message
	}
	s.err = ""
	if s.note != "" || s.id.Value() == "" {
		return s.setFocus(0)
	}
	return s.setFocus(1)
}

func (s *credentialsScreen) setFocus(i int) tea.Cmd {
	s.focus = i
	if i == 0 {
		s.secret.Blur()
		return s.id.Focus()
	}
	s.id.Blur()
	return s.secret.Focus()
}

func (s *credentialsScreen) typing() bool { return true }
func (s *credentialsScreen) busy() bool   { return false }

func (s *credentialsScreen) keys() bindings {
	km := s.c.km
	// As in huh and browser forms: enter on the last field submits, shift+tab goes to the
	// previous field and leaves the form only from the first.
	if s.focus == 0 {
		return bindings{short: []key.Binding{with(km.Enter, "enter", "next field"), km.Back, with(km.Tab, "tab", "next field")}}
	}
	return bindings{short: []key.Binding{with(km.Enter, "enter", "verify"), km.Back,
		with(km.PrevField, "shift+tab", "previous field")}}
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
	switch {
	case k.Type == tea.KeyShiftTab && s.focus == 1, k.Type == tea.KeyUp && s.focus == 1:
		return s.setFocus(0)
	case k.Type == tea.KeyTab || k.Type == tea.KeyDown || k.Type == tea.KeyUp:
		return s.setFocus(1 - s.focus)
	case key.Matches(k, km.Back):
		return s.c.report(backMsg{})
	case key.Matches(k, km.Enter) && !k.Paste:
		if s.focus == 0 {
			return s.setFocus(1)
		}
		id := strings.TrimSpace(s.id.Value())
		secret := strings.TrimSpace(s.secret.Value())
		if err := checkFormat("key", id); err != nil {
			s.err = errText(err)
			return s.setFocus(0)
		}
		if err := checkFormat("secret", secret); err != nil {
			s.err = errText(err)
			return s.setFocus(1)
		}
		s.err, s.note = "", ""
		return s.c.report(credentialsMsg{c: Credentials{ID: id, Secret: secret}})
	}
	if k.Paste || len(k.Runes) > 1 {
		// A paste: drop the whitespace and newlines around it.
		k.Runes = []rune(strings.TrimSpace(string(k.Runes)))
	}
	var cmd tea.Cmd
	if s.focus == 0 {
		s.id, cmd = s.id.Update(k)
	} else {
		s.secret, cmd = s.secret.Update(k)
	}
	s.err = ""
	return cmd
}

// secretShaped reports whether v has the shape of a consumer secret (32 letters and
// digits); keys are shorter (18).
func secretShaped(v string) bool {
	if len(v) != 32 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (s *credentialsScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Paste the consumer's key and secret") + "\n")
	if s.note != "" {
		b.WriteString(s.c.errorBox("Bitbucket rejected the key or secret", s.note,
			"Copy both again from the consumer (click its name in OAuth consumers) and press enter.") + "\n")
	} else {
		b.WriteString(st.subtle.Render("In Bitbucket's OAuth consumers list, click the consumer's name: it reveals the Key and the Secret.") + "\n\n")
	}
	label := func(i int, text string) string { return fieldLabel(s.c, s.focus == i, text) }
	b.WriteString(label(0, "Key") + "\n" + s.id.View() + "\n")
	if secretShaped(strings.TrimSpace(s.id.Value())) {
		b.WriteString(st.warn.Render("  This looks like a secret (32 letters and digits). The Key is the shorter value, shown above the Secret.") + "\n")
	}
	b.WriteString(label(1, "Secret") + st.faint.Render(" (hidden)") + "\n" + s.secret.View())
	if s.err != "" {
		b.WriteString("\n" + st.bad.Render(s.err))
	}
	return b.String()
}
