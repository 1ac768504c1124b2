package bitbucket_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/openapicheck"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// The client's conformance suite: every call of the REST client, against the emulator, goes
// through internal/openapicheck's validating transport, so each request bbsetup sends and each
// answer it reads is held against Bitbucket's OpenAPI document. The emulator's own suite is
// setup/emulator/bitbucket/conformance_test.go.

// TestClientAgainstEmulator drives every call of the real client against the real emulator
// through the validator: each request the client sends and each answer is checked against
// the document, and the client may call only bbsetup's operations, none deprecated.
func TestClientAgainstEmulator(t *testing.T) {
	sp := openapicheck.Load(t)
	e, cons := bbemu.NewDemo(bbemu.Options{}, 250) // 150 in acme: two pages of 100
	srv := openapicheck.Start(t, e)
	tok, scopes := openapicheck.ClientCredentials(t, srv, cons)
	c, v := bbClient(t, sp, srv, tok, scopes)
	ctx, cancel := context.WithTimeout(context.Background(), 2*openapicheck.Timeout)
	defer cancel()

	u, err := c.CurrentUser(ctx)
	if err != nil {
		t.Fatalf("CurrentUser: %v", err)
	}
	if u.Nickname != "demo" || !strings.HasPrefix(u.UUID, "{") {
		t.Errorf("CurrentUser = %+v", u)
	}

	wss, err := c.Workspaces(ctx)
	if err != nil {
		t.Fatalf("Workspaces: %v", err)
	}
	if len(wss) != 3 {
		t.Errorf("Workspaces = %+v, want acme, acme-labs, playground", wss)
	}

	list := func(o bitbucket.ListOptions) int {
		n := 0
		err := c.ListRepositories(ctx, "acme", o, func(batch []bitbucket.Repository, loaded, total int) { n += len(batch) })
		if err != nil {
			t.Fatalf("ListRepositories(%+v): %v", o, err)
		}
		return n
	}
	if n := list(bitbucket.ListOptions{}); n != 150 {
		t.Errorf("ListRepositories(acme) delivered %d repositories, want 150", n)
	}
	list(bitbucket.ListOptions{Filter: "api", Sort: "-updated_on"})
	list(bitbucket.ListOptions{Filter: `quote " and \ backslash`, Sort: "name", PageLen: 10})
	list(bitbucket.ListOptions{PageLen: 25})

	ps, err := c.Projects(ctx, "acme")
	if err != nil {
		t.Fatalf("Projects: %v", err)
	}
	if len(ps) != 3 {
		t.Errorf("Projects(acme) = %+v", ps)
	}

	r, err := c.CreateRepository(ctx, "acme", bitbucket.CreateRepo{Name: "Conformance App", Description: "made by the conformance test", ProjectKey: "WEB"})
	if err != nil {
		t.Fatalf("CreateRepository: %v", err)
	}
	if r.Slug != "conformance-app" || r.ProjectKey != "WEB" {
		t.Errorf("CreateRepository = %+v", r)
	}
	if _, err := c.CreateRepository(ctx, "acme", bitbucket.CreateRepo{Name: "No Project"}); err != nil {
		t.Errorf("CreateRepository without a project: %v", err)
	}
	if got, err := c.Repository(ctx, "acme", "conformance-app"); err != nil || got.Slug != "conformance-app" {
		t.Errorf("Repository(acme, conformance-app) = %+v, %v", got, err)
	}
	var nf *bitbucket.NotFoundError
	if _, err := c.Repository(ctx, "acme", "no-such-repository"); !errors.As(err, &nf) {
		t.Errorf("Repository of a missing slug: %v, want *NotFoundError", err)
	}
	_, err = c.CreateRepository(ctx, "acme", bitbucket.CreateRepo{Name: "Conformance App"})
	var exists *bitbucket.ExistsError
	if !errors.As(err, &exists) {
		t.Errorf("CreateRepository of an existing slug: %v, want *ExistsError", err)
	}

	ops := openapicheck.CheckCalledOperations(t, sp, v)
	for _, op := range openapicheck.UsedOperations {
		if !slices.Contains(ops, op) {
			t.Errorf("the client never called %s: it is not validated", op)
		}
	}
	t.Logf("%d exchanges validated over %v", len(v.Calls()), ops)
}

// TestClientErrorsAgainstEmulator drives the client into the errors it can reach: a bad
// token (401), an expired one (401), a token without a scope (403), an unknown workspace
// (404), and checks both the emulator's answers (via the validator) and the typed errors.
func TestClientErrorsAgainstEmulator(t *testing.T) {
	sp := openapicheck.Load(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*openapicheck.Timeout)
	defer cancel()

	t.Run("bad token", func(t *testing.T) {
		e, _ := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := openapicheck.Start(t, e)
		c, v := bbClient(t, sp, srv, "not-a-token", nil)
		_, err := c.CurrentUser(ctx)
		var ae *bitbucket.AuthError
		if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || ae.Expired {
			t.Errorf("CurrentUser with a bad token: %v, want *AuthError 401 not expired", err)
		}
		err = c.ListRepositories(ctx, "acme", bitbucket.ListOptions{}, nil)
		if !errors.As(err, &ae) {
			t.Errorf("ListRepositories with a bad token: %v, want *AuthError", err)
		}
		openapicheck.CheckCalledOperations(t, sp, v)
	})

	t.Run("expired token", func(t *testing.T) {
		e, cons := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := openapicheck.Start(t, e)
		tok, scopes := openapicheck.ClientCredentials(t, srv, cons)
		c, v := bbClient(t, sp, srv, tok, scopes)
		e.Controls().ExpireAccessTokens()
		_, err := c.Projects(ctx, "acme")
		var ae *bitbucket.AuthError
		if !errors.As(err, &ae) || !ae.Expired {
			t.Errorf("Projects with an expired token: %v, want *AuthError{Expired: true}", err)
		}
		openapicheck.CheckCalledOperations(t, sp, v)
	})

	t.Run("missing scopes", func(t *testing.T) {
		srv, cons := openapicheck.ScopedWorld(t, map[string][]string{"no-repo": {"account", "team", "project"}})
		tok, scopes := openapicheck.ClientCredentials(t, srv, cons["no-repo"])
		c, v := bbClient(t, sp, srv, tok, scopes)
		err := c.ListRepositories(ctx, "acme", bitbucket.ListOptions{}, nil)
		var se *bitbucket.ScopeError
		if !errors.As(err, &se) || !slices.Contains(se.Required, "repository") {
			t.Errorf("ListRepositories without repository: %v, want *ScopeError requiring repository", err)
		}
		_, err = c.CreateRepository(ctx, "acme", bitbucket.CreateRepo{Name: "x"})
		if !errors.As(err, &se) || !slices.Contains(se.Required, "repository:admin") {
			t.Errorf("CreateRepository without repository:admin: %v, want *ScopeError requiring repository:admin", err)
		}
		openapicheck.CheckCalledOperations(t, sp, v)
	})

	t.Run("invalid slug never sent", func(t *testing.T) {
		e, cons := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := openapicheck.Start(t, e)
		tok, scopes := openapicheck.ClientCredentials(t, srv, cons)
		c, v := bbClient(t, sp, srv, tok, scopes)
		for _, slug := range []string{"a--b", "Upper", strings.Repeat("x", 63)} {
			if _, err := c.CreateRepository(ctx, "acme", bitbucket.CreateRepo{Name: "n", Slug: slug}); err == nil {
				t.Errorf("CreateRepository with slug %q succeeded", slug)
			}
		}
		if calls := v.Calls(); len(calls) != 0 {
			t.Errorf("invalid slugs reached the API: %v (the emulator's 400s for them are checked in TestEmulatorErrorResponses)", calls)
		}
	})

	t.Run("unknown workspace", func(t *testing.T) {
		e, cons := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := openapicheck.Start(t, e)
		tok, scopes := openapicheck.ClientCredentials(t, srv, cons)
		c, v := bbClient(t, sp, srv, tok, scopes)
		if _, err := c.Projects(ctx, "no-such-ws"); err == nil {
			t.Error("Projects(no-such-ws) succeeded")
		}
		if err := c.ListRepositories(ctx, "no-such-ws", bitbucket.ListOptions{}, nil); err == nil {
			t.Error("ListRepositories(no-such-ws) succeeded")
		}
		openapicheck.CheckCalledOperations(t, sp, v)
	})

	t.Run("oauth client credentials client", func(t *testing.T) {
		// The token comes from setup/oauth this time; its requests to the API go through the
		// validator too (hc's transport is the base of the client it returns).
		e, cons := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := openapicheck.Start(t, e)
		v := openapicheck.AttachValidator(t, sp, srv.APIURL, nil)
		hc := oauth.ClientCredentialsClient(ctx, oauth.EndpointsFor(srv.URL), cons.Key, cons.Secret, &http.Client{Transport: v, Timeout: openapicheck.Timeout})
		c := bitbucket.New(srv.APIURL, hc, bitbucket.Options{MaxRetries: -1, RequestTimeout: openapicheck.Timeout})
		if _, err := c.CurrentUser(ctx); err != nil {
			t.Fatalf("CurrentUser: %v", err)
		}
		if len(v.Calls()) == 0 {
			t.Error("oauth.ClientCredentialsClient's requests bypassed the given http.Client's transport")
		}
		openapicheck.CheckCalledOperations(t, sp, v)
	})
}

// bbClient is the real REST client over openapicheck.APIClient; retries off so each error is seen once.
func bbClient(t *testing.T, sp *openapicheck.Spec, srv *bbemu.Server, token string, scopes []string) (*bitbucket.Client, *openapicheck.Validator) {
	t.Helper()
	hc, v := openapicheck.APIClient(t, sp, srv, token, scopes)
	return bitbucket.New(srv.APIURL, hc, bitbucket.Options{Concurrency: 4, RequestTimeout: openapicheck.Timeout, MaxRetries: -1}), v
}

// TestRequiredScopesInDocument: every scope bbsetup asks for is a scope of the document's
// oauth2 scheme, and each operation bbsetup calls needs only scopes bbsetup asks for.
func TestRequiredScopesInDocument(t *testing.T) {
	sp := openapicheck.Load(t)
	req := openapicheck.RequiredScopes()
	if len(req) != 11 {
		t.Errorf("oauth.RequiredPermissions() has %d boxes, want the 11 of SPEC.md", len(req))
	}
	flows := sp.Doc.Components.SecuritySchemes["oauth2"].Value.Flows
	docScopes := flows.AuthorizationCode.Scopes
	for _, s := range req {
		if _, ok := docScopes[s]; !ok {
			t.Errorf("bbsetup requires scope %q; the document's oauth2 scheme has no such scope", s)
		}
	}
	// Only the authorizationCode flow declares scopes; another flow would need checking too.
	if flows.Implicit != nil || flows.Password != nil || flows.ClientCredentials != nil {
		t.Error("the document's oauth2 scheme now declares more flows than authorizationCode: check their scopes")
	}
	eff := openapicheck.EffectiveScopes(req)
	for _, op := range openapicheck.UsedOperations {
		need, ok := sp.DocScopes(op)
		if !ok {
			t.Errorf("%s: the document does not admit oauth2 for it", op)
			continue
		}
		for _, s := range need {
			if _, ok := docScopes[s]; !ok {
				t.Errorf("%s requires scope %q, which the oauth2 scheme does not declare", op, s)
			}
			if !eff[s] {
				t.Errorf("%s requires scope %q, which bbsetup does not ask for (required: %v)", op, s, req)
			}
		}
	}
	// Pin the per-operation scopes the emulator and client are built on; a new document that
	// changes them must be looked at.
	want := map[string]string{
		"GET /user":                                  "account",
		"GET /user/workspaces":                       "account",
		"GET /workspaces/{workspace}":                "",
		"GET /workspaces/{workspace}/projects":       "project",
		"GET /repositories/{workspace}":              "repository",
		"POST /repositories/{workspace}/{repo_slug}": "repository:admin",
		"GET /workspaces":                            "account",
		"GET /user/permissions/workspaces":           "account",
	}
	for op, w := range want {
		need, _ := sp.DocScopes(op)
		s := slices.Clone(need)
		sort.Strings(s)
		if got := strings.Join(s, " "); got != w {
			t.Errorf("%s: the document requires oauth2 scopes %q, these tests assume %q", op, got, w)
		}
	}
}
