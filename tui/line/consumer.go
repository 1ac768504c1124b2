package line

// The steps up to the env files: the checkout, the consumer, its permissions, the key and
// secret, the live check and the write (tui/welcome.go … tui/envfiles.go).

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/bbsetup/bbsetup/setup/mask"
	"github.com/bbsetup/bbsetup/tui"
)

// rel shows path relative to root when it is inside it.
var rel = tui.RelPath

func (r *runner) welcome() (step, error) {
	t := r.t
	t.heading("Amplication checkout")
	t.say("Puts a Bitbucket consumer's key and secret into your Amplication checkout, then connects your account and a repository.")
	dir := r.opts.RepoDir
	for {
		t.progress("Looking for the Amplication checkout…")
		co, err := r.b.FindCheckout(tui.ExpandHome(dir))
		if err != nil {
			t.fail("No usable Amplication checkout", err, "Type the path of your Amplication checkout (the folder that holds packages/amplication-server) and press enter.")
			if dir, err = r.askPath(); err != nil {
				return 0, err
			}
			continue
		}
		r.Checkout = co
		t.say("Checkout: %s", co.Root)
		t.say("Layout: %s", tui.LayoutText(co))
		t.say("Callback URL to register on the consumer:")
		t.say("%s", co.CallbackURL)
		t.say("Will set BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET (and BILLING_ENABLED=false for the server) in:")
		for _, p := range append([]string{co.ServerEnv}, co.PREnvs...) {
			t.say("  %s", rel(co.Root, p))
		}
		t.say("Only .env.local files; the committed .env files stay as they are.")
		if co.Configured {
			t.say("✓ A key and secret are already configured (key %s).", co.ClientID)
			i, err := t.choose("", []string{"Keep them: check them with Bitbucket, then authorize", "Replace them with a new consumer", "Another checkout"}, 0)
			if err != nil {
				return 0, err
			}
			switch i {
			case 0:
				r.Kept, r.Creds = true, tui.Credentials{}
				return stepVerify, nil // one token request before the browser trip
			case 1:
				r.Kept = false
				return stepConsumer, nil
			}
			if dir, err = r.askPath(); err != nil {
				return 0, err
			}
			continue
		}
		s, err := t.ask("Press enter to start: first, create the consumer in Bitbucket (or type the path of another checkout): ")
		if err != nil {
			return 0, err
		}
		if s == "" {
			return stepConsumer, nil
		}
		dir = s
	}
}

// askPath asks for the path of the checkout until something is typed.
func (r *runner) askPath() (string, error) {
	for {
		dir, err := r.t.ask("Path of the Amplication checkout: ")
		if err != nil || dir != "" {
			return dir, err
		}
	}
}

func (r *runner) consumer() (step, error) {
	t := r.t
	t.heading("Create the consumer")
	t.say("Create an OAuth consumer in Bitbucket")
	if v := r.fix; v != nil && (v.Kind == tui.VerdictNotPrivate || v.Kind == tui.VerdictNoCallback) {
		title := "Fix the consumer"
		switch v.Kind {
		case tui.VerdictNotPrivate:
			title = "The consumer is not private"
		case tui.VerdictNoCallback:
			title = "The consumer has no callback URL"
		}
		t.say("! %s: %s", title, v.Message)
		t.say("  → Fix it on the consumer's edit page (steps 3 and 4 below), Save, then press enter.")
		r.fix = nil
	}
	def := r.Hint
	if def == "" {
		def = r.opts.Workspace // the demo's workspace; still confirmed with enter
	}
	for {
		typed, err := t.askDefault("Workspace slug (the part after bitbucket.org/)", def)
		if err != nil {
			return 0, err
		}
		ws := tui.NormalizeWorkspace(typed, r.opts.BitbucketURL)
		if err := tui.ValidWorkspaceSlug(ws); err != nil {
			t.say("%s", err.Error())
			continue
		}
		r.Hint = ws
		break
	}
	settings := r.b.SettingsURL(r.Hint)
	t.say("Settings page:")
	t.say("%s", settings)
	t.say("On that page:")
	t.say("  1. Under OAuth consumers (bottom of the sidebar), click Add consumer.")
	t.say("  2. Name: anything, e.g. Amplication (local).")
	t.say("  3. Callback URL:")
	t.say("%s", r.Checkout.CallbackURL)
	t.say("  4. Tick This is a private consumer.")
	t.say("  5. Tick the permissions (next step), then click Save.")
	for {
		s, err := t.ask("Press enter for the permissions, or type o and enter to open the settings page in your browser: ")
		if err != nil {
			return 0, err
		}
		if !strings.EqualFold(s, "o") {
			return stepPermissions, nil
		}
		if err := r.b.OpenBrowser(settings); err != nil {
			t.say("Could not open a browser: open the URL above yourself.")
		} else if r.opts.DemoVisits {
			t.say("✓ The demo visited the settings page for you (no browser was opened); in real use it opens in your browser.")
		} else {
			t.say("✓ Opened the settings page in your browser.")
		}
	}
}

func (r *runner) permissions() (step, error) {
	t := r.t
	t.heading("Permissions")
	t.say("Tick the permissions")
	t.say("On the consumer form, under Permissions, tick these boxes:")
	missing := map[string]bool{}
	if r.fix != nil && r.fix.Kind == tui.VerdictMissingScopes {
		for _, l := range r.fix.Missing {
			row, _, _ := strings.Cut(l, ":")
			missing[strings.ToLower(strings.TrimSpace(row))] = true
		}
		t.say("Bitbucket says the rows marked missing are not ticked on the consumer: tick them there, Save, then here.")
		r.fix = nil
	}
	rows := r.b.Permissions()
	for i, p := range rows {
		line := p.Row + ": " + p.Levels
		if missing[strings.ToLower(p.Row)] {
			line += " ← missing"
		}
		t.say("  %d. %s", i+1, line)
	}
	for {
		all, err := t.yesNo("Are all "+strconv.Itoa(len(rows))+" rows ticked?", true)
		if err != nil {
			return 0, err
		}
		if all {
			return stepCredentials, nil
		}
		t.say("! Not every row is ticked: Amplication needs all of them; the check on the Verify step says exactly what is missing.")
		anyway, err := t.yesNo("Continue anyway?", false)
		if err != nil {
			return 0, err
		}
		if anyway {
			return stepCredentials, nil
		}
	}
}

func (r *runner) credentials() (step, error) {
	t := r.t
	t.heading("Key and secret")
	t.say("Paste the consumer's key and secret")
	if r.fix != nil && r.fix.Kind == tui.VerdictBadCredentials {
		t.say("✗ The key or secret did not work: %s", r.fix.Message)
		t.say("  → Copy both again from the consumer (click its name in OAuth consumers) and press enter.")
		r.fix = nil
	} else {
		t.say("In Bitbucket's OAuth consumers list, click the consumer's name: it reveals the Key and the Secret.")
	}
	defID := r.Creds.ID
	if defID == "" {
		defID = r.opts.Prefill.ID
	}
	var id string
	for {
		v, err := t.askDefault("Key", defID)
		if err != nil {
			return 0, err
		}
		if err := tui.CheckCredentialFormat("key", v); err != nil {
			t.say("%s", err.Error())
			continue
		}
		if tui.SecretShaped(v) {
			t.say("This looks like a secret (32 letters and digits). The Key is the shorter value, shown above the Secret.")
			ok, err := t.yesNo("Use it as the key all the same?", false)
			if err != nil {
				return 0, err
			}
			if !ok {
				continue
			}
		}
		id = v
		break
	}
	// Enter keeps the secret typed before for this key (as the wizard's input keeps it),
	// or takes the demo consumer's.
	defSecret, whose := "", ""
	switch {
	case r.Creds.Secret != "" && r.Creds.ID == id:
		defSecret, whose = r.Creds.Secret, "the one typed before"
	case r.opts.Prefill.Secret != "" && r.opts.Prefill.ID == id:
		defSecret, whose = r.opts.Prefill.Secret, "the demo consumer's"
	}
	for {
		prompt := "Secret (hidden): "
		if defSecret != "" {
			prompt = "Secret (hidden; press enter for " + whose + ", " + mask.Secret(defSecret) + "): "
		}
		v, err := t.hidden(prompt)
		if err != nil {
			return 0, err
		}
		if v == "" {
			v = defSecret
		}
		if err := tui.CheckCredentialFormat("secret", v); err != nil {
			t.say("%s", err.Error())
			continue
		}
		r.Creds = tui.Credentials{ID: id, Secret: v}
		r.Kept = false
		return stepVerify, nil
	}
}

func (r *runner) verify() (step, error) {
	t := r.t
	t.heading("Verify")
	t.say("Check the key and secret with Bitbucket")
	if r.Kept {
		t.say("The key and secret already configured in %s:", rel(r.Checkout.Root, r.Checkout.ServerEnv))
		t.say("Key    %s", r.Checkout.ClientID)
		t.say("Secret %s", r.Checkout.SecretMasked)
	} else {
		t.say("Key    %s", r.Creds.ID)
		t.say("Secret %s", mask.Secret(r.Creds.Secret))
	}
	for {
		t.progress("Asking Bitbucket for a token with this key and secret…")
		var v tui.Verdict
		if r.Kept {
			v = r.b.CheckConfigured(r.ctx, r.Checkout)
		} else {
			v = r.b.CheckCredentials(r.ctx, r.Creds)
		}
		if err := r.ctx.Err(); err != nil {
			return 0, err
		}
		switch v.Kind {
		case tui.VerdictOK:
			return r.verified(v)
		case tui.VerdictBadCredentials, tui.VerdictNotPrivate, tui.VerdictNoCallback, tui.VerdictMissingScopes:
			return r.refused(v)
		case tui.VerdictNetwork:
			t.fail("Bitbucket could not be reached", errors.New(v.Message), "")
			i, err := t.choose("", []string{"Try again", "Continue UNVERIFIED: the key and secret are then written without being checked"}, 0)
			if err != nil {
				return 0, err
			}
			if i == 1 {
				r.Verdict, r.Unverified = &v, true
				if r.Kept {
					return stepAmpServer, nil
				}
				return stepEnv, nil
			}
		default:
			t.fail("The check failed", errors.New(v.Message), "")
			i, err := t.choose("", []string{"Try again", "Change the key and secret"}, 0)
			if err != nil {
				return 0, err
			}
			if i == 1 {
				r.Kept = false
				return stepCredentials, nil
			}
		}
	}
}

// verified says what Bitbucket accepted and goes on to the env files (or, with the key
// and secret already configured, to the server).
func (r *runner) verified(v tui.Verdict) (step, error) {
	t := r.t
	t.say("✓ Bitbucket accepted the key and secret")
	t.say("Private consumer, callback URL set, every permission granted.")
	if len(v.Granted) > 0 {
		t.say("Granted:")
		for _, g := range tui.GroupPermissions(v.Granted) {
			t.say("  • %s", g)
		}
	}
	r.Verdict, r.Unverified = &v, false
	if r.Kept {
		return stepAmpServer, nil // nothing to write
	}
	return stepEnv, nil
}

// refused says what is wrong with the consumer or its key and secret, and goes to the
// step that fixes it.
func (r *runner) refused(v tui.Verdict) (step, error) {
	t := r.t
	switch v.Kind {
	case tui.VerdictBadCredentials:
		next := "Paste them again (click the consumer's name in Bitbucket to reveal both)."
		if r.Kept {
			next = "Paste a working key and secret (click the consumer's name in Bitbucket to reveal both); they replace the configured ones."
		}
		t.fail("The key or the secret is wrong", errors.New(v.Message), next)
	case tui.VerdictNotPrivate:
		t.fail("\"This is a private consumer\" is not ticked", errors.New(v.Message), "Tick it on the consumer's edit page and Save; the consumer steps follow.")
	case tui.VerdictNoCallback:
		t.fail("The consumer has no callback URL", errors.New(v.Message+"\nCallback URL: "+r.Checkout.CallbackURL), "Set it on the consumer's edit page and Save; the consumer steps follow.")
	case tui.VerdictMissingScopes:
		t.fail("Some permission boxes are not ticked", errors.New(v.Message), "Tick them on the consumer's edit page and Save; the checklist follows.")
		t.say("Missing:")
		for _, m := range v.Missing {
			t.say("  • %s", m)
		}
	}
	return r.goFix(v)
}

// goFix sends the operator to the step that fixes v (the wizard's fix).
func (r *runner) goFix(v tui.Verdict) (step, error) {
	r.Kept = false
	r.fix = &v
	switch v.Kind {
	case tui.VerdictNotPrivate, tui.VerdictNoCallback:
		return stepConsumer, nil
	case tui.VerdictMissingScopes:
		return stepPermissions, nil
	}
	return stepCredentials, nil
}

func (r *runner) env() (step, error) {
	t := r.t
	t.heading("Env files")
	t.say("Write the key and secret into the env files")
	for {
		t.progress("Reading the env files…")
		plan, err := r.b.PlanEnv(r.ctx, r.Checkout, r.Creds)
		if err != nil {
			if next, err := r.planFailed(err); err != nil || next != stepEnv {
				return next, err
			}
			continue
		}
		if !plan.Changed() {
			t.say("✓ The files already hold this key and secret; nothing to write.")
			return stepAmpServer, nil
		}
		t.say("Nothing is written until you confirm. The secret is masked (%s). A backup of each file is kept outside the checkout.", mask.Secret(r.Creds.Secret))
		r.showDiff(plan)
		ok, err := t.yesNo("Write these files?", true)
		if err != nil {
			return 0, err
		}
		if !ok {
			t.say("Nothing was written.")
			return stepCredentials, nil
		}
		t.progress("Writing the env files…")
		// The write is never interrupted half-way: a stop waits for it.
		res, err := plan.Apply(context.WithoutCancel(r.ctx))
		r.sayWritten(res)
		if err != nil {
			t.fail("Writing failed", err, "Fix what it says, then read the files again and retry.")
			if _, err := t.ask("Press enter to read the files again: "); err != nil {
				return 0, err
			}
			continue
		}
		return r.startServer(plan)
	}
}

// planFailed says why the env files cannot be written and asks what next: stepEnv to
// read them again (after allowing a target outside the checkout, if the operator says
// so), or stepCredentials to go back to the key and secret.
func (r *runner) planFailed(err error) (step, error) {
	t := r.t
	if cerr := r.ctx.Err(); cerr != nil {
		return 0, cerr
	}
	var oe *tui.OutsideCheckoutError
	al, canAllow := r.b.(tui.OutsideAllower)
	if errors.As(err, &oe) && canAllow {
		t.fail("The env files cannot be written", err, "")
		i, err := t.choose("", []string{"Read the files again", "Write there anyway (" + oe.Target + " is yours and meant to get the secret)", "Go back to the key and secret"}, 0)
		if err != nil {
			return 0, err
		}
		switch i {
		case 1:
			al.AllowOutsideCheckout()
		case 2:
			return stepCredentials, nil
		}
		return stepEnv, nil
	}
	t.fail("The env files cannot be written", err, "Fix what it says, then read them again.")
	i, err := t.choose("", []string{"Read the files again", "Go back to the key and secret"}, 0)
	if err != nil {
		return 0, err
	}
	if i == 1 {
		return stepCredentials, nil
	}
	return stepEnv, nil
}

// sayWritten records and says what the write did to each file.
func (r *runner) sayWritten(res []tui.FileResult) {
	r.Written = append([]tui.FileResult{}, res...)
	for _, f := range res {
		switch {
		case f.Changed && f.Backup != "":
			r.t.say("✓ written %s (backup %s)", rel(r.Checkout.Root, f.Path), rel(r.Checkout.Root, f.Backup))
		case f.Changed:
			r.t.say("✓ written %s", rel(r.Checkout.Root, f.Path))
		default:
			r.t.say("= up to date %s", rel(r.Checkout.Root, f.Path))
		}
	}
}

// startServer says to start the Amplication server (and later the other services),
// which reads the files just written, and goes on to check it.
func (r *runner) startServer(plan tui.EnvPlan) (step, error) {
	t := r.t
	if pr := plan.PRServiceLines(r.ctx); len(pr) > 0 {
		t.say("The PR service (it pushes to Bitbucket):")
		for _, l := range pr {
			t.say("%s", l)
		}
	}
	const server = "npx nx serve amplication-server"
	t.say("Now: start (or restart) the Amplication server, in its own terminal, from the checkout; it reads these files when it starts:")
	t.say("  %s", server)
	if r.opts.Demo {
		t.say("  (demo: the emulated server is started or restarted for you; the next check finds it)")
	}
	var later []string
	for _, svc := range r.Checkout.Services {
		if svc != server {
			later = append(later, svc)
		}
	}
	if len(later) > 0 {
		t.say("After this wizard, start the other services the same way (the summary lists them again):")
		for _, svc := range later {
			t.say("  %s", svc)
		}
	}
	if _, err := t.ask("Press enter to check the server."); err != nil {
		return 0, err
	}
	return stepAmpServer, nil
}

// showDiff writes each file's planned change: its state, then its unified diff (secret
// already masked) without the file header, whose paths are long.
func (r *runner) showDiff(plan tui.EnvPlan) {
	t := r.t
	for _, f := range plan.Files {
		t.say("%s (%s)", rel(r.Checkout.Root, f.Path), tui.FileState(f))
		if !f.Changed {
			continue
		}
		for _, l := range tui.DiffLines(f.Diff) {
			t.say("%s", l)
		}
	}
}
