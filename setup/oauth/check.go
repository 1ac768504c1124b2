package oauth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/bbsetup/bbsetup/setup/mask"
)

// VerdictKind says what a credential check found.
type VerdictKind int

// The outcomes of CheckCredentials.
const (
	VerdictOK             VerdictKind = iota // key and secret work, consumer private, every permission granted
	VerdictBadCredentials                    // wrong key or secret
	VerdictNotPrivate                        // "This is a private consumer" is not ticked
	VerdictNoCallback                        // the consumer has no callback URL
	VerdictMissingScopes                     // some required boxes are not ticked
	VerdictNetwork                           // Bitbucket could not be reached (DNS, refused, timeout)
	VerdictUnexpected                        // anything else; Message carries Bitbucket's words
)

var verdictNames = [...]string{"ok", "bad_credentials", "not_private", "no_callback", "missing_scopes", "network", "unexpected"}

// String is a stable identifier for the kind, e.g. "missing_scopes" (for machine-readable output).
func (k VerdictKind) String() string {
	if k >= 0 && int(k) < len(verdictNames) {
		return verdictNames[k]
	}
	return fmt.Sprintf("verdict(%d)", int(k))
}

// Verdict is the outcome of a live credential check, worded for the operator.
type Verdict struct {
	Kind    VerdictKind
	Granted []string     // scopes Bitbucket reported (only when a token was issued)
	Missing []Permission // required boxes not ticked (VerdictMissingScopes)
	Message string       // one operator sentence + what to do
	// CheckURL is set when the advice includes checking the Bitbucket URL (a caller may say
	// how its operator sets it).
	CheckURL bool
}

// OK reports whether the consumer is ready for Amplication.
func (v Verdict) OK() bool { return v.Kind == VerdictOK }

// BadCredentials is what happened when Bitbucket rejects the key or secret, without what to
// do: a surface that says its own remedy (the wizard's "press enter to paste them again")
// shows this rather than the whole message (WithoutRemedy), so the advice is said once.
const BadCredentials = "Bitbucket rejected the key or secret (unauthorized_client)."

const badCredentialsRemedy = "Copy both again from the consumer's page (Workspace settings → OAuth consumers → the consumer's name) and make sure neither has extra characters."

// WithoutRemedy is msg without the remedy of the rejected key or secret, for a surface
// that says its own.
func WithoutRemedy(msg string) string {
	return strings.TrimSpace(strings.Replace(msg, badCredentialsRemedy, "", 1))
}

// Operator sentences shared by the check and the token errors.
const (
	msgBadCredentials = BadCredentials + " " + badCredentialsRemedy
	msgNotPrivate     = "The consumer is not private, so bbsetup cannot check it with its own key and secret. Edit the consumer in Bitbucket, tick \"This is a private consumer\" and save."
	msgNoCallback     = "The consumer has no callback URL. Edit the consumer in Bitbucket and set Callback URL to your Amplication client's address followed by /bitbucket-auth-app/callback (by default http://localhost:3001/bitbucket-auth-app/callback), then save."
)

// CheckCredentials runs a client_credentials grant against ep.TokenURL with the key and
// secret (HTTP Basic in the header) and turns the answer into a Verdict. hc may be nil
// (http.DefaultClient). The check is bounded by ctx and DefaultCheckTimeout.
func CheckCredentials(ctx context.Context, ep Endpoints, clientID, secret string, hc *http.Client) Verdict {
	if strings.TrimSpace(clientID) == "" || secret == "" {
		return Verdict{Kind: VerdictBadCredentials, Message: "The key or the secret is empty. Copy both from the consumer's page (Workspace settings → OAuth consumers → the consumer's name)."}
	}
	limit := limitOf(ctx, hc, DefaultCheckTimeout)
	cctx, cancel := context.WithTimeout(ctx, DefaultCheckTimeout)
	defer cancel()
	cfg := clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		TokenURL:     ep.TokenURL,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	tok, err := cfg.Token(withClient(cctx, hc))
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return Verdict{Kind: VerdictUnexpected, Message: "The check was cancelled before Bitbucket answered."}
		}
		if cctx.Err() != nil { // our limit or the caller's deadline
			err = context.DeadlineExceeded
		}
		v := verdictForError(ep, err, limit)
		v.Message = mask.In(v.Message, secret)
		return v
	}
	raw, ok := scopeField(tok)
	if !ok {
		return Verdict{Kind: VerdictUnexpected, CheckURL: true, Message: "Bitbucket issued a token but did not say which permissions the consumer has (no \"scopes\" in its answer). Check the consumer's permissions by hand, or the Bitbucket URL if you set it."}
	}
	granted := splitScopes(raw)
	if missing := Missing(granted); len(missing) > 0 {
		return Verdict{
			Kind:    VerdictMissingScopes,
			Granted: granted,
			Missing: missing,
			Message: MissingMessage(missing),
		}
	}
	msg := "The key and secret work, the consumer is private and it has every permission Amplication needs."
	if slices.Contains(granted, "project:admin") && !slices.Contains(granted, "project") {
		// SPEC.md: project:admin implying project is uncertain; say what was assumed.
		msg += " (Bitbucket reported Projects: Admin without Projects: Read; bbsetup takes Admin to include Read. If Amplication cannot list projects, tick Projects: Read as well.)"
	}
	return Verdict{Kind: VerdictOK, Granted: granted, Message: msg}
}

// MissingMessage is the operator sentence for missing permission boxes.
func MissingMessage(missing []Permission) string {
	boxes := "box"
	if len(missing) > 1 {
		boxes = "boxes"
	}
	return fmt.Sprintf("The consumer lacks %d permission%s Amplication needs: %s. Edit the consumer in Bitbucket, tick the %s and save.",
		len(missing), plural(len(missing)), strings.Join(Labels(missing), "; "), boxes)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// verdictForError classifies a failed client_credentials grant.
func verdictForError(ep Endpoints, err error, limit time.Duration) Verdict {
	if rd := asRedirect(err); rd != nil {
		return Verdict{Kind: VerdictUnexpected, Message: rd.Error(), CheckURL: true}
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code, desc := re.ErrorCode, strings.ToLower(re.ErrorDescription)
		switch {
		case code == "unauthorized_client" || code == "invalid_client":
			return Verdict{Kind: VerdictBadCredentials, Message: msgBadCredentials}
		case code == "invalid_grant" && strings.Contains(desc, "public"):
			return Verdict{Kind: VerdictNotPrivate, Message: msgNotPrivate}
		case code == "invalid_request" && strings.Contains(desc, "callback"):
			return Verdict{Kind: VerdictNoCallback, Message: msgNoCallback}
		case code == "" && statusOf(re) == http.StatusUnauthorized:
			return Verdict{Kind: VerdictBadCredentials, Message: msgBadCredentials}
		}
		msg, checkURL := unexpectedMessage(ep, re, "the credential check")
		return Verdict{Kind: VerdictUnexpected, Message: msg, CheckURL: checkURL}
	}
	if reason, ok := networkReason(err); ok {
		return Verdict{Kind: VerdictNetwork, Message: networkMessage(ep, within(reason, limit)), CheckURL: true}
	}
	return Verdict{Kind: VerdictUnexpected, CheckURL: true, Message: fmt.Sprintf("The credential check failed: %s. Check the Bitbucket URL if you set it, and try again.", oneLine(err.Error()))}
}

func statusOf(re *oauth2.RetrieveError) int {
	if re.Response == nil {
		return 0
	}
	return re.Response.StatusCode
}

// unexpectedMessage words a token-endpoint refusal bbsetup has no special sentence for, and
// says whether its advice includes checking the Bitbucket URL.
func unexpectedMessage(ep Endpoints, re *oauth2.RetrieveError, what string) (string, bool) {
	if statusOf(re) == http.StatusTooManyRequests { // whatever code the body carries
		return fmt.Sprintf("%s answered HTTP 429 to %s: Bitbucket's rate limit is used up. Wait a few minutes and try again.", ep.host(), what), false
	}
	if re.ErrorCode == "" {
		switch st := statusOf(re); {
		case st >= 500:
			return fmt.Sprintf("%s answered HTTP %d to %s: Bitbucket is having trouble. Try again in a few minutes (https://bitbucket.status.atlassian.com); if it persists, check the Bitbucket URL if you set it.", ep.host(), st, what), true
		}
		return fmt.Sprintf("%s answered HTTP %d to %s, which is not what Bitbucket's token endpoint answers. Check the Bitbucket URL if you set it, and try again.",
			ep.host(), statusOf(re), what), true
	}
	desc := oneLine(re.ErrorDescription)
	if desc == "" {
		desc = "no description"
	}
	return fmt.Sprintf("Bitbucket refused %s: %s (%s). Check the consumer's settings in Bitbucket and try again.", what, desc, re.ErrorCode), false
}

func networkMessage(ep Endpoints, reason string) string {
	return fmt.Sprintf("Could not reach Bitbucket at %s (%s). Check your network connection, or the Bitbucket URL if you set it.", ep.host(), reason)
}

// reasonTimeout is networkReason's words for a timeout; within adds the limit.
const reasonTimeout = "no answer in time"

// networkReason reports whether err is a failure to reach the server and says why in a
// few words.
func networkReason(err error) (string, bool) {
	var dnsErr *net.DNSError
	var certErr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return reasonTimeout, true
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("the name %s does not resolve", dnsErr.Name), true
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was dropped", true
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "network unreachable", true
	case errors.As(err, &certErr), errors.As(err, &hostErr):
		return "its TLS certificate is not trusted", true
	case errors.As(err, &opErr):
		return oneLine(opErr.Err.Error()), true
	}
	// golang.org/x/oauth2 wraps a failed read of the token answer with %v, which loses
	// the error chain: recognise a dropped connection by its words.
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"connection reset by peer", "unexpected eof", "broken pipe"} {
		if strings.Contains(msg, s) {
			return "the connection was dropped", true
		}
	}
	return "", false
}

func isTimeout(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
