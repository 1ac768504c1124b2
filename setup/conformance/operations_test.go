package conformance

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/oauth"
)

// TestOperationsExistUndeprecated: every operation bbsetup uses is in the document and not
// deprecated, and the two SPEC.md calls removed are the ones the document deprecates.
func TestOperationsExistUndeprecated(t *testing.T) {
	sp := loadSpec(t)
	for _, name := range bbsetupOperations {
		op := sp.operation(name)
		switch {
		case op == nil:
			t.Errorf("%s: not in the document", name)
		case op.Deprecated:
			t.Errorf("%s: the document marks it deprecated", name)
		}
	}
	for _, name := range removedOperations {
		if op := sp.operation(name); op == nil || !op.Deprecated {
			t.Errorf("%s: SPEC.md says it was removed (410 CHANGE-2770); the document should mark it deprecated", name)
		}
	}
}

// checkCalledOperations fails t when the validator saw an operation outside bbsetup's list or
// one the document marks deprecated, and returns the distinct operations called.
func checkCalledOperations(t *testing.T, sp *spec, v *validator) []string {
	t.Helper()
	ops := v.operations()
	for _, p := range calledOperationProblems(sp, ops) {
		t.Error(p)
	}
	return ops
}

// calledOperationProblems lists, for operations the client called, each one outside
// bbsetupOperations and each one the document marks deprecated.
func calledOperationProblems(sp *spec, ops []string) []string {
	var out []string
	for _, op := range ops {
		if !slices.Contains(bbsetupOperations, op) {
			out = append(out, fmt.Sprintf("the client called %s, which is not among the operations bbsetup uses (%v): add it to bbsetupOperations only after checking it in the document", op, bbsetupOperations))
		}
		if o := sp.operation(op); o != nil && o.Deprecated {
			out = append(out, fmt.Sprintf("the client called %s, which the document marks deprecated", op))
		}
	}
	return out
}

// requiredScopes are the scope strings bbsetup requires of a consumer.
func requiredScopes() []string {
	var out []string
	for _, p := range oauth.RequiredPermissions() {
		out = append(out, p.Scope)
	}
	return out
}

// TestRequiredScopesInDocument: every scope bbsetup asks for is a scope of the document's
// oauth2 scheme, and each operation bbsetup calls needs only scopes bbsetup asks for.
func TestRequiredScopesInDocument(t *testing.T) {
	sp := loadSpec(t)
	req := requiredScopes()
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
	eff := effectiveScopes(req)
	for _, op := range bbsetupOperations {
		need, ok := sp.docScopes(op)
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
		need, _ := sp.docScopes(op)
		s := slices.Clone(need)
		sort.Strings(s)
		if got := strings.Join(s, " "); got != w {
			t.Errorf("%s: the document requires oauth2 scopes %q, these tests assume %q", op, got, w)
		}
	}
}
