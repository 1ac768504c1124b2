package flow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// The authorization session: one browser trip to Bitbucket's authorize page and back to
// the consumer's callback URL, for bbsetup's own authorization (StartBitbucket: bbsetup
// exchanges the code) and for Amplication's (StartAmplication: the server built the URL
// and exchanges the code). The command line and the wizard wait on the same Session:
// the browser's redirect on the callback port, or, when the port is taken (the
// Amplication client runs there) or the browser is elsewhere, the address the operator
// pastes.

// Kind says whose authorization a Session is.
type Kind int

// The two authorizations.
const (
	KindBitbucket   Kind = iota // bbsetup's own: bbsetup exchanges the code
	KindAmplication             // Amplication's: its server exchanges the code
)

// Session is one started authorization.
type Session struct {
	Kind        Kind
	URL         string // the authorize URL, to open exactly as given
	CallbackURL string // where the browser comes back (safe text)
	// ListenErr is why bbsetup does not receive the browser's redirect itself (nil: it
	// listens); a *oauth.PortInUseError when the port is taken.
	ListenErr error

	flow *oauth.Flow

	mu     sync.Mutex
	cb     *oauth.Callback // open until closed
	listen *oauth.Callback // the one listener, also once closed (its counts)
}

// Listen starts the callback listener for as long as ctx lasts; ListenErr says why it
// could not (the port taken: pasting is the way then). Call it once, before waiting.
func (s *Session) Listen(ctx context.Context) {
	cb, err := s.flow.Listen(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ListenErr, s.cb, s.listen = err, cb, cb
}

// Listening reports whether the callback listener is open.
func (s *Session) Listening() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cb != nil
}

// Addrs are the addresses the callback listens on (for the debug log).
func (s *Session) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cb == nil {
		return nil
	}
	return s.cb.Addrs()
}

// IgnoredWrongState is how many answers with another state the callback refused.
func (s *Session) IgnoredWrongState() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listen == nil {
		return 0
	}
	return s.listen.IgnoredWrongState()
}

// Close closes the callback listener, if open, and frees the port.
func (s *Session) Close() {
	s.mu.Lock()
	cb := s.cb
	s.cb = nil
	s.mu.Unlock()
	if cb != nil {
		cb.Close()
	}
}

// WaitCallback waits for the browser to land on the callback and returns the code. With
// no listener only ctx ends it (pasting is the way then). On an error (ctx done among
// them) the listener is closed and the port freed.
func (s *Session) WaitCallback(ctx context.Context) (string, error) {
	s.mu.Lock()
	cb := s.cb
	s.mu.Unlock()
	if cb == nil {
		<-ctx.Done()
		return "", ctx.Err()
	}
	code, err := cb.Wait(ctx)
	if err != nil {
		s.mu.Lock()
		if s.cb == cb {
			s.cb = nil
		}
		s.mu.Unlock()
		cb.Close()
		return "", err
	}
	return code, nil
}

// ErrPastedOtherState is what a pasted Amplication answer with another state says.
var ErrPastedOtherState = errors.New("that address carries another state: it is not the answer to this authorization (bbsetup refuses it); paste the address of the tab you opened from the URL above")

// ParsePasted takes what the operator pasted (the landed address, its query, or the bare
// code) and returns the code. An answer of another authorization is refused.
func (s *Session) ParsePasted(pasted string) (string, error) {
	code, err := s.flow.ParsePasted(pasted)
	if s.Kind == KindAmplication && errors.Is(err, oauth.ErrStateMismatch) {
		return "", ErrPastedOtherState
	}
	return code, err
}

// NotListening says, in the same words on every surface, why bbsetup does not receive the
// browser's redirect itself ("" when it does).
func (s *Session) NotListening() string {
	var pe *oauth.PortInUseError
	switch {
	case s.ListenErr == nil:
		return ""
	case errors.As(s.ListenErr, &pe):
		return fmt.Sprintf("Port %d is in use, probably by the Amplication client, so bbsetup cannot receive the browser's redirect itself.", pe.Port)
	}
	return fmt.Sprintf("bbsetup cannot receive the browser's redirect itself (%s).", safetext.Line(s.ListenErr.Error()))
}

// LandsOn says where the browser lands after granting access, for the paste advice: the
// Amplication client's page when it holds the port.
func (s *Session) LandsOn() string {
	if s.Kind == KindAmplication {
		return fmt.Sprintf("the browser lands on the Amplication client's page, which shows \"Please wait...\" and stays so: copy that tab's whole address (it starts with %s)", s.CallbackURL)
	}
	return fmt.Sprintf("copy the full address your browser lands on (it starts with %s)", s.CallbackURL)
}

// StartBitbucket starts bbsetup's own authorization with the consumer's key and secret;
// Listen opens its callback.
func StartBitbucket(bitbucketURL string, cr checkout.Credentials, callbackURL string, hc *http.Client) (*Session, error) {
	f, err := oauth.NewFlow(oauth.EndpointsFor(bitbucketURL), cr.ClientID, cr.ClientSecret, callbackURL, hc)
	if err != nil {
		return nil, err
	}
	return &Session{Kind: KindBitbucket, URL: f.AuthURL(), CallbackURL: safetext.Line(callbackURL), flow: f}, nil
}

// BitbucketAccount is a completed own authorization: the token, the account and the API
// acting as it (valid for as long as the context given to CompleteBitbucket).
type BitbucketAccount struct {
	Token   *oauth2.Token
	Granted []string // the scopes granted
	User    *bitbucket.User
	API     *bitbucket.Client
}

// CompleteBitbucket exchanges the code of s (started by StartBitbucket), looks up the
// account and closes the listener. Until both succeed the listener stays open, so a
// failed paste leaves the browser's redirect still able to finish. base is the context
// the API's token renewals live in; secret registers what must never be logged.
func (s *Session) CompleteBitbucket(ctx, base context.Context, apiURL, code string, secret func(...string)) (*BitbucketAccount, error) {
	secret(code)
	tok, err := s.flow.Exchange(ctx, code)
	if err != nil {
		return nil, err
	}
	secret(tok.AccessToken, tok.RefreshToken)
	// No Options.Debug: the flow's client has the debug transport, when asked for.
	api := bitbucket.New(apiURL, s.flow.Client(base, tok), bitbucket.Options{})
	id, err := api.CurrentUser(ctx)
	if err != nil {
		return nil, err
	}
	s.Close()
	return &BitbucketAccount{Token: tok, Granted: oauth.Scopes(tok), User: id, API: api}, nil
}

// CodeRejected reports whether err is the token endpoint refusing a pasted code itself
// (not the consumer's settings, which have their own wording): the operator most likely
// pasted something other than the landed address (a bare word is taken for a code).
func CodeRejected(err error) bool {
	var te *oauth.TokenError
	if !errors.As(err, &te) {
		return false
	}
	d := strings.ToLower(te.Description)
	if strings.Contains(d, "public") || strings.Contains(d, "redirect") || strings.Contains(d, "callback") {
		return false
	}
	return te.Code == "invalid_grant" || (te.Code == "invalid_request" && strings.Contains(d, "code"))
}

// PastedCodeRejected is what a pasted code Bitbucket refused says.
func PastedCodeRejected(callbackURL string) error {
	return fmt.Errorf("Bitbucket did not accept that code; paste the full address your browser landed on (it starts with %s?code=).", callbackURL)
}

// KeyRejected marks err as Bitbucket rejecting the consumer's key or secret (a token
// request answered unauthorized_client or invalid_client, or a bare 401) with a
// *CredentialsError, so the wizard offers the way back to them; other errors pass
// unchanged.
func KeyRejected(err error) error {
	var te *oauth.TokenError
	if errors.As(err, &te) && (te.Code == "unauthorized_client" || te.Code == "invalid_client" || (te.Code == "" && te.Status == http.StatusUnauthorized)) {
		return &CredentialsError{Err: err}
	}
	return err
}

// AmpAuthorization is a started Amplication authorization: its Session and what the
// server said (the state the code goes back with, whether it is bbsetup's own).
type AmpAuthorization struct {
	*Session
	Auth *amplication.Authorization
}

// StaleKeyError is StartAmplication's refusal when the running server loaded another key
// than the env files have: it was started before the key was written.
type StaleKeyError struct{ Running, Written string }

func (e *StaleKeyError) Error() string {
	return "the running Amplication server uses another Bitbucket key than the env files"
}

// PlaceholderKeyError is StartAmplication's refusal when the running server has only the
// placeholder key and the env files have none: Bitbucket would answer "Invalid client_id"
// in the browser, and nothing would come back.
type PlaceholderKeyError struct{ Running string }

func (e *PlaceholderKeyError) Error() string {
	return "the running Amplication server has only the placeholder Bitbucket key"
}

// StartAmplication asks the signed-in server for its authorize URL (with a state of
// bbsetup's; before v3.5.0 the workspace's id), checks that the URL goes to Bitbucket at
// bitbucketURL with that state and the key in the env files (written, "" when none); Listen
// opens the callback for exactly that state. Its errors are
// amplication.PrepareAuthorize's, *StaleKeyError and *PlaceholderKeyError, and
// *amplication.OldServerError for a server before v3.5.0 (it refuses Bitbucket): that one
// comes before any Bitbucket URL exists, so no surface prints or opens one.
func StartAmplication(ctx context.Context, srv *Server, support amplication.StateSupportFunc, workspaceID, bitbucketURL, written string, secret func(...string)) (*AmpAuthorization, error) {
	entitled := Entitled(srv.Checkout)
	if gate, err := amplication.BitbucketGate(ctx, support); gate == amplication.GateRefuses && !entitled {
		return nil, err
	}
	az, err := amplication.PrepareAuthorize(ctx, srv.Client, support, workspaceID, bitbucketURL)
	if err != nil {
		return nil, err
	}
	if err := amplication.CheckAuthorization(az); err != nil && !entitled {
		return nil, err
	}
	switch {
	case written != "" && az.ClientID != written:
		return nil, &StaleKeyError{Running: safetext.Line(az.ClientID), Written: written}
	case written == "" && (az.ClientID == "" || az.ClientID == checkout.PlaceholderClientID):
		return nil, &PlaceholderKeyError{Running: safetext.Line(az.ClientID)}
	}
	secret(az.State)
	recv, err := oauth.NewReceiver(srv.Checkout.CallbackURL, az.State)
	if err != nil {
		return nil, err
	}
	s := &Session{Kind: KindAmplication, URL: az.URL, CallbackURL: safetext.Line(srv.Checkout.CallbackURL), flow: recv}
	return &AmpAuthorization{Session: s, Auth: az}, nil
}

// Complete hands the code to the Amplication server, which exchanges it, and closes the
// listener once it has. The error is the server's, for the surface to word
// (ClassifyComplete).
func (a *AmpAuthorization) Complete(ctx context.Context, srv *Server, code string, secret func(...string)) (*amplication.GitOrganization, error) {
	secret(code)
	org, err := srv.Client.CompleteOAuth(ctx, code, a.Auth.State, a.Auth.WithState)
	if err != nil {
		if amplication.BillingRefusal(err) && !Entitled(srv.Checkout) {
			// A server whose schema said it was new enough, yet refuses as an old one.
			return nil, &amplication.OldServerError{}
		}
		return nil, srv.explainRefusal(ctx, err)
	}
	a.Close()
	return org, nil
}

// Entitled reports whether the checkout's server runs with BILLING_ENABLED=true: only
// then may a server before v3.5.0 connect Bitbucket (its billing grants the feature), so
// the old-server gate lets the authorization go on and the server decides.
func Entitled(co *checkout.Checkout) bool {
	if co == nil {
		return false
	}
	v, ok := co.ServerEnv(checkout.KeyBillingEnabled)
	return ok && strings.EqualFold(strings.TrimSpace(v), "true")
}

// KeyRejectedError is a refused completion whose server said no more than "Bitbucket
// request failed." while Bitbucket, asked by bbsetup just then, rejects the key and
// secret in File: the server loaded the same ones (its key was checked before the trip).
type KeyRejectedError struct {
	File string
	Err  error // the server's refusal
}

func (e *KeyRejectedError) Error() string { return e.Err.Error() }
func (e *KeyRejectedError) Unwrap() error { return e.Err }

// Words say what happened, for every surface (each adds its own remedy): "Bitbucket
// rejects the key and secret in F (bbsetup checked them just now), which the server
// loaded".
func (e *KeyRejectedError) Words() string {
	return "Bitbucket rejects the key and secret in " + e.File + " (bbsetup checked them just now), which the server loaded"
}

// explainRefusal names the cause of a refusal the server does not explain: when Bitbucket
// rejects the checkout's key and secret, err becomes a *KeyRejectedError; when it accepts
// them but the server process started before .env.local was last written, a
// *StaleSecretError.
func (s *Server) explainRefusal(ctx context.Context, err error) error {
	if s.CheckKey == nil || s.Checkout == nil {
		return err
	}
	if o, _, ok := ClassifyComplete(err); !ok || o != CompleteUnknown {
		return err
	}
	cr, ok := s.Checkout.Current()
	if !ok {
		return err
	}
	switch v := s.CheckKey(ctx, cr.ClientID, cr.ClientSecret); v.Kind {
	case oauth.VerdictBadCredentials:
		return &KeyRejectedError{File: s.Checkout.ServerEnvLocal, Err: err}
	case oauth.VerdictOK, oauth.VerdictNotPrivate, oauth.VerdictNoCallback, oauth.VerdictMissingScopes:
		// Bitbucket accepts them (it issued a token): a server process started before
		// .env.local was last written still holds the old secret (its key was checked
		// before the trip).
		if started := s.Started(); started.Failed() {
			return &StaleSecretError{File: s.Checkout.ServerEnvLocal, Started: started, Err: err}
		}
	}
	return err
}

// StaleSecretError is a refused completion whose server said no more than "Bitbucket
// request failed." while Bitbucket, asked by bbsetup just then, accepts the key and
// secret in File, and a process serving the server in the checkout started before File
// was last written (Started, the failing finding): it still holds the old secret.
type StaleSecretError struct {
	File    string
	Started checkout.Finding
	Err     error // the server's refusal
}

func (e *StaleSecretError) Error() string { return e.Err.Error() }
func (e *StaleSecretError) Unwrap() error { return e.Err }

// Words say what happened, safe text: "Bitbucket accepts the key and secret in F
// (bbsetup checked them just now), but the running server was started before …".
func (e *StaleSecretError) Words() string {
	return "Bitbucket accepts the key and secret in " + e.File + " (bbsetup checked them just now), but the running server " + SecretStaleWords(e.Started)
}
