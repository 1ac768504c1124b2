package oauth

import (
	"sort"
	"strings"

	"golang.org/x/oauth2"
)

// Permission is one checkbox of the Bitbucket consumer form.
type Permission struct {
	Row   string // the form's row, e.g. "Webhooks"
	Level string // the box in that row, e.g. "Read and write"
	Scope string // the scope string Bitbucket reports for it, e.g. "webhook"
}

// Label names the box in the consumer UI's words: "Webhooks: Read and write".
func (p Permission) Label() string { return p.Row + ": " + p.Level }

// consumerForm is every box of Bitbucket's OAuth consumer form, in the form's order, with the
// scope string Bitbucket reports for it; required marks the 11 Amplication needs. It is the
// product's one table of scope labels: the REST client's errors (setup/bitbucket) name boxes
// through ScopeLabel. (The emulator's consent-page words and the conformance suite's scope
// tables are kept independent on purpose: a fake or a check that read this table would agree
// with it when it is wrong.)
var consumerForm = []struct {
	Permission
	required bool
}{
	{Permission{"Account", "Email", "email"}, false},
	{Permission{"Account", "Read", "account"}, true},
	{Permission{"Account", "Write", "account:write"}, false},
	{Permission{"Workspace membership", "Read", "team"}, true},
	{Permission{"Workspace membership", "Write", "team:write"}, true},
	{Permission{"Projects", "Read", "project"}, true},
	{Permission{"Projects", "Write", "project:write"}, false},
	{Permission{"Projects", "Admin", "project:admin"}, true},
	{Permission{"Repositories", "Read", "repository"}, true},
	{Permission{"Repositories", "Write", "repository:write"}, true},
	{Permission{"Repositories", "Admin", "repository:admin"}, true},
	{Permission{"Repositories", "Delete", "repository:delete"}, false},
	{Permission{"Pull requests", "Read", "pullrequest"}, true},
	{Permission{"Pull requests", "Write", "pullrequest:write"}, true},
	{Permission{"Webhooks", "Read and write", "webhook"}, true},
	{Permission{"Issues", "Read", "issue"}, false},
	{Permission{"Issues", "Write", "issue:write"}, false},
	{Permission{"Wikis", "Read and write", "wiki"}, false},
	{Permission{"Snippets", "Read", "snippet"}, false},
	{Permission{"Snippets", "Write", "snippet:write"}, false},
	{Permission{"Pipelines", "Read", "pipeline"}, false},
	{Permission{"Pipelines", "Write", "pipeline:write"}, false},
	{Permission{"Pipelines", "Edit variables", "pipeline:variable"}, false},
	{Permission{"Runners", "Read", "runner"}, false},
	{Permission{"Runners", "Write", "runner:write"}, false},
}

// RequiredPermissions returns the 11 boxes Amplication needs ticked, across 6 rows, in the
// order the consumer form shows them.
func RequiredPermissions() []Permission {
	var out []Permission
	for _, b := range consumerForm {
		if b.required {
			out = append(out, b.Permission)
		}
	}
	return out
}

// ScopeLabel names the consumer-form box that grants a scope string, e.g. "repository:admin"
// -> "Repositories: Admin"; an unknown scope is returned as it is.
func ScopeLabel(scope string) string {
	for _, b := range consumerForm {
		if b.Scope == scope {
			return b.Label()
		}
	}
	return scope
}

// implies lists what a granted scope also grants (SPEC.md, "Scopes"). project:admin ⇒ project
// is uncertain; treating it as implied means a consumer that reports only "project:admin"
// still counts as having Projects: Read. repository:admin implies nothing.
var implies = map[string][]string{
	"repository:write":  {"repository"},
	"pullrequest":       {"repository"},
	"pullrequest:write": {"pullrequest", "repository:write"},
	"team:write":        {"team"},
	"project:admin":     {"project"},
}

// effective returns the granted scopes closed under the implication rules.
func effective(granted []string) map[string]bool {
	have := map[string]bool{}
	stack := append([]string(nil), granted...)
	for len(stack) > 0 {
		s := strings.TrimSpace(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		if s == "" || have[s] {
			continue
		}
		have[s] = true
		stack = append(stack, implies[s]...)
	}
	return have
}

// Missing returns the required permissions that granted (scope strings as Bitbucket reports
// them) does not cover, in consumer-form order; nil when nothing is missing.
func Missing(granted []string) []Permission {
	have := effective(granted)
	var out []Permission
	for _, p := range RequiredPermissions() {
		if !have[p.Scope] {
			out = append(out, p)
		}
	}
	return out
}

// Labels returns the Label of each permission.
func Labels(ps []Permission) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Label())
	}
	return out
}

// Scopes returns the scopes a token response granted, sorted and without duplicates. Bitbucket
// names the field "scopes" (space-separated); "scope" is read as a fallback.
func Scopes(tok *oauth2.Token) []string {
	if tok == nil {
		return nil
	}
	s, ok := scopeField(tok)
	if !ok {
		return nil
	}
	return splitScopes(s)
}

// scopeField returns the raw scope text of a token response and whether it had one.
func scopeField(tok *oauth2.Token) (string, bool) {
	for _, key := range []string{"scopes", "scope"} {
		switch v := tok.Extra(key).(type) {
		case string:
			if key == "scope" && v == "" {
				continue // url-encoded responses answer "" for absent keys
			}
			return v, true
		case []any:
			parts := make([]string, 0, len(v))
			for _, x := range v {
				if s, ok := x.(string); ok {
					parts = append(parts, s)
				}
			}
			return strings.Join(parts, " "), true
		}
	}
	return "", false
}

func splitScopes(s string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' }) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}
