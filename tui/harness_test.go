package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/bbsetup/bbsetup/internal/teadrive"
)

// harness drives a Model the way a tea.Program does, but on the test goroutine, with the
// project's driver (internal/teadrive): commands run in goroutines and their messages are
// fed back through Update by send, settle and until. After every Update it renders View
// and checks the invariants every screen must keep: no secret on screen, no line wider
// than the terminal.
type harness struct {
	t    *testing.T
	fb   *fakeBackend
	m    Model
	d    *teadrive.Driver
	clip *bytes.Buffer
	quit bool // a command returned tea.Quit
	w, h int
	// views counts the views checked.
	views  int
	onView func(string) // sees every rendered view
	// ticks are the timers screens set (the Amplication server's polling): fireTicks
	// fires them, so no test waits for time to pass.
	ticks []func(time.Time) tea.Msg
}

// fireTicks fires the timers set so far.
func (hs *harness) fireTicks() {
	hs.t.Helper()
	due := hs.ticks
	hs.ticks = nil
	for _, fn := range due {
		hs.send(fn(time.Now()))
	}
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
	hs := &harness{t: t, fb: fb, clip: &bytes.Buffer{}, w: w, h: h}
	hs.m = newModel(fb, opts, hs.clip, r)
	hs.m.w.c.noTicks = true
	hs.m.w.c.debounce = time.Millisecond
	hs.m.w.c.tick = func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		hs.ticks = append(hs.ticks, fn)
		return nil
	}
	t.Cleanup(hs.m.w.stop)
	hs.d = teadrive.New(hs.m)
	hs.d.AfterUpdate = hs.check
	hs.d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.d.Init()
	hs.settle()
	return hs
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
		hs.d.Send(m)
		hs.settle()
	}
}

// settle handles results until no command is in flight except those parked on a fake's
// gate (bounded: a stuck command fails the test).
func (hs *harness) settle() {
	hs.t.Helper()
	err := hs.d.Settle(10*time.Second, func() int { return int(hs.fb.blocked.Load()) })
	hs.quit = hs.d.Quit()
	if err != nil {
		hs.t.Fatalf("%v; step %v", err, hs.m.w.cur)
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

// until processes results until cond holds for the view, failing after a generous bound.
// cond may depend on the fake's state (a call reaching the backend), which sends no
// message: it is checked again every few milliseconds.
func (hs *harness) until(what string, cond func(view string) bool) {
	hs.t.Helper()
	_, err := hs.d.Until(10*time.Second, func(string) bool {
		hs.quit = hs.d.Quit()
		return cond(hs.m.View())
	})
	hs.quit = hs.d.Quit()
	if err != nil {
		hs.t.Fatalf("never saw %s; step %v, view:\n%s", what, hs.m.w.cur, hs.m.View())
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

// view is the plain text of the screen with wrapped lines joined by spaces: what the screen
// printed above the frame (an authorize URL), the header, the whole body (also the part
// scrolled out of sight) and the help line.
func (hs *harness) view() string {
	above := ""
	if p, ok := hs.m.w.active().(printer); ok {
		above = p.printed() + "\n"
	}
	return flat(above + hs.m.View() + "\n" + strings.Join(hs.m.w.bodyLines(), "\n"))
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

func keyMsg(k string) tea.KeyMsg { return teadrive.KeyMsg(k) }

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
	hs.skipAmp()
	hs.wantStep(stepAuthorize)
}

// skipAmp skips Amplication on its server screen: the bbsetup-only path the walkers and
// the older tests take.
func (hs *harness) skipAmp() {
	hs.t.Helper()
	hs.wantStep(stepAmpServer)
	hs.press("s", "y")
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

// authTrip is the active authorize screen's browser trip.
func (hs *harness) authTrip() *authTrip {
	hs.t.Helper()
	switch a := hs.m.w.active().(type) {
	case *authorizeScreen:
		return &a.trip
	case *ampAuthorizeScreen:
		return &a.trip
	}
	hs.t.Fatalf("step %v is not an authorize screen", hs.m.w.cur)
	return nil
}
