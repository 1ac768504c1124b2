package flow

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// Token requests Bitbucket refused for the key or secret are marked, so the wizard offers
// the way back to them (issue 16 item 3); others are left alone.
func TestKeyRejectedMarksOnlyKeyFailures(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&oauth.TokenError{Code: "unauthorized_client", Status: 400, Message: "Bitbucket rejected the key or secret (unauthorized_client)."}, true},
		{fmt.Errorf("list: %w", &oauth.TokenError{Code: "invalid_client", Status: 401, Message: "x"}), true},
		{&oauth.TokenError{Status: 401, Message: "x"}, true},
		{&oauth.TokenError{Code: "invalid_grant", Status: 400, Message: "the code was used"}, false},
		{errors.New("could not reach Bitbucket"), false},
	} {
		var ce *CredentialsError
		if got := errors.As(KeyRejected(tc.err), &ce); got != tc.want {
			t.Errorf("KeyRejected(%v) marked = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// Issue 23 §3: a refusal because the Amplication server could not reach Bitbucket (node-fetch's
// FetchError) is told apart before the words its URL may hold ("/user", "code"), and worded
// with Bitbucket's origin and the reason in a few words.
func TestClassifyCompleteFetchFailure(t *testing.T) {
	for _, msg := range []string{
		"Failed to complete OAuth2 flow - request to http://127.0.0.1:1/site/oauth2/access_token?code=x failed, reason: connect ECONNREFUSED 127.0.0.1:1",
		"request to https://api.bitbucket.org/2.0/user failed, reason: getaddrinfo ENOTFOUND api.bitbucket.org",
	} {
		err := fmt.Errorf("complete: %w", &amplication.GraphQLError{Operation: "completeGitOAuth2Flow", Messages: []string{msg}})
		if o, _, ok := ClassifyComplete(err); !ok || o != CompleteUnreachable {
			t.Errorf("ClassifyComplete(%q) = %v, %v; want CompleteUnreachable", msg, o, ok)
		}
		got := (&Server{}).wizardComplete(err).Error()
		for _, bad := range []string{"already used", "/site/oauth2", "/2.0/user"} {
			if strings.Contains(got, bad) {
				t.Errorf("the wizard's words carry %q: %s", bad, got)
			}
		}
		if !strings.Contains(got, "could not reach Bitbucket at http") {
			t.Errorf("the wizard's words do not name Bitbucket's origin: %s", got)
		}
	}
	plain := &amplication.GraphQLError{Messages: []string{"Failed to complete OAuth2 flow - invalid_grant"}}
	if o, _, _ := ClassifyComplete(plain); o != CompleteCodeUsed {
		t.Errorf("a used code classified %v", o)
	}
}
