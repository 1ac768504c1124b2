package flow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// The advice table: an Amplication client's error becomes one typed Outcome with the facts
// that word it (Advice); each surface words it once from there. The wizard's words (its
// fields and keys, trying again) are here; the command line's (its flags and commands) are
// in cmd/, keyed by the same outcomes.

// Outcome is what happened when bbsetup asked the Amplication server.
type Outcome int

// The outcomes ClassifyAmp tells apart.
const (
	OutcomeOther          Outcome = iota // anything else: the error's own words
	OutcomeCanceled                      // the operator stopped it
	OutcomeTimeout                       // the server did not answer in time
	OutcomeUnreachable                   // no connection to the server
	OutcomeLoginRefused                  // the email and password were refused
	OutcomeTokenRefused                  // the token was refused
	OutcomeNotAmplication                // an HTTP answer that is not the server's (Status)
	OutcomeNotGraphQL                    // an answer that is not GraphQL
	OutcomeRefused                       // a GraphQL error (Message)
	// OutcomeUnexpectedAuthorizeURL: the authorize URL the server answered is on
	// Bitbucket's origin but not Bitbucket's authorize page as Amplication makes it
	// (Message: what is wrong, e.g. a redirect_uri), so it is not opened.
	OutcomeUnexpectedAuthorizeURL
)

// Advice is a classified Amplication error: the outcome and the facts that word it. Every
// string in it is safe text.
type Advice struct {
	Outcome Outcome
	URL     string // the server's URL
	EnvFile string // the server's .env.local
	Reason  string // OutcomeUnreachable: the network's reason, in full
	Within  string // OutcomeTimeout: how long it waited ("within 30s")
	Message string // the server's words (OutcomeOther: the error's)
	Status  int    // OutcomeNotAmplication: the HTTP status
	Err     error  // the error classified
}

// ClassifyAmp classifies err, an error of s's client.
func (s *Server) ClassifyAmp(err error) Advice {
	a := Advice{URL: safetext.Line(s.URL), Err: err}
	if s.Checkout != nil {
		a.EnvFile = safetext.Line(s.Checkout.ServerEnvLocal)
	}
	var ue *amplication.UnreachableError
	var ua *amplication.UnauthorizedError
	var he *amplication.HTTPError
	var ng *amplication.NotGraphQLError
	var ge *amplication.GraphQLError
	var uu *amplication.UnexpectedAuthorizeURLError
	switch {
	case errors.Is(err, context.Canceled):
		a.Outcome = OutcomeCanceled
	case errors.As(err, &ue) && ue.Timeout:
		a.Outcome, a.Within = OutcomeTimeout, ue.Within()
	case errors.As(err, &ue):
		a.Outcome, a.Reason = OutcomeUnreachable, safetext.Line(ue.Reason)
	case errors.As(err, &ua):
		a.Outcome, a.Message = OutcomeTokenRefused, safetext.Line(ua.Message)
		if ua.Login {
			a.Outcome = OutcomeLoginRefused
		}
	case errors.As(err, &he):
		a.Outcome, a.Status = OutcomeNotAmplication, he.Status
	case errors.As(err, &ng):
		a.Outcome = OutcomeNotGraphQL
	case errors.As(err, &ge):
		a.Outcome, a.Message = OutcomeRefused, safetext.Line(ge.Message())
	case errors.As(err, &uu):
		a.Outcome, a.Message = OutcomeUnexpectedAuthorizeURL, safetext.Line(uu.Problem)
	default:
		a.Message = safetext.Line(err.Error())
	}
	return a
}

// Wizard words the advice for the wizard: its own terms (the sign-in screen's fields and
// keys, trying again), one sentence per cause, each ending with a full stop, and no raw Go
// error appended; the classified error stays reachable (errors.As).
func (a Advice) Wizard() error {
	msg := trimStop(a.Message)
	switch a.Outcome {
	case OutcomeCanceled:
		return a.Err
	case OutcomeTimeout:
		return Worded(a.Err, "The Amplication server at %s did not answer %s. Check that it has finished starting (%s), then try again.", a.URL, a.Within, AmpStartCommand)
	case OutcomeUnreachable:
		return Worded(a.Err, "bbsetup cannot reach the Amplication server at %s (%s). Start it in the checkout with %s, then try again.", a.URL, shortReason(a.Reason), AmpStartCommand)
	case OutcomeLoginRefused:
		return Worded(a.Err, "The Amplication server refused the sign-in (%s). Check the email and password, or press ctrl+t and paste an API token.", msg)
	case OutcomeTokenRefused:
		return Worded(a.Err, "The Amplication server refused the token (%s). Paste a new API token (Amplication: Workspace settings → API Tokens), or press ctrl+t and sign in with your email and password.", msg)
	case OutcomeNotAmplication:
		return Worded(a.Err, "%s does not answer like the Amplication server (it answered %d %s). The server is usually on port 3000 (the client is on 3001): check HOST in %s.", a.URL, a.Status, http.StatusText(a.Status), a.EnvFile)
	case OutcomeNotGraphQL:
		return Worded(a.Err, "%s does not answer like the Amplication server (its answer is not GraphQL). The server is usually on port 3000 (the client is on 3001): check HOST in %s.", a.URL, a.EnvFile)
	case OutcomeRefused:
		return Worded(a.Err, "The Amplication server refused the request (%s). Try again, or check the server's log.", msg)
	case OutcomeUnexpectedAuthorizeURL:
		return Worded(a.Err, "The Amplication server at %s answered an authorize URL that is not Bitbucket's authorize page as Amplication makes it (%s), so bbsetup does not open it. Check that %s is your Amplication server.", a.URL, a.Message, a.URL)
	}
	return Worded(a.Err, "The Amplication server could not be asked (%s). Try again.", msg)
}

// shortReason is a network reason in a few words: its last part ("dial tcp 127.0.0.1:1:
// connect: connection refused" → "connection refused").
func shortReason(r string) string {
	if i := strings.LastIndex(r, ": "); i >= 0 {
		r = r[i+2:]
	}
	return r
}

// trimStop is a server's words without a trailing full stop (they are quoted in
// parentheses).
func trimStop(s string) string { return strings.TrimRight(strings.TrimSpace(s), ".") }

// WordedError is an error worded for the operator: its text is the sentence alone, which
// already names the cause, while errors.As still finds the typed error it wraps (so the
// cause is said once, not again after the advice).
type WordedError struct {
	Msg string
	Err error
}

func (e *WordedError) Error() string { return e.Msg }
func (e *WordedError) Unwrap() error { return e.Err }

// Worded words err with a sentence (format and args).
func Worded(err error, format string, args ...any) error {
	return &WordedError{Msg: fmt.Sprintf(format, args...), Err: err}
}

// CompleteOutcome is why the Amplication server refused to complete the authorization
// (completeGitOAuth2Flow: "Failed to complete OAuth2 flow - …" from v3.5.0 on, the bare
// reason before).
type CompleteOutcome int

// The refusals ClassifyComplete tells apart.
const (
	CompleteUnknown     CompleteOutcome = iota // the server said no more ("Bitbucket request failed.")
	CompleteNoPlan                             // before v3.5.0: a billing entitlement a local server never has
	CompleteKeyRefused                         // Bitbucket refused the key and secret the server loaded
	CompleteRedirectURI                        // the redirect_uri differs from the authorization's
	CompleteCodeUsed                           // the code was used or has expired
	CompleteNoUser                             // Amplication could not read the Bitbucket account
	CompleteUnreachable                        // the server did not reach Bitbucket at all (FetchFailure)
	CompleteStaleSecret                        // Bitbucket accepts the written key and secret; the server process predates them
)

// ClassifyComplete classifies a refusal of CompleteOAuth; ok is false when err is not the
// server's refusal (a GraphQL error): then the advice table (ClassifyAmp) words it. why
// is the server's words, safe.
func ClassifyComplete(err error) (o CompleteOutcome, why string, ok bool) {
	var ge *amplication.GraphQLError
	if !errors.As(err, &ge) {
		return 0, "", false
	}
	why = safetext.Line(ge.Message())
	low := strings.ToLower(ge.Message())
	_, _, fetch := FetchFailure(err)
	var kr *KeyRejectedError
	var ss *StaleSecretError
	switch {
	case errors.As(err, &kr):
		o = CompleteKeyRefused
	case errors.As(err, &ss):
		o = CompleteStaleSecret
	case fetch: // before the words below: the URL it names can hold "user" or "code"
		o = CompleteUnreachable
	case strings.Contains(low, "upgrade its plan"):
		o = CompleteNoPlan
	case strings.Contains(low, "invalid oauth client credentials") || strings.Contains(low, "unauthorized_client"):
		o = CompleteKeyRefused
	case strings.Contains(low, "redirect_uri"):
		o = CompleteRedirectURI
	case strings.Contains(low, "invalid_grant") || strings.Contains(low, "invalid_request") || strings.Contains(low, "code"):
		o = CompleteCodeUsed
	case strings.Contains(low, "username") || strings.Contains(low, "user"):
		o = CompleteNoUser
	}
	return o, why, true
}

// FetchFailure reads node-fetch's "request to URL failed, reason: R" (a FetchError:
// nothing reached the other end) out of the server's refusal err: the URL's origin and R
// in a few words, both safe text.
func FetchFailure(err error) (target, reason string, ok bool) {
	var ge *amplication.GraphQLError
	if !errors.As(err, &ge) {
		return "", "", false
	}
	_, rest, found := strings.Cut(ge.Message(), "request to ")
	if !found {
		return "", "", false
	}
	u, reason, found := strings.Cut(rest, " failed, reason: ")
	if !found {
		return "", "", false
	}
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		u = p.Scheme + "://" + p.Host
	}
	return safetext.Line(u), safetext.Line(shortReason(strings.TrimSpace(reason))), true
}

// UnreachableAdvice is what happened when the Amplication server could not reach
// Bitbucket to finish the authorization (CompleteUnreachable), and what to do, but for
// the last step (then).
func UnreachableAdvice(err error, then string) error {
	target, reason, _ := FetchFailure(err)
	return fmt.Errorf("the Amplication server could not reach Bitbucket at %s (%s), so it could not finish the authorization: check that the machine running it reaches Bitbucket (its network or proxy, and the Bitbucket URL it was started with), %s", target, reason, then)
}

// NoPlanAdvice is what happened and what to do when a server before v3.5.0 refuses
// Bitbucket for want of a paid plan (the same on every surface, but for the last step).
func NoPlanAdvice(why, then string) error {
	return fmt.Errorf("the Amplication server refuses Bitbucket without a paid plan (%s): Amplication servers before v3.5.0 check a billing entitlement that a local server never has; update the checkout to a current Amplication release (git pull), %s", why, then)
}

// wizardComplete words the server's refusal of the code exchange for the wizard: what
// happened and why. What to do is the Authorize screen's: enter starts a new
// authorization (a new code), and a refused key and secret (a CredentialsError) offers k
// to change them.
func (s *Server) wizardComplete(err error) error {
	var old *amplication.OldServerError
	if errors.As(err, &old) {
		return old
	}
	o, why, ok := ClassifyComplete(err)
	if !ok {
		return s.ClassifyAmp(err).Wizard()
	}
	failed := "the Amplication server could not finish the Bitbucket authorization (" + why + "): "
	switch o {
	case CompleteNoPlan:
		return NoPlanAdvice(why, AmpRestart+", then run the wizard again")
	case CompleteUnreachable:
		return UnreachableAdvice(err, "then try again")
	case CompleteKeyRefused:
		var kr *KeyRejectedError
		if errors.As(err, &kr) {
			return &CredentialsError{Err: errors.New(failed + kr.Words() + ".")}
		}
		return &CredentialsError{Err: errors.New(failed + "Bitbucket refused the key and secret the running server loaded.")}
	case CompleteRedirectURI:
		return errors.New(failed + "Bitbucket wants the same redirect_uri in the exchange as in the authorization; open the URL above exactly as given (nothing added).")
	case CompleteCodeUsed:
		return errors.New(failed + "the code was already used or has expired (a code works once, within minutes; the Amplication client page may have used it). Trying again makes a new one.")
	case CompleteNoUser:
		return errors.New(failed + "Amplication could not read the Bitbucket account (GET /user): tick Account: Read in the consumer's permissions in Bitbucket, then try again.")
	case CompleteStaleSecret:
		var ss *StaleSecretError
		errors.As(err, &ss)
		return errors.New(failed + ss.Words() + ". " + UpperFirst(AmpRestart) + ", then try again.")
	}
	// The server often says no more than "Bitbucket request failed.": name the causes.
	return errors.New(failed + "Bitbucket refused the server's exchange. Usually the code was already used or has expired (a code works once, within minutes; the Amplication client page may have used it); trying again makes a new one.")
}

// MissingConfiguration reports whether err is the server saying it has no Bitbucket key
// ("Missing Bitbucket configuration").
func MissingConfiguration(err error) bool {
	var ge *amplication.GraphQLError
	return errors.As(err, &ge) && ge.Has("Missing Bitbucket configuration")
}

// UpperFirst starts a sentence with a capital letter.
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
