package flow

import (
	"context"
	"errors"
	"testing"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

// TestConnectRefusesBeforeStoring drives Connect's refusals: each comes back typed, with
// the plan as far as it got, and none reaches the git organization's choice or the server
// (the client is nil: a store would panic).
func TestConnectRefusesBeforeStoring(t *testing.T) {
	ctx := context.Background()
	lookup := func(r *bitbucket.Repository, err error) *RepoLookup {
		return lookupWith(ctx, func(context.Context) (*bitbucket.Repository, error) { return r, err })
	}
	chosen := 0
	pusher := func(context.Context) (Pusher, error) { chosen++; return Pusher{}, errors.New("chosen") }
	for _, tc := range []struct {
		name  string
		req   ConnectRequest
		check func(ConnectPlan, error) bool
	}{
		{"no such project", ConnectRequest{Project: "Nope", Repo: lookup(nil, &bitbucket.NotFoundError{})},
			func(pl ConnectPlan, err error) bool {
				var ns *NoSuchError
				return errors.As(err, &ns) && pl.Group == ""
			}},
		{"no repository", ConnectRequest{Project: "Shop", Group: "acme", Slug: "gone", Repo: lookup(nil, &bitbucket.NotFoundError{Workspace: "acme", Slug: "gone"})},
			func(pl ConnectPlan, err error) bool {
				var nr *NoRepositoryError
				return errors.As(err, &nr) && nr.Group == "acme" && nr.Slug == "gone" && pl.Label() == "the settings of project Shop"
			}},
		{"the look-up's own failure", ConnectRequest{Project: "Shop", Group: "acme", Slug: "x", Repo: lookup(nil, errors.New("timeout"))},
			func(_ ConnectPlan, err error) bool { return err != nil && err.Error() == "timeout" }},
		{"already connected: the look-up's slug", ConnectRequest{Project: "Shop", Resource: "catalog", Group: "acme", Slug: "CAT", Repo: lookup(&bitbucket.Repository{Slug: "cat"}, nil)},
			func(pl ConnectPlan, err error) bool {
				var ace *amplication.AlreadyConnectedError
				return errors.As(err, &ace) && ace.Repo.FullName() == "other/cat" && pl.Full() == "acme/cat" && pl.Label() == "catalog (project Shop)"
			}},
		{"a create of the repository it has", ConnectRequest{Project: "Shop", Resource: "catalog", Group: "other", Slug: "cat", Create: &NewRepository{}},
			func(pl ConnectPlan, err error) bool {
				var ace *amplication.AlreadyConnectedError
				return errors.As(err, &ace) && !ace.Inherited && ace.Repo.FullName() == "other/cat" && pl.Unchanged
			}},
	} {
		tc.req.Projects, tc.req.Pusher = shop(), pusher
		pl, out, err := Connect(ctx, nil, tc.req)
		if out != nil || !tc.check(pl, err) {
			t.Errorf("%s: %+v, %v, %v", tc.name, pl, out, err)
		}
	}
	if chosen != 0 {
		t.Errorf("the git organization was chosen %d times for refused connects", chosen)
	}
	// The plan stands: the pusher's error comes back as it is, before anything is stored.
	pl, out, err := Connect(ctx, nil, ConnectRequest{Projects: shop(), Project: "Shop", Resource: "payments", Group: "acme", Slug: "pay2", Replace: true, Pusher: pusher})
	if err == nil || err.Error() != "chosen" || out != nil || pl.Full() != "acme/pay2" || chosen != 1 {
		t.Errorf("pusher refused: %+v, %v, %v (chosen %d)", pl, out, err, chosen)
	}
	// Unchanged: the same repository, nothing to store, nothing read back.
	pl, out, err = Connect(ctx, nil, ConnectRequest{Projects: shop(), Project: "p1", Group: "ACME", Slug: "shop",
		Pusher: func(context.Context) (Pusher, error) { return Pusher{}, nil }})
	if err != nil || out == nil || !out.Unchanged || !pl.Unchanged || out.Full() != "ACME/shop" {
		t.Errorf("unchanged: %+v, %+v, %v", pl, out, err)
	}
}
