package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// harness drives a Model the way a tea.Program does, but on the test goroutine: commands
// run in goroutines and their messages are fed back through Update by send, drain and until.
// After every Update it renders View and checks the invariants every screen must keep: no
// secret on screen, no line wider than the terminal.
type harness struct {
	t       *testing.T
	fb      *fakeBackend
	m       Model
	clip    *bytes.Buffer
	results chan tea.Msg
	quit    bool
	w, h    int
	views   int
	// inflight counts commands started and not yet handled.
	inflight int
	onView   func(string) // sees every rendered view
}

// resize sends a new terminal size.
func (hs *harness) resize(w, h int) {
	hs.t.Helper()
	hs.w, hs.h = w, h
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
}

func newHarness(t *testing.T, fb *fakeBackend, opts Options, w, h int) *harness {
	t.Helper()
	return newHarnessR(t, fb, opts, w, h, nil)
}

// newHarnessR is newHarness with a given renderer (nil: the default for a non-terminal).
func newHarnessR(t *testing.T, fb *fakeBackend, opts Options, w, h int, r *lipgloss.Renderer) *harness {
	t.Helper()
	hs := &harness{t: t, fb: fb, clip: &bytes.Buffer{}, results: make(chan tea.Msg, 1024), w: w, h: h}
	hs.m = newModel(fb, opts, hs.clip, r)
	hs.m.w.c.noTicks = true
	hs.m.w.c.debounce = time.Millisecond
	t.Cleanup(hs.m.w.stop)
	hs.handle(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.Init())
	hs.settle()
	return hs
}

func (hs *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	hs.inflight++
	go func() { hs.results <- cmd() }()
}

func (hs *harness) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			hs.run(c)
		}
		return
	case tea.QuitMsg:
		hs.quit = true
		return
	}
	_, cmd := hs.m.Update(msg)
	hs.run(cmd)
	hs.check()
}

// check asserts the invariants on the current view.
func (hs *harness) check() {
	hs.t.Helper()
	v := hs.m.View()
	hs.views++
	if hs.onView != nil {
		hs.onView(v)
	}
	if strings.Contains(v, testSecret) || strings.Contains(v, testSecret[:12]) {
		hs.t.Fatalf("the secret is on screen (step %v):\n%s", hs.m.w.cur, v)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > hs.w {
			hs.t.Fatalf("line wider (%d) than the terminal (%d) on step %v: %q\n%s", w, hs.w, hs.m.w.cur, l, v)
		}
	}
}

// send feeds msg through Update, then settles.
func (hs *harness) send(msgs ...tea.Msg) {
	hs.t.Helper()
	for _, m := range msgs {
		hs.handle(m)
		hs.settle()
	}
}

// settle handles results until no command is in flight except those parked on a fake's
// gate (bounded: a stuck command fails the test).
func (hs *harness) settle() {
	hs.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		hs.drain()
		if hs.inflight == 0 || int64(hs.inflight) <= hs.fb.blocked.Load() {
			return
		}
		select {
		case msg := <-hs.results:
			hs.inflight--
			hs.handle(msg)
		case <-time.After(time.Millisecond):
		case <-deadline:
			hs.t.Fatalf("commands still in flight (%d, %d parked); step %v", hs.inflight, hs.fb.blocked.Load(), hs.m.w.cur)
		}
	}
}

// press sends key presses by name ("enter", "esc", "a", "ctrl+c", ...).
func (hs *harness) press(keys ...string) {
	hs.t.Helper()
	for _, k := range keys {
		hs.send(keyMsg(k))
	}
}

// typeText types s one rune at a time.
func (hs *harness) typeText(s string) {
	hs.t.Helper()
	for _, r := range s {
		hs.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// paste sends s as one bracketed paste.
func (hs *harness) paste(s string) {
	hs.t.Helper()
	hs.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true})
}

// drain processes the results already available, without waiting.
func (hs *harness) drain() {
	for {
		select {
		case msg := <-hs.results:
			hs.inflight--
			hs.handle(msg)
		default:
			return
		}
	}
}

// until processes results until cond holds for the view, failing after a generous bound.
func (hs *harness) until(what string, cond func(view string) bool) {
	hs.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		hs.drain()
		if cond(hs.m.View()) {
			return
		}
		select {
		case msg := <-hs.results:
			hs.inflight--
			hs.handle(msg)
		case <-time.After(5 * time.Millisecond):
			// cond may depend on the fake's state (a call reaching the backend), which
			// sends no message: look again.
		case <-deadline:
			hs.t.Fatalf("never saw %s; step %v, view:\n%s", what, hs.m.w.cur, hs.m.View())
		}
	}
}

// untilText waits until the view contains every string.
func (hs *harness) untilText(subs ...string) {
	hs.t.Helper()
	hs.until(strings.Join(subs, " + "), func(string) bool {
		v := hs.view()
		for _, s := range subs {
			if !strings.Contains(v, s) {
				return false
			}
		}
		return true
	})
}

// view is the plain text of the screen with wrapped lines joined by spaces: the header,
// the whole body (also the part scrolled out of sight) and the help line.
func (hs *harness) view() string {
	return flat(hs.m.View() + "\n" + strings.Join(hs.m.w.bodyLines(), "\n"))
}

// flat strips styles and joins lines, so assertions do not depend on wrapping.
func flat(v string) string {
	v = ansi.Strip(v)
	v = strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ", "─", "").Replace(v)
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
}

func (hs *harness) wantText(subs ...string) {
	hs.t.Helper()
	v := hs.view()
	for _, s := range subs {
		if !strings.Contains(v, s) {
			hs.t.Fatalf("view (step %v) lacks %q:\n%s", hs.m.w.cur, s, hs.m.View())
		}
	}
}

// wantNoText checks the visible screen.
func (hs *harness) wantNoText(subs ...string) {
	hs.t.Helper()
	v := flat(hs.m.View())
	for _, s := range subs {
		if strings.Contains(v, s) {
			hs.t.Fatalf("view (step %v) has %q:\n%s", hs.m.w.cur, s, hs.m.View())
		}
	}
}

func (hs *harness) wantStep(s step) {
	hs.t.Helper()
	if hs.m.w.cur != s {
		hs.t.Fatalf("step = %v, want %v; view:\n%s", hs.m.w.cur, s, hs.m.View())
	}
}

func keyMsg(k string) tea.KeyMsg {
	types := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, "ctrl+c": tea.KeyCtrlC, "ctrl+u": tea.KeyCtrlU, "ctrl+r": tea.KeyCtrlR,
		"ctrl+o": tea.KeyCtrlO, "ctrl+y": tea.KeyCtrlY,
	}
	if t, ok := types[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	if k == "space" || k == " " {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// Walkers: drive the wizard from the start to a given step with the default fake.

func (hs *harness) toConsumer() {
	hs.t.Helper()
	hs.untilText("Callback URL to register")
	hs.press("enter")
	hs.wantStep(stepConsumer)
}

func (hs *harness) toPermissions() {
	hs.t.Helper()
	hs.toConsumer()
	hs.typeText("acme")
	hs.press("enter", "enter")
	hs.wantStep(stepPermissions)
}

func (hs *harness) toCredentials() {
	hs.t.Helper()
	hs.toPermissions()
	hs.press("a", "enter")
	hs.wantStep(stepCredentials)
}

func (hs *harness) toVerify() {
	hs.t.Helper()
	hs.toCredentials()
	hs.typeText("KEY123")
	hs.press("enter")
	hs.paste(testSecret)
	hs.press("enter")
	hs.wantStep(stepVerify)
}

func (hs *harness) toEnv() {
	hs.t.Helper()
	hs.toVerify()
	hs.untilText("Bitbucket accepted the key and secret")
	hs.press("enter")
	hs.wantStep(stepEnv)
	hs.untilText("Nothing is written until you press enter")
}

func (hs *harness) toAuthorize() {
	hs.t.Helper()
	hs.toEnv()
	hs.press("enter")
	hs.untilText("written")
	hs.press("enter")
	hs.wantStep(stepAuthorize)
}

func (hs *harness) toWorkspaces() {
	hs.t.Helper()
	hs.toAuthorize()
	hs.untilText("Connected as Demo Operator (demo)")
	hs.press("enter")
	hs.wantStep(stepWorkspaces)
	hs.untilText("acme-labs")
}

func (hs *harness) toChoice() {
	hs.t.Helper()
	hs.toWorkspaces()
	hs.press("enter")
	hs.wantStep(stepChoice)
}
