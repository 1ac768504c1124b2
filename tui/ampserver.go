package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// The Amplication server: does it answer at its URL, and (once signed in) does it use the
// key just written? When it does not answer it shows the exact command that starts it and
// re-checks every few seconds (and on r); when it runs with the old keys it says to restart
// it and re-checks the same way until it uses the new key. s skips Amplication, after
// saying what stays undone.

// ampPollInterval is how often the server screen re-checks on its own.
const ampPollInterval = 3 * time.Second

// ampDemoRestartDelay is how long the demo shows the restart command before it restarts
// the emulated server itself.
const ampDemoRestartDelay = 2500 * time.Millisecond

type ampServerScreen struct {
	c       *common
	prober  AmpProber
	restart AmpDemoRestarter // the demo's, nil otherwise
	ctx     context.Context
	co      Checkout
	amp     *AmpSignedIn // signed in: the key check; nil: the probe
	canBack bool

	job        request
	checking   bool
	checks     int // how many checks ran (the screen says it keeps checking)
	probe      *AmpProbe
	key        *AmpKey
	confirm    bool // "skip Amplication?" is asked
	restarting bool // the demo restarts the emulated server
	restartErr error
}

type (
	ampProbedMsg struct {
		seq uint64
		p   AmpProbe
	}
	ampKeyMsg struct {
		seq uint64
		k   AmpKey
	}
	ampPollMsg      struct{ seq uint64 }
	ampDemoStartMsg struct{ seq uint64 }
	ampRestartedMsg struct {
		seq uint64
		err error
	}
)

func newAmpServer(c *common, b Backend) *ampServerScreen {
	s := &ampServerScreen{c: c, prober: b, job: newRequest(c)}
	if r, ok := b.(AmpDemoRestarter); ok && c.opts.Demo {
		s.restart = r
	}
	return s
}

func (s *ampServerScreen) enter(e entry) tea.Cmd {
	s.ctx, s.co, s.canBack = e.ctx, e.s.Checkout, e.canBack
	s.amp = nil
	if e.s.Amp != nil && !e.s.AmpSkipped {
		a := *e.s.Amp
		s.amp = &a
		k := a.Key
		s.key = &k
	} else {
		s.key = nil
	}
	s.probe, s.confirm, s.restarting, s.restartErr, s.checks = nil, false, false, nil, 0
	return s.check()
}

// check runs one probe (or key check) now.
func (s *ampServerScreen) check() tea.Cmd {
	s.checking = true
	if s.amp != nil {
		api := s.amp.API
		return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg { return ampKeyMsg{seq: seq, k: api.CheckAmpKey(ctx)} })
	}
	prober, co := s.prober, s.co
	return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
		return ampProbedMsg{seq: seq, p: prober.ProbeAmp(ctx, co)}
	})
}

// poll schedules the next check.
func (s *ampServerScreen) poll() tea.Cmd {
	seq := s.job.id // the last check's: a check started since makes it stale
	return s.c.tick(s.c.ampPoll, func(time.Time) tea.Msg { return ampPollMsg{seq: seq} })
}

// ready reports that the screen can go on: the server answers and, signed in, uses the key.
func (s *ampServerScreen) ready() bool {
	if s.amp != nil {
		return s.key != nil && s.key.OK
	}
	return s.probe != nil && s.probe.Answers && !s.probe.Refuses
}

func (s *ampServerScreen) typing() bool { return false }
func (s *ampServerScreen) busy() bool   { return s.checking || s.restarting }

func (s *ampServerScreen) keys() bindings {
	km := s.c.km
	if s.confirm {
		return bindings{short: []key.Binding{with(km.Yes, "y", "skip Amplication"), with(km.No, "n/esc", "do not skip")}}
	}
	var b []key.Binding
	if s.ready() {
		b = append(b, with(km.Enter, "enter", "next"))
	} else {
		label := "check now"
		if s.key != nil && s.key.Stale {
			label = "I restarted it: check now"
		}
		b = append(b, with(km.Retry, "r", label))
		if s.key != nil {
			b = append(b, s.c.againKeys(s.key.Err)...)
		}
	}
	b = append(b, with(km.Skip, "s", "skip Amplication"))
	if s.canBack {
		b = append(b, km.Back)
	}
	return bindings{short: b}
}

func (s *ampServerScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ampProbedMsg:
		if !s.checked(msg.seq) {
			return nil
		}
		p := msg.p
		s.probe = &p
		if !p.Answers {
			return s.poll()
		}
	case ampKeyMsg:
		if !s.checked(msg.seq) {
			return nil
		}
		return s.keyLoaded(msg.k)
	case ampPollMsg:
		if !s.job.current(msg.seq) || s.checking || s.ready() || s.ctx.Err() != nil {
			return nil
		}
		return s.check()
	case ampDemoStartMsg:
		if !s.job.current(msg.seq) {
			return nil
		}
		r := s.restart
		return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
			return ampRestartedMsg{seq: seq, err: r.RestartAmpDemo(ctx)}
		})
	case ampRestartedMsg:
		if !s.job.current(msg.seq) {
			return nil
		}
		s.restarting, s.restartErr = false, msg.err
		return s.check()
	case tea.KeyMsg:
		return s.onKey(msg)
	}
	return nil
}

// checked takes the answer to a check (the probe or the loaded key) when it is current:
// the check is over and counted.
func (s *ampServerScreen) checked(seq uint64) bool {
	if !s.job.answered(seq, &s.checking) {
		return false
	}
	s.checks++
	return true
}

// keyLoaded takes the server's answer about the loaded key: done, lost, the demo's restart,
// or check again shortly.
func (s *ampServerScreen) keyLoaded(k AmpKey) tea.Cmd {
	s.key = &k
	if k.OK || ampSignInLost(k.Err) {
		return nil // lost: checking again cannot help; ctrl+l signs in again
	}
	if k.Stale && s.restart != nil && !s.restarting && s.restartErr == nil {
		// The demo: show the restart command for a moment, then restart the emulated
		// server as the operator would.
		s.restarting = true
		seq := s.job.id
		return s.c.tick(ampDemoRestartDelay, func(time.Time) tea.Msg { return ampDemoStartMsg{seq: seq} })
	}
	return s.poll()
}

// onKey handles a key press: the skip confirmation first, then the again keys, then the rest.
func (s *ampServerScreen) onKey(msg tea.KeyMsg) tea.Cmd {
	km := s.c.km
	if s.confirm {
		switch {
		case key.Matches(msg, km.Yes):
			return s.c.report(ampServerDoneMsg{skip: true})
		case key.Matches(msg, km.No, km.Back):
			s.confirm = false
		}
		return nil
	}
	if s.key != nil && !s.ready() {
		if cmd, ok := s.c.againCmd(msg, s.key.Err); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(msg, km.Enter) && s.ready():
		var k *AmpKey
		if s.amp != nil {
			cp := *s.key
			k = &cp
		}
		return s.c.report(ampServerDoneMsg{key: k})
	case key.Matches(msg, km.Retry) && !s.ready() && !s.checking && !s.restarting:
		return s.check()
	case key.Matches(msg, km.Skip):
		s.confirm = true
	case key.Matches(msg, km.Back) && s.canBack:
		return s.c.report(backMsg{})
	}
	return nil
}

// ampUndone is what skipping Amplication leaves undone.
const ampUndone = "Amplication itself stays unconnected: bbsetup then authorizes only itself (to list or create the repository), and no Amplication service is connected to it. Amplication's own \"Connect to Bitbucket\" button is locked on a local platform (Amplication issue #7305); connect later with bbsetup amplication authorize and bbsetup amplication connect."

func (s *ampServerScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("The Amplication server") + "\n")
	url := ""
	switch {
	case s.amp != nil:
		url = s.amp.URL
	case s.probe != nil:
		url = s.probe.URL
	}
	if url != "" {
		b.WriteString(s.c.kv("Server", 8, st.code.Render(safetext.Line(url))) + "\n")
	}
	if s.amp != nil {
		b.WriteString(s.c.kv("Signed in", 8, safetext.Line(s.amp.Account)+" · workspace "+safetext.Line(s.amp.Workspace.Name)) + "\n")
	}
	b.WriteString("\n")
	if s.confirm {
		b.WriteString(s.c.box("warn", "Skip Amplication?", ampUndone, "Press y to skip it, n to stay."))
		return b.String()
	}
	switch {
	case s.amp != nil:
		b.WriteString(s.keyView())
	case s.probe == nil:
		b.WriteString(s.c.spinnerLine("Asking the Amplication server…"))
	case s.probe.Refuses:
		b.WriteString(s.c.box("warn", "The Amplication server refuses Bitbucket", safetext.Line(s.probe.Detail), "Update the checkout and restart the server, then press r."))
	case s.probe.Answers:
		body := ""
		if s.probe.Detail != "" {
			body = safetext.Line(s.probe.Detail)
		}
		b.WriteString(s.c.box("ok", "✓ The Amplication server answers", body, "Press enter to sign in to Amplication."))
	default:
		b.WriteString(s.c.box("warn", "The Amplication server does not answer", safetext.Line(s.probe.Detail), ""))
		b.WriteString("\nStart it in its own terminal, from " + st.code.Render(safetext.Line(s.probe.Dir)) + ":\n")
		b.WriteString(s.c.indented("  ", st.code.Render(safetext.Line(s.probe.StartCommand))) + "\n")
		b.WriteString(s.waitLine("Checking again every few seconds (or press r)…"))
	}
	if s.probe != nil && len(s.probe.PRService) > 0 {
		b.WriteString("\n\nThe PR service (it pushes to Bitbucket):\n")
		for _, l := range s.probe.PRService {
			b.WriteString(wrap(safetext.Line(l), s.c.width) + "\n")
		}
	}
	if !s.ready() {
		b.WriteString("\n\n" + st.faint.Render("s skips Amplication: "+ampUndone))
	}
	return b.String()
}

func (s *ampServerScreen) keyView() string {
	st := s.c.st
	var b strings.Builder
	k := s.key
	switch {
	case k == nil:
		b.WriteString(s.c.spinnerLine("Checking which Bitbucket key the server uses…"))
	case k.OK:
		b.WriteString(s.c.box("ok", "✓ The server uses the new key", safetext.Line(k.Message), "Press enter to authorize Amplication with Bitbucket."))
	case k.Stale:
		b.WriteString(s.c.box("warn", "The server must be restarted", safetext.Line(k.Message),
			"It reads .env.local only when it starts. Stop it (Ctrl+C in its terminal) and start it again, from "+st.code.Render(safetext.Line(s.co.Root))+":"))
		b.WriteString("\n" + s.c.indented("  ", st.code.Render("npx nx serve amplication-server")) + "\n")
		switch {
		case s.restarting:
			b.WriteString(s.c.spinnerLine("(demo: restarting the emulated server for you, as Ctrl+C and npx nx serve amplication-server would)"))
		case s.restartErr != nil:
			b.WriteString(st.bad.Render("The demo could not restart the emulated server: "+safetext.Line(s.restartErr.Error())) + "\n")
			b.WriteString(s.waitLine("Checking again every few seconds (or press r)…"))
		default:
			b.WriteString(s.waitLine("Checking again every few seconds until it uses the new key (or press r once restarted)…"))
		}
	case ampSignInLost(k.Err):
		b.WriteString(s.c.lostBox("The server's Bitbucket key could not be checked", k.Err))
	default:
		b.WriteString(s.c.box("err", "The server's Bitbucket key could not be checked", safetext.Line(k.Message), ""))
		b.WriteString("\n" + s.waitLine("Checking again every few seconds (or press r)…"))
	}
	return b.String()
}

func (s *ampServerScreen) waitLine(text string) string {
	if s.checking {
		return s.c.spinnerLine("Checking…")
	}
	if s.checks > 1 {
		text += s.c.st.faint.Render(" (checked " + itoa(s.checks) + " times)")
	}
	return s.c.st.faint.Render(text)
}

func itoa(n int) string { return thousands(n) }
