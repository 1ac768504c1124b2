// Package drive runs a Bubble Tea model without a terminal, for benchmarks: it calls
// Update with each message and runs the commands it returns in goroutines, as a
// tea.Program would, but lets the caller look at View() after every message and so time
// the moment a screen shows something, with no frame-rate quantum in between.
package drive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Driver owns a model and the messages its commands produce.
type Driver struct {
	m    tea.Model
	msgs chan tea.Msg
	done chan struct{}
	quit bool
}

// New starts m: it sends a window size of width x height and runs Init's command.
func New(m tea.Model, width, height int) *Driver {
	d := &Driver{m: m, msgs: make(chan tea.Msg, 256), done: make(chan struct{})}
	d.run(m.Init())
	d.Send(tea.WindowSizeMsg{Width: width, Height: height})
	return d
}

// Model is the current model.
func (d *Driver) Model() tea.Model { return d.m }

// View is the model's current view with the ANSI sequences removed.
func (d *Driver) View() string { return ansi.Strip(d.m.View()) }

// Quit reports whether a command returned tea.QuitMsg.
func (d *Driver) Quit() bool { return d.quit }

// Send hands msg to Update at once and starts the command it returns.
func (d *Driver) Send(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	case tea.QuitMsg:
		d.quit = true
		return
	case nil:
		return
	}
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.run(cmd)
}

// Key sends a key by name: "enter", "esc", "up", "down", "ctrl+c", or runes to type.
func (d *Driver) Key(k string) {
	switch k {
	case "enter":
		d.Send(tea.KeyMsg{Type: tea.KeyEnter})
	case "esc":
		d.Send(tea.KeyMsg{Type: tea.KeyEsc})
	case "up":
		d.Send(tea.KeyMsg{Type: tea.KeyUp})
	case "down":
		d.Send(tea.KeyMsg{Type: tea.KeyDown})
	case "ctrl+c":
		d.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	default:
		for _, r := range k {
			d.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
}

// ErrTimeout is returned by Until when the view never satisfied the condition.
var ErrTimeout = errors.New("drive: the view never showed what was waited for")

// Until processes messages as they arrive until ok(view) holds for the view after one of
// them (or for the current view), and returns that view. It gives up after timeout.
func (d *Driver) Until(timeout time.Duration, ok func(view string) bool) (string, error) {
	if v := d.View(); ok(v) {
		return v, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		select {
		case msg := <-d.msgs:
			d.Send(msg)
			if v := d.View(); ok(v) {
				return v, nil
			}
		case <-ctx.Done():
			return d.View(), fmt.Errorf("%w within %v; the screen shows:\n%s", ErrTimeout, timeout, d.View())
		}
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
	go func() {
		msg := cmd()
		select {
		case d.msgs <- msg:
		case <-d.done:
		}
	}()
}
