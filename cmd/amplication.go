package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// ampSignIn are the sign-in flags of the amplication commands. The password is never a
// flag: --password-stdin or BBSETUP_AMPLICATION_PASSWORD, or a hidden prompt.
type ampSignIn struct {
	email         string
	passwordStdin bool
}

// ampRequestTimeout bounds one request to the Amplication server.
const ampRequestTimeout = 30 * time.Second

func (a *app) newAmplicationCmd() *cobra.Command {
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

Sign in with BBSETUP_AMPLICATION_TOKEN (an API token from Amplication's settings, or a
session token), or with --email and the password on standard input (--password-stdin),
in BBSETUP_AMPLICATION_PASSWORD, or typed at a hidden prompt.`,
		Args: cobra.NoArgs,
	}
	pf := c.PersistentFlags()
	pf.StringVar(&si.email, "email", "", "sign in to Amplication as `EMAIL` (env BBSETUP_AMPLICATION_EMAIL)")
	pf.BoolVar(&si.passwordStdin, "password-stdin", false, "read the Amplication password from the first line of standard input")
	c.AddCommand(a.newAmplicationStatusCmd(&si), a.newAmplicationAuthorizeCmd(&si), a.newAmplicationConnectCmd(&si))
	return c
}

// ampSession is a signed-in Amplication client on the chosen workspace.
type ampSession struct {
	co  *checkout.Checkout
	c   *amplication.Client
	ov  *amplication.Overview
	in  *bufio.Reader // stdin, after the password line when --password-stdin
	tr  *http.Transport
	url string
}

func (s *ampSession) close() {
	if s.tr != nil {
		s.tr.CloseIdleConnections()
	}
}

// ampServerURL is --amplication-url / BBSETUP_AMPLICATION_URL, else HOST in the server's
// env files, else the default.
func (a *app) ampServerURL(co *checkout.Checkout) string {
	if a.g.AmplicationURL != "" {
		return strings.TrimRight(a.g.AmplicationURL, "/")
	}
	if co != nil {
		if h, ok := co.ServerEnv("HOST"); ok && strings.TrimSpace(h) != "" {
			return strings.TrimRight(strings.TrimSpace(h), "/")
		}
	}
	return DefaultAmplicationURL
}

// ampClient opens the checkout and makes a client for the server; it does not sign in.
func (a *app) ampClient() (*ampSession, error) {
	co, err := a.openCheckout()
	if err != nil {
		return nil, err
	}
	s := &ampSession{co: co, url: a.ampServerURL(co)}
	if a.env.Stdin != nil {
		s.in = bufio.NewReader(a.env.Stdin)
	}
	s.tr = http.DefaultTransport.(*http.Transport).Clone()
	// No Options.Debug: the debug transport logs every request once, with the one
	// "debug: " prefix and the operation's name.
	opts := amplication.Options{RequestTimeout: ampRequestTimeout}
	c, err := amplication.New(s.url, &http.Client{Transport: a.debugTransport(s.tr)}, opts)
	if err != nil {
		return nil, usageErrorf("--amplication-url: %v", err)
	}
	s.c = c
	a.debugf("amplication server %s (checkout %s)", s.url, co.Root)
	return s, nil
}

// ampSignIn signs s in (token, or email and password), reads the overview and switches
// to --amplication-workspace when it names another workspace.
func (a *app) ampSignIn(ctx context.Context, s *ampSession, si ampSignIn) error {
	if tok := strings.TrimSpace(a.env.Getenv("BBSETUP_AMPLICATION_TOKEN")); tok != "" {
		a.secret(tok)
		s.c.SetToken(tok)
		a.debugf("amplication: signing in with BBSETUP_AMPLICATION_TOKEN")
	} else {
		email := strings.TrimSpace(si.email)
		if email == "" {
			email = strings.TrimSpace(a.env.Getenv("BBSETUP_AMPLICATION_EMAIL"))
		}
		if email == "" {
			return usageErrorf("no Amplication sign-in: set BBSETUP_AMPLICATION_TOKEN to an API token (Amplication: Workspace settings → API Tokens), or pass --email and the password with --password-stdin or BBSETUP_AMPLICATION_PASSWORD")
		}
		pw, err := a.ampPassword(ctx, s, si)
		if err != nil {
			return err
		}
		a.secret(pw)
		a.debugf("amplication: signing in as %s", safetext.Line(email))
		if err := s.c.Login(ctx, email, pw); err != nil {
			return a.ampError(s, err)
		}
		a.secret(s.c.Token())
	}
	ov, err := s.c.Overview(ctx)
	if err != nil {
		return a.ampError(s, err)
	}
	s.ov = ov
	want := strings.TrimSpace(a.g.AmplicationWorkspace)
	var target *amplication.Workspace
	switch {
	case want != "":
		w, err := ampPickWorkspace(ov, want)
		if err != nil {
			return err
		}
		target = w
	case ov.Current == nil && len(ov.Workspaces) == 1:
		target = &ov.Workspaces[0]
	case ov.Current == nil:
		return fmt.Errorf("the Amplication account has no current workspace; choose one with --amplication-workspace: %s", ampWorkspaceList(ov.Workspaces))
	}
	if target != nil && (ov.Current == nil || ov.Current.ID != target.ID) {
		a.debugf("amplication: switching to workspace %s", safetext.Line(target.ID))
		if err := s.c.SetCurrentWorkspace(ctx, target.ID); err != nil {
			return a.ampError(s, err)
		}
		a.secret(s.c.Token())
		if s.ov, err = s.c.Overview(ctx); err != nil {
			return a.ampError(s, err)
		}
	}
	return nil
}

// ampPickWorkspace finds want among the workspaces, by id or by name (case-insensitive).
func ampPickWorkspace(ov *amplication.Overview, want string) (*amplication.Workspace, error) {
	for i, w := range ov.Workspaces {
		if w.ID == want {
			return &ov.Workspaces[i], nil
		}
	}
	var found []int
	for i, w := range ov.Workspaces {
		if strings.EqualFold(strings.TrimSpace(w.Name), want) {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 1:
		return &ov.Workspaces[found[0]], nil
	case 0:
		return nil, usageErrorf("--amplication-workspace %q: the Amplication account has no such workspace; it has %s", safetext.Line(want), ampWorkspaceList(ov.Workspaces))
	}
	var ws []amplication.Workspace
	for _, i := range found {
		ws = append(ws, ov.Workspaces[i])
	}
	return nil, usageErrorf("--amplication-workspace %q: several workspaces have that name; pass one of their ids: %s", safetext.Line(want), ampWorkspaceList(ws))
}

func ampWorkspaceList(ws []amplication.Workspace) string {
	if len(ws) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(ws))
	for _, w := range ws {
		parts = append(parts, fmt.Sprintf("%s (id %s)", safetext.Line(w.Name), safetext.Line(w.ID)))
	}
	return strings.Join(parts, ", ")
}

// ampPassword reads the password: the first line of stdin with --password-stdin (without
// echo at a terminal), else BBSETUP_AMPLICATION_PASSWORD, else a hidden prompt at a
// terminal. It is never a flag.
func (a *app) ampPassword(ctx context.Context, s *ampSession, si ampSignIn) (string, error) {
	if !si.passwordStdin {
		if pw := strings.TrimRight(a.env.Getenv("BBSETUP_AMPLICATION_PASSWORD"), "\r\n"); pw != "" {
			return pw, nil
		}
	}
	if f, ok := a.env.Stdin.(interface{ Fd() uintptr }); ok && a.env.StdinIsTerminal {
		// Echo goes off before the prompt appears; Ctrl+C or SIGTERM ends the wait.
		pw, err := readHidden(ctx, f.Fd(), a.env.Stderr, "Amplication password (it is not shown): ")
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
	line, err := untilDone(ctx, func() (string, error) { return s.in.ReadString('\n') }) // stdinctx.go: a signal ends the wait
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("cannot read the password from standard input: %v", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageErrorf("--password-stdin: standard input is empty; pipe the Amplication password into bbsetup")
	}
	return pw, nil
}

// ampRestart is the advice for a server that runs with old settings.
const ampRestart = "restart the server so it reads .env.local: stop it (Ctrl+C in its terminal) and run npx nx serve amplication-server in the checkout"

// ampError words a client error for the operator: what happened and what to do.
func (a *app) ampError(s *ampSession, err error) error {
	var ue *amplication.UnreachableError
	var ua *amplication.UnauthorizedError
	var he *amplication.HTTPError
	var ng *amplication.NotGraphQLError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &ue) && ue.Timeout:
		return ampWorded(err, "the Amplication server at %s did not answer within %s: check that it has finished starting (npx nx serve amplication-server), then try again", s.url, ampRequestTimeout)
	case errors.As(err, &ue):
		return ampWorded(err, "cannot reach the Amplication server at %s (%s): start it in the checkout with npx nx serve amplication-server, or pass --amplication-url (BBSETUP_AMPLICATION_URL) if it runs elsewhere", s.url, ue.Reason)
	case errors.As(err, &ua) && ua.Login:
		return ampWorded(err, "the Amplication server refused the sign-in (%s): check --email and the password, or sign in with an API token in BBSETUP_AMPLICATION_TOKEN", safetext.Line(ua.Message))
	case errors.As(err, &ua):
		return ampWorded(err, "the Amplication server refused the token (%s): create a new API token in Amplication (Workspace settings → API Tokens) and put it in BBSETUP_AMPLICATION_TOKEN, or sign in with --email", safetext.Line(ua.Message))
	case errors.As(err, &he), errors.As(err, &ng):
		return ampWorded(err, "%s does not answer like the Amplication server (%v): check --amplication-url; the server is usually on port 3000 (the client is on 3001)", s.url, safetext.Line(err.Error()))
	}
	return err
}

// ampWordedError is a client error worded for the operator: its text is the sentence
// alone, which already names the cause, while errors.As still finds the typed error it
// wraps (so the cause is said once, not again after the advice).
type ampWordedError struct {
	msg string
	err error
}

func (e *ampWordedError) Error() string { return e.msg }
func (e *ampWordedError) Unwrap() error { return e.err }

func ampWorded(err error, format string, args ...any) error {
	return &ampWordedError{msg: fmt.Sprintf(format, args...), err: err}
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

// ampPickProject finds a project by id or name (case-insensitive).
func ampPickProject(ps []amplication.Project, want string) (*amplication.Project, error) {
	want = strings.TrimSpace(want)
	for i := range ps {
		if ps[i].ID == want {
			return &ps[i], nil
		}
	}
	var found []int
	for i := range ps {
		if strings.EqualFold(strings.TrimSpace(ps[i].Name), want) {
			found = append(found, i)
		}
	}
	list := func(idx []int) string {
		var parts []string
		for _, i := range idx {
			parts = append(parts, fmt.Sprintf("%s (id %s)", ampName(ps[i].Name), ampName(ps[i].ID)))
		}
		if len(parts) == 0 {
			return "none"
		}
		return strings.Join(parts, ", ")
	}
	switch len(found) {
	case 1:
		return &ps[found[0]], nil
	case 0:
		all := make([]int, len(ps))
		for i := range ps {
			all[i] = i
		}
		return nil, usageErrorf("--project %q: the Amplication workspace has no such project; it has %s", safetext.Line(want), list(all))
	}
	return nil, usageErrorf("--project %q: several projects have that name; pass one of their ids: %s", safetext.Line(want), list(found))
}

// ampPickService finds a resource other than the project's settings by id or name.
func ampPickService(p *amplication.Project, want string) (*amplication.Resource, error) {
	want = strings.TrimSpace(want)
	var cands []int
	for i, r := range p.Resources {
		if r.Type == amplication.TypeProjectConfiguration {
			continue
		}
		if r.ID == want {
			return &p.Resources[i], nil
		}
		if strings.EqualFold(strings.TrimSpace(r.Name), want) {
			cands = append(cands, i)
		}
	}
	switch len(cands) {
	case 1:
		return &p.Resources[cands[0]], nil
	case 0:
		var names []string
		for _, r := range p.Resources {
			if r.Type != amplication.TypeProjectConfiguration {
				names = append(names, ampName(r.Name))
			}
		}
		have := "none"
		if len(names) > 0 {
			have = strings.Join(names, ", ")
		}
		return nil, usageErrorf("--service %q: project %s has no such service; it has %s", safetext.Line(want), ampName(p.Name), have)
	}
	var ids []string
	for _, i := range cands {
		ids = append(ids, ampName(p.Resources[i].ID))
	}
	return nil, usageErrorf("--service %q: several resources of project %s have that name; pass one of their ids: %s", safetext.Line(want), ampName(p.Name), strings.Join(ids, ", "))
}
