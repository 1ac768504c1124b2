package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Authorize: signed in to Amplication, it authorizes *Amplication* with Bitbucket (the URL
// is the Amplication server's, the code goes to the server, one browser trip), or offers to
// reuse the Bitbucket git organization Amplication already has. With Amplication skipped,
// it authorizes bbsetup's own access (the operator's account). The URL is shown first; the
// browser is opened unless --no-browser; a spinner waits for the callback; p (or a taken
// port) switches to pasting the landed URL; Esc cancels.

type authorizeScreen struct {
	c        *common
	auth     Authorizer
	ctx      context.Context
	co       Checkout
	creds    Credentials // zero: the configured ones (kept)
	kept     bool
	callback string
	// canBack: Esc from a failed or cancelled flow may go back a step (false once the env
	// files are written).
	canBack bool

	seq        uint64
	starting   bool
	sess       *AuthSession
	startErr   error
	waiting    bool
	waitCancel context.CancelFunc
	pasting    bool
	pasteBusy  bool
	paste      textinput.Model
	pasteErr   error
	err        error
	cancelled  bool
	browser    string    // what happened with the browser
	id         *Identity // who authorized (done.Identity), once done
	done       Authorized
	above      string // the URL printed above the frame (see printer)

	// amp: Amplication is authorized (signed in); nil: bbsetup's own authorization.
	amp *AmpSignedIn
	// offer: Amplication already has a Bitbucket git organization; reuse it (offerNew
	// false) or authorize again (true).
	offer    bool
	offerNew bool
	reused   bool
}

// printed implements printer: the authorize URL, printed above the frame where the
// terminal wraps it and it can be copied whole.
func (s *authorizeScreen) printed() string { return s.above }

// authStartedMsg is the result of StartAuth.
type authStartedMsg struct {
	seq  uint64
	sess AuthSession
	err  error
}

// authDoneMsg is the result of the session's Wait or Paste.
type authDoneMsg struct {
	seq    uint64
	a      Authorized
	err    error
	pasted bool
	reused bool
}

func newAuthorize(c *common, auth Authorizer) *authorizeScreen {
	s := &authorizeScreen{c: c, auth: auth, paste: newInput(c, "http://localhost:3001/bitbucket-auth-app/callback?code=…")}
	s.paste.CharLimit = 4096
	return s
}

func (s *authorizeScreen) enter(e entry) tea.Cmd {
	s.ctx, s.co, s.creds, s.kept = e.ctx, e.s.checkout, e.s.creds, e.s.kept
	s.above = ""
	s.callback, s.canBack = e.s.checkout.CallbackURL, e.canBack
	s.id, s.amp, s.offer, s.offerNew, s.reused, s.above = nil, nil, false, false, false, ""
	if e.s.ampPath() {
		a := *e.s.amp
		s.amp = &a
		if len(a.Orgs) > 0 {
			s.offer = true
			s.sess, s.startErr, s.err, s.starting = nil, nil, nil, false
			return nil
		}
	}
	return s.start()
}

// reuse keeps Amplication's existing git organization.
func (s *authorizeScreen) reuse() tea.Cmd {
	s.seq = s.c.nextSeq()
	s.starting, s.err, s.startErr = true, nil, nil
	seq, ctx, api, org := s.seq, s.ctx, s.amp.API, s.amp.Orgs[0]
	return func() tea.Msg {
		a, err := api.ReuseAmpOrg(ctx, org)
		return authDoneMsg{seq: seq, a: a, err: err, reused: true}
	}
}

func (s *authorizeScreen) start() tea.Cmd {
	if s.waitCancel != nil {
		s.waitCancel()
	}
	s.starting, s.sess, s.startErr, s.err, s.pasteErr = true, nil, nil, nil, nil
	s.waiting, s.pasting, s.pasteBusy, s.cancelled, s.browser = false, false, false, false, ""
	s.paste.SetValue("")
	s.paste.Blur()
	s.offer = false
	s.seq = s.c.nextSeq()
	seq, auth, ctx, co, creds := s.seq, s.auth, s.ctx, s.co, s.creds
	if s.amp != nil {
		api := s.amp.API
		return func() tea.Msg {
			sess, err := api.StartAmpAuth(ctx)
			return authStartedMsg{seq: seq, sess: sess, err: err}
		}
	}
	return func() tea.Msg {
		sess, err := auth.StartAuth(ctx, co, creds)
		return authStartedMsg{seq: seq, sess: sess, err: err}
	}
}

func (s *authorizeScreen) typing() bool { return s.pasting && !s.pasteBusy && s.id == nil }
func (s *authorizeScreen) busy() bool   { return s.starting || s.waiting || s.pasteBusy }

func (s *authorizeScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.id != nil:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "next")}}
	case s.offer && !s.starting:
		b := []key.Binding{with(km.Up, "↑/↓", "choose"), km.Enter}
		if s.canBack {
			b = append(b, km.Back)
		}
		return bindings{short: b}
	case s.pasting:
		b := []key.Binding{with(km.Enter, "enter", "use this URL"), km.OpenURL, km.CopyURL}
		if s.sess != nil && !s.sess.PortInUse {
			b = append(b, with(km.Back, "esc", "stop pasting"))
		} else {
			b = append(b, with(km.Back, "esc", "cancel"))
		}
		return bindings{short: b}
	case s.waiting:
		return bindings{short: []key.Binding{km.Paste, with(km.Open, "o", "open again"), with(km.Copy, "c", "copy URL"), with(km.Back, "esc", "cancel")}}
	case s.starting:
		return bindings{}
	}
	b := []key.Binding{with(km.Retry, "enter/r", "try again")}
	if credentialsRejected(s.err) {
		b = []key.Binding{km.ChangeKey, km.Retry}
	}
	if s.sess != nil {
		b = append(b, km.Paste)
	}
	if s.canBack {
		b = append(b, km.Back)
	}
	return bindings{short: b}
}

func (s *authorizeScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case authStartedMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.starting = false
		if msg.err != nil {
			s.startErr = msg.err
			return nil
		}
		sess := msg.sess
		s.sess = &sess
		print := printAbove(sess.URL)
		s.above = safetext.Line(sess.URL) // the Amplication server's, in the Amplication path
		var open tea.Cmd
		if !s.c.opts.NoBrowser || s.c.opts.Demo {
			open = s.c.openCmd(sess.URL)
		}
		if sess.PortInUse {
			s.pasting = true
			return tea.Batch(print, s.paste.Focus(), open)
		}
		wctx, cancel := context.WithCancel(s.ctx)
		s.waitCancel = cancel
		s.waiting = true
		seq := s.seq
		return tea.Batch(print, func() tea.Msg {
			a, err := sess.Wait(wctx)
			return authDoneMsg{seq: seq, a: a, err: err}
		}, open)
	case copiedMsg:
		if msg.err == nil {
			s.browser = "URL sent to the clipboard (if your terminal allows it)."
		}
	case openedMsg:
		if msg.err != nil {
			s.browser = "Could not open a browser (" + errText(msg.err) + "): open the URL above yourself."
		} else {
			s.browser = "Opened in your browser."
			if s.c.opts.DemoVisits {
				s.browser = "The demo visited the page for you, as a browser would (no browser was opened)."
			}
		}
	case authDoneMsg:
		if msg.seq != s.seq || s.id != nil {
			return nil
		}
		if msg.reused {
			s.starting = false
		}
		if msg.err != nil && msg.reused {
			s.err = msg.err
			return nil
		}
		if msg.err != nil {
			if msg.pasted {
				s.pasteBusy = false
				s.pasteErr = msg.err
				return nil
			}
			if errors.Is(msg.err, context.Canceled) || s.cancelled {
				return nil
			}
			s.waiting = false
			s.err = msg.err
			return nil
		}
		if s.waitCancel != nil {
			s.waitCancel()
		}
		s.done = msg.a
		s.reused, s.offer = msg.reused, false
		id := msg.a.Identity
		s.id = &id
		s.above = "" // done: the frame takes the URL's rows back (it stays in the scrollback)
		s.waiting, s.pasting, s.pasteBusy = false, false, false
		s.paste.Blur()
	case tea.KeyMsg:
		return s.key(msg, km)
	}
	return nil
}

func (s *authorizeScreen) key(msg tea.KeyMsg, km keyMap) tea.Cmd {
	switch {
	case s.id != nil:
		if key.Matches(msg, km.Enter) {
			return s.c.report(authorizedMsg{a: s.done, reused: s.reused})
		}
		return nil
	case s.starting || s.pasteBusy:
		return nil
	case s.offer:
		switch {
		case key.Matches(msg, km.Up, km.Down):
			s.offerNew = !s.offerNew
			s.err = nil
		case key.Matches(msg, km.Enter) && s.offerNew:
			return s.start()
		case key.Matches(msg, km.Enter):
			return s.reuse()
		case key.Matches(msg, km.Back) && s.canBack:
			return s.c.report(backMsg{})
		}
		return nil
	case s.pasting:
		switch {
		case key.Matches(msg, km.Enter) && !msg.Paste:
			v := strings.TrimSpace(s.paste.Value())
			if s.sess == nil {
				return nil
			}
			if v == "" {
				s.pasteErr = errors.New("Nothing pasted yet: paste the address your browser landed on after Grant access (it starts with " + s.callback + "?code=), then press enter.")
				return nil
			}
			s.pasteBusy, s.pasteErr = true, nil
			sess, seq, ctx := *s.sess, s.seq, s.ctx
			return func() tea.Msg {
				a, err := sess.Paste(ctx, v)
				return authDoneMsg{seq: seq, a: a, err: err, pasted: true}
			}
		case key.Matches(msg, km.OpenURL) && s.sess != nil:
			return s.c.openCmd(s.sess.URL)
		case key.Matches(msg, km.CopyURL) && s.sess != nil:
			return s.c.copyCmd(s.sess.URL)
		case key.Matches(msg, km.Back):
			s.pasting = false
			s.paste.Blur()
			if !s.waiting {
				s.cancelled = true
			}
			return nil
		}
		if msg.Paste || len(msg.Runes) > 1 {
			msg.Runes = []rune(strings.TrimSpace(string(msg.Runes)))
		}
		var cmd tea.Cmd
		s.paste, cmd = s.paste.Update(msg)
		s.pasteErr = nil
		return cmd
	case s.waiting:
		switch {
		case key.Matches(msg, km.Paste):
			s.pasting = true
			return s.paste.Focus()
		case key.Matches(msg, km.Open) && s.sess != nil:
			return s.c.openCmd(s.sess.URL)
		case key.Matches(msg, km.Copy) && s.sess != nil:
			return s.c.copyCmd(s.sess.URL)
		case key.Matches(msg, km.Back):
			s.cancelled = true
			s.waiting = false
			if s.waitCancel != nil {
				s.waitCancel()
			}
		}
		return nil
	}
	// Cancelled or failed.
	switch {
	case key.Matches(msg, km.Open) && s.sess != nil:
		return s.c.openCmd(s.sess.URL)
	case key.Matches(msg, km.Copy) && s.sess != nil:
		return s.c.copyCmd(s.sess.URL)
	case key.Matches(msg, km.ChangeKey) && credentialsRejected(s.err):
		return s.c.report(rejectedFix(s.err))
	case key.Matches(msg, km.Retry), key.Matches(msg, km.Enter) && !credentialsRejected(s.err):
		return s.start()
	case key.Matches(msg, km.Paste) && s.sess != nil:
		s.pasting, s.cancelled = true, false
		return s.paste.Focus()
	case key.Matches(msg, km.Back) && s.canBack:
		return s.c.report(backMsg{})
	}
	return nil
}

// openCopyKeys names the keys that open and copy the URL in the current state.
func (s *authorizeScreen) openCopyKeys() string {
	if s.pasting {
		return "ctrl+o to open it, ctrl+y to copy it"
	}
	return "o to open it, c to copy it"
}

func (s *authorizeScreen) view() string {
	st := s.c.st
	var b strings.Builder
	if s.amp != nil {
		b.WriteString(st.heading.Render("Authorize Amplication with Bitbucket") + "\n")
		b.WriteString(st.subtle.Render("The URL is the Amplication server's own (its key); Bitbucket's answer goes to the server, which exchanges it and keeps the connection for workspace "+safetext.Line(s.amp.Workspace.Name)+".") + "\n")
		if s.offer {
			org := safetext.Line(s.amp.Orgs[0].Name)
			b.WriteString("\nAmplication is already connected to Bitbucket as " + st.strong.Render(org) + ".\n\n")
			b.WriteString(choiceLine(s.c, !s.offerNew, "Use this connection ("+org+")") + "\n")
			b.WriteString(choiceLine(s.c, s.offerNew, "Authorize again (a browser trip)") + "\n")
			if s.starting {
				b.WriteString("\n" + s.c.spinnerLine("Checking bbsetup's own access to Bitbucket…"))
			}
			if s.err != nil {
				b.WriteString("\n" + s.c.errorBox("That did not work", safetext.Line(s.err.Error()), "Press enter to try again."))
			}
			return strings.TrimRight(b.String(), "\n")
		}
	} else {
		b.WriteString(st.heading.Render("Authorize bbsetup with your Bitbucket account") + "\n")
	}
	if s.kept && s.amp == nil {
		b.WriteString(st.subtle.Render("Using the key and secret already configured in the checkout.") + "\n")
	}
	if s.id != nil && s.amp != nil {
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
		b.WriteString(s.c.box("ok", title, body, "Press enter to choose the workspace."))
		return b.String()
	}
	if s.starting {
		b.WriteString(s.c.spinnerLine("Preparing the authorization…"))
		return b.String()
	}
	if s.startErr != nil {
		b.WriteString(s.c.errorBox("Authorization could not start", s.startErr.Error(), "Press enter to try again."))
		return b.String()
	}
	if s.sess == nil {
		return b.String()
	}
	if s.id != nil {
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
	// The URL itself is printed above the frame, whole (see printer).
	b.WriteString("Open the URL printed above this frame in a browser where you are logged in to Bitbucket, and click " +
		st.strong.Render("Grant access") + ". Select it with the mouse, or press " + s.openCopyKeys() + ".\n")
	if s.browser != "" {
		b.WriteString(st.faint.Render(s.browser) + "\n")
	} else if s.c.opts.NoBrowser && !s.c.opts.Demo {
		b.WriteString(st.faint.Render("(--no-browser: open it yourself.)") + "\n")
	}
	remote := ""
	if s.c.opts.Remote {
		port := callbackPort(s.callback)
		remote = s.c.box("warn", "Remote session", "Bitbucket sends your browser to "+s.callback+
			" on the machine running the browser. Forward that port to this one first:\n  "+
			st.code.Render("ssh -L "+port+":localhost:"+port+" <this host>")+
			"\nor press p and paste the URL the browser lands on.", "") + "\n"
	}
	if s.pasting {
		// The input comes before the explanations, so it stays on screen in 80x24.
		b.WriteString("\nPaste the URL from the browser's address bar (it starts with " + st.code.Render(s.callback) + "?code=):\n")
		b.WriteString(s.paste.View())
		if s.pasteBusy {
			b.WriteString("\n" + s.c.spinnerLine("Exchanging the code…"))
		}
		if s.pasteErr != nil {
			b.WriteString("\n" + st.bad.Render(errText(s.pasteErr)))
		}
		if s.waiting {
			b.WriteString("\n" + st.faint.Render("Still listening for the browser too."))
		}
		b.WriteString("\n")
		if s.sess.PortInUse {
			b.WriteString("\n" + s.c.box("warn", "The callback port is taken", safetext.Line(s.sess.PortMessage),
				"Open the URL (ctrl+o), grant access, then paste the URL the browser lands on (it fails to load; that is fine)."))
		}
		if remote != "" {
			b.WriteString("\n" + remote)
		}
		return strings.TrimRight(b.String(), "\n")
	}
	b.WriteString(remote)
	b.WriteString("\n")
	switch {
	case s.waiting:
		b.WriteString(s.c.spinnerLine("Waiting for Bitbucket…") + "\n")
		b.WriteString(st.faint.Render("After Grant access the browser lands on " + s.callback + ". If it never comes back here, press p and paste that URL."))
	case s.err != nil && credentialsRejected(s.err):
		b.WriteString(s.c.errorBox("Authorization failed", s.err.Error(),
			"Press k to change the key and secret (they are written again after the check), or r to try again."))
	case s.err != nil:
		b.WriteString(s.c.errorBox("Authorization failed", s.err.Error(),
			"Press enter to try again, or p to paste the URL the browser landed on."))
	case s.cancelled:
		b.WriteString("Cancelled. Press enter to try again, p to paste the landed URL, or q to quit.")
	}
	return b.String()
}
