package bitbucket

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OAuth error descriptions, as Bitbucket words them (SPEC.md).
const (
	descBadClient    = "Invalid OAuth client credentials"
	descPublicClient = `Cannot use client_credentials with a consumer marked as "public". ` +
		`Calls for auto generated consumers should use urn:bitbucket:oauth2:jwt instead.`
	descNoCallback      = "No callback uri defined for the OAuth client."
	descBadCode         = "The specified code is not valid."
	descBadRefresh      = "Invalid refresh_token"
	descRedirectInvalid = "Invalid redirect_uri"

	descRedirectMissing  = "redirect_uri is missing; the authorization request included one, so the token request must repeat it."
	descRedirectMismatch = "The redirect_uri does not match the one used to authorize."
	descVerifierMissing  = "code_verifier is missing; the authorization request included a code_challenge."
	descVerifierMismatch = "The code_verifier does not match the code_challenge."
)

// Token lifetimes.
const (
	// AccessTokenLifetime is how long an access token lives (expires_in 7200).
	AccessTokenLifetime = 2 * time.Hour
	// CodeLifetime is how long an authorization code can be exchanged.
	CodeLifetime = 5 * time.Minute
)

type authCode struct {
	client, user string
	redirectURI  string // as sent to authorize ("" when none was sent)
	challenge    string
	method       string // "S256" or "plain"
	expiresAt    time.Time
	used         bool
}

type accessToken struct {
	client, user string
	scopes       []string
	expiresAt    time.Time
	expired      bool // Controls.ExpireAccessTokens
}

type refreshToken struct {
	client, user string
	scopes       []string
}

// randomToken returns n random characters from an URL-safe alphabet.
func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("emulator: crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// oauthError is the token endpoint's error body.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func writeOAuthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, oauthError{Error: code, ErrorDescription: desc})
}

// tokenResponse is Bitbucket's token JSON: note "scopes", and "state" holding the grant type.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	Scopes       string `json:"scopes"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	State        string `json:"state"`
	RefreshToken string `json:"refresh_token"`
}

// handleAuthorize serves the consent page (GET) and its Grant/Cancel answer (POST).
func (e *Emulator) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		errorPage(w, "Bad request", "The authorization request could not be read.")
		return
	}
	p := r.Form
	clientID := p.Get("client_id")
	e.mu.RLock()
	cons, ok := e.consumers[clientID]
	var consCopy Consumer
	if ok {
		consCopy = *cons
	}
	user := e.browserUser()
	e.mu.RUnlock()
	if !ok {
		errorPage(w, "Invalid client_id", "No OAuth consumer has the key in this link. Check the consumer's Key in the workspace settings.")
		return
	}
	if consCopy.CallbackURL == "" {
		writeOAuthError(w, "invalid_request", descNoCallback)
		return
	}
	redirectURI := p.Get("redirect_uri")
	target := consCopy.CallbackURL
	if redirectURI != "" {
		if !strings.HasPrefix(redirectURI, consCopy.CallbackURL) {
			errorPage(w, descRedirectInvalid, "The redirect_uri does not begin with the callback URL registered for this consumer.")
			return
		}
		target = redirectURI
	}
	if _, err := url.Parse(target); err != nil {
		errorPage(w, descRedirectInvalid, "The callback URL is not a valid URL.")
		return
	}
	state, hasState := p["state"]
	redirect := func(params url.Values) {
		if hasState {
			params.Set("state", state[0])
		}
		http.Redirect(w, r, withQuery(target, params), http.StatusFound)
	}
	if rt := p.Get("response_type"); rt != "code" {
		redirect(url.Values{"error": {"unsupported_response_type"},
			"error_description": {"Only response_type=code is supported."}})
		return
	}
	challenge, method := p.Get("code_challenge"), p.Get("code_challenge_method")
	if challenge != "" {
		if method == "" {
			method = "plain"
		}
		if method != "S256" && method != "plain" {
			redirect(url.Values{"error": {"invalid_request"},
				"error_description": {"Unsupported code_challenge_method; use S256."}})
			return
		}
	}
	if user == nil {
		errorPage(w, "Nobody is logged in", "The emulator has no user to authorize as.")
		return
	}

	decide := "grant"
	if r.Method == http.MethodGet && !e.opts.AutoApprove {
		consentPage(w, &consCopy, user, p)
		return
	}
	if r.Method == http.MethodPost {
		decide = r.PostForm.Get("action")
	}
	if decide != "grant" {
		redirect(url.Values{"error": {"access_denied"},
			"error_description": {"The user denied access to the OAuth consumer."}})
		return
	}
	code := randomToken(18)
	e.mu.Lock()
	e.codes[code] = &authCode{client: clientID, user: user.AccountID, redirectURI: redirectURI,
		challenge: challenge, method: method, expiresAt: e.now().Add(CodeLifetime)}
	e.mu.Unlock()
	redirect(url.Values{"code": {code}})
}

// browserUser is the user logged in "in the browser". The caller holds e.mu.
func (e *Emulator) browserUser() *User {
	if e.opts.BrowserUser != "" {
		return e.users[e.opts.BrowserUser]
	}
	if len(e.userOrder) == 0 {
		return nil
	}
	return e.users[e.userOrder[0]]
}

func withQuery(target string, params url.Values) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - Bitbucket (emulator)</title>
<style>body{font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em}
button{font-size:1em;padding:.4em 1.2em;margin-right:.6em}</style></head><body>
{{if .Error}}<h1>{{.Title}}</h1><p>{{.Error}}</p>
{{else}}<h1>Authorize {{.Consumer}}</h1>
<p>Logged in as <strong>{{.User}}</strong>. <strong>{{.Consumer}}</strong> is requesting access to:</p>
<ul>{{range .Permissions}}<li>{{.}}</li>{{end}}</ul>
<form method="post" action="/site/oauth2/authorize">
{{range $k, $vs := .Params}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">
{{end}}{{end}}<button type="submit" name="action" value="grant">Grant access</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>{{end}}
<p><small>bbsetup's Bitbucket Cloud emulator</small></p></body></html>
`))

// errorPage is Bitbucket's in-browser error: a 400 HTML page, no redirect.
func errorPage(w http.ResponseWriter, title, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = pageTmpl.Execute(w, map[string]any{"Title": title, "Error": msg})
}

// scopeLabels are the consent page's words for each scope. The table is the emulator's own,
// independent of the product's (setup/oauth's consumer-form table) on purpose: the emulator
// stands in for Bitbucket, and a fake that read the product's table would agree with it
// even when it is wrong.
var scopeLabels = map[string]string{
	"account":           "Read your account information",
	"account:write":     "Read and modify your account information",
	"email":             "Read your account's primary email address",
	"team":              "Read your workspace membership information",
	"team:write":        "Read and modify your workspace membership information",
	"project":           "Read your workspace's project settings",
	"project:admin":     "Read and modify settings for projects in your workspace",
	"repository":        "Read your repositories",
	"repository:write":  "Read and modify your repositories",
	"repository:admin":  "Administer your repositories",
	"pullrequest":       "Read your repositories and their pull requests",
	"pullrequest:write": "Read and modify your repositories and their pull requests",
	"webhook":           "Read and modify your repositories' webhooks",
}

func consentPage(w http.ResponseWriter, c *Consumer, u *User, params url.Values) {
	perms := make([]string, 0, len(c.Scopes))
	for _, s := range c.Scopes {
		if l, ok := scopeLabels[s]; ok {
			perms = append(perms, l+" ("+s+")")
		} else {
			perms = append(perms, s)
		}
	}
	name := c.Name
	if name == "" {
		name = "this application"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = pageTmpl.Execute(w, map[string]any{"Title": "Authorize " + name, "Consumer": name,
		"User": u.DisplayName, "Permissions": perms, "Params": params})
}

// clientAuth reads the client's credentials: HTTP Basic, or client_id/client_secret
// form fields.
func clientAuth(r *http.Request) (id, secret string) {
	if id, secret, ok := r.BasicAuth(); ok {
		return id, secret
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}

// handleToken is POST /site/oauth2/access_token.
func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "The request body must be form-encoded (application/x-www-form-urlencoded).")
		return
	}
	id, secret := clientAuth(r)

	e.mu.Lock()
	defer e.mu.Unlock()
	cons, ok := e.consumers[id]
	if !ok || id == "" || subtle.ConstantTimeCompare([]byte(cons.Secret), []byte(secret)) != 1 {
		writeOAuthError(w, "unauthorized_client", descBadClient)
		return
	}
	if cons.CallbackURL == "" {
		writeOAuthError(w, "invalid_request", descNoCallback)
		return
	}
	now := e.now()
	grant := r.PostForm.Get("grant_type")
	var user string
	switch grant {
	case "authorization_code":
		code := r.PostForm.Get("code")
		ac, ok := e.codes[code]
		if code == "" || !ok || ac.used || ac.client != id || !now.Before(ac.expiresAt) {
			writeOAuthError(w, "invalid_grant", descBadCode)
			return
		}
		// RFC 6749 §4.1.3: a redirect_uri the authorization request carried must be sent
		// again, identical. (Amplication's own exchange sends none, so its authorize URL
		// must not carry one either.)
		if ac.redirectURI != "" {
			switch got, sent := r.PostForm.Get("redirect_uri"), r.PostForm.Has("redirect_uri"); {
			case !sent:
				writeOAuthError(w, "invalid_grant", descRedirectMissing)
				return
			case got != ac.redirectURI:
				writeOAuthError(w, "invalid_grant", descRedirectMismatch)
				return
			}
		}
		// RFC 7636 §4.6: a code issued with a code_challenge needs its code_verifier.
		if ac.challenge != "" {
			v := r.PostForm.Get("code_verifier")
			if v == "" {
				writeOAuthError(w, "invalid_grant", descVerifierMissing)
				return
			}
			if !verifierMatches(ac.challenge, ac.method, v) {
				writeOAuthError(w, "invalid_grant", descVerifierMismatch)
				return
			}
		}
		ac.used = true
		user = ac.user
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		if rt == "" {
			writeOAuthError(w, "invalid_request", "Missing refresh_token parameter.")
			return
		}
		ref, ok := e.refresh[rt]
		if !ok || ref.client != id {
			writeOAuthError(w, "invalid_grant", descBadRefresh)
			return
		}
		tok := e.issueAccess(id, ref.user, ref.scopes, now)
		writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok, Scopes: strings.Join(ref.scopes, " "),
			TokenType: "bearer", ExpiresIn: int(AccessTokenLifetime / time.Second), State: grant, RefreshToken: rt})
		return
	case "client_credentials":
		if !cons.Private {
			writeOAuthError(w, "invalid_grant", descPublicClient)
			return
		}
		user = cons.Owner
		if user == "" && len(e.userOrder) > 0 {
			user = e.userOrder[0]
		}
	case "":
		writeOAuthError(w, "invalid_request", "Missing grant_type parameter.")
		return
	default:
		writeOAuthError(w, "unsupported_grant_type", "Unsupported grant type: "+grant)
		return
	}
	scopes := dedupe(cons.Scopes)
	tok := e.issueAccess(id, user, scopes, now)
	rt := randomToken(40)
	e.refresh[rt] = &refreshToken{client: id, user: user, scopes: scopes}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok, Scopes: strings.Join(scopes, " "),
		TokenType: "bearer", ExpiresIn: int(AccessTokenLifetime / time.Second), State: grant, RefreshToken: rt})
}

// issueAccess mints an access token. The caller holds e.mu.
func (e *Emulator) issueAccess(client, user string, scopes []string, now time.Time) string {
	tok := randomToken(86)
	e.access[tok] = &accessToken{client: client, user: user, scopes: scopes, expiresAt: now.Add(AccessTokenLifetime)}
	return tok
}

func verifierMatches(challenge, method, verifier string) bool {
	if verifier == "" {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// IssueTokens mints an access and a refresh token of the consumer for a user, as if that
// user had authorized the consumer in the browser (the tokens an Amplication git organization
// of theirs holds). It builds the world, like the Add methods; it panics when the consumer or
// the user does not exist.
func (e *Emulator) IssueTokens(consumerKey, accountID string) (access, refresh string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cons, ok := e.consumers[consumerKey]
	if !ok {
		panic("emulator: no consumer " + consumerKey)
	}
	if e.users[accountID] == nil {
		panic("emulator: no user " + accountID)
	}
	scopes := dedupe(cons.Scopes)
	access = e.issueAccess(consumerKey, accountID, scopes, e.now())
	refresh = randomToken(40)
	e.refresh[refresh] = &refreshToken{client: consumerKey, user: accountID, scopes: scopes}
	return access, refresh
}
