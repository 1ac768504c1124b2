package openapicheck

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// Timeout bounds every HTTP exchange and client call of these tests.
const Timeout = 30 * time.Second

// Start serves e on 127.0.0.1:0 until the test ends.
func Start(t *testing.T, e *bbemu.Emulator) *bbemu.Server {
	t.Helper()
	srv, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// TokenURL is the emulator's OAuth token endpoint.
func TokenURL(srv *bbemu.Server) string { return srv.URL + "/site/oauth2/access_token" }

// TokenReply is one answer of the token endpoint.
type TokenReply struct {
	Status int
	Header http.Header
	Raw    []byte
	Fields map[string]any // the JSON object, nil when the body is not one
}

// PostToken posts form to the token endpoint with HTTP Basic key:secret (SPEC.md), the way
// golang.org/x/oauth2 does with AuthStyleInHeader.
func PostToken(t *testing.T, srv *bbemu.Server, key, secret string, form url.Values) TokenReply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, TokenURL(srv), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(key), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("token endpoint: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	r := TokenReply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.Fields)
	return r
}

// ClientCredentials gets an access token for consumer c and returns it with its scopes.
func ClientCredentials(t *testing.T, srv *bbemu.Server, c bbemu.Consumer) (string, []string) {
	t.Helper()
	r := PostToken(t, srv, c.Key, c.Secret, url.Values{"grant_type": {"client_credentials"}})
	tok, _ := r.Fields["access_token"].(string)
	if r.Status != http.StatusOK || tok == "" {
		t.Fatalf("client_credentials for consumer %q: status %d, error %v", c.Name, r.Status, r.Fields["error"])
	}
	scopes, _ := r.Fields["scopes"].(string)
	return tok, strings.Fields(scopes)
}

// bearer adds "Authorization: Bearer token" to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// APIClient returns an *http.Client that sends token through a validator attached to t.
func APIClient(t *testing.T, sp *Spec, srv *bbemu.Server, token string, scopes []string) (*http.Client, *Validator) {
	t.Helper()
	v := AttachValidator(t, sp, srv.APIURL, nil)
	if scopes != nil {
		v.Grant(token, scopes)
	}
	return &http.Client{Transport: bearer{token: token, next: v}, Timeout: Timeout}, v
}

// Raw sends one request through hc and returns status and body.
func Raw(t *testing.T, hc *http.Client, method, u, body string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// ErrorMessage returns error.message of an API error body.
func ErrorMessage(b []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return e.Error.Message
}

// ScopedWorld is a small world whose consumers each lack some scopes: one user (admin of
// workspace "acme", with project "PROJ" and a few repositories) and one private consumer per
// entry of consumers, named by the key.
func ScopedWorld(t *testing.T, consumers map[string][]string) (*bbemu.Server, map[string]bbemu.Consumer) {
	t.Helper()
	e := bbemu.New(bbemu.Options{})
	const me = "557058:conformance"
	e.AddUser(bbemu.User{UUID: "{6b1c4a2e-5a6f-4f3e-9b8a-0c1d2e3f4a5b}", AccountID: me, DisplayName: "Conformance", Nickname: "conf"})
	e.AddWorkspace(bbemu.Workspace{Slug: "acme", Name: "Acme"}, map[string]bool{me: true})
	e.AddProject("acme", bbemu.Project{Key: "PROJ", Name: "Project", IsPrivate: true})
	e.AddRepos("acme", bbemu.Repo{Slug: "app", Name: "App", IsPrivate: true}, bbemu.Repo{Slug: "lib", Name: "Lib", IsPrivate: true})
	out := map[string]bbemu.Consumer{}
	for name, scopes := range consumers {
		id := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return 'x'
		}, name)
		c := bbemu.Consumer{Key: "key" + id, Secret: "secret" + id + "0123456789abcdef", Name: name,
			CallbackURL: "http://localhost:3001/bitbucket-auth-app/callback", Private: true, Scopes: scopes, Owner: me}
		e.AddConsumer(c)
		out[name] = c
	}
	return Start(t, e), out
}
