package oauth

import "testing"

// TestWithoutRemedyKeepsWhatHappened: a surface with its own advice shows what happened
// only; other messages are left whole.
func TestWithoutRemedyKeepsWhatHappened(t *testing.T) {
	if got := WithoutRemedy(msgBadCredentials); got != BadCredentials {
		t.Errorf("WithoutRemedy(the rejection) = %q, want %q", got, BadCredentials)
	}
	if got := WithoutRemedy("authorization failed: " + msgBadCredentials); got != "authorization failed: "+BadCredentials {
		t.Errorf("WithoutRemedy(wrapped) = %q", got)
	}
	if got := WithoutRemedy(msgNoCallback); got != msgNoCallback {
		t.Errorf("WithoutRemedy changed another message: %q", got)
	}
}
