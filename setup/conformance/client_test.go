package conformance

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// TestClientAgainstEmulator drives every call of the real client against the real emulator
// through the validator: each request the client sends and each answer is checked against
// the document, and the client may call only bbsetup's operations, none deprecated.
func TestClientAgainstEmulator(t *testing.T) {
	sp := loadSpec(t)
	e, cons := bbemu.NewDemo(bbemu.Options{}, 250) // 150 in acme: two pages of 100
	srv := start(t, e)
	tok, scopes := clientCredentials(t, srv, cons)
	c, v := bbClient(t, sp, srv, tok, scopes)
	ctx, cancel := context.WithTimeout(context.Background(), 2*testTimeout)
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
	_, err = c.CreateRepository(ctx, "acme", bitbucket.CreateRepo{Name: "Conformance App"})
	var exists *bitbucket.ExistsError
	if !errors.As(err, &exists) {
		t.Errorf("CreateRepository of an existing slug: %v, want *ExistsError", err)
	}

	ops := checkCalledOperations(t, sp, v)
	for _, op := range bbsetupOperations {
		if !slices.Contains(ops, op) {
			t.Errorf("the client never called %s: it is not validated", op)
		}
	}
	t.Logf("%d exchanges validated over %v", len(v.callsList()), ops)
}

// TestClientErrorsAgainstEmulator drives the client into the errors it can reach: a bad
// token (401), an expired one (401), a token without a scope (403), an unknown workspace
// (404), and checks both the emulator's answers (via the validator) and the typed errors.
func TestClientErrorsAgainstEmulator(t *testing.T) {
	sp := loadSpec(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*testTimeout)
	defer cancel()

	t.Run("bad token", func(t *testing.T) {
		e, _ := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := start(t, e)
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
		checkCalledOperations(t, sp, v)
	})

	t.Run("expired token", func(t *testing.T) {
		e, cons := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := start(t, e)
		tok, scopes := clientCredentials(t, srv, cons)
		c, v := bbClient(t, sp, srv, tok, scopes)
		e.ExpireAccessTokens()
		_, err := c.Projects(ctx, "acme")
		var ae *bitbucket.AuthError
		if !errors.As(err, &ae) || !ae.Expired {
			t.Errorf("Projects with an expired token: %v, want *AuthError{Expired: true}", err)
		}
		checkCalledOperations(t, sp, v)
	})

	t.Run("missing scopes", func(t *testing.T) {
		srv, cons := scopedWorld(t, map[string][]string{"no-repo": {"account", "team", "project"}})
		tok, scopes := clientCredentials(t, srv, cons["no-repo"])
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
		checkCalledOperations(t, sp, v)
	})

	t.Run("invalid slug never sent", func(t *testing.T) {
		e, cons := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := start(t, e)
		tok, scopes := clientCredentials(t, srv, cons)
		c, v := bbClient(t, sp, srv, tok, scopes)
		for _, slug := range []string{"a--b", "Upper", strings.Repeat("x", 63)} {
			if _, err := c.CreateRepository(ctx, "acme", bitbucket.CreateRepo{Name: "n", Slug: slug}); err == nil {
				t.Errorf("CreateRepository with slug %q succeeded", slug)
			}
		}
		if calls := v.callsList(); len(calls) != 0 {
			t.Errorf("invalid slugs reached the API: %v (the emulator's 400s for them are checked in TestEmulatorErrorResponses)", calls)
		}
	})

	t.Run("unknown workspace", func(t *testing.T) {
		e, cons := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := start(t, e)
		tok, scopes := clientCredentials(t, srv, cons)
		c, v := bbClient(t, sp, srv, tok, scopes)
		if _, err := c.Projects(ctx, "no-such-ws"); err == nil {
			t.Error("Projects(no-such-ws) succeeded")
		}
		if err := c.ListRepositories(ctx, "no-such-ws", bitbucket.ListOptions{}, nil); err == nil {
			t.Error("ListRepositories(no-such-ws) succeeded")
		}
		checkCalledOperations(t, sp, v)
	})

	t.Run("oauth client credentials client", func(t *testing.T) {
		// The token comes from setup/oauth this time; its requests to the API go through the
		// validator too (hc's transport is the base of the client it returns).
		e, cons := bbemu.NewDemo(bbemu.Options{}, 5)
		srv := start(t, e)
		v := attachValidator(t, sp, srv.APIURL, nil)
		hc := oauth.ClientCredentialsClient(ctx, oauth.EndpointsFor(srv.URL), cons.Key, cons.Secret, &http.Client{Transport: v, Timeout: testTimeout})
		c := bitbucket.New(srv.APIURL, hc, bitbucket.Options{MaxRetries: 0, RequestTimeout: testTimeout})
		if _, err := c.CurrentUser(ctx); err != nil {
			t.Fatalf("CurrentUser: %v", err)
		}
		if len(v.callsList()) == 0 {
			t.Error("oauth.ClientCredentialsClient's requests bypassed the given http.Client's transport")
		}
		checkCalledOperations(t, sp, v)
	})
}
