package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// Forms: a field shaped like huh's (Focus, Blur, Validate, KeyBinds, WithWidth) and a form
// that moves the focus between its fields as a browser form does: tab and ↓ to the next
// field, shift+tab and ↑ to the previous one; on the first field they stay: only esc (the
// screen's "back") leaves the form. The focused field's label
// carries the focus marker, which survives NO_COLOR; the inputs' own prompt is blank.

// field is one form field: a text input with its label, or, with no input, a choice the
// screen renders and drives itself (a toggle, a project), of which the field is the label.
type field struct {
	c        *common
	title    string
	note     string // after the title, faint: " (hidden)"
	input    *textinput.Model
	validate func(string) error
	focused  bool
	// first and last place the field in its form (huh's WithPosition): they choose its keys.
	first, last bool
	submit      string // what enter does on the last field ("verify", "sign in")
	// keepSpaces: a paste keeps the whitespace around it.
	keepSpaces bool
}

// newTextField is a field with a text input.
func newTextField(c *common, title, placeholder string, limit int) *field {
	in := newInput(c, placeholder)
	in.Prompt = "  " // the label carries the focus marker
	in.CharLimit = limit
	return &field{c: c, title: title, input: &in}
}

// newChoiceField is a field without a text input: the screen renders and drives it.
func newChoiceField(c *common, title string) *field { return &field{c: c, title: title} }

// Secret shows the value as bullets.
func (f *field) Secret() *field {
	f.input.EchoMode = textinput.EchoPassword
	f.input.EchoCharacter = '•'
	f.note = " (hidden)"
	return f
}

// KeepSpaces makes a paste keep the whitespace around it.
func (f *field) KeepSpaces() *field {
	f.keepSpaces = true
	return f
}

// Validate sets what the value must be: fn says what is wrong with it, in the operator's
// words (nil: nothing).
func (f *field) Validate(fn func(string) error) *field {
	f.validate = fn
	return f
}

// WithWidth sizes the input to width columns.
func (f *field) WithWidth(width int) *field {
	if f.input != nil {
		f.input.Width = max(width-len(f.input.Prompt)-1, 1)
	}
	return f
}

// Focus gives the field the focus.
func (f *field) Focus() tea.Cmd {
	f.focused = true
	if f.input != nil {
		return f.input.Focus()
	}
	return nil
}

// Blur takes the focus away.
func (f *field) Blur() tea.Cmd {
	f.focused = false
	if f.input != nil {
		f.input.Blur()
	}
	return nil
}

// Error is what is wrong with the value (nil: nothing, or no validation).
func (f *field) Error() error {
	if f.validate == nil || f.input == nil {
		return nil
	}
	return f.validate(f.input.Value())
}

// Value is the input's value, as typed.
func (f *field) Value() string {
	if f.input == nil {
		return ""
	}
	return f.input.Value()
}

// SetValue sets the input's value.
func (f *field) SetValue(v string) { f.input.SetValue(v) }

// KeyBinds are the keys the field takes in its place in the form, for the help line: enter
// goes to the next field (or submits on the last), tab to the next field, shift+tab to
// the previous one.
func (f *field) KeyBinds() []key.Binding {
	km := f.c.km
	switch {
	case f.first && f.last:
		return []key.Binding{with(km.Enter, "enter", f.submit), km.Back}
	case f.last:
		return []key.Binding{with(km.Enter, "enter", f.submit), km.Back, with(km.PrevField, "shift+tab", "previous field")}
	}
	return []key.Binding{with(km.Enter, "enter", "next field"), km.Back, with(km.Tab, "tab", "next field")}
}

// Update types msg into the input. A paste (or several characters at once) loses the
// whitespace and newlines around it.
func (f *field) Update(msg tea.KeyMsg) tea.Cmd {
	if f.input == nil {
		return nil
	}
	if (msg.Paste || len(msg.Runes) > 1) && !f.keepSpaces {
		msg.Runes = []rune(strings.TrimSpace(string(msg.Runes)))
	}
	var cmd tea.Cmd
	*f.input, cmd = f.input.Update(msg)
	return cmd
}

// Label is the field's title, with the focus marker when the field has the focus and
// marked is true (false: the form waits for something, a confirm or a request).
func (f *field) Label(marked bool) string {
	l := fieldLabel(f.c, marked && f.focused, f.title)
	if f.note == "" {
		return l
	}
	return l + f.c.st.faint.Render(f.note)
}

// View is the label (see Label) and the input under it.
func (f *field) View(marked bool) string {
	return f.Label(marked) + "\n" + f.input.View()
}

// wrapping is how a form's focus moves past its ends.
type wrapping int

const (
	wrapNone    wrapping = iota // tab/↓ stays on the last field
	wrapForward                 // tab/↓ on the last field goes to the first
	wrapBoth                    // and ↑ on the first goes to the last
)

// form is a group of fields with one focused.
type form struct {
	fields []*field
	focus  int
	wrap   wrapping
}

// newForm is a form of fields; submit is what enter does on the last one.
func newForm(wrap wrapping, submit string, fields ...*field) form {
	f := form{wrap: wrap}
	f.set(submit, fields...)
	return f
}

// set replaces the fields (the sign-in's token mode has other fields than its password
// mode); the focus goes to the first.
func (f *form) set(submit string, fields ...*field) {
	for _, fl := range f.fields {
		fl.Blur()
	}
	f.fields, f.focus = fields, 0
	for i, fl := range fields {
		fl.first, fl.last, fl.submit = i == 0, i == len(fields)-1, submit
	}
}

// focused is the field with the focus.
func (f *form) focused() *field { return f.fields[f.focus] }

// focusOn gives field i the focus (clamped to the fields).
func (f *form) focusOn(i int) tea.Cmd {
	for _, fl := range f.fields {
		fl.Blur()
	}
	f.focus = min(max(i, 0), len(f.fields)-1)
	return f.fields[f.focus].Focus()
}

// blur takes the focus from every field (the form is left for a choice, a result).
func (f *form) blur() {
	for _, fl := range f.fields {
		fl.Blur()
	}
}

// move handles the keys that move the focus (see the top of this file). It reports false
// for any other key.
func (f *form) move(msg tea.KeyMsg) (tea.Cmd, bool) {
	n := len(f.fields)
	switch msg.Type {
	case tea.KeyShiftTab:
		if f.focus == 0 {
			// Stays: leaving the screen is esc's, never a key that moves between fields
			// (issue 23: shift+tab on the first field left the Create form).
			return nil, true
		}
		return f.focusOn(f.focus - 1), true
	case tea.KeyUp:
		switch {
		case f.focus > 0:
			return f.focusOn(f.focus - 1), true
		case f.wrap == wrapBoth:
			return f.focusOn(n - 1), true
		}
		return nil, true
	case tea.KeyTab, tea.KeyDown:
		switch {
		case f.focus < n-1:
			return f.focusOn(f.focus + 1), true
		case f.wrap != wrapNone:
			return f.focusOn(0), true
		}
		return f.focusOn(f.focus), true
	}
	return nil, false
}

// invalid is the first field whose value is wrong, and what is wrong (nil: none).
func (f *form) invalid() (int, error) {
	for i, fl := range f.fields {
		if err := fl.Error(); err != nil {
			return i, err
		}
	}
	return -1, nil
}
