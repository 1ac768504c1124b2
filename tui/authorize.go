package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Authorize (Amplication skipped): it authorizes bbsetup's own access to Bitbucket (the
// operator's account) with the browser trip (authtrip.go). With Amplication, the
// Amplication authorize screen (ampauthorize.go) takes its place.

type authorizeScreen struct {
	c    *common
	auth Authorizer
	trip authTrip
	kept bool // the key and secret configured in the checkout are used

	id   *Identity // who authorized (done.Identity), once done
	done Authorized
}

// printed implements printer: the authorize URL, printed above the frame where the
// terminal wraps it and it can be copied whole.
func (s *authorizeScreen) printed() string { return s.trip.above }

func newAuthorize(c *common, auth Authorizer) *authorizeScreen {
	return &authorizeScreen{c: c, auth: auth, trip: newAuthTrip(c)}
}

func (s *authorizeScreen) enter(e entry) tea.Cmd {
	s.kept, s.id = e.s.Kept, nil
	s.trip.reset(e.ctx, e.s.Checkout.CallbackURL, e.canBack)
	auth, co, creds := s.auth, e.s.Checkout, e.s.Creds // zero creds: the configured ones (kept)
	return s.trip.begin(func(ctx context.Context) (AuthSession, error) { return auth.StartAuth(ctx, co, creds) })
}

func (s *authorizeScreen) typing() bool { return s.trip.typing() }
func (s *authorizeScreen) busy() bool   { return s.trip.busy() }

func (s *authorizeScreen) keys() bindings {
	if s.id != nil {
		b := []key.Binding{with(s.c.km.Enter, "enter", "next")}
		if s.trip.canBack {
			b = append(b, s.c.km.Back)
		}
		return bindings{short: b}
	}
	return s.trip.keys()
}

func (s *authorizeScreen) update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyMsg); ok {
		if s.id != nil {
			switch {
			case key.Matches(msg, s.c.km.Enter):
				return s.c.report(authorizedMsg{a: s.done})
			case key.Matches(msg, s.c.km.Back) && s.trip.canBack:
				return s.c.report(backMsg{}) // e.g. to the server screen: Amplication after all
			}
			return nil
		}
		return s.trip.key(msg)
	}
	cmd, done := s.trip.update(msg)
	if done != nil {
		s.done = *done
		id := done.Identity
		s.id = &id
	}
	return cmd
}

func (s *authorizeScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Authorize bbsetup with your Bitbucket account") + "\n")
	if s.kept {
		b.WriteString(st.subtle.Render("Using the key and secret already configured in the checkout.") + "\n")
	}
	if s.id == nil {
		b.WriteString(s.trip.view())
		return b.String()
	}
	// Done: the long URL has served its purpose.
	body := ""
	if len(s.id.Granted) > 0 {
		body = "Granted:\n" + bullets(groupPermissions(s.id.Granted))
	}
	if len(s.id.Missing) > 0 {
		body += "\n" + st.warn.Render("Not granted (Amplication needs them): ") + strings.Join(groupPermissions(s.id.Missing), "; ")
	}
	b.WriteString(s.c.box("ok", "✓ Connected as "+s.id.DisplayName+" ("+s.id.Nickname+")", body, "Press enter to choose the workspace."))
	return b.String()
}
