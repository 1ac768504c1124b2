package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

// keyMap is the wizard's one keymap. Screens pick the bindings they use; the help line shows
// exactly those, plus help and quit.
type keyMap struct {
	Quit      key.Binding // q, ctrl+c (q only when no text field has focus)
	ForceQuit key.Binding // ctrl+c, works while typing
	Help      key.Binding
	Back      key.Binding
	Enter     key.Binding
	Up        key.Binding
	Down      key.Binding
	PageUp    key.Binding
	PageDown  key.Binding
	Tab       key.Binding
	PrevField key.Binding // shift+tab in a form
	Toggle    key.Binding // space
	ToggleAll key.Binding // a
	Open      key.Binding // o: open in browser
	Copy      key.Binding // c: copy (OSC 52)
	Edit      key.Binding // e: edit a confirmed field
	Paste     key.Binding // p: paste the landed URL
	OpenURL   key.Binding // ctrl+o: open in browser, also while a text field has focus
	CopyURL   key.Binding // ctrl+y: copy (OSC 52), also while a text field has focus
	Retry     key.Binding // r
	ChangeKey key.Binding // k: back to the key and secret (Bitbucket rejected them)
	// ChangeKeyTyping is ChangeKey where letters go into a field.
	ChangeKeyTyping key.Binding
	RetryList       key.Binding // ctrl+r: retry where letters go into a filter
	// Again: ctrl+l redoes the step whose credential stopped working (sign in again,
	// authorize again); it works while typing too.
	Again      key.Binding
	Skip       key.Binding // s
	Yes        key.Binding // y
	No         key.Binding // n
	Unverified key.Binding // u: continue without verifying
	Left       key.Binding
	Right      key.Binding
	Filter     key.Binding // "/" in the workspace list
	Build      key.Binding // b: build now (the summary after a connect)
}

// focusMarker marks the focused field or row; it is text, so it survives NO_COLOR.
const focusMarker = "› "

func defaultKeyMap() keyMap {
	return keyMap{
		Quit:            key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		ForceQuit:       key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:            key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Back:            key.NewBinding(key.WithKeys("esc", "shift+tab"), key.WithHelp("esc", "back")),
		Enter:           key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		Up:              key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:            key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:          key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:        key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Tab:             key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Toggle:          key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "tick")),
		ToggleAll:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "tick all")),
		Open:            key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open in browser")),
		Copy:            key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy callback URL")),
		Edit:            key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Paste:           key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "paste URL")),
		OpenURL:         key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "open URL")),
		CopyURL:         key.NewBinding(key.WithKeys("ctrl+y"), key.WithHelp("ctrl+y", "copy URL")),
		Retry:           key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
		ChangeKey:       key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "change key and secret")),
		ChangeKeyTyping: key.NewBinding(key.WithKeys("ctrl+k"), key.WithHelp("ctrl+k", "change key and secret")),
		RetryList:       key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "retry listing")),
		Again:           key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "sign in again")),
		Skip:            key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "skip")),
		Yes:             key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:              key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "no")),
		Unverified:      key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "continue UNVERIFIED")),
		Left:            key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous")),
		Right:           key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next")),
		Filter:          key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Build:           key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "build now")),
	}
}

// with returns b with a different help text.
func with(b key.Binding, keyLabel, desc string) key.Binding {
	b.SetHelp(keyLabel, desc)
	return b
}

// bindings is a screen's help: the short line and the full (?) view.
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

var _ help.KeyMap = bindings{}

// ShortHelp implements help.KeyMap.
func (b bindings) ShortHelp() []key.Binding { return b.short }

// FullHelp implements help.KeyMap.
func (b bindings) FullHelp() [][]key.Binding {
	if b.full == nil {
		return [][]key.Binding{b.short}
	}
	return b.full
}
