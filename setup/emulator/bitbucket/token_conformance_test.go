package bitbucket_test

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/openapicheck"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// The token endpoint is not in the OpenAPI document; these tests pin its bodies to SPEC.md
// ("OAuth 2.0"): a success has exactly access_token, refresh_token, token_type "bearer",
// expires_in 7200, scopes (space-separated; not "scope") and state (the grant type); an error
// is a 400 with exactly error and error_description.

// tokenWorld has a private consumer with every required scope, a public one, and a private one
// without a callback URL.
func tokenWorld(t *testing.T) (*bbemu.Server, map[string]bbemu.Consumer) {
	t.Helper()
	e := bbemu.New(bbemu.Options{AutoApprove: true})
	const me = "557058:tokens"
	e.AddUser(bbemu.User{UUID: "{1a2b3c4d-0000-4000-8000-000000000001}", AccountID: me, DisplayName: "Tokens", Nickname: "tokens"})
	e.AddWorkspace(bbemu.Workspace{Slug: "acme", Name: "Acme"}, map[string]bool{me: true})
	cb := "http://localhost:3001/bitbucket-auth-app/callback"
	cs := map[string]bbemu.Consumer{
		"private":    {Key: "privatekey01", Secret: "privatesecret0123456789abcdefghij", Name: "private", CallbackURL: cb, Private: true, Scopes: openapicheck.RequiredScopes(), Owner: me},
		"public":     {Key: "publickey001", Secret: "publicsecret0123456789abcdefghijk", Name: "public", CallbackURL: cb, Private: false, Scopes: openapicheck.RequiredScopes(), Owner: me},
		"nocallback": {Key: "nocallback01", Secret: "nocallbacksecret0123456789abcdefg", Name: "nocallback", Private: true, Scopes: openapicheck.RequiredScopes(), Owner: me},
	}
	for _, c := range cs {
		e.AddConsumer(c)
	}
	return openapicheck.Start(t, e), cs
}

// authorizeCode runs the authorize step (auto-approved) and returns the code.
func authorizeCode(t *testing.T, srv *bbemu.Server, c bbemu.Consumer) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), openapicheck.Timeout)
	defer cancel()
	q := url.Values{"client_id": {c.Key}, "response_type": {"code"}, "state": {"csrf-123"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/site/oauth2/authorize?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: openapicheck.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := loc.Query().Get("state"); got != "csrf-123" {
		t.Errorf("authorize redirect state %q, want the one sent", got)
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("authorize redirect without a code: %s", loc)
	}
	return code
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isJSON(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// checkSuccess pins a 200 token body to SPEC.md.
func checkSuccess(t *testing.T, r openapicheck.TokenReply, grant string, scopes []string) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200 (error %v: %v)", r.Status, r.Fields["error"], r.Fields["error_description"])
	}
	if !isJSON(r.Header) {
		t.Errorf("Content-Type %q, want application/json", r.Header.Get("Content-Type"))
	}
	want := []string{"access_token", "expires_in", "refresh_token", "scopes", "state", "token_type"}
	if got := keys(r.Fields); !slices.Equal(got, want) {
		t.Errorf("fields %q, want exactly %q (SPEC.md: \"scopes\", not \"scope\")", got, want)
	}
	if _, ok := r.Fields["scope"]; ok {
		t.Error(`the body has "scope"; Bitbucket names it "scopes"`)
	}
	for _, k := range []string{"access_token", "refresh_token"} {
		if s, _ := r.Fields[k].(string); s == "" {
			t.Errorf("%s is %v, want a non-empty string", k, r.Fields[k])
		}
	}
	if r.Fields["token_type"] != "bearer" {
		t.Errorf(`token_type %v, want "bearer"`, r.Fields["token_type"])
	}
	if r.Fields["expires_in"] != float64(7200) {
		t.Errorf("expires_in %v, want the number 7200", r.Fields["expires_in"])
	}
	if r.Fields["state"] != grant {
		t.Errorf("state %v, want the grant type %q", r.Fields["state"], grant)
	}
	s, ok := r.Fields["scopes"].(string)
	if !ok || strings.Contains(s, ",") || !openapicheck.SameSet(strings.Fields(s), scopes) {
		t.Errorf("scopes %v, want the consumer's %q space-separated", r.Fields["scopes"], scopes)
	}
}

func TestTokenEndpointSuccessBodies(t *testing.T) {
	srv, cs := tokenWorld(t)
	p := cs["private"]

	t.Run("client_credentials", func(t *testing.T) {
		checkSuccess(t, openapicheck.PostToken(t, srv, p.Key, p.Secret, url.Values{"grant_type": {"client_credentials"}}), "client_credentials", p.Scopes)
	})
	t.Run("authorization_code", func(t *testing.T) {
		code := authorizeCode(t, srv, p)
		checkSuccess(t, openapicheck.PostToken(t, srv, p.Key, p.Secret, url.Values{"grant_type": {"authorization_code"}, "code": {code}}), "authorization_code", p.Scopes)
	})
	t.Run("authorization_code of a public consumer", func(t *testing.T) {
		pub := cs["public"]
		code := authorizeCode(t, srv, pub)
		checkSuccess(t, openapicheck.PostToken(t, srv, pub.Key, pub.Secret, url.Values{"grant_type": {"authorization_code"}, "code": {code}}), "authorization_code", pub.Scopes)
	})
	t.Run("refresh_token", func(t *testing.T) {
		first := openapicheck.PostToken(t, srv, p.Key, p.Secret, url.Values{"grant_type": {"client_credentials"}})
		rt, _ := first.Fields["refresh_token"].(string)
		r := openapicheck.PostToken(t, srv, p.Key, p.Secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
		checkSuccess(t, r, "refresh_token", p.Scopes)
		if r.Fields["access_token"] == first.Fields["access_token"] {
			t.Error("refreshing returned the same access token")
		}
	})
}

func TestTokenEndpointErrorBodies(t *testing.T) {
	srv, cs := tokenWorld(t)
	p := cs["private"]
	cc := url.Values{"grant_type": {"client_credentials"}}
	used := authorizeCode(t, srv, p)
	if r := openapicheck.PostToken(t, srv, p.Key, p.Secret, url.Values{"grant_type": {"authorization_code"}, "code": {used}}); r.Status != http.StatusOK {
		t.Fatalf("first exchange of a code: %d", r.Status)
	}
	cases := []struct {
		name        string
		key, secret string
		form        url.Values
		codes       []string // accepted "error" values (SPEC.md names two for bad codes/refresh tokens)
		desc        string   // exact error_description; "" = any non-empty
		descPrefix  string
	}{
		{name: "wrong secret", key: p.Key, secret: p.Secret + "x", form: cc, codes: []string{"unauthorized_client"}, desc: "Invalid OAuth client credentials"},
		{name: "unknown key", key: "nosuchkey000", secret: p.Secret, form: cc, codes: []string{"unauthorized_client"}, desc: "Invalid OAuth client credentials"},
		{name: "client_credentials on a public consumer", key: cs["public"].Key, secret: cs["public"].Secret, form: cc,
			codes: []string{"invalid_grant"}, descPrefix: `Cannot use client_credentials with a consumer marked as "public"`},
		{name: "consumer without a callback URL", key: cs["nocallback"].Key, secret: cs["nocallback"].Secret, form: cc,
			codes: []string{"invalid_request"}, desc: "No callback uri defined for the OAuth client."},
		{name: "bad code", key: p.Key, secret: p.Secret, form: url.Values{"grant_type": {"authorization_code"}, "code": {"not-a-code"}},
			codes: []string{"invalid_grant", "invalid_request"}},
		{name: "used code", key: p.Key, secret: p.Secret, form: url.Values{"grant_type": {"authorization_code"}, "code": {used}},
			codes: []string{"invalid_grant", "invalid_request"}},
		{name: "bad refresh token", key: p.Key, secret: p.Secret, form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"not-a-refresh-token"}},
			codes: []string{"invalid_grant", "invalid_request"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := openapicheck.PostToken(t, srv, c.key, c.secret, c.form)
			if r.Status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", r.Status)
			}
			if !isJSON(r.Header) {
				t.Errorf("Content-Type %q, want application/json", r.Header.Get("Content-Type"))
			}
			if got := keys(r.Fields); !slices.Equal(got, []string{"error", "error_description"}) {
				t.Errorf("fields %q, want exactly error and error_description", got)
			}
			code, _ := r.Fields["error"].(string)
			if !slices.Contains(c.codes, code) {
				t.Errorf("error %q, want one of %q", code, c.codes)
			}
			desc, _ := r.Fields["error_description"].(string)
			switch {
			case c.desc != "" && desc != c.desc:
				t.Errorf("error_description %q, want %q", desc, c.desc)
			case c.descPrefix != "" && !strings.HasPrefix(desc, c.descPrefix):
				t.Errorf("error_description %q, want it to start with %q", desc, c.descPrefix)
			case desc == "":
				t.Error("empty error_description")
			}
			if strings.Contains(string(r.Raw), p.Secret) {
				t.Error("the error body echoes the client secret")
			}
		})
	}
}
