package oauth

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// renewFunc gets a fresh token; old is the token in use (nil before the first request).
type renewFunc func(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error)

// bearerTransport sends the current token as Bearer and renews it once when Bitbucket says
// it expired. Renewals are serialised: requests that fail together renew once.
type bearerTransport struct {
	base      http.RoundTripper
	renew     renewFunc
	renewable func(tok *oauth2.Token) bool // whether renew can work for tok (ahead-of-expiry renewal)
	sem       chan struct{}                // guards tok; a channel so waiting honours the request's context
	tok       *oauth2.Token
}

func newBearerClient(hc *http.Client, tok *oauth2.Token, renew renewFunc, renewable func(*oauth2.Token) bool) *http.Client {
	var base http.RoundTripper = http.DefaultTransport
	out := &http.Client{}
	if hc != nil {
		if hc.Transport != nil {
			base = hc.Transport
		}
		out.Timeout = hc.Timeout
	}
	// The token goes to one origin only: a redirect elsewhere is refused, not followed
	// with the Authorization header added again by RoundTrip.
	out.CheckRedirect = checkSameOrigin
	out.Transport = &bearerTransport{base: base, renew: renew, renewable: renewable, sem: make(chan struct{}, 1), tok: tok}
	return out
}

// expirySkew renews a token this long before its stated expiry.
const expirySkew = 10 * time.Second

// maxErrorBody bounds how much of a 401 body is read to look for "expired".
const maxErrorBody = 64 << 10

func (t *bearerTransport) lock(ctx context.Context) error {
	select {
	case t.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *bearerTransport) unlock() { <-t.sem }

// current returns the token to use, renewing it first when there is none yet or it has
// passed its stated expiry.
func (t *bearerTransport) current(ctx context.Context) (*oauth2.Token, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	if t.tok != nil && t.tok.AccessToken != "" && (t.tok.Expiry.IsZero() || time.Until(t.tok.Expiry) > expirySkew) {
		return t.tok, nil
	}
	if t.tok != nil && t.tok.AccessToken != "" && !t.renewable(t.tok) {
		return t.tok, nil // cannot renew ahead of time; let the server decide
	}
	nt, err := t.renew(ctx, t.tok)
	if err != nil {
		return nil, err
	}
	t.tok = nt
	return nt, nil
}

// renewAfter renews the token after used was refused as expired, unless another request
// already did.
func (t *bearerTransport) renewAfter(ctx context.Context, used *oauth2.Token) (*oauth2.Token, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	if t.tok != nil && t.tok.AccessToken != used.AccessToken {
		return t.tok, nil
	}
	nt, err := t.renew(ctx, t.tok)
	if err != nil {
		return nil, err
	}
	t.tok = nt
	return nt, nil
}

func (t *bearerTransport) send(req *http.Request, tok *oauth2.Token, body io.ReadCloser) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Body = body
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return t.base.RoundTrip(r)
}

// RoundTrip implements http.RoundTripper.
func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	tok, err := t.current(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(req, tok, req.Body)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	rest := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), rest), rest}
	if !saysExpired(resp, body) {
		return resp, nil
	}
	var retryBody io.ReadCloser
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return resp, nil // cannot send the body again
		}
		if retryBody, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	nt, err := t.renewAfter(ctx, tok)
	if err != nil {
		if retryBody != nil {
			retryBody.Close()
		}
		resp.Body.Close()
		return nil, err
	}
	resp.Body.Close()
	return t.send(req, nt, retryBody)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// saysExpired recognises Bitbucket's 401 for an expired access token.
func saysExpired(resp *http.Response, body []byte) bool {
	if strings.Contains(strings.ToLower(resp.Header.Get("WWW-Authenticate")), "expired") {
		return true
	}
	return bytes.Contains(bytes.ToLower(body), []byte("expired"))
}

// ClientCredentialsClient returns an HTTP client for non-interactive commands: it fetches a
// client_credentials token (Basic auth in the header) on first use, sends it as Bearer, and
// fetches a new one when it has expired or Bitbucket answers 401 "expired" (once per
// request). A failed token request surfaces as a *TokenError inside the *url.Error the
// client returns. hc may be nil: then an *http.Client carried by ctx under
// oauth2.HTTPClient is used, else http.DefaultClient. ctx is not retained otherwise;
// requests use their own contexts.
func ClientCredentialsClient(ctx context.Context, ep Endpoints, clientID, secret string, hc *http.Client) *http.Client {
	if hc == nil {
		if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok {
			hc = c
		}
	}
	cfg := clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		TokenURL:     ep.TokenURL,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	renew := func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		limit := limitOf(ctx, hc, DefaultTokenTimeout)
		cctx, cancel := context.WithTimeout(ctx, DefaultTokenTimeout)
		defer cancel()
		tok, err := cfg.Token(withClient(cctx, hc))
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, tokenError(ep, err, "request (client credentials)", "", secret, limit)
		}
		return tok, nil
	}
	return newBearerClient(hc, nil, renew, func(*oauth2.Token) bool { return true })
}
