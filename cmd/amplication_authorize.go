package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/flow"
)

// ampAuthorizeResult is the --json output of `bbsetup amplication authorize`.
type ampAuthorizeResult struct {
	GitOrganization ampOrgJSON        `json:"git_organization"` // own_account: its account is bbsetup's own (null: not known)
	Workspace       *ampWorkspaceJSON `json:"workspace"`
	StateSupported  bool              `json:"state_supported"`
}

// ampAuthorizeOptions are the flags of `bbsetup amplication authorize`.
type ampAuthorizeOptions struct {
	signIn ampSignIn
	authorizeOptions
}

func newCmdAmplicationAuthorize(a *Factory, si *ampSignIn, runF func(*ampAuthorizeOptions) error) *cobra.Command {
	var o ampAuthorizeOptions
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
			o.signIn = *si
			if runF != nil {
				return runF(&o)
			}
			return ampClean(a.runAmplicationAuthorize(cmd.Context(), o.signIn, o.authorizeOptions))
		},
	}
	f := c.Flags()
	f.BoolVar(&o.noBrowser, "no-browser", false, "only print the URL; do not try to open a browser")
	f.DurationVar(&o.timeout, "timeout", defaultAuthorizeTimeout, "how long to wait for the browser or a paste (e.g. 90s, 10m)")
	f.BoolVar(&o.json, "json", false, "print the result as a JSON object on stdout")
	return c
}

func (a *Factory) runAmplicationAuthorize(ctx context.Context, si ampSignIn, o authorizeOptions) error {
	s, err := a.ampClient()
	if err != nil {
		return err
	}
	defer s.close()
	if err := a.ampSignIn(ctx, s, si); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	az, written, err := s.StartAuthorize(ctx, s.ov, a.g.BitbucketURL, a.secret)
	if err != nil {
		return a.ampStartError(s, err, written)
	}
	az.Listen(wctx)
	defer az.Close()
	w := a.ampAuthWait(s, az, o)
	code, err := a.awaitCode(wctx, ctx, w, a.announce(w))
	if err != nil {
		return err
	}
	fmt.Fprintln(a.env.Stderr, "Got Bitbucket's answer; Amplication is exchanging it…")
	org, err := az.Complete(ctx, s.Server, code, a.secret)
	if err != nil {
		return a.ampCompleteError(s, err)
	}
	done := s.Authorized(ctx, org, func(ctx context.Context) *bitbucket.User {
		own, _ := a.ownUser(ctx)
		return own
	})
	return a.ampAuthorizePrint(s, done, az.Auth.WithState, o.json)
}

// ampAuthWait is how the terminal waits for Amplication's authorization: its URL note and
// its words when the time runs out.
func (a *Factory) ampAuthWait(s *ampSession, az *flow.AmpAuthorization, o authorizeOptions) authWait {
	var in io.Reader
	if s.in != nil {
		in = s.in
	}
	return authWait{s: az.Session, command: "bbsetup amplication authorize", noBrowser: o.noBrowser, timeout: o.timeout, in: in,
		urlNote: " (it is the Amplication server's own, with its key " + ampName(az.Auth.ClientID) + ")",
		timedOut: func(n int, _ error) error {
			note := ""
			switch {
			case n == 1:
				note = " (1 answer with another state, not from this authorization, was refused)"
			case n > 1:
				note = fmt.Sprintf(" (%d answers with another state, not from this authorization, were refused)", n)
			}
			return fmt.Errorf("no answer within %s: the browser never came back to %s and nothing was pasted%s; run bbsetup amplication authorize again (--timeout sets the wait)",
				o.timeout, s.Checkout.CallbackURL, note)
		}}
}

// ampAuthorizePrint prints the completed authorization: the organization and who it
// pushes as, a warning when not bbsetup's own account, the projects left on the demo
// repository (a failure), and what to run next.
func (a *Factory) ampAuthorizePrint(s *ampSession, done flow.AmpAuthorized, withState, asJSON bool) error {
	org := done.Org
	if asJSON {
		res := ampAuthorizeResult{GitOrganization: ampOrgJSON{ID: org.ID, Name: org.Name, Type: org.Type}, StateSupported: withState}
		res.GitOrganization.OwnAccount = done.OwnAccount()
		if s.ov.Current != nil {
			res.Workspace = &ampWorkspaceJSON{ID: s.ov.Current.ID, Name: s.ov.Current.Name}
		}
		if err := bbapiWriteJSON(a.env.Stdout, res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(a.env.Stdout, "Amplication is connected to Bitbucket as %s.\n", ampName(org.Name))
		if done.PusherErr == nil {
			fmt.Fprintln(a.env.Stdout, done.Pusher.Says())
		}
	}
	if mm := done.Mismatch(); mm != nil {
		fmt.Fprintf(a.env.Stderr, "Warning: %s.\n", mm.Error())
	}
	switch {
	case done.DemoErr != nil:
		fmt.Fprintf(a.env.Stderr, "Warning: whether the projects still push to Amplication's demo repository could not be read: %v.\n", a.ampError(s, done.DemoErr))
	case len(done.Demo) > 0:
		return errors.New(flow.DemoRepoFailure(done.Demo))
	}
	if !asJSON {
		fmt.Fprintf(a.env.Stdout, "Next: bbsetup amplication connect --workspace WORKSPACE --repository SLUG --project PROJECT (it connects through %s; --git-org chooses another)\n", ampName(org.Name))
	}
	return nil
}

// ownUser is bbsetup's own Bitbucket identity; nil when it cannot be read, with why
// (nil too when there is no Bitbucket client to ask).
func (a *Factory) ownUser(ctx context.Context) (*bitbucket.User, error) {
	bb, done, err := a.bbapiClient(ctx)
	if err != nil {
		return nil, nil
	}
	defer done()
	return flow.OwnUser(ctx, bb)
}

// ampStartError words flow.StartAmplication's refusals with the command line's flags.
func (a *Factory) ampStartError(s *ampSession, err error, written string) error {
	var sm *amplication.StateMismatchError
	var fe *amplication.ForeignAuthorizeURLError
	var stale *flow.StaleKeyError
	var ph *flow.PlaceholderKeyError
	var old *amplication.OldServerError
	switch {
	case errors.As(err, &old):
		return fmt.Errorf("%w; no Bitbucket URL was opened (check the server with bbsetup amplication status)", old)
	case errors.Is(err, amplication.ErrNoWorkspaceForState):
		return errors.New("the Amplication server is older than v3.5.0, where the state is the current workspace's id, and the account has no current workspace; choose one with --amplication-workspace")
	case errors.As(err, &fe):
		// The browser goes only to the Bitbucket bbsetup talks to: the real server's URL
		// is always on bitbucket.org (or the emulator's, with --bitbucket-url).
		return fmt.Errorf("the Amplication server's authorize URL goes to %s, not to Bitbucket at %s, so bbsetup does not open it: check that --amplication-url points at your Amplication server, or pass --bitbucket-url if that server uses another Bitbucket",
			ampName(fe.Got), ampName(fe.Want))
	case errors.As(err, &sm):
		return fmt.Errorf("the Amplication server's authorize URL carries the state %q, not the one bbsetup asked for; check that --amplication-url points at the Amplication server", ampName(sm.Got))
	case errors.As(err, &stale):
		return fmt.Errorf("the running Amplication server uses the Bitbucket key %q, not the key in %s (%s): it was started before the key was written; %s, then run bbsetup amplication authorize again",
			stale.Running, s.Checkout.ServerEnvLocal, ampName(written), flow.AmpRestart)
	case errors.As(err, &ph):
		return fmt.Errorf("the running Amplication server has only the placeholder Bitbucket key %q and the env files have no key yet: run bbsetup configure, then %s, then run bbsetup amplication authorize again",
			ph.Running, flow.AmpRestart)
	case flow.MissingConfiguration(err) && written != "":
		return fmt.Errorf("the running Amplication server has no Bitbucket key (\"Missing Bitbucket configuration\"), but %s has one: the server was started before it was written; %s, then run bbsetup amplication authorize again", s.Checkout.ServerEnvLocal, flow.AmpRestart)
	case flow.MissingConfiguration(err):
		return errors.New("the Amplication server has no Bitbucket key (\"Missing Bitbucket configuration\"): run bbsetup configure, then " + flow.AmpRestart)
	}
	return a.ampError(s, err)
}

// ampCompleteError words the server's refusals of completeGitOAuth2Flow (the advice
// table's flow.ClassifyComplete) with what to do on the command line.
func (a *Factory) ampCompleteError(s *ampSession, err error) error {
	var old *amplication.OldServerError
	if errors.As(err, &old) {
		return old
	}
	o, why, ok := flow.ClassifyComplete(err)
	if !ok {
		return a.ampError(s, err)
	}
	var todo string
	switch o {
	case flow.CompleteNoPlan:
		return flow.NoPlanAdvice(why, "then "+flow.AmpRestart)
	case flow.CompleteUnreachable:
		return flow.UnreachableAdvice(err, "then run bbsetup amplication authorize again")
	case flow.CompleteKeyRefused:
		todo = "Bitbucket refused the key and secret the running server loaded: check them with bbsetup check; if they are right, " + flow.AmpRestart
		var kr *flow.KeyRejectedError
		if errors.As(err, &kr) {
			todo = kr.Words() + ": copy both again from the consumer's page (Workspace settings → OAuth consumers → the consumer's name), write them with bbsetup configure, then " + flow.AmpRestart + " and run bbsetup amplication authorize again"
		}
	case flow.CompleteRedirectURI:
		todo = "Bitbucket wants the same redirect_uri in the exchange as in the authorization; open the URL bbsetup prints exactly as given (nothing added) and try again"
	case flow.CompleteCodeUsed:
		todo = "the code was already used or has expired (a code works once, within minutes; the Amplication client page may have used it): run bbsetup amplication authorize again"
	case flow.CompleteNoUser:
		todo = "Amplication could not read the Bitbucket account (GET /user): check that the consumer has the Account: Read permission (bbsetup check), then try again"
	case flow.CompleteStaleSecret:
		var ss *flow.StaleSecretError
		errors.As(err, &ss)
		todo = ss.Words() + "; " + flow.AmpRestart + ", then run bbsetup amplication authorize again"
	default:
		// The server often says no more than "Bitbucket request failed.": name the causes.
		todo = "Bitbucket refused the server's exchange, usually because the code was already used or has expired (a code works once, within minutes; the Amplication client page may have used it) or because the running server's key and secret are not the consumer's (check with bbsetup amplication status and bbsetup check); run bbsetup amplication authorize again"
	}
	return fmt.Errorf("the Amplication server could not finish the Bitbucket authorization (%s): %s", why, todo)
}
