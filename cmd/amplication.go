package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/internal/termin"
	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// ampSignIn are the sign-in flags of the amplication commands. The password is never a
// flag: --password-stdin or BBSETUP_AMPLICATION_PASSWORD, or a hidden prompt.
type ampSignIn struct {
	email         string
	passwordStdin bool
}

// ampRunners receive the parsed options of the amplication subcommands instead of running
// them (flag tests); a nil one runs.
type ampRunners struct {
	status    func(*ampStatusOptions) error
	authorize func(*ampAuthorizeOptions) error
	connect   func(*ampConnectOptions) error
	build     func(*ampBuildOptions) error
}

func newCmdAmplication(a *Factory, run ampRunners) *cobra.Command {
	var si ampSignIn
	c := &cobra.Command{
		Use:   "amplication",
		Short: "Connect Amplication itself to Bitbucket through its server's API",
		Long: `Finish the connection inside Amplication, through the Amplication server's GraphQL
API instead of its web UI (whose "Connect to Bitbucket" button is locked on a local
platform, Amplication issue #7305):

  status     what the running server has: its Bitbucket key, the sign-in, projects
  authorize  Amplication's own Bitbucket authorization, without the web UI
  connect    connect a project (or one service) to a Bitbucket repository
  build      commit a project and follow its builds to the pull requests in Bitbucket

Sign in with BBSETUP_AMPLICATION_TOKEN (an API token from Amplication's settings, or a
session token), or with --email and the password on standard input (--password-stdin),
in BBSETUP_AMPLICATION_PASSWORD, or typed at a hidden prompt.`,
		Args: cobra.NoArgs,
	}
	pf := c.PersistentFlags()
	pf.StringVar(&si.email, "email", "", "sign in to Amplication as `EMAIL` (env BBSETUP_AMPLICATION_EMAIL)")
	pf.BoolVar(&si.passwordStdin, "password-stdin", false, "read the Amplication password from the first line of standard input")
	c.AddCommand(newCmdAmplicationStatus(a, &si, run.status), newCmdAmplicationAuthorize(a, &si, run.authorize), newCmdAmplicationConnect(a, &si, run.connect))
	c.AddCommand(newCmdAmplicationBuild(a, &si, run.build))
	return c
}

// ampSession is a signed-in Amplication client on the chosen workspace.
type ampSession struct {
	*flow.Server
	ov *amplication.Overview
	in *bufio.Reader // stdin, after the password line when --password-stdin
	tr *http.Transport
}

func (s *ampSession) close() {
	if s.tr != nil {
		s.tr.CloseIdleConnections()
	}
}

// ampClient opens the checkout and makes a client for the server; it does not sign in.
func (a *Factory) ampClient() (*ampSession, error) {
	co, err := a.openCheckout()
	if err != nil {
		return nil, err
	}
	s := &ampSession{tr: http.DefaultTransport.(*http.Transport).Clone()}
	if a.env.Stdin != nil {
		s.in = bufio.NewReader(a.env.Stdin)
	}
	// The debug transport logs every request once, with the one "debug: " prefix and the
	// operation's name.
	if s.Server, err = flow.OpenServer(co, a.g.AmplicationURL, &http.Client{Transport: a.debugTransport(s.tr)}); err != nil {
		return nil, usageErrorf("--amplication-url: %v", err)
	}
	s.CheckKey = a.verifyCredentials // names a refusal the server does not explain
	a.debugf("amplication server %s (checkout %s)", s.URL, co.Root)
	return s, nil
}

// ampSignIn signs s in (token, or email and password), reads the overview and switches
// to --amplication-workspace when it names another workspace.
func (a *Factory) ampSignIn(ctx context.Context, s *ampSession, si ampSignIn) error {
	var l flow.Login
	if l.Token = strings.TrimSpace(a.env.Getenv("BBSETUP_AMPLICATION_TOKEN")); l.Token != "" {
		a.debugf("amplication: signing in with BBSETUP_AMPLICATION_TOKEN")
	} else {
		if l.Email = strings.TrimSpace(si.email); l.Email == "" {
			l.Email = strings.TrimSpace(a.env.Getenv("BBSETUP_AMPLICATION_EMAIL"))
		}
		if l.Email == "" {
			return usageErrorf("no Amplication sign-in: set BBSETUP_AMPLICATION_TOKEN to an API token (Amplication: Workspace settings → API Tokens), or pass --email and the password with --password-stdin or BBSETUP_AMPLICATION_PASSWORD")
		}
		var err error
		if l.Password, err = a.ampPassword(ctx, s, si); err != nil {
			return err
		}
		a.debugf("amplication: signing in as %s", safetext.Line(l.Email))
	}
	if err := s.SignIn(ctx, l, a.secret); err != nil {
		return a.ampError(s, err)
	}
	ov, err := s.UseWorkspace(ctx, a.g.AmplicationWorkspace, a.secret)
	var ns *flow.NoSuchError
	var am *flow.AmbiguousError
	switch {
	case errors.As(err, &ns):
		return usageErrorf("--amplication-workspace %q: the Amplication account has no such workspace; it has %s", ns.Want, listOrNone(ns.Have))
	case errors.As(err, &am):
		return usageErrorf("--amplication-workspace %q: several workspaces have that name; pass one of their ids: %s", am.Want, strings.Join(am.IDs, ", "))
	case err != nil:
		return a.ampError(s, err)
	case ov.Current == nil:
		var have []string
		for _, w := range ov.Workspaces {
			have = append(have, fmt.Sprintf("%s (id %s)", safetext.Line(w.Name), safetext.Line(w.ID)))
		}
		return fmt.Errorf("the Amplication account has no current workspace; choose one with --amplication-workspace: %s", listOrNone(have))
	}
	s.ov = ov
	return nil
}

// listOrNone is "a, b, c", or "none".
func listOrNone(h []string) string {
	if len(h) == 0 {
		return "none"
	}
	return strings.Join(h, ", ")
}

// ampPassword reads the password: the first line of stdin with --password-stdin (without
// echo at a terminal), else BBSETUP_AMPLICATION_PASSWORD, else a hidden prompt at a
// terminal. It is never a flag.
func (a *Factory) ampPassword(ctx context.Context, s *ampSession, si ampSignIn) (string, error) {
	if !si.passwordStdin {
		if pw := strings.TrimRight(a.env.Getenv("BBSETUP_AMPLICATION_PASSWORD"), "\r\n"); pw != "" {
			return pw, nil
		}
	}
	if f, ok := a.env.Stdin.(interface{ Fd() uintptr }); ok && a.env.StdinIsTerminal {
		// Echo goes off before the prompt appears; Ctrl+C or SIGTERM ends the wait.
		pw, err := termin.ReadHidden(ctx, f.Fd(), a.env.Stderr, "Amplication password (it is not shown): ")
		fmt.Fprintln(a.env.Stderr)
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if err != nil {
			return "", fmt.Errorf("cannot read the password: %v", err)
		}
		if pw = strings.TrimRight(pw, "\r\n"); pw != "" {
			return pw, nil
		}
		return "", usageErrorf("no password was typed")
	}
	if !si.passwordStdin {
		return "", usageErrorf("no Amplication password: pipe it on standard input with --password-stdin, or set BBSETUP_AMPLICATION_PASSWORD (it is never accepted as a flag)")
	}
	if s.in == nil {
		return "", usageErrorf("--password-stdin: there is no standard input")
	}
	line, err := termin.UntilDone(ctx, func() (string, error) { return s.in.ReadString('\n') }) // a signal ends the wait
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("cannot read the password from standard input: %v", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageErrorf("--password-stdin: standard input is empty; pipe the Amplication password into bbsetup")
	}
	return pw, nil
}

// ampError words a client error for the operator (the advice table's outcomes, in the
// command line's words): what happened and what to do.
func (a *Factory) ampError(s *ampSession, err error) error {
	if err == nil {
		return nil
	}
	ad := s.ClassifyAmp(err)
	switch ad.Outcome {
	case flow.OutcomeTimeout:
		return flow.Worded(err, "the Amplication server at %s did not answer %s: check that it has finished starting (%s), then try again", s.URL, ad.Within, flow.AmpStartCommand)
	case flow.OutcomeUnreachable:
		return flow.Worded(err, "cannot reach the Amplication server at %s (%s): start it in the checkout with %s, or pass --amplication-url (BBSETUP_AMPLICATION_URL) if it runs elsewhere", s.URL, ad.Reason, flow.AmpStartCommand)
	case flow.OutcomeLoginRefused:
		return flow.Worded(err, "the Amplication server refused the sign-in (%s): check --email and the password, or sign in with an API token in BBSETUP_AMPLICATION_TOKEN", ad.Message)
	case flow.OutcomeTokenRefused:
		return flow.Worded(err, "the Amplication server refused the token (%s): create a new API token in Amplication (Workspace settings → API Tokens) and put it in BBSETUP_AMPLICATION_TOKEN, or sign in with --email", ad.Message)
	case flow.OutcomeUnexpectedAuthorizeURL:
		return flow.Worded(err, "the Amplication server's authorize URL is not Bitbucket's authorize page as Amplication makes it (%s), so bbsetup does not open it: check that --amplication-url points at your Amplication server", ad.Message)
	case flow.OutcomeNotAmplication, flow.OutcomeNotGraphQL:
		return flow.Worded(err, "%s does not answer like the Amplication server (%v): check --amplication-url; the server is usually on port 3000 (the client is on 3001)", s.URL, safetext.Line(err.Error()))
	}
	return err
}

// ampCleanError makes an error's message safe for the terminal (it may quote a server:
// Amplication's or Bitbucket's words) while errors.As still finds what it wraps.
type ampCleanError struct{ err error }

func (e *ampCleanError) Error() string { return safetext.Line(e.err.Error()) }
func (e *ampCleanError) Unwrap() error { return e.err }

// ampClean wraps err (nil stays nil): every amplication command returns through it.
func ampClean(err error) error {
	if err == nil {
		return nil
	}
	return &ampCleanError{err: err}
}

// ampName is a server string made safe for the terminal.
func ampName(s string) string { return safetext.Line(s) }

// ampProject resolves --project alone (flow.ResolveProject), worded with the flag.
func ampProject(ps []amplication.Project, project string) (amplication.Project, error) {
	p, err := flow.ResolveProject(ps, project)
	return p, ampResolveError(err)
}

// ampResolveError words a refusal of flow.Resolve with --project and --service.
func ampResolveError(err error) error {
	var ns *flow.NoSuchError
	var am *flow.AmbiguousError
	var nset *flow.NoSettingsError
	switch {
	case errors.As(err, &ns) && ns.What == "project":
		return usageErrorf("--project %q: the Amplication workspace has no such project; it has %s", ns.Want, listOrNone(ns.Have))
	case errors.As(err, &ns):
		return usageErrorf("--service %q: project %s has no such service; it has %s", ns.Want, ns.Project, listOrNone(ns.Have))
	case errors.As(err, &am) && am.What == "project":
		return usageErrorf("--project %q: several projects have that name; pass one of their ids: %s", am.Want, strings.Join(am.IDs, ", "))
	case errors.As(err, &am):
		return usageErrorf("--service %q: several resources of project %s have that name; pass one of their ids: %s", am.Want, am.Project, strings.Join(am.IDs, ", "))
	case errors.As(err, &nset):
		return fmt.Errorf("project %s has no settings resource (ProjectConfiguration) to connect; connect one service with --service", nset.Project)
	}
	return err
}
