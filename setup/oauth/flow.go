package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Flow is one authorization-code attempt: the consumer's key and secret, the callback URL,
// and the random state and PKCE verifier that tie the answer to this attempt.
type Flow struct {
	ep       Endpoints
	cfg      oauth2.Config
	secret   string
	hc       *http.Client
	redirect *url.URL
	state    string
	verifier string
	receiver bool // NewReceiver: only the callback side works
}

// NewFlow starts an authorization attempt. redirectURL is the consumer's callback URL
// (CLIENT_HOST + "/bitbucket-auth-app/callback"); it is sent as redirect_uri and is where
// Listen serves. hc may be nil (http.DefaultClient).
func NewFlow(ep Endpoints, clientID, secret, redirectURL string, hc *http.Client) (*Flow, error) {
	if strings.TrimSpace(clientID) == "" || secret == "" {
		return nil, ErrNoCredentials
	}
	u, err := url.Parse(strings.TrimSpace(redirectURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the callback URL %q is not an http(s) URL; check CLIENT_HOST in the server's env files", redirectURL)
	}
	return &Flow{
		ep: ep,
		cfg: oauth2.Config{
			ClientID:     clientID,
			ClientSecret: secret,
			Endpoint:     ep.endpoint(),
			RedirectURL:  u.String(),
		},
		secret:   secret,
		hc:       hc,
		redirect: u,
		state:    rand.Text(),
		verifier: oauth2.GenerateVerifier(),
	}, nil
}

// NewReceiver is the callback side of an authorization someone else started: Amplication's
// server builds the authorize URL (with its own key and state) and exchanges the code
// itself. Listen, Serve and ParsePasted work as for NewFlow and accept only answers
// carrying state; AuthURL is "" and Exchange fails.
func NewReceiver(redirectURL, state string) (*Flow, error) {
	u, err := url.Parse(strings.TrimSpace(redirectURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the callback URL %q is not an http(s) URL; check CLIENT_HOST in the server's env files", redirectURL)
	}
	if state == "" {
		return nil, errors.New("no state to wait for")
	}
	return &Flow{redirect: u, state: state, receiver: true, cfg: oauth2.Config{RedirectURL: u.String()}}, nil
}

// AuthURL is the URL the operator opens to grant access: client_id, response_type=code,
// state, redirect_uri and an S256 PKCE challenge. It holds no secret.
func (f *Flow) AuthURL() string {
	if f.receiver {
		return ""
	}
	return f.cfg.AuthCodeURL(f.state, oauth2.S256ChallengeOption(f.verifier))
}

// RedirectURL is the callback URL the flow sends as redirect_uri.
func (f *Flow) RedirectURL() string { return f.cfg.RedirectURL }

// stateOK compares a returned state with ours in constant time.
func (f *Flow) stateOK(s string) bool {
	return subtle.ConstantTimeCompare([]byte(s), []byte(f.state)) == 1
}

// ParsePasted reads what the operator pasted: the full URL the browser landed on (quotes,
// angle brackets, whitespace and words around it are ignored), its query string, or the
// bare code.
// A state that does not match gives ErrStateMismatch; error= gives *AuthorizeError.
func (f *Flow) ParsePasted(s string) (string, error) {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "\"'`<>\u201c\u201d\u2018\u2019 \t")
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("nothing was pasted; paste the full address your browser shows after granting access")
	}
	s = urlField(s)
	var q url.Values
	switch {
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return "", errors.New("what was pasted is not a valid URL; copy the whole address from the browser's address bar")
		}
		q = u.Query()
		if q.Get("code") == "" && q.Get("error") == "" {
			if q.Get("response_type") != "" || strings.HasSuffix(u.Path, "/site/oauth2/authorize") {
				return "", errors.New("that is the authorization URL itself; open it in the browser, grant access, then paste the address the browser lands on")
			}
			if u.Fragment != "" {
				if fq, err := url.ParseQuery(u.Fragment); err == nil && (fq.Get("code") != "" || fq.Get("error") != "") {
					q = fq
					break
				}
			}
			return "", errors.New("the pasted URL has no code in it; paste the address the browser shows after you click \"Grant access\"")
		}
	case strings.HasPrefix(s, "?") || strings.Contains(s, "="):
		var err error
		q, err = url.ParseQuery(strings.TrimPrefix(s, "?"))
		if err != nil {
			return "", errors.New("what was pasted is not a valid query string; paste the whole address from the browser's address bar")
		}
		if q.Get("code") == "" && q.Get("error") == "" {
			return "", errors.New("the pasted text has no code= in it; paste the address the browser shows after you click \"Grant access\"")
		}
	default:
		if f.receiver {
			return "", errors.New("paste the whole address from the browser's address bar: it carries the state that ties it to this authorization")
		}
		if !plausibleCode(s) {
			return "", errors.New("that does not look like an address or an authorization code; paste the full address your browser shows after granting access")
		}
		return s, nil
	}
	if _, ok := q["state"]; !ok && f.receiver {
		return "", errors.New("the pasted address has no state= in it; copy the whole address from the browser's address bar")
	}
	if st, ok := q["state"]; ok && !f.stateOK(firstOf(st)) {
		return "", ErrStateMismatch
	}
	if e := q.Get("error"); e != "" {
		return "", &AuthorizeError{Code: e, Description: q.Get("error_description")}
	}
	code := q.Get("code")
	if !plausibleCode(code) {
		return "", errors.New("the code in what was pasted looks damaged; copy the whole address again")
	}
	return code, nil
}

// urlField picks the address out of a paste with words around it ("Landed on: <URL> ok"):
// when s has blanks and exactly one blank-separated field holds "://", that field,
// stripped of quotes and brackets. Anything else is returned as it is.
func urlField(s string) string {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return s
	}
	found := ""
	for _, f := range fields {
		if strings.Contains(f, "://") {
			if found != "" {
				return s
			}
			found = f
		}
	}
	if found == "" {
		return s
	}
	return strings.Trim(found, "\"'`<>()[]{},;\u201c\u201d\u2018\u2019")
}

func firstOf(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// plausibleCode accepts the characters an OAuth code is made of (RFC 6749 VSCHAR minus
// whitespace and delimiters that would mean we mis-parsed).
func plausibleCode(s string) bool {
	if s == "" || len(s) > 1024 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("-._~+/", r):
		default:
			return false
		}
	}
	return true
}

// Exchange trades a code for tokens at the token endpoint, with the same redirect_uri, the
// PKCE verifier and Basic auth. Failures are *TokenError worded for the operator, or the
// context's error when ctx ended.
func (f *Flow) Exchange(ctx context.Context, code string) (*oauth2.Token, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, errors.New("no authorization code to exchange")
	}
	if f.receiver {
		return nil, errors.New("this authorization's code is exchanged by the server that started it")
	}
	limit := limitOf(ctx, f.hc, DefaultTokenTimeout)
	cctx, cancel := context.WithTimeout(ctx, DefaultTokenTimeout)
	defer cancel()
	tok, err := f.cfg.Exchange(withClient(cctx, f.hc), code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, tokenError(f.ep, err, "exchange", f.cfg.RedirectURL, f.secret, limit)
	}
	return tok, nil
}

// refresh renews tok with its refresh token.
func (f *Flow) refresh(ctx context.Context, tok *oauth2.Token) (*oauth2.Token, error) {
	if tok == nil || tok.RefreshToken == "" {
		return nil, &TokenError{Message: "The access token expired and there is no refresh token to renew it. Authorize again.", RenewRefused: true}
	}
	limit := limitOf(ctx, f.hc, DefaultTokenTimeout)
	cctx, cancel := context.WithTimeout(ctx, DefaultTokenTimeout)
	defer cancel()
	nt, err := f.cfg.TokenSource(withClient(cctx, f.hc), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, tokenError(f.ep, err, "refresh", f.cfg.RedirectURL, f.secret, limit)
	}
	if nt.RefreshToken == "" {
		nt.RefreshToken = tok.RefreshToken
	}
	return nt, nil
}

// Client returns an HTTP client that sends tok as a Bearer token and, when Bitbucket answers
// 401 because the access token expired, renews it once with the refresh token and retries
// the request once (a request body is sent again through req.GetBody; a body without
// GetBody gets Bitbucket's 401 back instead). A token past its stated expiry is renewed
// before sending. When the renewal itself fails, the request fails with a *TokenError
// that says to authorize again. It uses the flow's HTTP client underneath, or, when the
// flow has none, one carried by ctx under oauth2.HTTPClient.
func (f *Flow) Client(ctx context.Context, tok *oauth2.Token) *http.Client {
	base := f.hc
	if base == nil {
		if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok {
			base = c
		}
	}
	ff := *f
	ff.hc = base
	return newBearerClient(base, tok, ff.refresh, func(t *oauth2.Token) bool { return t.RefreshToken != "" })
}
