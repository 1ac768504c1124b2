package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/mask"
)

// Step 5: the live credential check. Failures say which box or value is wrong and lead to
// the screen that fixes it; "continue without verifying" only after a network failure.

type verifyScreen struct {
	c        *common
	checker  CredentialChecker
	ctx      context.Context
	creds    Credentials
	kept     bool     // checking the configured key and secret (co)
	co       Checkout // the checkout, whose configured ones those are
	callback string
	job      request
	checking bool
	v        *Verdict
}

// verdictMsg is the result of CheckCredentials.
type verdictMsg struct {
	seq uint64
	v   Verdict
}

func newVerify(c *common, checker CredentialChecker) *verifyScreen {
	return &verifyScreen{c: c, checker: checker, job: newRequest(c)}
}

func (s *verifyScreen) enter(e entry) tea.Cmd {
	s.ctx, s.creds, s.callback = e.ctx, e.s.Creds, e.s.Checkout.CallbackURL
	s.kept, s.co = e.s.Kept, e.s.Checkout
	return s.check()
}

func (s *verifyScreen) check() tea.Cmd {
	s.checking, s.v = true, nil
	checker, creds, kept, co := s.checker, s.creds, s.kept, s.co
	return s.job.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
		if kept {
			return verdictMsg{seq: seq, v: checker.CheckConfigured(ctx, co)}
		}
		return verdictMsg{seq: seq, v: checker.CheckCredentials(ctx, creds)}
	})
}

func (s *verifyScreen) typing() bool { return false }
func (s *verifyScreen) busy() bool   { return s.checking }

func (s *verifyScreen) keys() bindings {
	km := s.c.km
	if s.checking {
		return bindings{short: []key.Binding{with(km.Back, "esc", "cancel")}}
	}
	if s.v == nil {
		return bindings{short: []key.Binding{km.Retry, km.Back}}
	}
	switch s.v.Kind {
	case VerdictOK:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "next"), km.Back}}
	case VerdictBadCredentials:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "fix key and secret"), km.Retry, km.Back}}
	case VerdictNotPrivate, VerdictNoCallback:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "fix the consumer"), km.Retry, km.Back}}
	case VerdictMissingScopes:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "fix permissions"), km.Retry, km.Back}}
	case VerdictNetwork:
		return bindings{short: []key.Binding{km.Retry, km.Unverified, km.Back}}
	}
	return bindings{short: []key.Binding{km.Retry, km.Back}}
}

func (s *verifyScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case verdictMsg:
		if !s.job.current(msg.seq) || !s.checking {
			return nil
		}
		s.checking = false
		v := msg.v
		s.v = &v
	case tea.KeyMsg:
		if s.checking {
			if key.Matches(msg, km.Back) {
				s.job.stop()
				s.checking = false
				return s.c.report(backMsg{})
			}
			return nil
		}
		switch {
		case key.Matches(msg, km.Back):
			return s.c.report(backMsg{})
		case key.Matches(msg, km.Retry):
			return s.check()
		case s.v == nil:
		case key.Matches(msg, km.Enter) && s.v.Kind == VerdictOK:
			return s.c.report(verifiedMsg{v: *s.v})
		case key.Matches(msg, km.Enter) && fixable(s.v.Kind):
			return s.c.report(fixMsg{v: *s.v})
		case key.Matches(msg, km.Unverified) && s.v.Kind == VerdictNetwork:
			return s.c.report(verifiedMsg{v: *s.v, unverified: true})
		}
	}
	return nil
}

func fixable(k VerdictKind) bool {
	switch k {
	case VerdictBadCredentials, VerdictNotPrivate, VerdictNoCallback, VerdictMissingScopes:
		return true
	}
	return false
}

func (s *verifyScreen) view() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.heading.Render("Check the key and secret with Bitbucket") + "\n")
	if s.kept {
		b.WriteString(st.subtle.Render("The key and secret already configured in "+rel(s.co.Root, s.co.ServerEnv)+":") + "\n")
		b.WriteString(st.strong.Render("Key    ") + st.code.Render(s.co.ClientID) + "\n")
		b.WriteString(st.strong.Render("Secret ") + st.code.Render(s.co.SecretMasked) + "\n\n")
	} else {
		b.WriteString(st.strong.Render("Key    ") + st.code.Render(s.creds.ID) + "\n")
		b.WriteString(st.strong.Render("Secret ") + st.code.Render(mask.Secret(s.creds.Secret)) + "\n\n")
	}
	if s.checking {
		b.WriteString(s.c.spinnerLine("Asking Bitbucket for a token with this key and secret…"))
		return b.String()
	}
	if s.v == nil {
		b.WriteString("Cancelled. Press r to check again.")
		return b.String()
	}
	v := s.v
	msg := v.Message
	switch v.Kind {
	case VerdictOK:
		body := "Private consumer, callback URL set, every permission granted."
		if len(v.Granted) > 0 {
			body += "\nGranted:\n" + bullets(groupPermissions(v.Granted))
		}
		next := "Press enter to see what will be written."
		if s.kept {
			next = "Press enter to check the Amplication server (nothing needs writing)."
		}
		b.WriteString(s.c.box("ok", "✓ Bitbucket accepted the key and secret", body, next))
	case VerdictBadCredentials:
		title, next := "The key or the secret is wrong", "Press enter to paste them again (click the consumer's name in Bitbucket to reveal both)."
		if s.kept {
			// Wrong, or no longer in the file: either way they cannot be used as they are.
			title = "The configured key and secret cannot be used"
			next = "Press enter to paste a working key and secret (click the consumer's name in Bitbucket to reveal both); they replace the configured ones."
		}
		b.WriteString(s.c.errorBox(title, msg, next))
	case VerdictNotPrivate:
		next := "Tick it on the consumer's edit page and Save; press enter for the consumer steps."
		if s.c.opts.Demo {
			next = demoNoFix("--public-consumer")
		}
		b.WriteString(s.c.errorBox("\"This is a private consumer\" is not ticked", msg, next))
	case VerdictNoCallback:
		title := "The consumer has no callback URL"
		next := "Set it on the consumer's edit page and Save; press enter for the consumer steps."
		if s.c.opts.Demo {
			next = demoNoFix("--no-callback")
		}
		b.WriteString(s.c.errorBox(title, withoutLead(msg, title)+"\nCallback URL: "+st.code.Render(s.callback), next))
	case VerdictMissingScopes:
		// The form's rows, as the Permissions screen shows them (not Bitbucket's scopes, of
		// which a row can hold several), each listed once.
		rows := groupPermissions(v.Missing)
		what := "1 row of the consumer's permissions form is missing a box:"
		if len(rows) > 1 {
			what = itoa(len(rows)) + " rows of the consumer's permissions form are missing boxes:"
		}
		b.WriteString(s.c.errorBox("Some permission boxes are not ticked", what+"\n"+bullets(rows),
			"Tick them on the consumer's edit page and Save; press enter to go to the checklist."))
	case VerdictNetwork:
		b.WriteString(s.c.errorBox("Bitbucket could not be reached", msg,
			"Press r to try again, or u to continue UNVERIFIED: the key and secret are then written without being checked."))
	default:
		b.WriteString(s.c.errorBox("The check failed", msg, "Press r to try again, or esc to change the key and secret."))
	}
	return b.String()
}

// withoutLead drops title from the start of msg when msg starts by saying it again.
func withoutLead(msg, title string) string {
	if rest, ok := strings.CutPrefix(msg, title+"."); ok {
		return strings.TrimSpace(rest)
	}
	return msg
}

// demoNoFix is the demo's advice for a consumer mistake it was started with (flag): the
// emulated Bitbucket has no consumer settings page, so the fix loop cannot be left there.
func demoNoFix(flag string) string {
	return "The demo's emulated Bitbucket has no consumer settings page, so this cannot be fixed here: press q to quit, then run bbsetup demo without " + flag + " to go on."
}
