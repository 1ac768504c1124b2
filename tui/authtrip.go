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

// authTrip is the browser trip both authorize screens make (authorize.go for bbsetup's own
// access, ampauthorize.go for Amplication's): the URL is printed above the frame and
// opened in the browser unless --no-browser; a spinner waits for the callback; p (or a
// taken port) switches to pasting the landed URL; esc cancels. The screen starts it with
// begin and takes the Authorized that update returns once done.
type authTrip struct {
	c        *common
	ctx      context.Context
	callback string
	// canBack: esc from a failed or cancelled trip may go back a step.
	canBack bool
	// startFn starts the session (the screen's backend call); r retries it.
	startFn func(ctx context.Context) (AuthSession, error)

	session   request // the session's start; its wait and paste answer with its id
	wait      request // the wait for the browser's callback (esc cancels it)
	starting  bool
	sess      *AuthSession
	startErr  error
	waiting   bool
	pasting   bool
	pasteBusy bool
	paste     textinput.Model
	pasteErr  error
	err       error
	cancelled bool
	done      bool
	browser   string // what happened with the browser
	above     string // the URL printed above the frame (see printer)
}

// authStartedMsg is the result of the session's start.
type authStartedMsg struct {
	seq  uint64
	sess AuthSession
	err  error
}

// authDoneMsg is the result of the session's Wait or Paste (or of reusing Amplication's
// git organization: reused).
type authDoneMsg struct {
	seq    uint64
	a      Authorized
	err    error
	pasted bool
	reused bool
}

func newAuthTrip(c *common) authTrip {
	t := authTrip{c: c, session: newRequest(c), wait: newRequest(c),
		paste: newInput(c, "http://localhost:3001/bitbucket-auth-app/callback?code=…")}
	t.paste.CharLimit = 4096
	return t
}

// reset forgets the last trip, on entering the screen.
func (t *authTrip) reset(ctx context.Context, callback string, canBack bool) {
	t.wait.stop()
	t.session.drop()
	t.ctx, t.callback, t.canBack = ctx, callback, canBack
	t.clear()
}

// clear is the state before a session starts.
func (t *authTrip) clear() {
	t.starting, t.sess, t.startErr, t.err, t.pasteErr = false, nil, nil, nil, nil
	t.waiting, t.pasting, t.pasteBusy, t.cancelled, t.done = false, false, false, false, false
	t.browser, t.above = "", ""
	t.paste.SetValue("")
	t.paste.Blur()
}

// begin starts a session with start (a backend call, run in a command).
func (t *authTrip) begin(start func(ctx context.Context) (AuthSession, error)) tea.Cmd {
	t.startFn = start
	return t.restart()
}

// restart starts the session again (r, enter after a failure).
func (t *authTrip) restart() tea.Cmd {
	t.wait.stop()
	t.clear()
	t.starting = true
	start := t.startFn
	return t.session.run(t.ctx, func(ctx context.Context, seq uint64) tea.Msg {
		sess, err := start(ctx)
		return authStartedMsg{seq: seq, sess: sess, err: err}
	})
}

// finish ends the trip once authorized: the frame takes the URL's rows back (it stays in
// the scrollback).
func (t *authTrip) finish() {
	t.wait.stop()
	t.done, t.above = true, ""
	t.waiting, t.pasting, t.pasteBusy = false, false, false
	t.paste.Blur()
}

func (t *authTrip) typing() bool { return t.pasting && !t.pasteBusy && !t.done }
func (t *authTrip) busy() bool   { return t.starting || t.waiting || t.pasteBusy }

// update handles the trip's messages; it returns the Authorized when the trip succeeded.
func (t *authTrip) update(msg tea.Msg) (tea.Cmd, *Authorized) {
	switch msg := msg.(type) {
	case authStartedMsg:
		if !t.session.current(msg.seq) {
			return nil, nil
		}
		return t.started(msg), nil
	case copiedMsg:
		if msg.err == nil {
			t.browser = "URL sent to the clipboard (if your terminal allows it)."
		}
	case openedMsg:
		if msg.err != nil {
			t.browser = "Could not open a browser (" + errText(msg.err) + "): open the URL above yourself."
		} else {
			t.browser = "Opened in your browser."
			if t.c.opts.DemoVisits {
				t.browser = "The demo visited the page for you, as a browser would (no browser was opened)."
			}
		}
	case authDoneMsg:
		if !t.session.current(msg.seq) || t.done {
			return nil, nil
		}
		if msg.err != nil {
			if msg.pasted {
				t.pasteBusy = false
				t.pasteErr = msg.err
				return nil, nil
			}
			if errors.Is(msg.err, context.Canceled) || t.cancelled {
				return nil, nil
			}
			t.waiting = false
			t.err = msg.err
			return nil, nil
		}
		a := msg.a
		t.finish()
		return nil, &a
	}
	return nil, nil
}

// started takes the started session: the URL is printed and opened, then the trip waits
// for the callback, or (the port taken) takes a paste.
func (t *authTrip) started(msg authStartedMsg) tea.Cmd {
	t.starting = false
	if msg.err != nil {
		t.startErr = msg.err
		return nil
	}
	sess := msg.sess
	t.sess = &sess
	// Labelled: it stays in the scrollback after the wizard, where it must say what it is.
	const label = "Authorize URL (open it in a browser where you are logged in to Bitbucket):"
	print := printAbove(label + "\n" + sess.URL)
	t.above = label + "\n" + safetext.Line(sess.URL) // the Amplication server's, in the Amplication path
	var open tea.Cmd
	if !t.c.opts.NoBrowser || t.c.opts.Demo {
		open = t.c.openCmd(sess.URL)
	}
	if sess.PortInUse {
		t.pasting = true
		return tea.Batch(print, t.paste.Focus(), open)
	}
	t.waiting = true
	ctx, _ := t.wait.start(t.ctx)
	seq := msg.seq
	return tea.Batch(print, func() tea.Msg {
		a, err := sess.Wait(ctx)
		return authDoneMsg{seq: seq, a: a, err: err}
	}, open)
}

func (t *authTrip) keys() bindings {
	km := t.c.km
	switch {
	case t.pasting:
		b := []key.Binding{with(km.Enter, "enter", "use this URL"), km.OpenURL, km.CopyURL}
		if t.sess != nil && !t.sess.PortInUse {
			b = append(b, with(km.Back, "esc", "stop pasting"))
		} else {
			b = append(b, with(km.Back, "esc", "cancel"))
		}
		return bindings{short: b}
	case t.waiting:
		return bindings{short: []key.Binding{km.Paste, with(km.Open, "o", "open again"), with(km.Copy, "c", "copy URL"), with(km.Back, "esc", "cancel")}}
	case t.starting:
		return bindings{}
	}
	b := []key.Binding{with(km.Retry, "enter/r", "try again")}
	if credentialsRejected(t.err) {
		b = []key.Binding{km.ChangeKey, km.Retry}
	}
	b = append(b, t.c.againKeys(t.lost())...)
	if t.sess != nil {
		b = append(b, km.Paste)
	}
	if t.canBack {
		b = append(b, km.Back)
	}
	return bindings{short: b}
}

func (t *authTrip) key(msg tea.KeyMsg) tea.Cmd {
	km := t.c.km
	switch {
	case t.starting || t.pasteBusy:
		return nil
	case t.pasting:
		return t.pasteKey(msg)
	}
	if cmd, ok := t.urlKey(msg, km.Open, km.Copy); ok {
		return cmd
	}
	if t.waiting {
		switch {
		case key.Matches(msg, km.Paste):
			t.pasting = true
			return t.paste.Focus()
		case key.Matches(msg, km.Back):
			t.cancelled = true
			t.waiting = false
			t.wait.stop()
		}
		return nil
	}
	// Cancelled or failed.
	if cmd, ok := t.c.againCmd(msg, t.lost()); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, km.ChangeKey) && credentialsRejected(t.err):
		return t.c.report(rejectedFix(t.err))
	case key.Matches(msg, km.Retry), key.Matches(msg, km.Enter) && !credentialsRejected(t.err):
		return t.restart()
	case key.Matches(msg, km.Paste) && t.sess != nil:
		t.pasting, t.cancelled = true, false
		return t.paste.Focus()
	case key.Matches(msg, km.Back) && t.canBack:
		return t.c.report(backMsg{})
	}
	return nil
}

// lost is the failure that says a credential stopped working (the Amplication session),
// if there is one.
func (t *authTrip) lost() error {
	for _, err := range []error{t.startErr, t.err} {
		if credentialLost(err) {
			return err
		}
	}
	return nil
}

// urlKey opens or copies the session's URL when msg is the open or the copy key.
func (t *authTrip) urlKey(msg tea.KeyMsg, open, copy key.Binding) (tea.Cmd, bool) {
	switch {
	case t.sess == nil:
		return nil, false
	case key.Matches(msg, open):
		return t.c.openCmd(t.sess.URL), true
	case key.Matches(msg, copy):
		return t.c.copyCmd(t.sess.URL), true
	}
	return nil, false
}

// pasteKey is a key while the landed URL is pasted.
func (t *authTrip) pasteKey(msg tea.KeyMsg) tea.Cmd {
	km := t.c.km
	if cmd, ok := t.urlKey(msg, km.OpenURL, km.CopyURL); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, km.Enter) && !msg.Paste:
		v := strings.TrimSpace(t.paste.Value())
		if t.sess == nil {
			return nil
		}
		if v == "" {
			t.pasteErr = errors.New("Nothing pasted yet: paste the address your browser landed on after Grant access (it starts with " + t.callback + "?code=), then press enter.")
			return nil
		}
		t.pasteBusy, t.pasteErr = true, nil
		sess, seq, ctx := *t.sess, t.session.id, t.ctx
		return func() tea.Msg {
			a, err := sess.Paste(ctx, v)
			return authDoneMsg{seq: seq, a: a, err: err, pasted: true}
		}
	case key.Matches(msg, km.Back):
		t.pasting = false
		t.paste.Blur()
		if !t.waiting {
			t.cancelled = true
		}
		return nil
	}
	if msg.Paste || len(msg.Runes) > 1 {
		msg.Runes = []rune(strings.TrimSpace(string(msg.Runes)))
	}
	var cmd tea.Cmd
	t.paste, cmd = t.paste.Update(msg)
	t.pasteErr = nil
	return cmd
}

// openCopyKeys names the keys that open and copy the URL in the current state.
func (t *authTrip) openCopyKeys() string {
	if t.pasting {
		return "ctrl+o to open it, ctrl+y to copy it"
	}
	return "o to open it, c to copy it"
}

// view is the trip below the screen's heading: starting, the instructions, the paste
// input, the wait, a failure.
func (t *authTrip) view() string {
	st := t.c.st
	var b strings.Builder
	if t.starting {
		return t.c.spinnerLine("Preparing the authorization…")
	}
	if credentialLost(t.startErr) {
		return t.c.lostBox("Authorization could not start", t.startErr)
	}
	if t.startErr != nil {
		return t.c.errorBox("Authorization could not start", t.startErr.Error(), "Press enter to try again.")
	}
	if t.sess == nil {
		return ""
	}
	// The URL itself is printed above the frame, whole (see printer).
	b.WriteString("Open the URL printed above this frame in a browser where you are logged in to Bitbucket, and click " +
		st.strong.Render("Grant access") + ". Select it with the mouse, or press " + t.openCopyKeys() + ".\n")
	if t.browser != "" {
		b.WriteString(st.faint.Render(t.browser) + "\n")
	} else if t.c.opts.NoBrowser && !t.c.opts.Demo {
		b.WriteString(st.faint.Render("(--no-browser: open it yourself.)") + "\n")
	}
	remote := ""
	if t.c.opts.Remote {
		port := callbackPort(t.callback)
		remote = t.c.box("warn", "Remote session", "Bitbucket sends your browser to "+t.callback+
			" on the machine running the browser. Forward that port to this one first:\n  "+
			st.code.Render("ssh -L "+port+":localhost:"+port+" <this host>")+
			"\nor press p and paste the URL the browser lands on.", "") + "\n"
	}
	if t.pasting {
		// The input comes before the explanations, so it stays on screen in 80x24.
		b.WriteString("\nPaste the URL from the browser's address bar (it starts with " + st.code.Render(t.callback) + "?code=):\n")
		b.WriteString(t.paste.View())
		if t.pasteBusy {
			b.WriteString("\n" + t.c.spinnerLine("Exchanging the code…"))
		}
		if t.pasteErr != nil {
			b.WriteString("\n" + st.bad.Render(errText(t.pasteErr)))
		}
		if t.waiting {
			b.WriteString("\n" + st.faint.Render("Still listening for the browser too."))
		}
		b.WriteString("\n")
		if t.sess.PortInUse {
			b.WriteString("\n" + t.c.box("warn", "The callback port is taken", safetext.Line(t.sess.PortMessage),
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
	case t.waiting:
		b.WriteString(t.c.spinnerLine("Waiting for Bitbucket…") + "\n")
		b.WriteString(st.faint.Render("After Grant access the browser lands on " + t.callback + ". If it never comes back here, press p and paste that URL."))
	case credentialLost(t.err):
		b.WriteString(t.c.lostBox("Authorization failed", t.err))
	case t.err != nil && credentialsRejected(t.err):
		b.WriteString(t.c.errorBox("Authorization failed", t.err.Error(),
			"Press k to change the key and secret (they are written again after the check), or r to try again."))
	case t.err != nil:
		b.WriteString(t.c.errorBox("Authorization failed", t.err.Error(),
			"Press enter to try again, or p to paste the URL the browser landed on."))
	case t.cancelled:
		b.WriteString("Cancelled. Press enter to try again, p to paste the landed URL, or q to quit.")
	}
	return b.String()
}
