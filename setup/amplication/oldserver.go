package amplication

// Servers before v3.5.0 refuse Bitbucket locally (issue 20, item 3): their
// completeGitOAuth2Flow throws "In order to connect Bitbucket service should upgrade its
// plan" unless billing grants feature-bitbucket, which with BILLING_ENABLED=false it never
// does, and the gate fires before the code exchange. The schema tells them apart: `state`
// in GitGetInstallationUrlInput exists exactly from v3.5.0 on (SPEC.md).

import (
	"context"
	"errors"
)

// MinBitbucketVersion is the first Amplication version whose server accepts Bitbucket
// without a billing entitlement.
const MinBitbucketVersion = "v3.5.0"

// OldServerError says the Amplication server is older than v3.5.0 and will refuse
// Bitbucket. It is a finding to stop on before any Bitbucket URL is printed or opened.
type OldServerError struct {
	// FromCheckout: told by the checkout's schema.graphql, not by the running server.
	FromCheckout bool
}

func (e *OldServerError) Error() string {
	return "the Amplication server is older than " + MinBitbucketVersion + ": it refuses to connect Bitbucket unless its billing grants the Bitbucket feature, " +
		"which a local server never does; update the checkout to " + MinBitbucketVersion + " or later (git pull), then install, rebuild and restart the server"
}

// Advice is what to do, in the operator's words, without the cause.
func (e *OldServerError) Advice() string {
	return "update the checkout to " + MinBitbucketVersion + " or later (git pull), then run npm install and restart the server"
}

// ServerGate is whether the server will accept Bitbucket.
type ServerGate int

// The gates.
const (
	GateUnknown ServerGate = iota // neither the server nor the checkout told
	GateOpen                      // v3.5.0 or later
	GateRefuses                   // before v3.5.0: OldServerError
)

// BitbucketGate tells, from support (SupportsState: introspection, else the checkout's
// schema), whether the server accepts Bitbucket. With GateRefuses the error is an
// *OldServerError; with GateUnknown, PrepareAuthorize finds out (it tries `state`), and
// CheckAuthorization refuses its answer on an old server.
func BitbucketGate(ctx context.Context, support StateSupportFunc) (ServerGate, error) {
	ok, known := support(ctx)
	switch {
	case !known:
		return GateUnknown, nil
	case ok:
		return GateOpen, nil
	}
	return GateRefuses, &OldServerError{}
}

// BitbucketGateFor is BitbucketGate for a client and a checkout root ("" when none),
// saying whether the answer came from the checkout's schema.
func BitbucketGateFor(ctx context.Context, c *Client, root string) (ServerGate, error) {
	if ok, err := c.StateSupport(ctx); err == nil {
		if ok {
			return GateOpen, nil
		}
		return GateRefuses, &OldServerError{}
	}
	if root == "" {
		return GateUnknown, nil
	}
	ok, err := CheckoutHasState(root)
	switch {
	case err != nil:
		return GateUnknown, nil
	case ok:
		return GateOpen, nil
	}
	return GateRefuses, &OldServerError{FromCheckout: true}
}

// CheckAuthorization refuses a prepared authorization from a server without `state`
// (PrepareAuthorize fell back to the workspace id): such a server is older than v3.5.0.
// Call it before printing or opening a.URL.
func CheckAuthorization(a *Authorization) error {
	if a != nil && !a.WithState {
		return &OldServerError{}
	}
	return nil
}

// BillingRefusal reports whether err is an old server's refusal of Bitbucket at
// completeGitOAuth2Flow ("In order to connect Bitbucket service should upgrade its plan"):
// a caller that got that far maps it to an *OldServerError.
func BillingRefusal(err error) bool {
	var ge *GraphQLError
	return errors.As(err, &ge) && ge.Has("should upgrade its plan")
}
