package amplication

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// AuthorizePath is the path of Bitbucket's authorize page, below the Bitbucket URL.
const AuthorizePath = "/site/oauth2/authorize"

// UnexpectedAuthorizeURLError is CheckAuthorizeURL's refusal of an authorize URL on
// Bitbucket's origin that is not the one Amplication's server makes: that is always
// AuthorizePath with client_id, response_type=code and state, and nothing else (no
// redirect_uri, no scope: Amplication's libs/util/git bitbucket requests.ts). Anything
// else (a redirect_uri sending the code elsewhere, another page) is not opened.
type UnexpectedAuthorizeURLError struct {
	Problem string // what is wrong, with the server's text quoted (unsanitised)
}

func (e *UnexpectedAuthorizeURLError) Error() string {
	return "the server's authorize URL is not Bitbucket's authorize page as Amplication makes it: " + e.Problem
}

// checkAuthorizeShape checks the parts of authURL after its origin (CheckAuthorizeURL
// checks that): no user info or fragment, the authorize path below bitbucketURL's, and only
// the parameters Amplication's server sends, each once, response_type=code. A missing or
// different state is PrepareAuthorize's StateMismatchError.
func checkAuthorizeShape(authURL, bitbucketURL string) error {
	bad := func(format string, a ...any) error {
		return &UnexpectedAuthorizeURLError{Problem: fmt.Sprintf(format, a...)}
	}
	u, err := url.Parse(strings.TrimSpace(authURL))
	if err != nil {
		return bad("it is not a URL")
	}
	base, err := url.Parse(strings.TrimSpace(bitbucketURL))
	if err != nil {
		return bad("the Bitbucket URL is not a URL")
	}
	want := strings.TrimRight(base.Path, "/") + AuthorizePath
	switch {
	case u.User != nil:
		return bad("it carries a user name")
	case u.Path != want:
		return bad("its path is %q, not %s", clip(u.Path), want)
	case u.Fragment != "" || strings.Contains(authURL, "#"):
		return bad("it has a fragment (#…)")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("its query does not parse")
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := q[k]; k {
		case "client_id", "state", "response_type":
			if len(v) != 1 {
				return bad("it has %d %s parameters", len(v), k)
			}
			if k == "response_type" && v[0] != "code" {
				return bad("its response_type is %q, not code", clip(v[0]))
			}
		default:
			return bad("it has a %q parameter, which Amplication's server never sends", clip(k))
		}
	}
	for _, k := range []string{"client_id", "response_type"} {
		if _, ok := q[k]; !ok {
			return bad("it has no %s", k)
		}
	}
	return nil
}

// clip shortens server text quoted in an error.
func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
