package flow

import (
	"errors"
	"fmt"
	"testing"

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
