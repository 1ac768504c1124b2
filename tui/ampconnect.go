package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Connect inside Amplication: what will be stored, a confirm (nothing is stored in
// Amplication before it), a spinner, then the result as read back from the server.

var errNotSignedIn = errors.New("bbsetup is not signed in to Amplication: go back to the sign-in")

type ampConnectScreen struct {
	c       *common
	ctx     context.Context
	api     AmpConnector
	req     AmpConnectRequest
	repo    Repo
	canBack bool

	job     request
	busyNow bool
	err     error
	done    *AmpConnected
	// quitPending: the operator quit during the connect; the wizard quits with its answer
	// (or at once on a second ctrl+c).
	quitPending bool
}

// ampConnectResultMsg is the result of ConnectAmp. The root records a success in the
// session before the screen sees it, so a quit right after says what was stored.
type ampConnectResultMsg struct {
	seq uint64
	r   AmpConnected
	err error
}

func newAmpConnect(c *common) *ampConnectScreen { return &ampConnectScreen{c: c, job: newRequest(c)} }

func (s *ampConnectScreen) enter(e entry) tea.Cmd {
	s.ctx, s.canBack = e.ctx, e.canBack
	s.busyNow, s.err, s.done, s.api = false, nil, nil, nil
	if e.s.Amp != nil {
		s.api = e.s.Amp.API
	}
	s.req = AmpConnectRequest{Workspace: e.s.Workspace.Slug}
	if e.s.Target != nil {
		s.req.Target = *e.s.Target
	}
	if e.s.Org != nil {
		s.req.Org = *e.s.Org
	}
	if e.s.Repo != nil {
		s.repo = *e.s.Repo
		s.req.Slug = e.s.Repo.Slug
	}
	return nil
}

func (s *ampConnectScreen) typing() bool { return false }
func (s *ampConnectScreen) busy() bool   { return s.busyNow }

// holdsQuit: a quit while the connect is in flight waits for its answer, so the quit
// message can say what was stored.
func (s *ampConnectScreen) holdsQuit() bool { return s.busyNow }

func (s *ampConnectScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.busyNow && s.quitPending:
		return bindings{short: []key.Binding{with(km.ForceQuit, "ctrl+c", "quit now")}}
	case s.busyNow:
		return bindings{}
	case s.done != nil:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "summary")}}
	case s.err != nil:
		return bindings{short: append(s.c.againKeys(s.err), with(km.Retry, "enter/r", "try again"), km.Back)}
	}
	return bindings{short: []key.Binding{with(km.Enter, "enter", "connect"), km.Back}}
}

func (s *ampConnectScreen) connect() tea.Cmd {
	if s.api == nil {
		s.err = errNotSignedIn
		return nil
	}
	s.busyNow, s.err, s.quitPending = true, nil, false
	api, req := s.api, s.req
	// Until the answer is in, a quit says the connect was under way.
	s.c.report(outsideMsg{outsideFact{key: "amp-connect", text: "Connecting " + safetext.Line(req.Target.Label()) + " to " +
		safetext.Line(req.Workspace+"/"+req.Slug) + " in Amplication was under way: check with bbsetup amplication status whether it was stored."}})
	return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
		r, err := api.ConnectAmp(ctx, req)
		return ampConnectResultMsg{seq: seq, r: r, err: err}
	})
}

func (s *ampConnectScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case ampConnectResultMsg:
		if !s.job.answered(msg.seq, &s.busyNow) {
			return nil
		}
		if msg.err != nil {
			s.err = msg.err
			if errors.Is(msg.err, context.Canceled) || errors.Is(msg.err, context.DeadlineExceeded) {
				return nil // no answer: it may have been stored, as the fact says
			}
			// The server answered with a refusal: nothing was stored.
			return s.c.report(outsideMsg{outsideFact{key: "amp-connect"}})
		}
		r := msg.r
		s.done = &r
	case quitPendingMsg:
		s.quitPending = true
		return nil
	case tea.KeyMsg:
		if !s.busyNow {
			if cmd, ok := s.c.againCmd(msg, s.err); ok {
				return cmd
			}
		}
		switch {
		case s.busyNow:
		case s.done != nil:
			if key.Matches(msg, km.Enter) {
				return s.c.report(ampConnectedMsg{r: *s.done})
			}
		case key.Matches(msg, km.Enter) || (s.err != nil && key.Matches(msg, km.Retry)):
			return s.connect()
		case key.Matches(msg, km.Back):
			return s.c.report(backMsg{})
		}
	}
	return nil
}

func (s *ampConnectScreen) view() string {
	st := s.c.st
	var b strings.Builder
	t := s.req.Target
	full := s.req.Workspace + "/" + s.req.Slug
	b.WriteString(st.heading.Render("Connect in Amplication") + "\n")
	if s.done != nil {
		b.WriteString(s.c.box("ok", "✓ "+safetext.Line(s.done.Line()), s.doneBody(), "Press enter for the summary."))
		return b.String()
	}
	b.WriteString(s.c.kv("Amplication", 12, safetext.Line(t.Label())) + "\n")
	b.WriteString(s.c.kv("Repository", 12, st.code.Render(safetext.Line(full))) + "\n")
	if s.req.Org.Name != "" {
		b.WriteString(s.c.kv("As", 12, "Bitbucket account "+safetext.Line(s.req.Org.Name)+" (Amplication's connection)") + "\n")
	}
	if t.Resource.Settings {
		if names := inheritors(t.Project); len(names) > 0 {
			b.WriteString(s.c.kv("Inheriting", 12, strings.Join(names, ", ")) + "\n")
		}
	}
	if t.Replace && t.Resource.Repo != "" {
		b.WriteString(s.c.kv("Replaces", 12, safetext.Line(t.Resource.Repo)+st.faint.Render(" (put back if the connect fails)")) + "\n")
	}
	b.WriteString("\n")
	switch {
	case s.busyNow && s.quitPending:
		b.WriteString(s.c.spinnerLine("Quitting once the server answers, so bbsetup can say whether the connect was stored. Press ctrl+c again to quit now."))
	case s.busyNow:
		b.WriteString(s.c.spinnerLine("Connecting, then reading it back from the server…"))
	case credentialLost(s.err):
		b.WriteString(s.c.lostBox("The connect did not work", s.err))
	case isRepoGone(s.err):
		b.WriteString(s.c.errorBox("The connect did not work", safetext.Line(s.err.Error()),
			"Press esc to go back to the target, and esc again to choose the repository."))
	case s.err != nil:
		b.WriteString(s.c.errorBox("The connect did not work", safetext.Line(s.err.Error()), "Press enter to try again, or esc to choose another target."))
	default:
		b.WriteString("Nothing is stored in Amplication until you press " + st.strong.Render("enter") + ".")
	}
	return b.String()
}

func (s *ampConnectScreen) doneBody() string {
	d := s.done
	var lines []string
	if d.Unchanged {
		lines = append(lines, "It was already connected; nothing changed.")
	}
	if d.Replaced != "" {
		lines = append(lines, "It was connected to "+safetext.Line(d.Replaced)+" before.")
	}
	if d.Settings {
		if len(d.Inheriting) > 0 {
			names := make([]string, len(d.Inheriting))
			for i, n := range d.Inheriting {
				names[i] = safetext.Line(n)
			}
			lines = append(lines, "Services that inherit it: "+strings.Join(names, ", ")+".")
		} else {
			lines = append(lines, "No service inherits it yet.")
		}
	}
	if d.PushesAs != "" {
		lines = append(lines, safetext.Line(d.PushesAs))
	}
	for _, n := range d.Notes {
		lines = append(lines, safetext.Line(n))
	}
	lines = append(lines, "Read back from the Amplication server.")
	return strings.Join(lines, "\n")
}

// isRepoGone: the chosen repository is no longer in Bitbucket (ConnectAmp checks it first).
func isRepoGone(err error) bool {
	var rg *RepoGoneError
	return errors.As(err, &rg)
}
