package amplication_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/bbsetup/bbsetup/setup/amplication"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

// The shared workflow (CheckKey, PrepareAuthorize, Connectable, ConnectResource) against
// the Amplication emulator on loopback, signed in as the demo user.

func workflowServer(t *testing.T, env, schema string) *amplication.Client {
	t.Helper()
	dir := t.TempDir()
	srvDir := filepath.Join(dir, "packages", "amplication-server")
	if err := os.MkdirAll(srvDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(srvDir, ".env.local"), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := ampemu.New(ampemu.Options{CheckoutDir: dir, Schema: schema}, ampemu.DemoSeed())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ampemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := amplication.New(s.URL, &http.Client{Transport: tr}, amplication.Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(context.Background(), ampemu.DemoEmail, ampemu.DemoPassword); err != nil {
		t.Fatal(err)
	}
	return c
}

const keyEnv = "BITBUCKET_CLIENT_ID=KEY123\nBITBUCKET_CLIENT_SECRET=SECRET456\n"

func TestCheckKeyStates(t *testing.T) {
	ctx := context.Background()
	c := workflowServer(t, keyEnv, "")
	if k := amplication.CheckKey(ctx, c, "KEY123"); k.State != amplication.KeyMatches || k.Stale() || k.Running != "KEY123" {
		t.Errorf("same key: %+v", k)
	}
	if k := amplication.CheckKey(ctx, c, "NEWKEY"); k.State != amplication.KeyOther || !k.Stale() {
		t.Errorf("another key written since: %+v", k)
	}
	if k := amplication.CheckKey(ctx, c, ""); k.State != amplication.KeyNotWritten || k.Stale() {
		t.Errorf("nothing written: %+v", k)
	}
	ph := workflowServer(t, "BITBUCKET_CLIENT_ID=[bitbucket-client-id]\nBITBUCKET_CLIENT_SECRET=[bitbucket-client-secret]\n", "")
	if k := amplication.CheckKey(ctx, ph, "KEY123"); k.State != amplication.KeyPlaceholder || !k.Stale() {
		t.Errorf("placeholder: %+v", k)
	}
	none := workflowServer(t, "PORT=3000\n", "")
	if k := amplication.CheckKey(ctx, none, "KEY123"); k.State != amplication.KeyMissing || !k.Stale() {
		t.Errorf("no key loaded: %+v", k)
	}
}

func TestPrepareAuthorizeStateOnBothGenerations(t *testing.T) {
	ctx := context.Background()
	unknown := func(context.Context) (bool, bool) { return false, false }
	c := workflowServer(t, keyEnv, "")
	az, err := amplication.PrepareAuthorize(ctx, c, amplication.SupportsState(c, ""), ampemu.DemoWorkspaceID, ampemu.DefaultBitbucketURL)
	if err != nil || !az.WithState || az.State == ampemu.DemoWorkspaceID || len(az.State) < 20 || az.ClientID != "KEY123" {
		t.Fatalf("v3: %+v, %v", az, err)
	}
	old := workflowServer(t, keyEnv, ampemu.SchemaV1)
	// Not knowing, it tries the state first; the older server refuses the document.
	az, err = amplication.PrepareAuthorize(ctx, old, unknown, ampemu.DemoWorkspaceID, ampemu.DefaultBitbucketURL)
	if err != nil || az.WithState || az.State != ampemu.DemoWorkspaceID {
		t.Fatalf("v1.10.0: %+v, %v", az, err)
	}
	if _, err := amplication.PrepareAuthorize(ctx, old, amplication.SupportsState(old, ""), "", ampemu.DefaultBitbucketURL); !errors.Is(err, amplication.ErrNoWorkspaceForState) {
		t.Fatalf("v1.10.0 without a workspace: %v", err)
	}
}

// The authorize URL goes only to the Bitbucket bbsetup talks to: another site's (or
// scheme's, or port's) is refused with a typed error, before anything is opened.
func TestCheckAuthorizeURL(t *testing.T) {
	for _, tc := range []struct {
		u, bb string
		ok    bool
	}{
		{"https://bitbucket.org/site/oauth2/authorize?client_id=K&response_type=code&state=S", "https://bitbucket.org", true},
		{"https://BitBucket.org:443/site/oauth2/authorize?client_id=K&response_type=code&state=S", "https://bitbucket.org/", true},
		{"http://127.0.0.1:4100/site/oauth2/authorize?client_id=K&response_type=code&state=S", "http://127.0.0.1:4100", true},
		{"https://bitbucket.org.evil.example/site/oauth2/authorize", "https://bitbucket.org", false},
		{"https://evil.example/site/oauth2/authorize", "https://bitbucket.org", false},
		{"http://bitbucket.org/site/oauth2/authorize", "https://bitbucket.org", false},
		{"http://127.0.0.1:4101/site/oauth2/authorize", "http://127.0.0.1:4100", false},
		{"https://user@evil.example/x", "https://bitbucket.org", false},
		{"javascript:alert(1)", "https://bitbucket.org", false},
		{"/site/oauth2/authorize", "https://bitbucket.org", false},
		{"https://bitbucket.org/site/oauth2/authorize", "", false},
	} {
		err := amplication.CheckAuthorizeURL(tc.u, tc.bb)
		var fe *amplication.ForeignAuthorizeURLError
		if tc.ok != (err == nil) || (err != nil && !errors.As(err, &fe)) {
			t.Errorf("CheckAuthorizeURL(%q, %q) = %v", tc.u, tc.bb, err)
		}
	}
	// PrepareAuthorize checks it: the emulator's URL is on bitbucket.org, not elsewhere.
	c := workflowServer(t, keyEnv, "")
	_, err := amplication.PrepareAuthorize(context.Background(), c, amplication.SupportsState(c, ""), ampemu.DemoWorkspaceID, "https://bitbucket.example")
	var fe *amplication.ForeignAuthorizeURLError
	if !errors.As(err, &fe) || fe.Got != "https://bitbucket.org" || fe.Want != "https://bitbucket.example" {
		t.Fatalf("another Bitbucket: %v", err)
	}
}

func shop(t *testing.T, c *amplication.Client) (amplication.Project, map[string]amplication.Resource) {
	t.Helper()
	ps, err := c.Projects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == ampemu.DemoShopID {
			rs := map[string]amplication.Resource{}
			for _, r := range p.Resources {
				rs[r.ID] = r
			}
			return p, rs
		}
	}
	t.Fatal("no Shop project")
	return amplication.Project{}, nil
}

func TestConnectResourceReplaceRollbackAndReadBack(t *testing.T) {
	ctx := context.Background()
	c := workflowServer(t, keyEnv, "")
	p, rs := shop(t, c)
	catalog := rs[ampemu.DemoCatalogID]

	// Refused without replace, naming the repository it has.
	var ace *amplication.AlreadyConnectedError
	if _, err := amplication.Connectable(p, catalog, "acme", "shop", false); !errors.As(err, &ace) || ace.Repo.Name != "catalog-legacy" {
		t.Fatalf("Connectable without replace: %v", err)
	}
	// A connect that fails (no such git organization) puts the old repository back.
	_, err := amplication.ConnectResource(ctx, c, amplication.ConnectRequest{Project: p, Resource: catalog,
		Org: amplication.GitOrganization{ID: "no-such-org"}, Group: "acme", Slug: "shop"})
	var ce *amplication.ConnectError
	if !errors.As(err, &ce) || ce.Phase != amplication.PhaseConnect || !ce.Restored || ce.Old == nil || ce.Old.Name != "catalog-legacy" {
		t.Fatalf("failed connect: %v (%+v)", err, ce)
	}
	if _, rs = shop(t, c); rs[ampemu.DemoCatalogID].Repo == nil || rs[ampemu.DemoCatalogID].Repo.Name != "catalog-legacy" {
		t.Fatalf("catalog after the rollback: %+v", rs[ampemu.DemoCatalogID].Repo)
	}

	// The project's settings: orders and payments inherit, read back. (The seed's only git
	// organization is a GitHub one; the connect does not look at the provider.)
	org := amplication.GitOrganization{ID: ampemu.DemoGitHubOrgID}
	out, err := amplication.ConnectResource(ctx, c, amplication.ConnectRequest{Project: p, Resource: rs[ampemu.DemoShopConfig],
		Org: org, Group: "acme", Slug: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.Inheriting {
		names = append(names, r.Name)
	}
	if out.Resource.Repo == nil || !out.Resource.Repo.Is("ACME", "shop") || out.Old != nil || len(names) != 2 || names[0] != "orders" || names[1] != "payments" {
		t.Fatalf("settings connect: %+v, inheriting %v", out, names)
	}
	p, rs = shop(t, c)
	if unchanged, err := amplication.Connectable(p, rs[ampemu.DemoOrdersID], "acme", "shop", false); !unchanged || err != nil {
		t.Fatalf("orders inherits acme/shop now: unchanged %v, %v", unchanged, err)
	}
	if _, err := amplication.Connectable(p, rs[ampemu.DemoOrdersID], "acme", "other", false); !errors.As(err, &ace) || !ace.Inherited {
		t.Fatalf("orders to another repository: %v", err)
	}
	// Replacing catalog's repository: the old one is reported, the new one read back.
	out, err = amplication.ConnectResource(ctx, c, amplication.ConnectRequest{Project: p, Resource: rs[ampemu.DemoCatalogID],
		Org: org, Group: "acme", Slug: "catalog"})
	if err != nil || out.Old == nil || out.Old.Name != "catalog-legacy" || !out.Resource.Repo.Is("acme", "catalog") {
		t.Fatalf("replace: %+v, %v", out, err)
	}
}
