package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/browseropen"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// authorizeOptions are the flags of `bbsetup authorize`.
type authorizeOptions struct {
	noBrowser bool
	timeout   time.Duration
	json      bool
}

// defaultAuthorizeTimeout bounds the wait for the browser (or a paste).
const defaultAuthorizeTimeout = 5 * time.Minute

func newCmdAuthorize(a *Factory, runF func(*authorizeOptions) error) *cobra.Command {
	var o authorizeOptions
	c := &cobra.Command{
		Use:   "authorize",
		Short: "Authorize in the browser and show who is connected",
		Long: `Authorize bbsetup in the browser with the consumer whose key and secret are in the
Amplication env files, then show who is connected and which permissions the consumer
grants. This is how to re-check the consumer's callback URL after editing it.

bbsetup prints the authorization URL, tries to open a browser, and waits for Bitbucket to
send the browser back to the callback URL (CLIENT_HOST + /bitbucket-auth-app/callback).
When that port is taken (the Amplication client runs on it) or the browser is on another
machine, paste the full address the browser lands on, or just the code, and press Enter.`,
		Example: `  bbsetup authorize
  bbsetup authorize --no-browser --timeout 10m
  bbsetup authorize --repo ~/src/amplication --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.timeout <= 0 {
				return usageErrorf("--timeout must be positive, e.g. 5m or 90s")
			}
			if runF != nil {
				return runF(&o)
			}
			return a.runAuthorize(cmd.Context(), o)
		},
	}
	f := c.Flags()
	f.BoolVar(&o.noBrowser, "no-browser", false, "only print the URL; do not try to open a browser")
	f.DurationVar(&o.timeout, "timeout", defaultAuthorizeTimeout, "how long to wait for the browser or a paste (e.g. 90s, 10m)")
	f.BoolVar(&o.json, "json", false, "print the result as a JSON object on stdout")
	return c
}

// authorizeResult is the --json output of `bbsetup authorize`.
type authorizeResult struct {
	DisplayName string   `json:"display_name"`
	Nickname    string   `json:"nickname"`
	AccountID   string   `json:"account_id"`
	Scopes      []string `json:"scopes"`
	Missing     []string `json:"missing"`
}

func (a *Factory) runAuthorize(ctx context.Context, o authorizeOptions) error {
	co, cr, err := a.configuredCheckout()
	if err != nil {
		return err
	}
	a.secret(cr.ClientSecret)
	hc := a.httpClient(60 * time.Second)
	defer hc.CloseIdleConnections()
	wctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	s, err := flow.StartBitbucket(a.g.BitbucketURL, cr, co.CallbackURL, hc)
	if err != nil {
		return err
	}
	s.Listen(wctx)
	defer s.Close()
	w := authWait{s: s, command: "bbsetup authorize", noBrowser: o.noBrowser, timeout: o.timeout, in: a.env.Stdin,
		timedOut: func(_ int, cause error) error { return authorizeTimeoutError(o.timeout, co.CallbackURL, cause) }}
	code, err := a.awaitCode(wctx, ctx, w, a.announce(w))
	if err != nil {
		return err
	}
	fmt.Fprintln(a.env.Stderr, "Got the authorization; exchanging it for a token…")
	acc, err := s.CompleteBitbucket(ctx, ctx, a.g.APIURL, code, a.secret)
	if err != nil {
		return err
	}
	a.debugf("granted scopes: %s", strings.Join(acc.Granted, " "))
	id, missing := acc.User, oauth.Missing(acc.Granted)
	if o.json {
		res := authorizeResult{
			DisplayName: id.DisplayName,
			Nickname:    id.Nickname,
			AccountID:   id.AccountID,
			Scopes:      append([]string{}, acc.Granted...),
			Missing:     append([]string{}, oauth.Labels(missing)...),
		}
		if err := bbapiWriteJSON(a.env.Stdout, res); err != nil {
			return err
		}
	} else {
		a.authorizePrintHuman(id, missing)
	}
	if len(missing) > 0 {
		fmt.Fprintf(a.env.Stderr, "bbsetup: %s Then run bbsetup authorize again.\n", oauth.MissingMessage(missing))
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

func (a *Factory) authorizePrintHuman(id *bitbucket.User, missing []oauth.Permission) {
	out := a.env.Stdout
	who := safetext.Line(id.DisplayName)
	if n := safetext.Line(id.Nickname); n != "" {
		who += " (" + n + ")"
	}
	fmt.Fprintf(out, "Connected as %s.\n", who)
	lacking := map[string]bool{}
	for _, p := range missing {
		lacking[p.Scope] = true
	}
	fmt.Fprintln(out, "Permissions the consumer grants:")
	for _, p := range oauth.RequiredPermissions() {
		if lacking[p.Scope] {
			fmt.Fprintf(out, "  ✗ %s (missing)\n", p.Label())
		} else {
			fmt.Fprintf(out, "  ✓ %s\n", p.Label())
		}
	}
}

func authorizeTimeoutError(timeout time.Duration, callbackURL string, cause error) error {
	note := ""
	if cause != nil && strings.Contains(cause.Error(), "wrong state") {
		note = " Answers from an older authorization attempt were ignored."
	}
	return fmt.Errorf("no answer within %s: the browser never came back to %s and nothing was pasted.%s If Bitbucket showed \"Invalid redirect_uri\", set the consumer's Callback URL to exactly %s. Run bbsetup authorize again (--timeout sets the wait)",
		timeout, callbackURL, note, callbackURL)
}

// authorizeOpenBrowser opens url with $BROWSER or the system's opener (WSL included),
// started without bbsetup's secrets in its environment: setup/browseropen decides how.
// The URL carries no secret.
func (a *Factory) authorizeOpenBrowser(url string) error {
	return browseropen.System{Getenv: a.env.Getenv}.Open(url)
}
