// Package oauth talks OAuth 2.0 with Bitbucket Cloud for bbsetup: it checks a consumer's key
// and secret live (client_credentials) and turns the answer into an operator verdict, runs the
// authorization-code flow with a loopback callback and a paste fallback, and builds HTTP
// clients that carry the resulting tokens. Nothing here prints; secrets never appear in error
// messages.
package oauth

import (
	"context"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
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

// withClient makes golang.org/x/oauth2 use hc for its token requests.
func withClient(ctx context.Context, hc *http.Client) context.Context {
	if hc == nil {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, hc)
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

// oneLine collapses whitespace and caps the length of a server-provided text.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 300
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
