package flow

// Amplication's own Bitbucket authorization in order, for the command line: start with the
// signed-in workspace, and what the surface reports once the server has the connection
// (who it pushes as, projects still on the demo repository). The wait between them is the
// Session's (authsession.go).

import (
	"context"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

// StartAuthorize is StartAmplication for the signed-in overview ov: the state support from
// introspection, else the checkout's schema; ov's current workspace; the key in the env
// files as the checkout was opened, which it returns for the surface's words.
func (s *Server) StartAuthorize(ctx context.Context, ov *amplication.Overview, bitbucketURL string, secret func(...string)) (az *AmpAuthorization, written string, err error) {
	support := amplication.SupportsState(s.Client, s.Checkout.Root)
	wsID := ""
	if ov.Current != nil {
		wsID = ov.Current.ID
	}
	if cr, ok := s.Checkout.Current(); ok {
		written = cr.ClientID
	}
	az, err = StartAmplication(ctx, s, support, wsID, bitbucketURL, written, secret)
	return az, written, err
}

// AmpAuthorized is what follows a completed authorization: the git organization, the
// account it pushes as, and the projects still on Amplication's demo repository. An error
// reading either leaves the other.
type AmpAuthorized struct {
	Org       *amplication.GitOrganization
	Pusher    Pusher
	PusherErr error
	Demo      []amplication.DemoRepoProject
	DemoErr   error // the server's, for the surface's advice
}

// Authorized reads what follows the authorization of org: the organization with its account
// compared with bbsetup's own identity (own, nil when unknown, asked only once the
// organizations are read), and the projects still on the demo repository.
func (s *Server) Authorized(ctx context.Context, org *amplication.GitOrganization, own func(context.Context) *bitbucket.User) AmpAuthorized {
	out := AmpAuthorized{Org: org}
	orgs, err := s.Client.GitOrganizationAccounts(ctx)
	if err == nil {
		out.Pusher, out.PusherErr = ChoosePusher(orgs, own(ctx), "", org.ID)
	} else {
		out.PusherErr = err
	}
	out.Demo, out.DemoErr = amplication.ProjectsOnDemoRepo(ctx, s.Client)
	return out
}

// OwnAccount is whether the authorized organization pushes as bbsetup's own account; nil
// when not known.
func (a AmpAuthorized) OwnAccount() *bool {
	if a.PusherErr != nil || !a.Pusher.Compared {
		return nil
	}
	mine := a.Pusher.Mismatch == nil
	return &mine
}

// Mismatch is the warning when the organization does not push as bbsetup's own account;
// nil when it does or it is not known.
func (a AmpAuthorized) Mismatch() error {
	if a.PusherErr != nil || a.Pusher.Mismatch == nil {
		return nil
	}
	return a.Pusher.Mismatch
}
