package teadrive

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// counter counts "tick" messages; "go" starts n ticks as a batch, "q" quits, a gate parks
// one command until it is closed.
type counter struct {
	n, w, h int
	keys    []string
	gate    chan struct{}
}

type tickMsg struct{}

func (c *counter) Init() tea.Cmd { return func() tea.Msg { return tickMsg{} } }

func (c *counter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tickMsg:
		c.n++
	case tea.WindowSizeMsg:
		c.w, c.h = msg.Width, msg.Height
	case tea.KeyMsg:
		c.keys = append(c.keys, msg.String())
		switch msg.String() {
		case "g":
			tick := func() tea.Msg { return tickMsg{} }
			return c, tea.Batch(tick, tick, tick)
		case "p":
			gate := c.gate
			return c, func() tea.Msg { <-gate; return tickMsg{} }
		case "q":
			return c, tea.Quit
		}
	}
	return c, nil
}

func (c *counter) View() string { return fmt.Sprintf("\x1b[1mticks %d\x1b[0m at %dx%d", c.n, c.w, c.h) }

func TestDriverRunsCommandsAndWaits(t *testing.T) {
	m := &counter{gate: make(chan struct{})}
	d := Start(m, 80, 24)
	defer d.Close()
	updates := 0
	d.AfterUpdate = func() { updates++ }
	if v, err := d.UntilText(10*time.Second, "ticks 1 at 80x24"); err != nil || strings.Contains(v, "\x1b") {
		t.Fatalf("Init's command and the size: %q, %v", v, err)
	}
	d.Key("g")
	if err := d.Settle(10*time.Second, nil); err != nil || m.n != 4 || d.Inflight() != 0 {
		t.Fatalf("after a batch of three: %d ticks, %d in flight, %v", m.n, d.Inflight(), err)
	}
	// A parked command: Settle returns when only it is left, and fails when it is not
	// counted as parked.
	d.Key("p")
	if err := d.Settle(10*time.Second, func() int { return 1 }); err != nil || d.Inflight() != 1 {
		t.Fatalf("with one parked: %d in flight, %v", d.Inflight(), err)
	}
	if err := d.Settle(20*time.Millisecond, nil); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Settle with a stuck command = %v, want ErrTimeout", err)
	}
	if _, err := d.UntilText(20*time.Millisecond, "ticks 5"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Until for what never shows = %v, want ErrTimeout", err)
	}
	close(m.gate)
	if _, err := d.UntilText(10*time.Second, "ticks 5"); err != nil {
		t.Fatal(err)
	}
	d.Key("enter")
	d.Key("ab")
	d.Send(KeyMsg("ctrl+c"))
	if got := strings.Join(m.keys, " "); got != "g p enter a b ctrl+c" {
		t.Fatalf("keys = %q", got)
	}
	if updates < 9 {
		t.Fatalf("AfterUpdate ran %d times", updates)
	}
	d.Key("q")
	if _, err := d.Until(10*time.Second, func(string) bool { return d.Quit() }); err != nil {
		t.Fatal(err)
	}
}
