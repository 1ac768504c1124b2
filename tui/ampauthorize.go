package tui

import (
	"context"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Authorize Amplication: signed in to Amplication, it authorizes *Amplication* with
// Bitbucket (the URL is the Amplication server's, the code goes to the server, one browser
// trip: authtrip.go), or offers to reuse the Bitbucket git organization Amplication
// already has.

type ampAuthorizeScreen struct {
	c    *common
	ctx  context.Context
	amp  AmpSignedIn
	trip authTrip

	// offer: Amplication already has Bitbucket git organizations; reuse one (sel, an
	// index of amp.Orgs) or authorize again (sel == len(amp.Orgs)). It starts on the one
	// whose account is bbsetup's own, else on authorizing again: never on a colleague's.
	offer    bool
	sel      int
	reuse    request // keeping the git organization
	reusing  bool
	reuseErr error
	reused   bool

	id   *Identity // who bbsetup's own client acts as, once done
	done Authorized
}

// printed implements printer: the authorize URL, printed above the frame where the
// terminal wraps it and it can be copied whole.
func (s *ampAuthorizeScreen) printed() string { return s.trip.above }

func newAmpAuthorize(c *common) *ampAuthorizeScreen {
	return &ampAuthorizeScreen{c: c, trip: newAuthTrip(c), reuse: newRequest(c)}
}

func (s *ampAuthorizeScreen) enter(e entry) tea.Cmd {
	s.ctx, s.id, s.reused, s.reusing, s.reuseErr = e.ctx, nil, false, false, nil
	if e.s.Amp != nil {
		s.amp = *e.s.Amp
	}
	s.reuse.drop()
	s.trip.reset(e.ctx, e.s.Checkout.CallbackURL, e.canBack)
	s.offer = len(s.amp.Orgs) > 0
	s.sel = DefaultOrg(s.amp.Orgs)
	if s.sel < 0 {
		s.sel = len(s.amp.Orgs)
	}
	if s.offer {
		return nil
	}
	return s.start()
}

// start authorizes Amplication again (a browser trip).
func (s *ampAuthorizeScreen) start() tea.Cmd {
	s.offer = false
	api := s.amp.API
	return s.trip.begin(func(ctx context.Context) (AuthSession, error) { return api.StartAmpAuth(ctx) })
}

// keep keeps Amplication's existing git organization.
func (s *ampAuthorizeScreen) keep() tea.Cmd {
	s.reusing, s.reuseErr = true, nil
	api, org := s.amp.API, s.amp.Orgs[s.sel]
	return s.reuse.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
		a, err := api.ReuseAmpOrg(ctx, org)
		return authDoneMsg{seq: seq, a: a, err: err, reused: true}
	})
}

func (s *ampAuthorizeScreen) typing() bool { return s.trip.typing() }
func (s *ampAuthorizeScreen) busy() bool   { return s.reusing || s.trip.busy() }

func (s *ampAuthorizeScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.id != nil:
		b := []key.Binding{with(km.Enter, "enter", "next")}
		if s.trip.canBack {
			b = append(b, km.Back)
		}
		return bindings{short: b}
	case s.offer && s.reusing:
		return bindings{}
	case s.offer:
		b := []key.Binding{with(km.Up, "↑/↓", "choose"), km.Enter}
		b = append(b, s.c.againKeys(s.reuseErr)...)
		if s.trip.canBack {
			b = append(b, km.Back)
		}
		return bindings{short: b}
	}
	return s.trip.keys()
}

func (s *ampAuthorizeScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return s.key(msg)
	case authDoneMsg:
		if msg.reused {
			if !s.reuse.current(msg.seq) || s.id != nil {
				return nil
			}
			s.reusing = false
			if msg.err != nil {
				s.reuseErr = msg.err
				return nil
			}
			s.authorized(msg.a, true)
			return nil
		}
	}
	cmd, done := s.trip.update(msg)
	if done != nil {
		s.authorized(*done, false)
	}
	return cmd
}

// authorized records the result: Amplication has its git organization.
func (s *ampAuthorizeScreen) authorized(a Authorized, reused bool) {
	s.trip.finish()
	s.done, s.reused, s.offer = a, reused, false
	id := a.Identity
	s.id = &id
}

func (s *ampAuthorizeScreen) key(msg tea.KeyMsg) tea.Cmd {
	km := s.c.km
	switch {
	case s.id != nil:
		switch {
		case key.Matches(msg, km.Enter):
			return s.c.report(authorizedMsg{a: s.done, reused: s.reused})
		case key.Matches(msg, km.Back) && s.trip.canBack:
			return s.c.report(backMsg{})
		}
		return nil
	case s.reusing:
		return nil
	case s.offer:
		if cmd, ok := s.c.againCmd(msg, s.reuseErr); ok {
			return cmd
		}
		switch {
		case key.Matches(msg, km.Up):
			s.sel = (s.sel + len(s.amp.Orgs)) % (len(s.amp.Orgs) + 1)
			s.reuseErr = nil
		case key.Matches(msg, km.Down):
			s.sel = (s.sel + 1) % (len(s.amp.Orgs) + 1)
			s.reuseErr = nil
		case key.Matches(msg, km.Enter) && s.sel == len(s.amp.Orgs):
			return s.start()
		case key.Matches(msg, km.Enter):
			return s.keep()
		case key.Matches(msg, km.Back) && s.trip.canBack:
			return s.c.report(backMsg{})
		}
		return nil
	}
	return s.trip.key(msg)
}

func (s *ampAuthorizeScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Authorize Amplication with Bitbucket") + "\n")
	b.WriteString(st.subtle.Render("The URL is the Amplication server's own (its key); Bitbucket's answer goes to the server, which exchanges it and keeps the connection for workspace "+safetext.Line(s.amp.Workspace.Name)+".") + "\n")
	switch {
	case s.offer:
		orgs := s.amp.Orgs
		if len(orgs) == 1 {
			b.WriteString("\nAmplication is already connected to Bitbucket as " + st.strong.Render(safetext.Line(orgs[0].Name)) + ".\n\n")
		} else {
			b.WriteString("\nAmplication's workspace has " + strconv.Itoa(len(orgs)) + " Bitbucket connections; Amplication pushes as the account of the one the connect uses.\n\n")
		}
		for i, o := range orgs {
			b.WriteString(choiceLine(s.c, s.sel == i, safetext.Line(o.UseLabel())) + "\n")
		}
		b.WriteString(choiceLine(s.c, s.sel == len(orgs), "Authorize again (a browser trip)") + "\n")
		// The note of the connection under the cursor; with only one, its note whatever
		// the cursor is on, so "connected as casey" never reads as bbsetup's own.
		noted := s.sel
		if len(orgs) == 1 {
			noted = 0
		}
		if noted < len(orgs) && orgs[noted].Other != "" {
			b.WriteString("\n" + st.subtle.Render("! "+safetext.Line(orgs[noted].Other)) + "\n")
		}
		if s.reusing {
			b.WriteString("\n" + s.c.spinnerLine("Checking bbsetup's own access to Bitbucket…"))
		}
		if ampSignInLost(s.reuseErr) {
			b.WriteString("\n" + s.c.lostBox("That did not work", s.reuseErr))
		} else if s.reuseErr != nil {
			b.WriteString("\n" + s.c.errorBox("That did not work", safetext.Line(s.reuseErr.Error()), "Press enter to try again."))
		}
		return strings.TrimRight(b.String(), "\n")
	case s.id != nil:
		org := ""
		if s.done.Org != nil {
			org = safetext.Line(s.done.Org.Name)
		}
		title := "✓ Amplication is connected to Bitbucket as " + org
		if s.reused {
			title = "✓ Amplication keeps its Bitbucket connection as " + org
		}
		body := "bbsetup lists and creates repositories with the consumer's own key (client credentials), as " +
			safetext.Line(s.id.DisplayName) + "."
		if s.done.Org != nil && s.done.Org.Other != "" {
			body += "\n! " + safetext.Line(s.done.Org.Other) + "."
		}
		b.WriteString(s.c.box("ok", title, body, "Press enter to choose the workspace."))
		return b.String()
	}
	b.WriteString(s.trip.view())
	return b.String()
}
