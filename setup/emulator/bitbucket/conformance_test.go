package bitbucket_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/openapicheck"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// The emulator's conformance suite: its answers, success and error, are held against
// Bitbucket's OpenAPI document through internal/openapicheck's validating transport
// (token_conformance_test.go pins the token endpoint, which the document does not describe).
// The client's suite is setup/bitbucket/conformance_test.go.

// createBody is a create-repository body that satisfies the document's "repository" schema
// (which requires "type", also on the nested project).
func createBody(projectKey string) string {
	b := `{"type":"repository","scm":"git","is_private":true,"name":"Conformance"`
	if projectKey != "" {
		b += `,"project":{"type":"project","key":"` + projectKey + `"}`
	}
	return b + `}`
}

// TestEmulatorErrorResponses drives the emulator directly with the error cases the client
// cannot easily reach; every answer goes through the validator.
func TestEmulatorErrorResponses(t *testing.T) {
	sp := openapicheck.Load(t)
	srv, cons := openapicheck.ScopedWorld(t, map[string][]string{"all": openapicheck.RequiredScopes()})
	tok, scopes := openapicheck.ClientCredentials(t, srv, cons["all"])
	hc, _ := openapicheck.APIClient(t, sp, srv, tok, scopes)
	bad, _ := openapicheck.APIClient(t, sp, srv, "not-a-valid-token", nil)
	api := srv.APIURL

	cases := []struct {
		name    string
		hc      *http.Client
		method  string
		path    string
		body    string
		status  int
		message string // error.message prefix; "" = any
	}{
		{"GET /workspaces removed", hc, "GET", "/workspaces", "", 410, "CHANGE-2770"},
		{"GET /user/permissions/workspaces removed", hc, "GET", "/user/permissions/workspaces", "", 410, "CHANGE-2770"},
		{"unknown workspace", hc, "GET", "/workspaces/no-such-ws", "", 404, ""},
		{"projects of an unknown workspace", hc, "GET", "/workspaces/no-such-ws/projects", "", 404, ""},
		{"repositories of an unknown workspace", hc, "GET", "/repositories/no-such-ws", "", 404, ""},
		{"create: exists", hc, "POST", "/repositories/acme/app", createBody("PROJ"), 400, "Repository with this Slug and Owner already exists."},
		{"create: uppercase and space in slug", hc, "POST", "/repositories/acme/Bad%20Slug", createBody("PROJ"), 400, ""},
		{"create: double dash", hc, "POST", "/repositories/acme/a--b", createBody("PROJ"), 400, ""},
		{"create: 63 characters", hc, "POST", "/repositories/acme/" + strings.Repeat("a", 63), createBody("PROJ"), 400, ""},
		{"create: unknown project", hc, "POST", "/repositories/acme/new-one", createBody("NOPE"), 400, ""},
		{"create: unknown workspace", hc, "POST", "/repositories/no-such-ws/new-one", createBody(""), 0, ""},
		{"create: success at the 62-character limit", hc, "POST", "/repositories/acme/" + strings.Repeat("b", 62), createBody("PROJ"), 200, ""},
		{"page 2 of repositories", hc, "GET", "/repositories/acme?pagelen=1&page=2", "", 200, ""},
		{"filtered, sorted repositories", hc, "GET", `/repositories/acme?q=name+~+"ap"&sort=-updated_on`, "", 200, ""},
		{"admin workspaces sorted by slug", hc, "GET", "/user/workspaces?administrator=true&sort=slug", "", 200, ""},
	}
	for _, op := range []struct{ method, path, body string }{
		{"GET", "/user", ""}, {"GET", "/user/workspaces", ""}, {"GET", "/workspaces/acme", ""},
		{"GET", "/workspaces/acme/projects", ""}, {"GET", "/repositories/acme", ""},
		{"POST", "/repositories/acme/by-bad-token", createBody("PROJ")},
	} {
		cases = append(cases, struct {
			name    string
			hc      *http.Client
			method  string
			path    string
			body    string
			status  int
			message string
		}{"bad token: " + op.method + " " + op.path, bad, op.method, op.path, op.body, 401, ""})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := openapicheck.Raw(t, c.hc, c.method, api+c.path, c.body)
			switch {
			case c.status == 0 && status < 400:
				t.Errorf("status %d, want an error", status)
			case c.status != 0 && status != c.status:
				t.Errorf("status %d, want %d (body %.200s)", status, c.status, body)
			}
			if c.message != "" && !strings.HasPrefix(openapicheck.ErrorMessage(body), c.message) {
				t.Errorf("error.message %q, want it to start with %q", openapicheck.ErrorMessage(body), c.message)
			}
			if c.status == 0 {
				t.Logf("answered %d: %.200s", status, body)
			}
		})
	}

	t.Run("expired token", func(t *testing.T) {
		srv, cons := openapicheck.ScopedWorld(t, map[string][]string{"all": openapicheck.RequiredScopes()})
		tok, scopes := openapicheck.ClientCredentials(t, srv, cons["all"])
		hc, _ := openapicheck.APIClient(t, sp, srv, tok, scopes)
		srv.Controls().ExpireAccessTokens()
		status, body := openapicheck.Raw(t, hc, "GET", srv.APIURL+"/user", "")
		if status != 401 || !strings.HasPrefix(openapicheck.ErrorMessage(body), "Access token expired") {
			t.Errorf("expired token: %d %s, want 401 \"Access token expired...\" (SPEC.md)", status, body)
		}
	})
}

// TestEmulatorScopesMatchDocument: for each scope bbsetup requires, a token lacking it (and
// every scope implying it) calls each operation; the emulator must answer 403 exactly when the
// document's security requirement names a scope the token lacks, and its 403 must name the
// document's scopes as required and the token's as granted. The validator checks the same on
// every exchange (checkScopes); this test makes sure each case is actually exercised.
func TestEmulatorScopesMatchDocument(t *testing.T) {
	sp := openapicheck.Load(t)
	req := openapicheck.RequiredScopes()
	consumers := map[string][]string{"none": {}, "all": req}
	for _, s := range req {
		var keep []string
		for _, g := range req {
			if !openapicheck.EffectiveScopes([]string{g})[s] {
				keep = append(keep, g)
			}
		}
		consumers["without "+s] = keep
	}
	srv, cons := openapicheck.ScopedWorld(t, consumers)
	ops := []struct{ op, method, path, body string }{
		{"GET /user", "GET", "/user", ""},
		{"GET /user/workspaces", "GET", "/user/workspaces", ""},
		{"GET /workspaces/{workspace}", "GET", "/workspaces/acme", ""},
		{"GET /workspaces/{workspace}/projects", "GET", "/workspaces/acme/projects", ""},
		{"GET /repositories/{workspace}", "GET", "/repositories/acme", ""},
		{"POST /repositories/{workspace}/{repo_slug}", "POST", "/repositories/acme/", createBody("PROJ")},
		// GET /workspaces and GET /user/permissions/workspaces are left out: SPEC.md says
		// they were removed and answer 410 CHANGE-2770, whatever the token's scopes
		// (TestEmulatorErrorResponses pins that).
	}
	n, denied := 0, 0
	for name, c := range cons {
		t.Run(name, func(t *testing.T) {
			tok, granted := openapicheck.ClientCredentials(t, srv, c)
			if !openapicheck.SameSet(granted, c.Scopes) {
				t.Errorf("the token's scopes %q differ from the consumer's %q", granted, c.Scopes)
			}
			hc, _ := openapicheck.APIClient(t, sp, srv, tok, granted)
			eff := openapicheck.EffectiveScopes(granted)
			for _, o := range ops {
				need, _ := sp.DocScopes(o.op)
				var lacking []string
				for _, s := range need {
					if !eff[s] {
						lacking = append(lacking, s)
					}
				}
				path := o.path
				if strings.HasSuffix(path, "/") {
					n++
					path += fmt.Sprintf("scoped-%d", n)
				}
				status, body := openapicheck.Raw(t, hc, o.method, srv.APIURL+path, o.body)
				if len(lacking) == 0 {
					if status == http.StatusForbidden {
						t.Errorf("%s: 403 though the token holds %q, all the document requires", o.op, need)
					}
					continue
				}
				if status != http.StatusForbidden {
					t.Errorf("%s: %d to a token without %q, want 403 (the document requires oauth2 %q)", o.op, status, lacking, need)
					continue
				}
				denied++
				var e struct {
					Error struct {
						Message string
						Detail  struct{ Required, Granted []string }
					}
				}
				if err := json.Unmarshal(body, &e); err != nil {
					t.Errorf("%s: 403 body: %v", o.op, err)
					continue
				}
				if e.Error.Message != "Your credentials lack one or more required privilege scopes." {
					t.Errorf("%s: 403 message %q, want SPEC.md's", o.op, e.Error.Message)
				}
				if !openapicheck.SameSet(e.Error.Detail.Required, need) {
					t.Errorf("%s: 403 detail.required %q, the document requires %q", o.op, e.Error.Detail.Required, need)
				}
				if !openapicheck.SameSet(e.Error.Detail.Granted, granted) {
					t.Errorf("%s: 403 detail.granted %q, the token has %q", o.op, e.Error.Detail.Granted, granted)
				}
			}
		})
	}
	// account, project, repository and repository:admin withheld: 2+2+1+1 (+1 for "none"
	// on each of the 6 scoped operations) 403s at least.
	if denied < 6 {
		t.Errorf("only %d answers were 403: the scope cases were not exercised", denied)
	}
	// Every operation's required scope is withheld by at least one consumer above.
	for _, o := range ops {
		need, _ := sp.DocScopes(o.op)
		for _, s := range need {
			if !slices.Contains(req, s) {
				t.Errorf("%s requires %q, which no consumer here withholds", o.op, s)
			}
		}
	}
}

// TestEmulatorFaultResponses validates the bodies the emulator's fault plan answers with
// (rate limits, server errors, a 410 on the repository list, lying pagination), on each of
// bbsetup's operations.
func TestEmulatorFaultResponses(t *testing.T) {
	sp := openapicheck.Load(t)
	e, cons := bbemu.NewDemo(bbemu.Options{}, 30)
	srv := openapicheck.Start(t, e)
	tok, scopes := openapicheck.ClientCredentials(t, srv, cons)
	hc, v := openapicheck.APIClient(t, sp, srv, tok, scopes)
	ops := []struct{ method, path, body string }{
		{"GET", "/user", ""}, {"GET", "/user/workspaces", ""}, {"GET", "/workspaces/acme", ""},
		{"GET", "/workspaces/acme/projects", ""}, {"GET", "/repositories/acme", ""},
		{"POST", "/repositories/acme/fault-", createBody("PLAT")},
	}
	n := 0
	for _, status := range []int{401, 429, 500, 502, 503} {
		for _, o := range ops {
			n++
			e.Controls().SetFaults(bbemu.Fault{Kind: bbemu.FaultStatus, Status: status, RetryAfter: "1"})
			path := o.path
			if strings.HasSuffix(path, "-") {
				path += fmt.Sprint(n)
			}
			if got, body := openapicheck.Raw(t, hc, o.method, srv.APIURL+path, o.body); got != status {
				t.Errorf("%s %s with a %d fault: %d %.200s", o.method, path, status, got, body)
			}
		}
	}
	e.Controls().SetFaults(bbemu.Fault{Kind: bbemu.FaultStatus, Status: 410, PathPrefix: "/2.0/repositories/acme"})
	if got, _ := openapicheck.Raw(t, hc, "GET", srv.APIURL+"/repositories/acme", ""); got != 410 {
		t.Errorf("410 fault: %d", got)
	}
	for _, k := range []bbemu.FaultKind{bbemu.FaultRepeatNext, bbemu.FaultLieSize} {
		e.Controls().SetFaults(bbemu.Fault{Kind: k})
		openapicheck.Raw(t, hc, "GET", srv.APIURL+"/repositories/acme?pagelen=5", "")
		openapicheck.Raw(t, hc, "GET", srv.APIURL+"/workspaces/acme/projects?pagelen=1", "")
	}
	e.Controls().SetFaults()
	if len(v.Calls()) != 5*len(ops)+1+4 {
		t.Errorf("%d exchanges validated, want %d", len(v.Calls()), 5*len(ops)+5)
	}
}
