package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// ampAuthorizeResult is the --json output of `bbsetup amplication authorize`.
type ampAuthorizeResult struct {
	GitOrganization ampOrgJSON        `json:"git_organization"`
	Workspace       *ampWorkspaceJSON `json:"workspace"`
	StateSupported  bool              `json:"state_supported"`
}

func (a *app) newAmplicationAuthorizeCmd(si *ampSignIn) *cobra.Command {
	var o authorizeOptions
	c := &cobra.Command{
		Use:   "authorize",
		Short: "Amplication's own Bitbucket authorization, without its web UI",
		Long: `authorize connects the Amplication workspace to Bitbucket the way Amplication's
"Connect to Bitbucket" button would: it asks the server for its authorize URL (with a
random state of bbsetup's), opens it exactly as given, catches Bitbucket's answer on the
callback URL (CLIENT_HOST + /bitbucket-auth-app/callback) and hands the code to the server,
which exchanges it with the key and secret it loaded.

When the callback port is taken because the Amplication client runs there, the browser
lands on the client's page, which shows "Please wait..." and does nothing more (it only
works as a popup of the Amplication UI): copy that tab's whole address, paste it here and
press Enter.`,
		Example: "  bbsetup amplication authorize --email me@example.com\n  BBSETUP_AMPLICATION_TOKEN=... bbsetup amplication authorize --no-browser --timeout 10m",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.timeout <= 0 {
				return usageErrorf("--timeout must be positive, e.g. 5m or 90s")
			}
			return ampClean(a.runAmplicationAuthorize(cmd.Context(), *si, o))
		},
	}
	f := c.Flags()
	f.BoolVar(&o.noBrowser, "no-browser", false, "only print the URL; do not try to open a browser")
	f.DurationVar(&o.timeout, "timeout", defaultAuthorizeTimeout, "how long to wait for the browser or a paste (e.g. 90s, 10m)")
	f.BoolVar(&o.json, "json", false, "print the result as a JSON object on stdout")
	return c
}

// ampStateSupport tells whether the server takes `state`: introspection, else the
// checkout's schema.graphql; known is false when neither could tell.
func (a *app) ampStateSupport(ctx context.Context, s *ampSession) (supported, known bool) {
	ok, err := s.c.StateSupport(ctx)
	if err == nil {
		a.debugf("amplication: introspection says state is supported: %v", ok)
		return ok, true
	}
	a.debugf("amplication: introspection failed (%v); reading %s", err, amplication.SchemaFile)
	ok, ferr := amplication.CheckoutHasState(s.co.Root)
	if ferr == nil {
		return ok, true
	}
	a.debugf("amplication: %v", ferr)
	return false, false
}

func (a *app) runAmplicationAuthorize(ctx context.Context, si ampSignIn, o authorizeOptions) error {
	s, err := a.ampClient()
	if err != nil {
		return err
	}
	defer s.close()
	say := a.env.Stderr
	if err := a.ampSignIn(ctx, s, si); err != nil {
		return err
	}
	support := func(ctx context.Context) (bool, bool) { return a.ampStateSupport(ctx, s) }
	wsID := ""
	if s.ov.Current != nil {
		wsID = s.ov.Current.ID
	}
	az, err := amplication.PrepareAuthorize(ctx, s.c, support, wsID, a.g.BitbucketURL)
	var sm *amplication.StateMismatchError
	var fe *amplication.ForeignAuthorizeURLError
	switch {
	case errors.Is(err, amplication.ErrNoWorkspaceForState):
		return errors.New("the Amplication server is older than v3.5.0, where the state is the current workspace's id, and the account has no current workspace; choose one with --amplication-workspace")
	case errors.As(err, &fe):
		// The browser goes only to the Bitbucket bbsetup talks to: the real server's URL
		// is always on bitbucket.org (or the emulator's, with --bitbucket-url).
		return fmt.Errorf("the Amplication server's authorize URL goes to %s, not to Bitbucket at %s, so bbsetup does not open it: check that --amplication-url points at your Amplication server, or pass --bitbucket-url if that server uses another Bitbucket",
			ampName(fe.Got), ampName(fe.Want))
	case errors.As(err, new(*amplication.UnexpectedAuthorizeURLError)): // authorizeurl_words.go
		why, _ := ampUnexpectedAuthorizeURL(err)
		return fmt.Errorf("the Amplication server's authorize URL is not Bitbucket's authorize page as Amplication makes it (%s), so bbsetup does not open it: check that --amplication-url points at your Amplication server", why)
	case errors.As(err, &sm):
		return fmt.Errorf("the Amplication server's authorize URL carries the state %q, not the one bbsetup asked for; check that --amplication-url points at the Amplication server", ampName(sm.Got))
	case err != nil:
		return a.ampInstallError(s, err)
	}
	authURL, state, withState := az.URL, az.State, az.WithState
	info := amplication.AuthorizeURLInfo{ClientID: az.ClientID, State: az.State}
	if cr, ok := s.co.Current(); ok && info.ClientID != cr.ClientID {
		return fmt.Errorf("the running Amplication server uses the Bitbucket key %q, not the key in %s (%s): it was started before the key was written; %s, then run bbsetup amplication authorize again",
			ampName(info.ClientID), s.co.ServerEnvLocal, ampName(cr.ClientID), ampRestart)
	}
	if _, ok := s.co.Current(); !ok && (info.ClientID == "" || info.ClientID == checkout.PlaceholderClientID) {
		// Bitbucket would answer "Invalid client_id" in the browser, and nothing would come back.
		return fmt.Errorf("the running Amplication server has only the placeholder Bitbucket key %q and the env files have no key yet: run bbsetup configure, then %s, then run bbsetup amplication authorize again",
			ampName(info.ClientID), ampRestart)
	}
	a.secret(state)

	recv, err := oauth.NewReceiver(s.co.CallbackURL, state)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	cb, lerr := recv.Listen(wctx)
	if cb != nil {
		defer cb.Close()
		for _, ad := range cb.Addrs() {
			a.debugf("listening for the callback on %s", ad)
		}
	}
	// The URL unindented on a line of its own: the terminal wraps it and the mouse copies
	// it whole.
	fmt.Fprintf(say, "Open this URL in your browser and click \"Grant access\" (it is the Amplication server's own, with its key %s):\n\n%s\n\n",
		ampName(info.ClientID), safetext.Line(authURL))
	var browserDone chan error
	if !o.noBrowser {
		browserDone = make(chan error, 1)
		go func() { browserDone <- a.authorizeOpenBrowser(authURL) }() // exactly as given
	}
	var pe *oauth.PortInUseError
	pasteHow := fmt.Sprintf("After granting access, the browser lands on the Amplication client's page, which shows \"Please wait...\" and stays so: copy that tab's whole address (it starts with %s), paste it here and press Enter.\n", s.co.CallbackURL)
	switch {
	case errors.As(lerr, &pe):
		fmt.Fprintf(say, "Port %d is in use, probably by the Amplication client, so bbsetup cannot receive the browser's redirect itself.\n", pe.Port)
		fmt.Fprint(say, pasteHow)
	case lerr != nil:
		fmt.Fprintf(say, "bbsetup cannot receive the browser's redirect itself: %s\n", ampName(lerr.Error()))
		fmt.Fprint(say, pasteHow)
	default:
		fmt.Fprintf(say, "Waiting up to %s for your browser to come back to %s.\n", o.timeout, ampName(s.co.CallbackURL))
		fmt.Fprintln(say, "If it cannot reach this machine, paste the whole address your browser lands on here and press Enter.")
	}

	code, err := a.ampAuthorizeWait(wctx, ctx, o, recv, cb, browserDone, s)
	if err != nil {
		return err
	}
	a.secret(code)
	if cb != nil {
		cb.Close()
	}
	fmt.Fprintln(say, "Got Bitbucket's answer; Amplication is exchanging it…")
	org, err := s.c.CompleteOAuth(ctx, code, state, withState)
	if err != nil {
		return a.ampCompleteError(s, err)
	}
	if o.json {
		res := ampAuthorizeResult{GitOrganization: ampOrgJSON{ID: org.ID, Name: org.Name, Type: org.Type}, StateSupported: withState}
		if s.ov.Current != nil {
			res.Workspace = &ampWorkspaceJSON{ID: s.ov.Current.ID, Name: s.ov.Current.Name}
		}
		return bbapiWriteJSON(a.env.Stdout, res)
	}
	fmt.Fprintf(a.env.Stdout, "Amplication is connected to Bitbucket as %s.\n", ampName(org.Name))
	fmt.Fprintln(a.env.Stdout, "Next: bbsetup amplication connect --workspace WORKSPACE --repository SLUG --project PROJECT")
	return nil
}

// ampInstallError words a failed getGitResourceInstallationUrl.
func (a *app) ampInstallError(s *ampSession, err error) error {
	var ge *amplication.GraphQLError
	if errors.As(err, &ge) && ge.Has("Missing Bitbucket configuration") {
		if _, ok := s.co.Current(); ok {
			return fmt.Errorf("the running Amplication server has no Bitbucket key (\"Missing Bitbucket configuration\"), but %s has one: the server was started before it was written; %s, then run bbsetup amplication authorize again", s.co.ServerEnvLocal, ampRestart)
		}
		return errors.New("the Amplication server has no Bitbucket key (\"Missing Bitbucket configuration\"): run bbsetup configure, then " + ampRestart)
	}
	return a.ampError(s, err)
}

// ampCompleteError maps the server's refusals of completeGitOAuth2Flow ("Failed to
// complete OAuth2 flow - …" from v3.5.0 on, the bare reason before) to what to do.
func (a *app) ampCompleteError(s *ampSession, err error) error {
	var ge *amplication.GraphQLError
	if !errors.As(err, &ge) {
		return a.ampError(s, err)
	}
	why := ampName(ge.Message())
	low := strings.ToLower(ge.Message())
	var todo string
	switch {
	case strings.Contains(low, "upgrade its plan"):
		// Servers before v3.5.0 gate the completion on a billing entitlement, which a local
		// server (BILLING_ENABLED not true) never has.
		return fmt.Errorf("the Amplication server refuses Bitbucket without a paid plan (%s): Amplication servers before v3.5.0 check a billing entitlement that a local server never has; update the checkout to a current Amplication release (git pull), then %s", why, ampRestart)
	case strings.Contains(low, "invalid oauth client credentials") || strings.Contains(low, "unauthorized_client"):
		todo = "Bitbucket refused the key and secret the running server loaded: check them with bbsetup check; if they are right, " + ampRestart
	case strings.Contains(low, "redirect_uri"):
		todo = "Bitbucket wants the same redirect_uri in the exchange as in the authorization; open the URL bbsetup prints exactly as given (nothing added) and try again"
	case strings.Contains(low, "invalid_grant") || strings.Contains(low, "invalid_request") || strings.Contains(low, "code"):
		todo = "the code was already used or has expired (a code works once, within minutes; the Amplication client page may have used it): run bbsetup amplication authorize again"
	case strings.Contains(low, "username") || strings.Contains(low, "user"):
		todo = "Amplication could not read the Bitbucket account (GET /user): check that the consumer has the Account: Read permission (bbsetup check), then try again"
	default:
		// The server often says no more than "Bitbucket request failed.": name the causes.
		todo = "Bitbucket refused the server's exchange, usually because the code was already used or has expired (a code works once, within minutes; the Amplication client page may have used it) or because the running server's key and secret are not the consumer's (check with bbsetup amplication status and bbsetup check); run bbsetup amplication authorize again"
	}
	return fmt.Errorf("the Amplication server could not finish the Bitbucket authorization (%s): %s", why, todo)
}

// ampAuthorizeWait waits for the callback or a pasted address, whichever comes first,
// within wctx (--timeout); ctx is the command's own context.
func (a *app) ampAuthorizeWait(wctx, ctx context.Context, o authorizeOptions, recv *oauth.Flow, cb *oauth.Callback, browserDone chan error, s *ampSession) (string, error) {
	say := a.env.Stderr
	type waited struct {
		code string
		err  error
	}
	var fromCallback chan waited
	if cb != nil {
		fromCallback = make(chan waited, 1)
		go func() {
			code, err := cb.Wait(wctx)
			fromCallback <- waited{code, err}
		}()
	}
	stop := make(chan struct{})
	defer close(stop)
	var lines <-chan string
	if s.in != nil {
		lines = authorizeLines(s.in, stop)
	}
	if lines == nil && cb == nil {
		return "", errors.New("cannot receive the browser's redirect and there is no input to paste into; run bbsetup amplication authorize in a terminal")
	}
	timeout := func() error {
		note, n := "", 0
		if cb != nil {
			n = cb.IgnoredWrongState()
		}
		switch {
		case n == 1:
			note = " (1 answer with another state, not from this authorization, was refused)"
		case n > 1:
			note = fmt.Sprintf(" (%d answers with another state, not from this authorization, were refused)", n)
		}
		return fmt.Errorf("no answer within %s: the browser never came back to %s and nothing was pasted%s; run bbsetup amplication authorize again (--timeout sets the wait)",
			o.timeout, s.co.CallbackURL, note)
	}
	for {
		select {
		case r := <-fromCallback:
			if r.err != nil {
				if ctx.Err() != nil {
					return "", ctx.Err()
				}
				if errors.Is(r.err, oauth.ErrTimeout) {
					return "", timeout()
				}
				return "", r.err
			}
			return r.code, nil
		case line, ok := <-lines:
			if !ok {
				lines = nil
				if cb == nil {
					return "", errors.New("the input ended before an address was pasted; run bbsetup amplication authorize again and paste the address your browser lands on")
				}
				continue
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
			code, err := recv.ParsePasted(line)
			if err != nil {
				var ae *oauth.AuthorizeError
				if errors.As(err, &ae) {
					return "", err
				}
				if errors.Is(err, oauth.ErrStateMismatch) {
					err = errors.New("that address carries another state: it is not the answer to this authorization (bbsetup refuses it); paste the address of the tab you opened from the URL above")
				}
				fmt.Fprintf(say, "That did not work: %s\nPaste again and press Enter:\n", sentence(ampName(err.Error())))
				continue
			}
			return code, nil
		case err := <-browserDone:
			browserDone = nil
			if err != nil {
				fmt.Fprintln(say, "Could not open a browser; open the URL above yourself.")
			}
		case <-wctx.Done():
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", timeout()
		}
	}
}
