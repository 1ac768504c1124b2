package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/cli/browser"
	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
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

func (a *app) newAuthorizeCmd() *cobra.Command {
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

func (a *app) runAuthorize(ctx context.Context, o authorizeOptions) error {
	co, cr, err := a.configuredCheckout()
	if err != nil {
		return err
	}
	say := a.env.Stderr // the conversation; stdout carries only the result
	a.secret(cr.ClientSecret)
	debugf := a.debugf
	hc := a.httpClient(60 * time.Second)
	defer hc.CloseIdleConnections()
	flow, err := oauth.NewFlow(oauth.EndpointsFor(a.g.BitbucketURL), cr.ClientID, cr.ClientSecret, co.CallbackURL, hc)
	if err != nil {
		return err
	}

	wctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	cb, lerr := flow.Listen(wctx)
	if cb != nil {
		defer cb.Close()
		for _, ad := range cb.Addrs() {
			debugf("listening for the callback on %s", ad)
		}
	}

	// The URL alone on its line, unindented: the terminal wraps it and a selection copies
	// exactly the URL.
	fmt.Fprintf(say, "Open this URL in your browser and click \"Grant access\":\n\n%s\n\n", safetext.Line(flow.AuthURL()))

	var browserDone chan error
	if !o.noBrowser {
		browserDone = make(chan error, 1)
		go func() { browserDone <- a.authorizeOpenBrowser(flow.AuthURL()) }()
	}

	var pe *oauth.PortInUseError
	switch {
	case errors.As(lerr, &pe):
		fmt.Fprintf(say, "Port %d is in use, probably by the Amplication client, so bbsetup cannot receive the browser's redirect itself.\n", pe.Port)
		fmt.Fprintf(say, "After granting access, copy the full address your browser lands on (it starts with %s), paste it here and press Enter:\n", safetext.Line(co.CallbackURL))
	case lerr != nil:
		fmt.Fprintf(say, "bbsetup cannot receive the browser's redirect itself: %s\n", safetext.Line(lerr.Error()))
		fmt.Fprintf(say, "After granting access, copy the full address your browser lands on (it starts with %s), paste it here and press Enter:\n", safetext.Line(co.CallbackURL))
	default:
		fmt.Fprintf(say, "Waiting up to %s for your browser to come back to %s.\n", o.timeout, safetext.Line(co.CallbackURL))
		fmt.Fprintln(say, "If it cannot reach this machine, paste the full address your browser lands on here and press Enter.")
	}

	code, err := a.authorizeWait(wctx, ctx, o, flow, cb, browserDone, co.CallbackURL)
	if err != nil {
		return err
	}
	a.secret(code)
	if cb != nil {
		cb.Close()
	}
	fmt.Fprintln(say, "Got the authorization; exchanging it for a token…")

	tok, err := flow.Exchange(ctx, code)
	if err != nil {
		return err
	}
	a.secret(tok.AccessToken, tok.RefreshToken)
	granted := oauth.Scopes(tok)
	debugf("granted scopes: %s", strings.Join(granted, " "))
	// No Options.Debug: the flow's client has the debug transport, which logs every
	// request once.
	api := bitbucket.New(a.g.APIURL, flow.Client(ctx, tok), bitbucket.Options{})
	id, err := api.CurrentUser(ctx)
	if err != nil {
		return err
	}
	missing := oauth.Missing(granted)

	if o.json {
		res := authorizeResult{
			DisplayName: id.DisplayName,
			Nickname:    id.Nickname,
			AccountID:   id.AccountID,
			Scopes:      append([]string{}, granted...),
			Missing:     append([]string{}, oauth.Labels(missing)...),
		}
		if err := writeJSON(a.env.Stdout, res); err != nil { // jsonout.go: controls escaped
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

func (a *app) authorizePrintHuman(id *bitbucket.User, missing []oauth.Permission) {
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

// authorizeWait waits for the callback or a pasted URL/code, whichever comes first, within
// wctx (the --timeout); ctx is the command's own context (interrupt).
func (a *app) authorizeWait(wctx, ctx context.Context, o authorizeOptions, flow *oauth.Flow, cb *oauth.Callback, browserDone chan error, callbackURL string) (string, error) {
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
	lines := authorizeLines(a.env.Stdin, stop)
	if lines == nil && cb == nil {
		return "", errors.New("cannot receive the browser's redirect and there is no input to paste into; run bbsetup authorize in a terminal")
	}
	for {
		select {
		case r := <-fromCallback:
			if r.err != nil {
				if ctx.Err() != nil {
					return "", ctx.Err()
				}
				if errors.Is(r.err, oauth.ErrTimeout) {
					return "", authorizeTimeoutError(o.timeout, callbackURL, r.err)
				}
				return "", r.err
			}
			return r.code, nil
		case line, ok := <-lines:
			if !ok {
				lines = nil
				if cb == nil {
					return "", errors.New("the input ended before an address was pasted; run bbsetup authorize again and paste the address your browser lands on")
				}
				continue
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
			code, err := flow.ParsePasted(line)
			if err != nil {
				var ae *oauth.AuthorizeError
				if errors.As(err, &ae) {
					return "", err
				}
				fmt.Fprintf(say, "That did not work: %s\nPaste again and press Enter:\n", safetext.Line(err.Error()))
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
			return "", authorizeTimeoutError(o.timeout, callbackURL, nil)
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

// authorizeLines delivers stdin line by line until EOF (then closes the channel) or stop.
// It returns nil when there is no stdin.
func authorizeLines(r io.Reader, stop <-chan struct{}) <-chan string {
	if r == nil {
		return nil
	}
	out := make(chan string)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), 64<<10)
		for sc.Scan() {
			select {
			case out <- sc.Text():
			case <-stop:
				return
			}
		}
	}()
	return out
}

// browserWait is how long a browser command may run before it counts as having opened.
const browserWait = 5 * time.Second

// authorizeOpenBrowser opens url with $BROWSER (a command, "%s" replaced by the URL or the
// URL appended) or the system's opener. The URL carries no secret.
func (a *app) authorizeOpenBrowser(url string) error {
	if b := strings.TrimSpace(a.env.Getenv("BROWSER")); b != "" {
		for _, cand := range strings.Split(b, ":") {
			fields := strings.Fields(cand)
			if len(fields) == 0 {
				continue
			}
			args, replaced := fields[1:], false
			for i, f := range args {
				if strings.Contains(f, "%s") {
					args[i], replaced = strings.ReplaceAll(f, "%s", url), true
				}
			}
			if !replaced {
				args = append(args, url)
			}
			c := exec.Command(fields[0], args...)
			if err := c.Start(); err != nil {
				continue
			}
			done := make(chan error, 1)
			go func() { done <- c.Wait() }()
			select {
			case err := <-done:
				if err == nil {
					return nil
				}
			case <-time.After(browserWait):
				return nil // still running: a browser that stays in the foreground
			}
		}
		return errors.New("no command in $BROWSER could open the URL")
	}
	if !a.hasGraphicalSession() {
		// xdg-open would fall back to a text browser that takes over this terminal.
		return errors.New("no graphical session here (DISPLAY and WAYLAND_DISPLAY are unset), so no browser was opened")
	}
	// The opener's chatter must not reach stdout (it may carry --json) or the screen.
	browser.Stdout, browser.Stderr = io.Discard, io.Discard
	return browser.OpenURL(url)
}

// hasGraphicalSession reports whether a graphical browser can open here: always on macOS
// and Windows; on other systems only with an X11 or Wayland display.
func (a *app) hasGraphicalSession() bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return true
	}
	return a.env.Getenv("DISPLAY") != "" || a.env.Getenv("WAYLAND_DISPLAY") != ""
}
