package openapicheck

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bbsetup/bbsetup/setup/oauth"
)

// CheckCalledOperations fails t when the validator saw an operation outside bbsetup's list or
// one the document marks deprecated, and returns the distinct operations called.
func CheckCalledOperations(t *testing.T, sp *Spec, v *Validator) []string {
	t.Helper()
	ops := v.Operations()
	for _, p := range CalledOperationProblems(sp, ops) {
		t.Error(p)
	}
	return ops
}

// CalledOperationProblems lists, for operations the client called, each one outside
// UsedOperations and each one the document marks deprecated.
func CalledOperationProblems(sp *Spec, ops []string) []string {
	var out []string
	for _, op := range ops {
		if !slices.Contains(UsedOperations, op) {
			out = append(out, fmt.Sprintf("the client called %s, which is not among the operations bbsetup uses (%v): add it to openapicheck.UsedOperations only after checking it in the document", op, UsedOperations))
		}
		if o := sp.Operation(op); o != nil && o.Deprecated {
			out = append(out, fmt.Sprintf("the client called %s, which the document marks deprecated", op))
		}
	}
	return out
}

// RequiredScopes are the scope strings bbsetup requires of a consumer.
func RequiredScopes() []string {
	var out []string
	for _, p := range oauth.RequiredPermissions() {
		out = append(out, p.Scope)
	}
	return out
}
