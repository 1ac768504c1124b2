package line

// The Amplication server, the sign-in and the authorization (tui/ampserver.go,
// tui/ampsignin.go, tui/authorize.go).

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/tui"
)

// Polling as the wizard's server screen does: every few seconds until the server answers
// (or uses the new key); the demo restarts its server after a moment.
var (
	pollInterval       = 3 * time.Second
	demoRestartDelay   = 2500 * time.Millisecond
	ampServerCommand   = "npx nx serve amplication-server"
	skipAmplicationKey = "s"
)

func (r *runner) ampServer() (step, error) {
	t := r.t
	t.heading("Amplication server")
	t.say("The Amplication server")
	if r.AmpPath() {
		return r.ampKey()
	}
	checks := 0
	asked := false // the operator pressed enter: the answer is said even when unchanged
	var last *tui.AmpProbe
	for {
		if last == nil {
			t.progress("Asking the Amplication server…")
		}
		p := r.b.ProbeAmp(r.ctx, r.Checkout)
		if err := r.ctx.Err(); err != nil {
			return 0, err
		}
		checks++
		if p.Answers && p.Refuses && (last == nil || last.Detail != p.Detail) {
			t.say("! The Amplication server refuses Bitbucket: %s", p.Detail)
			t.say("Press enter to check again after updating and restarting it, or type s and enter to skip Amplication (%s)", tui.AmpUndone)
		}
		if p.Answers && !p.Refuses {
			r.sayAmpAnswers(p)
			s, err := t.ask("Press enter to sign in to Amplication, or type s and enter to skip Amplication: ")
			if err != nil {
				return 0, err
			}
			if strings.EqualFold(s, skipAmplicationKey) {
				if skip, err := r.confirmSkip(); err != nil || skip {
					return stepAuthorize, err
				}
				last = nil
				continue
			}
			return stepAmpSignIn, nil
		}
		if asked && last != nil && last.Detail == p.Detail {
			r.sayAmpStill(p, checks)
		}
		asked = false
		if !p.Refuses && (last == nil || last.Detail != p.Detail) {
			r.sayAmpDown(p)
		}
		last = &p
		s, got, err := t.nextWithin(pollInterval)
		if err != nil {
			return 0, err
		}
		if !got {
			continue
		}
		if strings.EqualFold(s, skipAmplicationKey) {
			if skip, err := r.confirmSkip(); err != nil || skip {
				return stepAuthorize, err
			}
			last = nil
			continue
		}
		t.progress("Checking…")
		asked = true
	}
}

// sayAmpAnswers says the server answers: where, what it said and the PR service's lines.
func (r *runner) sayAmpAnswers(p tui.AmpProbe) {
	t := r.t
	if p.URL != "" {
		t.say("Server: %s", p.URL)
	}
	t.say("✓ The Amplication server answers")
	if p.Detail != "" {
		t.say("%s", p.Detail)
	}
	if len(p.PRService) > 0 {
		t.say("The PR service (it pushes to Bitbucket):")
		for _, l := range p.PRService {
			t.say("%s", l)
		}
	}
}

// sayAmpDown says the server does not answer and how to start it.
func (r *runner) sayAmpDown(p tui.AmpProbe) {
	t := r.t
	if p.URL != "" {
		t.say("Server: %s", p.URL)
	}
	t.say("! The Amplication server does not answer: %s", p.Detail)
	t.say("Start it in its own terminal, from %s:", p.Dir)
	t.say("  %s", p.StartCommand)
	t.say("Checking again every few seconds; press enter to check now, or type s and enter to skip Amplication (%s)", tui.AmpUndone)
}

// sayAmpStill answers an enter that found the server as it was.
func (r *runner) sayAmpStill(p tui.AmpProbe, checks int) {
	if p.Refuses {
		r.t.say("! Still refuses Bitbucket (checked %d times).", checks)
	} else {
		r.t.say("! Still does not answer (checked %d times).", checks)
	}
}

// confirmSkip asks before Amplication is skipped, saying what stays undone.
func (r *runner) confirmSkip() (bool, error) {
	r.t.say("! Skip Amplication? %s", tui.AmpUndone)
	skip, err := r.t.yesNo("Skip Amplication?", false)
	if err != nil || !skip {
		return false, err
	}
	r.AmpSkipped, r.Amp = true, nil
	return true, nil
}

// ampKey waits until the running server uses the key in .env.local (after the sign-in
// found it did not, or after the key and secret were changed): it must be restarted.
func (r *runner) ampKey() (step, error) {
	t := r.t
	t.say("Server: %s", r.Amp.URL)
	t.say("Signed in: %s · workspace %s", r.Amp.Account, r.Amp.Workspace.Name)
	restarter, canRestart := r.b.(tui.AmpDemoRestarter)
	canRestart = canRestart && r.opts.Demo
	restarted := false
	// Checked now, as the wizard's server screen does on entry: the sign-in's answer is
	// stale once the env files were written again (a changed key and secret).
	t.progress("Checking the server's Bitbucket key…")
	k := r.Amp.API.CheckAmpKey(r.ctx)
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	lastMsg := ""
	for {
		switch {
		case k.OK:
			t.say("✓ The server uses the new key")
			if k.Message != "" {
				t.say("%s", k.Message)
			}
			r.Amp.Key = k
			return stepAuthorize, nil
		case k.Message == lastMsg:
		case k.Stale:
			t.say("! The server must be restarted: %s", k.Message)
			t.say("It reads .env.local only when it starts. Stop it (Ctrl+C in its terminal) and start it again, from %s:", r.Checkout.Root)
			t.say("  %s", ampServerCommand)
			if !canRestart || restarted {
				t.say("Checking again every few seconds until it uses the new key (or press enter once restarted)…")
			}
		default:
			t.say("✗ The server's Bitbucket key could not be checked: %s", k.Message)
			t.say("Checking again every few seconds (or press enter)…")
		}
		lastMsg = k.Message
		if k.Stale && canRestart && !restarted {
			restarted = true
			select {
			case <-time.After(demoRestartDelay):
			case <-r.ctx.Done():
				return 0, r.ctx.Err()
			}
			t.say("(demo: restarting the emulated server for you, as Ctrl+C and npx nx serve amplication-server would)")
			if err := restarter.RestartAmpDemo(r.ctx); err != nil {
				t.say("The demo could not restart the emulated server: %s", err.Error())
				t.say("Checking again every few seconds (or press enter)…")
			}
		} else {
			_, got, err := t.nextWithin(pollInterval)
			if err != nil {
				return 0, err
			}
			if got {
				t.progress("Checking…")
				lastMsg = ""
			}
		}
		k = r.Amp.API.CheckAmpKey(r.ctx)
		if err := r.ctx.Err(); err != nil {
			return 0, err
		}
	}
}

// emailShaped reports that v looks like an email address (something@something).
func emailShaped(v string) bool {
	user, host, ok := strings.Cut(strings.TrimSpace(v), "@")
	return ok && user != "" && host != ""
}

// lineWords rewords the wizard's key names in a sign-in error for this surface: ctrl+t
// switches between password and token there, "token" at the Email prompt does here.
func lineWords(s string) string {
	return strings.ReplaceAll(s, "press ctrl+t and", "type token at the Email prompt and")
}

func (r *runner) ampSignIn() (step, error) {
	t := r.t
	t.heading("Sign in to Amplication")
	t.say("bbsetup signs in to your local Amplication to connect it to Bitbucket; the password is used for this sign-in only and never stored.")
	if r.opts.Demo {
		t.say("(demo: the emulated server's user is filled in)")
	}
	for {
		var l tui.AmpLogin
		email, err := t.askDefault("Email (or type token to sign in with an API token)", r.opts.AmpEmail)
		if err != nil {
			return 0, err
		}
		if strings.EqualFold(email, "token") {
			tok, err := t.hidden("API token (hidden): ")
			if err != nil {
				return 0, err
			}
			if tok == "" {
				t.say("Paste an API token (Amplication: Workspace settings → API Tokens), or type your email at the Email prompt.")
				continue
			}
			l.Token = tok
		} else {
			switch {
			case email == "":
				t.say("Type the email you sign in to Amplication with.")
				continue
			case !emailShaped(email):
				t.say("That is not an email address: type the email you sign in to Amplication with.")
				continue
			}
			prompt := "Password (hidden): "
			def := ""
			if r.opts.AmpPassword != "" && email == r.opts.AmpEmail {
				prompt, def = "Password (hidden; press enter for the demo user's): ", r.opts.AmpPassword
			}
			pw, err := t.hidden(prompt)
			if err != nil {
				return 0, err
			}
			if pw == "" {
				pw = def
			}
			if pw == "" {
				t.say("Type your Amplication password (it is not shown).")
				continue
			}
			l.Email, l.Password = email, pw
		}
		t.progress("Signing in and checking the server's Bitbucket key…")
		a, err := r.b.SignInAmp(r.ctx, r.Checkout, l)
		if err != nil {
			if cerr := r.ctx.Err(); cerr != nil {
				return 0, cerr
			}
			t.fail("The sign-in did not work", errors.New(lineWords(err.Error())), "Correct it and sign in again.")
			continue
		}
		if len(a.Workspaces) > 1 {
			if a, err = r.pickAmpWorkspace(a); err != nil {
				return 0, err
			}
		}
		r.Amp, r.AmpSkipped = &a, false
		t.say("✓ Signed in as %s · workspace %s", a.Account, a.Workspace.Name)
		if !a.Key.OK {
			return stepAmpServer, nil // the server must use the new key first
		}
		return stepAuthorize, nil
	}
}

// pickAmpWorkspace asks which of the account's workspaces to connect (the current one by
// default) and switches to it.
func (r *runner) pickAmpWorkspace(a tui.AmpSignedIn) (tui.AmpSignedIn, error) {
	t := r.t
	names := make([]string, len(a.Workspaces))
	def := 0
	for i, w := range a.Workspaces {
		names[i] = w.Name
		if w.ID == a.Workspace.ID {
			names[i] += " (current)"
			def = i
		}
	}
	question := "Signed in as " + a.Account + ". The account has several workspaces; connect which one?"
	for {
		i, err := t.choose(question, names, def)
		if err != nil {
			return a, err
		}
		chosen := a.Workspaces[i]
		if chosen.ID == a.Workspace.ID {
			return a, nil
		}
		t.progress("Switching the workspace…")
		sw, err := a.API.UseAmpWorkspace(r.ctx, chosen.ID)
		if err == nil {
			return sw, nil
		}
		if cerr := r.ctx.Err(); cerr != nil {
			return a, cerr
		}
		t.fail("The workspace could not be chosen", err, "Choose again.")
		question = ""
	}
}

func (r *runner) authorize() (step, error) {
	t := r.t
	t.heading("Authorize")
	amp := r.AmpPath()
	if amp {
		t.say("Authorize Amplication with Bitbucket")
		t.say("The URL is the Amplication server's own (its key); Bitbucket's answer goes to the server, which exchanges it and keeps the connection for workspace %s.", r.Amp.Workspace.Name)
		if st, done, err := r.reuseAmpOrg(); done {
			return st, err
		}
	} else {
		t.say("Authorize bbsetup with your Bitbucket account")
		if r.Kept {
			t.say("Using the key and secret already configured in the checkout.")
		}
	}
	for {
		t.progress("Preparing the authorization…")
		var sess tui.AuthSession
		var err error
		if amp {
			sess, err = r.Amp.API.StartAmpAuth(r.ctx)
		} else {
			sess, err = r.b.StartAuth(r.ctx, r.Checkout, r.Creds)
		}
		if err != nil {
			if cerr := r.ctx.Err(); cerr != nil {
				return 0, cerr
			}
			t.fail("Authorization could not start", err, "")
			if _, err := t.ask("Press enter to try again: "); err != nil {
				return 0, err
			}
			continue
		}
		next, a, err := r.browserTrip(sess)
		switch {
		case err != nil:
			return 0, err
		case next == retry:
			continue
		case next == changeKey:
			return stepCredentials, nil
		}
		return r.authorized(a, false)
	}
}

// reuseAmpOrg offers the Bitbucket connections Amplication's workspace holds already;
// done is false when there are none or the operator chose to authorize again.
func (r *runner) reuseAmpOrg() (next step, done bool, err error) {
	t := r.t
	orgs := r.Amp.Orgs
	if len(orgs) == 0 {
		return 0, false, nil
	}
	if len(orgs) == 1 {
		t.say("Amplication is already connected to Bitbucket as %s.", orgs[0].Name)
	} else {
		t.say("Amplication's workspace has %d Bitbucket connections; Amplication pushes as the account of the one the connect uses.", len(orgs))
	}
	var choices []string
	for _, o := range orgs {
		choices = append(choices, o.UseLabel())
	}
	choices = append(choices, "Authorize again (a browser trip)")
	def := tui.DefaultOrg(orgs) // bbsetup's own account's, never a colleague's
	if def < 0 {
		def = len(orgs)
	}
	for {
		i, err := t.choose("", choices, def)
		if err != nil {
			return 0, true, err
		}
		if i == len(orgs) {
			return 0, false, nil
		}
		org := orgs[i]
		if org.Other != "" {
			t.say("! %s", org.Other)
		}
		t.progress("Checking bbsetup's own access to Bitbucket…")
		a, err := r.Amp.API.ReuseAmpOrg(r.ctx, org)
		if err == nil {
			next, err := r.authorized(a, true)
			return next, true, err
		}
		if cerr := r.ctx.Err(); cerr != nil {
			return 0, true, cerr
		}
		t.fail("That did not work", err, "Choose again.")
	}
}

// What browserTrip ends with besides an authorization.
const (
	authorizedOK = iota
	retry
	changeKey
)

// browserTrip shows the authorize URL, opens the browser, and waits for the browser's
// redirect and for a pasted URL at once, whichever completes the flow first.
func (r *runner) browserTrip(sess tui.AuthSession) (int, tui.Authorized, error) {
	t := r.t
	callback := r.Checkout.CallbackURL
	r.showAuthorizeURL(sess.URL)
	pastePrompt := "Paste the URL from the browser's address bar (it starts with " + callback + "?code=) and press enter."
	if sess.PortInUse {
		return r.pasteOnly(sess, pastePrompt)
	}
	wctx, cancel := context.WithCancel(r.ctx)
	defer cancel() // done: the listener is released
	type result struct {
		a   tui.Authorized
		err error
	}
	waited := make(chan result, 1)
	go func() {
		a, err := sess.Wait(wctx)
		waited <- result{a, err}
	}()
	t.say("Waiting for Bitbucket… After Grant access the browser lands on %s. If it never comes back here, paste that URL here and press enter.", callback)
	for {
		select {
		case <-r.ctx.Done():
			return 0, tui.Authorized{}, r.ctx.Err()
		case res := <-waited:
			if res.err == nil {
				return authorizedOK, res.a, nil
			}
			if cerr := r.ctx.Err(); cerr != nil {
				return 0, tui.Authorized{}, cerr
			}
			next, err := r.waitFailed(res.err)
			return next, tui.Authorized{}, err
		case rd, ok := <-t.lines:
			v, err := t.got(rd, ok)
			if err != nil {
				return 0, tui.Authorized{}, err
			}
			v = strings.TrimSpace(v)
			if v == "" {
				t.say("Still waiting for Bitbucket. %s", pastePrompt)
				continue
			}
			a, done, err := r.pasteURL(sess, v)
			if err != nil || done {
				return authorizedOK, a, err
			}
			t.say("Still listening for the browser too.")
		}
	}
}

// showAuthorizeURL shows the authorize URL, opens the browser unless told not to, and
// in a remote session says how to forward the callback port.
func (r *runner) showAuthorizeURL(authURL string) {
	t := r.t
	callback := r.Checkout.CallbackURL
	t.say("Open this URL in a browser where you are logged in to Bitbucket, and click Grant access:")
	t.say("%s", authURL) // on a line of its own: selectable whole
	switch {
	case !r.opts.NoBrowser || r.opts.Demo:
		if err := r.b.OpenBrowser(authURL); err != nil {
			t.say("Could not open a browser (%s): open the URL above yourself.", err.Error())
		} else if r.opts.DemoVisits {
			t.say("The demo visited the page for you, as a browser would (no browser was opened).")
		} else {
			t.say("Opened in your browser.")
		}
	default:
		t.say("(--no-browser: open it yourself.)")
	}
	if r.opts.Remote {
		port := tui.CallbackPort(callback)
		t.say("! Remote session: Bitbucket sends your browser to %s on the machine running the browser. Forward that port to this one first:", callback)
		t.say("  ssh -L %s:localhost:%s <this host>", port, port)
		t.say("or paste the URL the browser lands on here.")
	}
}

// pasteURL completes the flow with a pasted URL; ok is false (and err nil) when the
// URL was refused, which it has said.
func (r *runner) pasteURL(sess tui.AuthSession, v string) (a tui.Authorized, ok bool, err error) {
	r.t.progress("Exchanging the code…")
	a, err = sess.Paste(r.ctx, v)
	if err != nil {
		if cerr := r.ctx.Err(); cerr != nil {
			return a, false, cerr
		}
		r.t.say("✗ %s", err.Error())
		return a, false, nil
	}
	return a, true, nil
}

// pasteOnly is browserTrip when the callback port is taken: it asks for the pasted URL
// until one completes the flow.
func (r *runner) pasteOnly(sess tui.AuthSession, pastePrompt string) (int, tui.Authorized, error) {
	t := r.t
	t.say("! The callback port is taken: %s", sess.PortMessage)
	t.say("  → Open the URL, grant access, then paste the URL the browser lands on (it fails to load; that is fine).")
	for {
		v, err := t.ask(pastePrompt + "\n")
		if err != nil {
			return 0, tui.Authorized{}, err
		}
		if v == "" {
			t.say("Nothing pasted yet: paste the address your browser landed on after Grant access (it starts with %s?code=), then press enter.", r.Checkout.CallbackURL)
			continue
		}
		if a, ok, err := r.pasteURL(sess, v); err != nil || ok {
			return authorizedOK, a, err
		}
	}
}

// waitFailed says why waiting for the browser failed and asks what next: retry, or
// changeKey when Bitbucket refused the key and secret and the operator will change them.
func (r *runner) waitFailed(werr error) (int, error) {
	r.t.fail("Authorization failed", werr, "")
	change, err := r.againOrChangeKey(werr)
	switch {
	case err != nil:
		return 0, err
	case change:
		r.fix = &tui.Verdict{Kind: tui.VerdictBadCredentials, Message: flow.WithoutRemedy(werr.Error())}
		r.Kept = false
		return changeKey, nil
	}
	return retry, nil
}

// authorized records a completed authorization and says who authorized.
func (r *runner) authorized(a tui.Authorized, reused bool) (step, error) {
	t := r.t
	id := a.Identity
	r.Identity, r.API, r.Org, r.OrgReused = &id, a.API, a.Org, reused
	if r.AmpPath() {
		org := ""
		if a.Org != nil {
			org = a.Org.Name
		}
		if reused {
			t.say("✓ Amplication keeps its Bitbucket connection as %s", org)
		} else {
			t.say("✓ Amplication is connected to Bitbucket as %s", org)
			if a.Org != nil {
				r.RecordOrgStored(*a.Org)
			}
		}
		t.say("bbsetup lists and creates repositories with the consumer's own key (client credentials), as %s.", id.DisplayName)
		if a.Org != nil && a.Org.Other != "" {
			t.say("! %s.", a.Org.Other)
		}
		return stepWorkspaces, nil
	}
	t.say("✓ Connected as %s (%s)", id.DisplayName, id.Nickname)
	if len(id.Granted) > 0 {
		t.say("Granted:")
		for _, g := range tui.GroupPermissions(id.Granted) {
			t.say("  • %s", g)
		}
	}
	if len(id.Missing) > 0 {
		t.say("Not granted (Amplication needs them): %s", strings.Join(tui.GroupPermissions(id.Missing), "; "))
	}
	return stepWorkspaces, nil
}
