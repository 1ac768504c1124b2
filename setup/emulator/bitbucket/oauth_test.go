package bitbucket

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func authorizeURL(w *world, params url.Values) string {
	return w.s.URL + "/site/oauth2/authorize?" + params.Encode()
}

// hiddenFields reads the consent page's form the way a browser would submit it.
func hiddenFields(t *testing.T, page string) url.Values {
	t.Helper()
	re := regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	form := url.Values{}
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		v := strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(m[2])
		form.Add(m[1], v)
	}
	return form
}

func (w *world) postForm(path string, form url.Values) resp {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.do(req)
}

func location(t *testing.T, r resp) *url.URL {
	t.Helper()
	if r.status != http.StatusFound {
		t.Fatalf("status %d, want 302; body %s", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAuthorizationCodeFlowWithPKCE(t *testing.T) {
	w := newWorld(t, Options{})
	verifier := "a-very-long-verifier-string-that-is-at-least-43-characters-long"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	redirect := full.CallbackURL + "?from=bbsetup"

	// The browser opens the authorize URL: a consent page listing the permissions.
	page := w.get(authorizeURL(w, url.Values{"client_id": {full.Key}, "response_type": {"code"},
		"state": {"st&te 1"}, "redirect_uri": {redirect}, "code_challenge": {challenge},
		"code_challenge_method": {"S256"}}), "")
	if page.status != http.StatusOK {
		t.Fatalf("consent page: %d %s", page.status, page.body)
	}
	html := string(page.body)
	for _, want := range []string{"Amplication", "Alice Admin", "Administer your repositories (repository:admin)",
		"Read your account information (account)", `value="grant"`, `value="cancel"`, `method="post"`} {
		if !strings.Contains(html, want) {
			t.Errorf("consent page lacks %q:\n%s", want, html)
		}
	}

	// Grant: a redirect to the redirect_uri with code and the echoed state.
	form := hiddenFields(t, html)
	form.Set("action", "grant")
	loc := location(t, w.postForm("/site/oauth2/authorize", form))
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != full.CallbackURL {
		t.Errorf("redirected to %s, want the callback %s", got, full.CallbackURL)
	}
	q := loc.Query()
	if q.Get("state") != "st&te 1" || q.Get("from") != "bbsetup" || q.Get("code") == "" {
		t.Fatalf("callback query %v: want code, state and the redirect_uri's own query", q)
	}
	code := q.Get("code")

	// A wrong verifier is refused without burning the code.
	bad := w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "code_verifier": {"wrong-verifier"}})
	if bad.status != 400 || bad.json(t)["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: %d %s, want 400 invalid_grant", bad.status, bad.body)
	}

	tok := w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "code_verifier": {verifier}})
	if tok.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", tok.status, tok.body)
	}
	m := tok.json(t)
	got := keys(m)
	slices.Sort(got)
	if want := []string{"access_token", "expires_in", "refresh_token", "scopes", "state", "token_type"}; !slices.Equal(got, want) {
		t.Errorf("token fields %v, want %v (note: scopes, not scope)", got, want)
	}
	if m["token_type"] != "bearer" || m["expires_in"] != float64(7200) || m["state"] != "authorization_code" ||
		m["scopes"] != strings.Join(full.Scopes, " ") {
		t.Errorf("token response %s", tok.body)
	}

	user := w.get("/2.0/user", m["access_token"].(string))
	if user.status != 200 || user.json(t)["account_id"] != alice {
		t.Errorf("GET /user with the new token: %d %s", user.status, user.body)
	}

	// Codes are single-use.
	again := w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "code_verifier": {verifier}})
	if again.status != 400 {
		t.Fatalf("reused code: %d", again.status)
	}
	jsonEq(t, again.body, `{"error":"invalid_grant","error_description":"The specified code is not valid."}`)
}

func TestAuthorizeWithoutRedirectURIUsesCallback(t *testing.T) {
	w := newWorld(t, Options{AutoApprove: true})
	// Exactly what Amplication sends: no redirect_uri, no scope.
	loc := location(t, w.get(authorizeURL(w, url.Values{"client_id": {full.Key},
		"response_type": {"code"}, "state": {"S"}}), ""))
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != full.CallbackURL {
		t.Errorf("redirected to %s, want %s", got, full.CallbackURL)
	}
	if loc.Query().Get("state") != "S" || loc.Query().Get("code") == "" {
		t.Errorf("query %v", loc.Query())
	}
	// No redirect_uri at authorize: none is needed at the token endpoint; form auth works.
	tok := w.tokenReq(nil, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"client_id": {full.Key}, "client_secret": {full.Secret}})
	if tok.status != 200 {
		t.Fatalf("exchange with form client auth: %d %s", tok.status, tok.body)
	}
	// No state sent: none echoed.
	loc = location(t, w.get(authorizeURL(w, url.Values{"client_id": {full.Key}, "response_type": {"code"}}), ""))
	if _, ok := loc.Query()["state"]; ok {
		t.Errorf("state echoed although none was sent: %v", loc)
	}
}

func TestAuthorizeCancel(t *testing.T) {
	w := newWorld(t, Options{})
	page := w.get(authorizeURL(w, url.Values{"client_id": {full.Key}, "response_type": {"code"}, "state": {"xyz"}}), "")
	form := hiddenFields(t, string(page.body))
	form.Set("action", "cancel")
	q := location(t, w.postForm("/site/oauth2/authorize", form)).Query()
	if q.Get("error") != "access_denied" || q.Get("error_description") == "" || q.Get("state") != "xyz" || q.Get("code") != "" {
		t.Errorf("cancel redirect query %v", q)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	w := newWorld(t, Options{AutoApprove: true})
	cases := []struct {
		name   string
		params url.Values
		status int
		text   string
	}{
		{"unknown client", url.Values{"client_id": {"nope"}, "response_type": {"code"}}, 400, "Invalid client_id"},
		{"redirect_uri elsewhere", url.Values{"client_id": {full.Key}, "response_type": {"code"},
			"redirect_uri": {"http://localhost:3002/bitbucket-auth-app/callback"}}, 400, "Invalid redirect_uri"},
		{"redirect_uri shorter than callback", url.Values{"client_id": {full.Key}, "response_type": {"code"},
			"redirect_uri": {"http://localhost:3001/"}}, 400, "Invalid redirect_uri"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := w.get(authorizeURL(w, c.params), "")
			if r.status != c.status || r.header.Get("Location") != "" {
				t.Fatalf("status %d location %q, want %d and no redirect", r.status, r.header.Get("Location"), c.status)
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), c.text) {
				t.Errorf("want an HTML page saying %q, got %s", c.text, r.body)
			}
		})
	}
	t.Run("consumer without callback", func(t *testing.T) {
		r := w.get(authorizeURL(w, url.Values{"client_id": {noCallback.Key}, "response_type": {"code"}}), "")
		if r.status != 400 || r.header.Get("Location") != "" {
			t.Fatalf("status %d", r.status)
		}
		jsonEq(t, r.body, `{"error":"invalid_request","error_description":"No callback uri defined for the OAuth client."}`)
	})
	t.Run("redirect_uri extending the callback", func(t *testing.T) {
		loc := location(t, w.get(authorizeURL(w, url.Values{"client_id": {full.Key}, "response_type": {"code"},
			"redirect_uri": {full.CallbackURL + "/deeper"}}), ""))
		if loc.Path != "/bitbucket-auth-app/callback/deeper" {
			t.Errorf("redirected to %v", loc)
		}
	})
	t.Run("unsupported response_type", func(t *testing.T) {
		q := location(t, w.get(authorizeURL(w, url.Values{"client_id": {full.Key}, "response_type": {"token"}, "state": {"s"}}), "")).Query()
		if q.Get("error") != "unsupported_response_type" || q.Get("state") != "s" {
			t.Errorf("query %v", q)
		}
	})
}

func TestTokenEndpointErrors(t *testing.T) {
	w := newWorld(t, Options{})
	wrong := full
	wrong.Secret = "not-the-secret"
	unknown := Consumer{Key: "unknown", Secret: "x"}
	badClient := `{"error":"unauthorized_client","error_description":"Invalid OAuth client credentials"}`
	cases := []struct {
		name  string
		basic *Consumer
		form  url.Values
		want  string
	}{
		{"wrong secret", &wrong, url.Values{"grant_type": {"client_credentials"}}, badClient},
		{"unknown key", &unknown, url.Values{"grant_type": {"client_credentials"}}, badClient},
		{"wrong secret in form", nil, url.Values{"grant_type": {"client_credentials"},
			"client_id": {full.Key}, "client_secret": {"nope"}}, badClient},
		{"no client auth", nil, url.Values{"grant_type": {"client_credentials"}}, badClient},
		{"client_credentials on public consumer", &public, url.Values{"grant_type": {"client_credentials"}},
			`{"error":"invalid_grant","error_description":"Cannot use client_credentials with a consumer marked as \"public\". Calls for auto generated consumers should use urn:bitbucket:oauth2:jwt instead."}`},
		{"consumer without callback", &noCallback, url.Values{"grant_type": {"client_credentials"}},
			`{"error":"invalid_request","error_description":"No callback uri defined for the OAuth client."}`},
		{"unknown code", &full, url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}},
			`{"error":"invalid_grant","error_description":"The specified code is not valid."}`},
		{"unknown refresh token", &full, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}},
			`{"error":"invalid_grant","error_description":"Invalid refresh_token"}`},
		{"missing refresh token", &full, url.Values{"grant_type": {"refresh_token"}},
			`{"error":"invalid_request","error_description":"Missing refresh_token parameter."}`},
		{"missing grant type", &full, url.Values{},
			`{"error":"invalid_request","error_description":"Missing grant_type parameter."}`},
		{"unsupported grant", &full, url.Values{"grant_type": {"password"}},
			`{"error":"unsupported_grant_type","error_description":"Unsupported grant type: password"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := w.tokenReq(c.basic, c.form)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			jsonEq(t, r.body, c.want)
		})
	}
	t.Run("form client auth", func(t *testing.T) {
		r := w.tokenReq(nil, url.Values{"grant_type": {"client_credentials"}, "client_id": {full.Key}, "client_secret": {full.Secret}})
		if r.status != 200 || r.json(t)["state"] != "client_credentials" {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
}

// code runs the auto-approved authorize step for c and returns the code.
func (w *world) code(c Consumer, extra url.Values) string {
	w.t.Helper()
	p := url.Values{"client_id": {c.Key}, "response_type": {"code"}}
	for k, v := range extra {
		p[k] = v
	}
	loc := location(w.t, w.get(authorizeURL(w, p), ""))
	return loc.Query().Get("code")
}

func TestCodeIsBound(t *testing.T) {
	w := newWorld(t, Options{AutoApprove: true})
	invalid := func(t *testing.T, r resp, desc string) {
		t.Helper()
		m := r.json(t)
		if r.status != 400 || m["error"] != "invalid_grant" || m["error_description"] != desc {
			t.Errorf("%d %s, want 400 invalid_grant %q", r.status, r.body, desc)
		}
	}
	t.Run("to the client", func(t *testing.T) {
		code := w.code(full, nil)
		invalid(t, w.tokenReq(&bobs, url.Values{"grant_type": {"authorization_code"}, "code": {code}}), descBadCode)
	})
	// RFC 6749 §4.1.3: a redirect_uri sent to authorize must be repeated, identical; the
	// failed attempts do not use the code up.
	t.Run("to the redirect_uri", func(t *testing.T) {
		code := w.code(full, url.Values{"redirect_uri": {full.CallbackURL + "/a"}})
		invalid(t, w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code}}), descRedirectMissing)
		invalid(t, w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {""}}), descRedirectMismatch)
		invalid(t, w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {full.CallbackURL + "/b"}}), descRedirectMismatch)
		if r := w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {full.CallbackURL + "/a"}}); r.status != 200 {
			t.Errorf("matching redirect_uri: %d %s", r.status, r.body)
		}
	})
	// Amplication's way: no redirect_uri at authorize, none at the exchange.
	t.Run("without redirect_uri on both sides", func(t *testing.T) {
		code := w.code(full, nil)
		if r := w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code}}); r.status != 200 {
			t.Errorf("no redirect_uri anywhere: %d %s", r.status, r.body)
		}
	})
	t.Run("to the PKCE challenge", func(t *testing.T) {
		code := w.code(full, url.Values{"code_challenge": {"plain-challenge-value"}, "code_challenge_method": {"plain"}})
		invalid(t, w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code}}), descVerifierMissing)
		invalid(t, w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"code_verifier": {"another-value"}}), descVerifierMismatch)
		if r := w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"code_verifier": {"plain-challenge-value"}}); r.status != 200 {
			t.Errorf("plain verifier: %d %s", r.status, r.body)
		}
	})
	t.Run("in time", func(t *testing.T) {
		code := w.code(full, nil)
		w.clock.Add(CodeLifetime + time.Second)
		invalid(t, w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code}}), descBadCode)
	})
}

func TestRefreshAndExpiry(t *testing.T) {
	w := newWorld(t, Options{AutoApprove: true})
	code := w.code(full, nil)
	r := w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {code}})
	m := r.json(t)
	access, refresh := m["access_token"].(string), m["refresh_token"].(string)
	if w.get("/2.0/user", access).status != 200 {
		t.Fatal("fresh token refused")
	}

	w.s.Controls().ExpireAccessTokens()
	exp := w.get("/2.0/user", access)
	if exp.status != http.StatusUnauthorized {
		t.Fatalf("expired token: %d", exp.status)
	}
	jsonEq(t, exp.body, `{"type":"error","error":{"message":"Access token expired."}}`)

	// Another client cannot use the refresh token.
	if r := w.tokenReq(&bobs, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}); r.status != 400 {
		t.Errorf("refresh by another client: %d", r.status)
	}
	nr := w.tokenReq(&full, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	if nr.status != 200 {
		t.Fatalf("refresh: %d %s", nr.status, nr.body)
	}
	nm := nr.json(t)
	if nm["state"] != "refresh_token" || nm["token_type"] != "bearer" || nm["expires_in"] != float64(7200) ||
		nm["access_token"] == access || nm["refresh_token"] == "" {
		t.Errorf("refresh response %s", nr.body)
	}
	if got := w.get("/2.0/user", nm["access_token"].(string)); got.status != 200 {
		t.Errorf("refreshed token: %d %s", got.status, got.body)
	}

	// Tokens also expire by the clock after two hours.
	w.clock.Add(AccessTokenLifetime)
	if got := w.get("/2.0/user", nm["access_token"].(string)); got.status != 401 ||
		got.json(t)["error"].(map[string]any)["message"] != "Access token expired." {
		t.Errorf("after 2h: %d %s", got.status, got.body)
	}
}

func TestClientCredentialsActsAsOwner(t *testing.T) {
	w := newWorld(t, Options{})
	r := w.tokenReq(&bobs, url.Values{"grant_type": {"client_credentials"}})
	m := r.json(t)
	if m["scopes"] != "account repository project" || m["state"] != "client_credentials" || m["refresh_token"] == "" {
		t.Errorf("token %s", r.body)
	}
	u := w.get("/2.0/user", m["access_token"].(string)).json(t)
	if u["account_id"] != bob || u["uuid"] != "{b0b0b0b0-0000-4000-8000-000000000001}" {
		t.Errorf("client_credentials token acts as %v, want the owner bob", u["account_id"])
	}
}

func TestBrowserUserOption(t *testing.T) {
	w := newWorld(t, Options{AutoApprove: true, BrowserUser: bob})
	r := w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {w.code(full, nil)}})
	u := w.get("/2.0/user", r.json(t)["access_token"].(string)).json(t)
	if u["account_id"] != bob {
		t.Errorf("authorized as %v, want the browser user bob", u["account_id"])
	}
}

func TestIssueTokens(t *testing.T) {
	w := newWorld(t, Options{})
	access, refresh := w.s.IssueTokens(full.Key, bob)
	if u := w.get("/2.0/user", access).json(t); u["account_id"] != bob {
		t.Errorf("issued token acts as %v, want bob", u["account_id"])
	}
	r := w.tokenReq(&full, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	if u := w.get("/2.0/user", r.json(t)["access_token"].(string)).json(t); u["account_id"] != bob {
		t.Errorf("refreshed token acts as %v", u["account_id"])
	}
}

// RevokeTokens: the access token answers 401 "Access token expired.", the refresh token
// invalid_grant; a new authorization works again.
func TestRevokeTokens(t *testing.T) {
	w := newWorld(t, Options{AutoApprove: true})
	m := w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {w.code(full, nil)}}).json(t)
	access, refresh := m["access_token"].(string), m["refresh_token"].(string)
	w.s.Controls().RevokeTokens()
	exp := w.get("/2.0/user", access)
	if exp.status != http.StatusUnauthorized {
		t.Fatalf("revoked access token: %d", exp.status)
	}
	jsonEq(t, exp.body, `{"type":"error","error":{"message":"Access token expired."}}`)
	r := w.tokenReq(&full, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	if r.status != 400 || r.json(t)["error_description"] != "Invalid refresh_token" {
		t.Errorf("revoked refresh token: %d %s", r.status, r.body)
	}
	m = w.tokenReq(&full, url.Values{"grant_type": {"authorization_code"}, "code": {w.code(full, nil)}}).json(t)
	if got := w.get("/2.0/user", m["access_token"].(string)); got.status != 200 {
		t.Errorf("a new authorization after the revoke: %d %s", got.status, got.body)
	}
}
