package oauth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/bbsetup/bbsetup/setup/mask"
)

// ErrStateMismatch means an answer carried a state other than the one this flow sent: it
// belongs to another authorization attempt (or to someone else) and was not used.
var ErrStateMismatch = errors.New("the answer belongs to a different authorization attempt (its state does not match the one bbsetup sent), so it was not used; open the URL bbsetup printed this time and try again")

// ErrCheckBitbucketURL is matched (errors.Is) by a *TokenError whose advice includes checking
// the Bitbucket URL (Verdict.CheckURL says the same of a check), so that a caller can say how
// its operator sets it.
var ErrCheckBitbucketURL = errors.New("check the Bitbucket URL")

// ErrNoCredentials means a flow was asked for without a key or secret.
var ErrNoCredentials = errors.New("the Bitbucket key or secret is empty: set both first")

// ErrTimeout means no answer from the browser arrived before the caller's deadline.
var ErrTimeout = errors.New("no answer from the browser in time")

// AuthorizeError is an error Bitbucket sent back to the callback instead of a code
// (error=access_denied and friends).
type AuthorizeError struct {
	Code        string // the error parameter, e.g. "access_denied"
	Description string // the error_description parameter, if any
}

// Error says what Bitbucket answered and what to do next.
func (e *AuthorizeError) Error() string {
	desc := oneLine(e.Description)
	switch e.Code {
	case "access_denied":
		return "Access was denied in the browser (access_denied). Run the authorization again and click \"Grant access\" on Bitbucket's page."
	case "unauthorized_client", "invalid_client":
		return fmt.Sprintf("Bitbucket does not know this consumer key (%s). Copy the key again from the consumer's page and set it again.", e.Code)
	case "invalid_request":
		if strings.Contains(strings.ToLower(desc), "redirect") || strings.Contains(strings.ToLower(desc), "callback") {
			return fmt.Sprintf("Bitbucket refused the redirect URL (%s). Set the consumer's Callback URL to the callback bbsetup printed and try again.", desc)
		}
	case "server_error", "temporarily_unavailable":
		return fmt.Sprintf("Bitbucket could not complete the authorization (%s%s). Wait a minute and try again.", e.Code, suffix(desc))
	}
	return fmt.Sprintf("Bitbucket did not authorize bbsetup (%s%s). Try again; if it repeats, check the consumer's settings in Bitbucket.", e.Code, suffix(desc))
}

// UnknownKey reports whether Bitbucket said it does not know the consumer key.
func (e *AuthorizeError) UnknownKey() bool {
	return e.Code == "unauthorized_client" || e.Code == "invalid_client"
}

func suffix(desc string) string {
	if desc == "" {
		return ""
	}
	return ": " + desc
}

// TokenError is a failed token request (code exchange, refresh or client credentials),
// worded for the operator. Code and Description are Bitbucket's, empty for network failures.
type TokenError struct {
	Code        string // "invalid_grant", "unauthorized_client", ...
	Description string
	Status      int    // HTTP status, 0 when no answer arrived
	Message     string // the operator sentence (what happened and what to do)
	Err         error  // the underlying network error, if any
	// CheckURL is set when Message advises checking the Bitbucket URL: then
	// errors.Is(err, ErrCheckBitbucketURL) holds.
	CheckURL bool
	// RenewRefused is set when the access token expired and Bitbucket refused to renew it
	// (or there was no refresh token): only a new authorization helps.
	RenewRefused bool
}

// Error returns the operator sentence.
func (e *TokenError) Error() string { return e.Message }

// Unwrap returns the underlying network error, if any.
func (e *TokenError) Unwrap() error { return e.Err }

// Is reports whether target is ErrCheckBitbucketURL and e advises checking the Bitbucket URL.
func (e *TokenError) Is(target error) bool { return target == ErrCheckBitbucketURL && e.CheckURL }

// tokenError words a failed token request. what is "exchange" or "refresh"; redirectURL is
// the flow's callback; secret is redacted from anything the server said.
func tokenError(ep Endpoints, err error, what, redirectURL, secret string, limit time.Duration) error {
	if rd := asRedirect(err); rd != nil {
		return &TokenError{Message: rd.Error(), Err: err, CheckURL: true}
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		te := &TokenError{Code: re.ErrorCode, Description: oneLine(re.ErrorDescription), Status: statusOf(re)}
		desc := strings.ToLower(re.ErrorDescription)
		switch {
		case re.ErrorCode == "unauthorized_client" || re.ErrorCode == "invalid_client" || (re.ErrorCode == "" && te.Status == 401):
			te.Message = msgBadCredentials
		case re.ErrorCode == "invalid_request" && strings.Contains(desc, "no callback"):
			te.Message = msgNoCallback
		case strings.Contains(desc, "redirect"):
			te.Message = fmt.Sprintf("Bitbucket says the redirect URL %s does not match the consumer's Callback URL (%s). Set the consumer's Callback URL to %s in Bitbucket and authorize again.", redirectURL, te.Description, redirectURL)
		case what == "refresh" && (re.ErrorCode == "invalid_grant" || re.ErrorCode == "invalid_request"):
			te.Message = fmt.Sprintf("The access token expired and Bitbucket refused to renew it (%s). Authorize again.", re.ErrorCode)
			te.RenewRefused = true
		case re.ErrorCode == "invalid_grant" && strings.Contains(desc, "public"):
			te.Message = msgNotPrivate
		case re.ErrorCode == "invalid_grant" || (re.ErrorCode == "invalid_request" && strings.Contains(desc, "code")):
			te.Message = fmt.Sprintf("Bitbucket did not accept the authorization code: it was already used or has expired (%s). Start again: run the authorization again and use the new URL.", re.ErrorCode)
		default:
			te.Message, te.CheckURL = unexpectedMessage(ep, re, "the token "+what)
		}
		te.Message = mask.In(te.Message, secret)
		te.Description = mask.In(te.Description, secret)
		return te
	}
	if reason, ok := networkReason(err); ok {
		return &TokenError{Message: networkMessage(ep, within(reason, limit)), Err: err, CheckURL: true}
	}
	return &TokenError{Message: mask.In(fmt.Sprintf("The token %s failed: %s. Try again.", what, oneLine(err.Error())), secret), Err: err}
}

// PortInUseError means the callback's port is taken (usually by the Amplication client on
// 3001). The paste fallback still works.
type PortInUseError struct {
	Addr string // the address that could not be bound, e.g. "127.0.0.1:3001"
	Port int
	Err  error
}

// Error names the port and points at the paste fallback.
func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d is in use, probably by the Amplication client; paste the URL your browser lands on instead", e.Port)
}

// Unwrap returns the listen error.
func (e *PortInUseError) Unwrap() error { return e.Err }
