// Package oauth talks OAuth 2.0 with Bitbucket Cloud for bbsetup: it checks a consumer's key
// and secret live (client_credentials) and turns the answer into an operator verdict, runs the
// authorization-code flow with a loopback callback and a paste fallback, and builds HTTP
// clients that carry the resulting tokens. Nothing here prints; secrets never appear in error
// messages.
package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/bbsetup/bbsetup/setup/httpc"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Endpoints are the two OAuth 2.0 URLs of a Bitbucket site.
type Endpoints struct {
	AuthURL  string // where the browser goes to grant access
	TokenURL string // where codes, refresh tokens and client credentials become tokens
}

// EndpointsFor returns the OAuth endpoints of the Bitbucket site at bitbucketURL
// (https://bitbucket.org, or an emulator's base URL).
func EndpointsFor(bitbucketURL string) Endpoints {
	base := strings.TrimRight(strings.TrimSpace(bitbucketURL), "/")
	return Endpoints{
		AuthURL:  base + "/site/oauth2/authorize",
		TokenURL: base + "/site/oauth2/access_token",
	}
}

// Timeouts applied when the caller's context has no earlier deadline.
const (
	// DefaultCheckTimeout bounds CheckCredentials.
	DefaultCheckTimeout = 20 * time.Second
	// DefaultTokenTimeout bounds one token request (exchange, refresh, client credentials).
	DefaultTokenTimeout = 30 * time.Second
)

// withClient makes golang.org/x/oauth2 use hc for its token requests (nil: the client ctx
// carries, else http.DefaultClient), never following a redirect to another origin: the
// token request carries the key and secret.
func withClient(ctx context.Context, hc *http.Client) context.Context {
	if hc == nil {
		if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok {
			hc = c
		}
	}
	return context.WithValue(ctx, oauth2.HTTPClient, SameOriginRedirects(hc))
}

// limitOf is the longest a request through hc within ctx may take: d, or less when hc's
// Timeout or ctx's deadline comes sooner. Messages about a timeout state it.
func limitOf(ctx context.Context, hc *http.Client, d time.Duration) time.Duration {
	if hc != nil && hc.Timeout > 0 && hc.Timeout < d {
		d = hc.Timeout
	}
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < d {
			d = left
		}
	}
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// within rewords a timeout reason with the limit that ran out.
func within(reason string, limit time.Duration) string {
	if reason == reasonTimeout {
		return "no answer within " + limit.String()
	}
	return reason
}

// RedirectError is a redirect to another origin (scheme, host or port) that bbsetup
// refused to follow, so that no key, secret or token reaches a host other than the one
// the request was for.
type RedirectError struct {
	From, To string // the origins, scheme://host[:port]
	// Hops, when not 0, is a chain of that many redirects within From that bbsetup
	// stopped following (To is then "").
	Hops int
}

// Error says what happened and what to check.
func (e *RedirectError) Error() string {
	if e.Hops > 0 {
		return fmt.Sprintf("%s redirected %d times without answering; check the Bitbucket URL and the API URL (they must name Bitbucket itself)", safetext.Line(e.From), e.Hops)
	}
	return fmt.Sprintf("%s answered with a redirect to another origin (%s); bbsetup does not follow redirects to another host or port, so no key, secret or token was sent there: check the Bitbucket URL and the API URL (they must name Bitbucket itself)",
		safetext.Line(e.From), safetext.Line(e.To))
}

// SameOriginRedirects returns a copy of hc (nil: http.DefaultClient) that follows
// redirects only within the origin of the request that started the chain, and refuses
// any other with a *RedirectError (inside the *url.Error the client returns).
func SameOriginRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	out := *hc
	out.CheckRedirect = checkSameOrigin
	return &out
}

// checkSameOrigin is the policy (httpc.SameOrigin) with this package's error.
var checkSameOrigin = httpc.SameOrigin(func(from, to string, hops int) error {
	return &RedirectError{From: from, To: to, Hops: hops}
})

// asRedirect returns the *RedirectError inside err, or nil.
func asRedirect(err error) *RedirectError {
	var re *RedirectError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

// endpoint converts Endpoints for golang.org/x/oauth2, always with Basic auth in the header.
func (ep Endpoints) endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL, AuthStyle: oauth2.AuthStyleInHeader}
}

// host is the host[:port] of the token URL, for operator messages.
func (ep Endpoints) host() string {
	s := ep.TokenURL
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "Bitbucket"
	}
	return s
}

// oneLine makes a server-provided text terminal-safe (safetext.Line), collapses its
// whitespace and caps its length.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(safetext.Line(s)), " ")
	const max = 300
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
