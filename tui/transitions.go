package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/flow"
)

// The transition table: what the root does with each message a screen reports (its "done"
// message): record it in the session and enter the next step. The frame's own messages
// (size, global keys, spinner) are handled in frame.go before these; a message no row
// takes goes to the active screen (or, if targeted, to its screen).

// transition is one row of a table: it takes messages of one type.
type transition func(w *wizard, msg tea.Msg) (tea.Cmd, bool)

// on is a transition for messages of type M: f records m and returns the step's command.
func on[M tea.Msg](f func(w *wizard, m M) tea.Cmd) transition {
	return func(w *wizard, msg tea.Msg) (tea.Cmd, bool) {
		m, ok := msg.(M)
		if !ok {
			return nil, false
		}
		return f(w, m), true
	}
}

// observe is a row for a result that a screen handles but the session must know first
// (so a quit right after can say what was done): f records m and returns true when it
// handled m itself; otherwise m goes on to the screen.
func observe[M tea.Msg](f func(w *wizard, m M) (tea.Cmd, bool)) transition {
	return func(w *wizard, msg tea.Msg) (tea.Cmd, bool) {
		m, ok := msg.(M)
		if !ok {
			return nil, false
		}
		return f(w, m)
	}
}

// transitions is the table, one row per message type. Adding a screen: one row for its
// done message (see docs/tui.md).
var transitions = []transition{
	observe(func(w *wizard, m envAppliedMsg) (tea.Cmd, bool) {
		w.s.Written = append([]FileResult{}, m.results...)
		w.s.writeErr = m.err
		return w.quitWhenHeld(m)
	}),
	observe(func(w *wizard, m authDoneMsg) (tea.Cmd, bool) {
		// Amplication stored its git organization, whatever the screen makes of it (also
		// when bbsetup's own Bitbucket access failed afterwards).
		if m.a.Org != nil && !m.reused {
			w.s.RecordOrgStored(*m.a.Org)
		}
		return nil, false
	}),
	observe(func(w *wizard, m ampConnectResultMsg) (tea.Cmd, bool) {
		if m.err == nil {
			w.s.RecordConnected(m.r)
		}
		return w.quitWhenHeld(m)
	}),
	on(func(w *wizard, _ backMsg) tea.Cmd {
		if s, ok := w.back(); ok {
			if w.s.resuming && s == w.s.resume {
				w.s.resuming = false // the redo is given up: back where the operator was
			}
			return w.goTo(s)
		}
		return nil
	}),
	on(func(w *wizard, m againMsg) tea.Cmd {
		if !w.s.resuming {
			w.s.resume, w.s.resuming = w.cur, true
		}
		to := m.to
		if to == stepAuthorize {
			to = authorizeStep(&w.s) // bbsetup's Bitbucket access comes from the authorization on the path
		}
		return w.goTo(to)
	}),
	on(func(w *wizard, m outsideMsg) tea.Cmd {
		w.s.record(m.fact)
		return nil
	}),
	on(func(w *wizard, m ampBuiltMsg) tea.Cmd { // the Build screen (build.go)
		p := m.p
		w.s.Built = &p
		w.s.record(outsideFact{key: "amp-build", text: buildOutsideText(p)})
		return nil
	}),
	on(func(w *wizard, m checkoutMsg) tea.Cmd {
		w.s.Checkout = m.co
		w.s.Kept = m.keep
		if m.keep {
			w.s.Creds = Credentials{}
			return w.goTo(stepVerify) // one token request before the browser trip
		}
		return w.goTo(stepConsumer)
	}),
	on(func(w *wizard, m consumerDoneMsg) tea.Cmd {
		w.s.Hint = m.workspace
		return w.goTo(stepPermissions)
	}),
	on(func(w *wizard, _ permissionsDoneMsg) tea.Cmd { return w.goTo(stepCredentials) }),
	on(func(w *wizard, m credentialsMsg) tea.Cmd {
		w.s.Creds = m.c
		return w.goTo(stepVerify)
	}),
	on(func(w *wizard, m verifiedMsg) tea.Cmd {
		v := m.v
		w.s.Verdict = &v
		w.s.Unverified = m.unverified
		if w.s.Kept {
			return w.goTo(stepAmpServer) // nothing to write
		}
		return w.goTo(stepEnv)
	}),
	on(func(w *wizard, m fixMsg) tea.Cmd { return w.fix(m.v) }),
	on(func(w *wizard, _ envDoneMsg) tea.Cmd { return w.goTo(stepAmpServer) }),
	on(func(w *wizard, m ampServerDoneMsg) tea.Cmd {
		w.s.AmpSkipped = m.skip
		if m.skip {
			w.s.Amp = nil
			return w.goTo(authorizeStep(&w.s))
		}
		if w.s.Amp != nil && m.key != nil { // after a restart: signed in already
			w.s.Amp.Key = *m.key
			return w.goTo(w.resumeOr(authorizeStep(&w.s)))
		}
		return w.goTo(stepAmpSignIn)
	}),
	on(func(w *wizard, m ampSignedMsg) tea.Cmd {
		a := m.a
		w.s.Amp = &a
		if !a.Key.OK {
			// The server must be restarted (or its key could not be read): the server
			// screen shows it and re-checks, signed in.
			return w.goTo(stepAmpServer)
		}
		return w.goTo(w.resumeOr(authorizeStep(&w.s)))
	}),
	on(func(w *wizard, m authorizedMsg) tea.Cmd {
		id := m.a.Identity
		w.s.Identity = &id
		w.s.API = m.a.API
		w.s.Org = m.a.Org
		w.s.OrgReused = m.reused
		w.s.apiGen++
		next := w.resumeOr(stepWorkspaces)
		if next > stepWorkspaces && w.s.Workspace.Slug != "" && next != stepCreate {
			// The listing so far used the refused token: list again with the new one.
			prefetch := w.deliver(stepConnect, prefetchMsg{ws: w.s.Workspace.Slug, api: w.s.API, base: w.base, again: true})
			return tea.Batch(prefetch, w.goTo(next))
		}
		return w.goTo(next)
	}),
	on(func(w *wizard, m workspaceMsg) tea.Cmd {
		w.s.Workspace = m.ws
		// The listing starts now, so the first page is there by the time Connect is.
		prefetch := w.deliver(stepConnect, prefetchMsg{ws: m.ws.Slug, api: w.s.API, base: w.base})
		return tea.Batch(w.goTo(stepChoice), prefetch)
	}),
	on(func(w *wizard, m choiceMsg) tea.Cmd {
		if m.create {
			w.deliver(stepConnect, stopListingMsg{})
			return w.goTo(stepCreate)
		}
		return w.goTo(stepConnect)
	}),
	on(func(w *wizard, m connectInsteadMsg) tea.Cmd {
		// The repository exists, maybe created since the listing: list again.
		w.deliver(stepConnect, stopListingMsg{drop: true})
		return w.enter(stepConnect, entry{filter: m.slug})
	}),
	on(func(w *wizard, m repoMsg) tea.Cmd {
		r := m.repo
		w.s.Repo = &r
		w.s.Created = m.created
		if m.created {
			w.deliver(stepConnect, stopListingMsg{drop: true}) // a listing from before lacks it
		}
		if w.s.AmpPath() && w.s.Org != nil {
			return w.goTo(stepAmpTarget)
		}
		w.s.Finished = true // the summary is the end: quitting from it is finishing
		return w.goTo(stepSummary)
	}),
	on(func(w *wizard, m ampTargetMsg) tea.Cmd {
		t := m.t
		w.s.Target = &t
		return w.goTo(stepAmpConnect)
	}),
	on(func(w *wizard, m ampConnectedMsg) tea.Cmd {
		r := m.r
		w.s.Connected = &r
		w.s.Finished = true
		return w.goTo(stepSummary)
	}),
	on(func(w *wizard, _ finishMsg) tea.Cmd {
		w.s.Finished = true
		w.quitting = true
		w.stop()
		return tea.Quit
	}),
}

// resumeOr is where a step that was redone in place leads: back to the step the operator
// redid it from (see againMsg), or next when nothing was redone or that step comes before
// next (it is passed on the way).
func (w *wizard) resumeOr(next step) step {
	if !w.s.resuming {
		return next
	}
	w.s.resuming = false
	if w.s.resume < next {
		return next
	}
	return w.s.resume
}

// quitWhenHeld finishes a quit held for msg's work (see quitHolder): the screen sees the
// result, then the wizard quits.
func (w *wizard) quitWhenHeld(msg tea.Msg) (tea.Cmd, bool) {
	if !w.quitHeld {
		return nil, false
	}
	w.active().update(msg)
	return w.quit(), true
}

// transit runs the row of the transition table that takes msg, if one does.
func (w *wizard) transit(msg tea.Msg) (tea.Cmd, bool) {
	for _, t := range transitions {
		if cmd, ok := t(w, msg); ok {
			return cmd, true
		}
	}
	return nil, false
}

// rejectedFix is the fix for an error in which Bitbucket rejected the key or secret: back to
// them, with the error as the note.
func rejectedFix(err error) fixMsg {
	return fixMsg{v: Verdict{Kind: VerdictBadCredentials, Message: flow.WithoutRemedy(err.Error())}}
}

// fix sends the operator to the screen that fixes what the verdict found.
func (w *wizard) fix(v Verdict) tea.Cmd {
	if w.s.Kept {
		// The configured key and secret are wrong: fixing them is replacing them.
		w.s.Kept = false
	}
	switch v.Kind {
	case VerdictBadCredentials:
		return w.enter(stepCredentials, entry{fix: &v})
	case VerdictNotPrivate, VerdictNoCallback:
		return w.enter(stepConsumer, entry{fix: &v})
	case VerdictMissingScopes:
		return w.enter(stepPermissions, entry{fix: &v})
	}
	return nil
}
