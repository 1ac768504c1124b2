package flow

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/openapicheck"
	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// createWorld is the demo Bitbucket emulator on loopback, its repositories created with
// no main branch (EmptyMainbranch), and bbsetup's client for it.
func createWorld(t *testing.T) (*bbemu.Server, *bitbucket.Client) {
	t.Helper()
	e, cons := bbemu.NewDemo(bbemu.Options{EmptyMainbranch: true}, 0)
	srv := openapicheck.Start(t, e)
	tok, _ := openapicheck.ClientCredentials(t, srv, cons)
	hc := &http.Client{Transport: bearerRT{tok: tok}, Timeout: 10 * time.Second}
	return srv, bitbucket.New(srv.APIURL, hc, bitbucket.Options{RequestTimeout: 10 * time.Second, MaxRetries: -1})
}

type bearerRT struct{ tok string }

func (b bearerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.tok)
	return http.DefaultTransport.RoundTrip(r)
}

// srcRefused makes every commit (POST …/src) to the repositories slugs of acme fail with
// a 403, so no main branch can be made there.
func srcRefused(srv *bbemu.Server, slugs ...string) {
	var rules []bbemu.Fault
	for _, s := range slugs {
		rules = append(rules, bbemu.Fault{Method: http.MethodPost, PathPrefix: "/2.0/repositories/acme/" + s + "/src", Kind: bbemu.FaultStatus, Status: http.StatusForbidden})
	}
	srv.Controls().SetFaults(rules...)
}

// The create-then-main-branch sequence, as each of its callers sees it: the command
// line's CreateRepository, the wizard's CreateRepo and the connect's Run. A made main
// branch is said; a main branch that cannot be made keeps the created repository (a note
// in the wizard, an error with the repository elsewhere); a failed create returns none.
func TestCreateRepositoryEveryCaller(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, bb := createWorld(t)
	wiz := bitbucketAPI{api: bb}

	repo, mb, err := CreateRepository(ctx, bb, "acme", bitbucket.CreateRepo{Name: "one"})
	if err != nil || repo == nil || repo.Slug != "one" || mb == nil || !mb.Committed || mb.Branch != "main" {
		t.Fatalf("CreateRepository = %+v, %+v, %v", repo, mb, err)
	}
	r, err := wiz.CreateRepo(ctx, "acme", NewRepo{Name: "Two", Slug: "two", Private: true})
	if err != nil || r.Slug != "two" || r.MainBranchNote != "Added README.md on main so the repository has a default branch (Amplication needs one before its first push)." {
		t.Fatalf("CreateRepo = %+v, %v", r, err)
	}
	r, err = wiz.CreateRepo(ctx, "acme", NewRepo{Name: "Two", Slug: "two", Private: true})
	var ee *ExistsError
	if !errors.As(err, &ee) || ee.Slug != "two" || r.Slug != "" {
		t.Fatalf("CreateRepo of a taken slug = %+v, %v; want an *ExistsError", r, err)
	}
	plan := ConnectPlan{Group: "acme", Slug: "unused"}
	_, err = plan.Run(ctx, nil, ConnectWith{}, &NewRepository{Bitbucket: bb, Repo: bitbucket.CreateRepo{Name: "one"}})
	if !errors.As(err, new(*bitbucket.ExistsError)) {
		t.Fatalf("Run creating a taken slug: %v; want an *ExistsError", err)
	}

	srcRefused(srv, "three", "four", "five")
	repo, mb, err = CreateRepository(ctx, bb, "acme", bitbucket.CreateRepo{Name: "three"})
	if !errors.As(err, new(*bitbucket.NoMainBranchError)) || repo == nil || repo.Slug != "three" || mb != nil {
		t.Fatalf("CreateRepository with commits refused = %+v, %+v, %v", repo, mb, err)
	}
	r, err = wiz.CreateRepo(ctx, "acme", NewRepo{Name: "Four", Slug: "four", Private: true})
	if err != nil || r.Slug != "four" || !strings.HasPrefix(r.MainBranchNote, "! ") || !strings.HasSuffix(r.MainBranchNote, ".") {
		t.Fatalf("CreateRepo with commits refused = %+v, %v; want the repository and a warning note", r, err)
	}
	c, err := plan.Run(ctx, (*amplication.Client)(nil), ConnectWith{}, &NewRepository{Bitbucket: bb, Repo: bitbucket.CreateRepo{Name: "five"}})
	if !errors.As(err, new(*bitbucket.NoMainBranchError)) || c == nil || c.Created == nil || c.Slug != "five" || c.MainBranch != nil {
		t.Fatalf("Run with commits refused = %+v, %v; want the created repository and a *NoMainBranchError", c, err)
	}
}
