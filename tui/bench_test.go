package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// connectModel is the wizard on the connect screen at 80x24 with n repositories loaded and
// the listing still running (so keystrokes also schedule the server-side search).
func connectModel(tb testing.TB, n int) Model {
	tb.Helper()
	fb := newFake()
	m := newModel(fb, Options{}, nil, nil)
	m.w.c.noTicks = true
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	w := m.w
	w.s.Workspace = Workspace{Slug: "acme"}
	w.s.API = fb
	cs := connectOf(m)
	cs.setWorkspace("acme", fb, context.Background())
	w.cur = stepConnect
	cs.ctx = context.Background()
	cs.input.Focus()
	cs.loading = true
	cs.total = n * 2
	cs.add(genRepos("acme", n))
	return m
}

// connectOf is the wizard's Connect screen.
func connectOf(m Model) *connectScreen { return m.w.screens[stepConnect].(*connectScreen) }

// keystrokes types a filter that narrows step by step, then deletes it back to empty (the
// widening steps rescan everything loaded): the worst and the common cases alternate.
var keystrokes = func() []tea.KeyMsg {
	var ks []tea.KeyMsg
	for _, r := range "service-0999" {
		ks = append(ks, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	for range len("service-0999") {
		ks = append(ks, tea.KeyMsg{Type: tea.KeyBackspace})
	}
	return ks
}()

// BenchmarkConnectFilterKeystroke measures one keystroke's Update plus the View it causes
// on the connect screen with 10,000 repositories loaded. It also reports the 99th
// percentile of the single keystrokes (p99-ns) and the worst one (max-ns).
func BenchmarkConnectFilterKeystroke(b *testing.B) {
	m := connectModel(b, 10_000)
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keystrokes[i%len(keystrokes)]
		start := time.Now()
		m.Update(k)
		_ = m.View()
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(durations[len(durations)-1].Nanoseconds()), "max-ns")
}

// BenchmarkConnectBatchArrives measures adding a 100-repository batch while a filter is set,
// with 10,000 already loaded.
func BenchmarkConnectBatchArrives(b *testing.B) {
	m := connectModel(b, 10_000)
	connectOf(m).input.SetValue("api")
	connectOf(m).refilter()
	batch := genRepos("other", 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range batch {
			batch[j].FullName = fmt.Sprintf("other/%d-%d", i, j) // new each time, so all are added
		}
		m.Update(repoBatchMsg{seq: connectOf(m).listing.id, item: streamItem{batch: batch, loaded: 10_100, total: 20_000}, ctx: context.Background()})
		_ = m.View()
	}
}

// TestKeystrokeBudget is a smoke check that the benchmark's setup works and the filter
// really filters 10,000 entries (the timing figure comes from the benchmark, not from here).
func TestKeystrokeBudget(t *testing.T) {
	m := connectModel(t, 10_000)
	for _, k := range keystrokes[:len("service-0999")] {
		m.Update(k)
	}
	// service-09990 … service-09999, less service-09996 (every 7th is an api-gateway).
	if got := len(connectOf(m).matches); got != 9 {
		t.Fatalf("%d matches for service-0999 among 10,000, want 9", got)
	}
	if v := flat(m.View()); !containsAll(v, "service-09990", "service-09999", "9 match", "10,000 of 20,000 loaded") {
		t.Fatalf("view:\n%s", m.View())
	}
	for _, k := range keystrokes[len("service-0999"):] {
		m.Update(k)
	}
	if got := len(connectOf(m).matches); got != 10_000 {
		t.Fatalf("%d matches after clearing the filter", got)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// countingScreen counts how often its screen's body is rendered.
type countingScreen struct {
	screen
	views int
}

func (c *countingScreen) view() string { c.views++; return c.screen.view() }

// BenchmarkKeyPressRender measures one key press on the key and secret form at 80x24: the
// Update and the View a tea.Program makes of it. body-renders/op is how many times the
// screen's body was rendered for it (the frame's cost beyond the screen's own).
func BenchmarkKeyPressRender(b *testing.B) {
	m := newModel(newFake(), Options{}, nil, nil)
	m.w.c.noTicks = true
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	cs := &countingScreen{screen: m.w.screens[stepCredentials]}
	m.w.screens[stepCredentials] = cs
	m.w.goTo(stepCredentials)
	m.w.layout()
	keys := []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune{'x'}}, {Type: tea.KeyBackspace}, {Type: tea.KeyTab}}
	cs.views = 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(keys[i%len(keys)])
		_ = m.View()
	}
	b.StopTimer()
	b.ReportMetric(float64(cs.views)/float64(b.N), "body-renders/op")
}
