// Package teadrive runs a Bubble Tea model without a terminal, for tests and benchmarks:
// it calls Update with each message on the caller's goroutine and runs the commands Update
// returns in goroutines, as a tea.Program would, but lets the caller look at View after
// every message: tests check the screen after each one, benchmarks time the moment a
// screen shows something with no frame-rate quantum in between.
//
// The tui package's test harness and the benchmarks (cmd's wizard benchmarks, bench/rss)
// drive the wizard with it.
package teadrive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Driver owns a model and the messages its commands produce. Its methods are called from
// one goroutine.
type Driver struct {
	m        tea.Model
	results  chan tea.Msg
	done     chan struct{}
	inflight int // commands started whose message was not handled yet
	quit     bool

	// AfterUpdate, when set, is called after every Update (a test checks the screen's
	// invariants there).
	AfterUpdate func()
}

// New returns a driver for m; nothing is sent yet (see Init and Start).
func New(m tea.Model) *Driver {
	return &Driver{m: m, results: make(chan tea.Msg, 1024), done: make(chan struct{})}
}

// Start is New, then Init's command and a window size of width x height, in the order a
// tea.Program sends them.
func Start(m tea.Model, width, height int) *Driver {
	d := New(m)
	d.Init()
	d.Send(tea.WindowSizeMsg{Width: width, Height: height})
	return d
}

// Init runs the model's Init command.
func (d *Driver) Init() { d.run(d.m.Init()) }

// Model is the current model.
func (d *Driver) Model() tea.Model { return d.m }

// View is the model's current view with the ANSI sequences removed.
func (d *Driver) View() string { return ansi.Strip(d.m.View()) }

// Quit reports whether a command returned tea.QuitMsg.
func (d *Driver) Quit() bool { return d.quit }

// Inflight is the number of commands started whose message was not handled yet.
func (d *Driver) Inflight() int { return d.inflight }

// Send hands msg to Update at once and starts the command it returns (a batch's commands
// are started one by one; tea.QuitMsg only marks the driver as quit).
func (d *Driver) Send(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	case tea.QuitMsg:
		d.quit = true
		return
	}
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.run(cmd)
	if d.AfterUpdate != nil {
		d.AfterUpdate()
	}
}

// Key sends a key by name (see KeyMsg); anything else is typed one rune at a time.
func (d *Driver) Key(k string) {
	if msg, ok := namedKey(k); ok {
		d.Send(msg)
		return
	}
	d.Type(k)
}

// Type types s one rune at a time.
func (d *Driver) Type(s string) {
	for _, r := range s {
		d.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

var keyTypes = map[string]tea.KeyType{
	"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
	"backspace": tea.KeyBackspace, "ctrl+c": tea.KeyCtrlC, "ctrl+u": tea.KeyCtrlU, "ctrl+r": tea.KeyCtrlR,
	"ctrl+o": tea.KeyCtrlO, "ctrl+y": tea.KeyCtrlY,
}

func namedKey(k string) (tea.KeyMsg, bool) {
	if t, ok := keyTypes[k]; ok {
		return tea.KeyMsg{Type: t}, true
	}
	if k == "space" || k == " " {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}, true
	}
	if len(k) == 6 && k[:5] == "ctrl+" && k[5] >= 'a' && k[5] <= 'z' {
		// ctrl+a … ctrl+z, as a terminal sends them (one control character).
		return tea.KeyMsg{Type: tea.KeyCtrlA + tea.KeyType(k[5]-'a')}, true
	}
	return tea.KeyMsg{}, false
}

// KeyMsg is the key press named k: "enter", "esc", "tab", "shift+tab", the arrows, "pgup",
// "pgdown", "home", "end", "backspace", "space", "ctrl+a" … "ctrl+z"; any other k is one
// key press carrying k's runes.
func KeyMsg(k string) tea.KeyMsg {
	if msg, ok := namedKey(k); ok {
		return msg
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// Drain handles the messages already produced, without waiting.
func (d *Driver) Drain() {
	for {
		select {
		case msg := <-d.results:
			d.inflight--
			d.Send(msg)
		default:
			return
		}
	}
}

// next handles one message, waiting at most poll for it; it reports whether one came.
func (d *Driver) next(poll *time.Timer) bool {
	select {
	case msg := <-d.results:
		d.inflight--
		d.Send(msg)
		return true
	case <-poll.C:
		return false
	}
}

// ErrTimeout is returned by Until and Settle when the wait was not over in time.
var ErrTimeout = errors.New("teadrive: not there in time")

// Until handles messages as they arrive until ok holds for the view (checked on the current
// view and after every message, and every few milliseconds in between, since ok may look
// at more than the view), and returns that view. It gives up after timeout.
func (d *Driver) Until(timeout time.Duration, ok func(view string) bool) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		if v := d.View(); ok(v) {
			return v, nil
		}
		if ctx.Err() != nil {
			return d.View(), fmt.Errorf("%w within %v; the screen shows:\n%s", ErrTimeout, timeout, d.View())
		}
		poll.Reset(5 * time.Millisecond)
		d.next(poll)
	}
}

// UntilText is Until for a view that contains every one of texts.
func (d *Driver) UntilText(timeout time.Duration, texts ...string) (string, error) {
	return d.Until(timeout, func(v string) bool {
		for _, t := range texts {
			if !strings.Contains(v, t) {
				return false
			}
		}
		return true
	})
}

// Settle handles messages until no command is in flight except the parked ones (parked
// may be nil: none), and fails after timeout.
func (d *Driver) Settle(timeout time.Duration, parked func() int) error {
	deadline := time.Now().Add(timeout)
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		d.Drain()
		p := 0
		if parked != nil {
			p = parked()
		}
		if d.inflight == 0 || d.inflight <= p {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %d commands still in flight (%d parked) after %v", ErrTimeout, d.inflight, p, timeout)
		}
		poll.Reset(time.Millisecond)
		d.next(poll)
	}
}

// Close stops delivering messages; commands still running finish into nothing.
func (d *Driver) Close() {
	select {
	case <-d.done:
	default:
		close(d.done)
	}
}

func (d *Driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.inflight++
	go func() {
		msg := cmd()
		select {
		case d.results <- msg:
		case <-d.done:
		}
	}()
}
