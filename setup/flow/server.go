package flow

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// DefaultAmplicationURL is the Amplication server when neither the operator nor HOST in
// the server's env files says.
const DefaultAmplicationURL = "http://localhost:3000"

// AmpRequestTimeout bounds one request to the Amplication server.
const AmpRequestTimeout = 30 * time.Second

// AmpStartCommand starts the Amplication server, from the checkout.
const AmpStartCommand = checkout.ServerStartCommand

// AmpRestart is the advice for a server that runs with old settings.
const AmpRestart = "restart the server so it reads .env.local: stop it (Ctrl+C in its terminal) and run " + AmpStartCommand + " in the checkout"

// ServerURL is the Amplication server's URL: the operator's (given, e.g. a flag), else
// HOST in the server's env files, else DefaultAmplicationURL; without a trailing slash.
func ServerURL(given string, co *checkout.Checkout) string {
	if given != "" {
		return strings.TrimRight(given, "/")
	}
	if co != nil {
		if h, ok := co.ServerEnv("HOST"); ok && strings.TrimSpace(h) != "" {
			return strings.TrimRight(strings.TrimSpace(h), "/")
		}
	}
	return DefaultAmplicationURL
}

// Server is the Amplication server of a checkout: the URL the policy chose and a client
// for it (not signed in yet).
type Server struct {
	Checkout *checkout.Checkout
	URL      string
	Client   *amplication.Client
	// CheckKey checks a key and secret with Bitbucket (oauth.CheckCredentials with the
	// surface's HTTP client); nil: not checked. AmpAuthorization.Complete uses it when the
	// server's refusal says no more than "Bitbucket request failed.".
	CheckKey func(ctx context.Context, id, secret string) oauth.Verdict
}

// BadServerURLError is OpenServer's error for a URL the client cannot use; its text is
// the client's reason.
type BadServerURLError struct {
	URL string
	Err error
}

func (e *BadServerURLError) Error() string { return e.Err.Error() }
func (e *BadServerURLError) Unwrap() error { return e.Err }

// OpenServer makes a client for co's Amplication server (ServerURL(given, co)) over hc;
// a *BadServerURLError when the client cannot use the URL.
func OpenServer(co *checkout.Checkout, given string, hc *http.Client) (*Server, error) {
	s := &Server{Checkout: co, URL: ServerURL(given, co)}
	// No Options.Debug: hc's transport logs every request once, when the operator asked.
	c, err := amplication.New(s.URL, hc, amplication.Options{RequestTimeout: AmpRequestTimeout})
	if err != nil {
		return nil, &BadServerURLError{URL: s.URL, Err: err}
	}
	s.Client = c
	return s, nil
}

// Probe is what asking the server, without signing in, found.
type Probe struct {
	Answers bool
	// State: the server takes a state in its authorize URL (v3.5.0 and later); nil when
	// it does not answer introspection, so its version is not known.
	State *bool
	Err   error // why it does not answer (Answers false)
}

// Probe asks the server whether it answers: introspection needs no sign-in and tells the
// generation.
func (s *Server) Probe(ctx context.Context) Probe {
	state, err := s.Client.StateSupport(ctx)
	var ge *amplication.GraphQLError
	switch {
	case err == nil:
		return Probe{Answers: true, State: &state}
	case errors.As(err, &ge):
		return Probe{Answers: true}
	}
	return Probe{Err: err}
}

// Written is the key in the server's .env.local as the files are now ("" when none): the
// checkout is read again, as the operator may have written it since it was opened.
func (s *Server) Written() string {
	co := s.Checkout
	if again, err := checkout.Open(co.Root); err == nil {
		co = again
	}
	if cr, ok := co.Current(); ok {
		return cr.ClientID
	}
	return ""
}

// Key compares the key the running server loaded (the client_id in its authorize URL)
// with written, the key in the env files. It needs a signed-in client.
func (s *Server) Key(ctx context.Context, written string) amplication.KeyCheck {
	return amplication.CheckKey(ctx, s.Client, written)
}

// Started is whether a process serving the Amplication server in the checkout started
// before its .env.local was last written (checkout.ServerStartedFinding): a failing
// check then, a passing one when it started after, a note when none runs in the
// checkout (it may run elsewhere, or be the demo's emulator) or processes cannot be
// inspected. It reads /proc or runs ps: call it off the UI's thread.
func (s *Server) Started() checkout.Finding {
	return checkout.ServerStartedFinding(s.Checkout.ServerReport())
}

// SecretStale is the rule where the key check says the server uses the written key: the
// client_id in its authorize URL cannot show the secret, so a server process started
// before .env.local was last written (started, Started's finding, fails) still holds the
// old secret and must be restarted. Every surface asks this, not the key alone.
func SecretStale(k amplication.KeyCheck, started checkout.Finding) bool {
	return k.State == amplication.KeyMatches && started.Failed()
}

// SecretStaleWords is what a surface says after "the server uses the key in .env.local"
// when SecretStale, after "it " or "the server " (safe text; the restart is AmpRestart):
// "was started before .env.local was last written, so it still uses the old Bitbucket
// secret (process …)".
func SecretStaleWords(started checkout.Finding) string {
	return "was started before .env.local was last written, so it still uses the old Bitbucket secret (" + safetext.Line(started.Detail) + ")"
}
