package amplication_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/amplication"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

// What decides where Amplication pushes: the git organization, the override, old servers.

func bbOrg(id, name, uuid string) amplication.GitOrgAccount {
	return amplication.GitOrgAccount{GitOrganization: amplication.GitOrganization{ID: id, Name: name,
		Provider: amplication.ProviderBitbucket, Type: "Organization"}, InstallationID: uuid}
}

func TestChooseGitOrg(t *testing.T) {
	gh := amplication.GitOrgAccount{GitOrganization: amplication.GitOrganization{ID: "gh", Name: "acme-archive", Provider: "Github"}, InstallationID: "4123"}
	mine := bbOrg("o-me", "demo", "{AAAA-1}")
	colleague := bbOrg("o-col", "colleague", "{bbbb-2}")
	twin := bbOrg("o-twin", "Demo", "{cccc-3}")
	own := amplication.OwnIdentity{UUID: "{aaaa-1}", Nickname: "demo"}
	cases := []struct {
		name        string
		orgs        []amplication.GitOrgAccount
		own         amplication.OwnIdentity
		want, just  string
		got         string
		why         amplication.Why
		ownAccount  bool
		problem     amplication.ChoiceProblem
		wantErr     bool
		choiceCount int
	}{
		{name: "none", orgs: []amplication.GitOrgAccount{gh}, own: own, wantErr: true, problem: amplication.NoBitbucketOrg},
		{name: "only one, not mine", orgs: []amplication.GitOrgAccount{gh, colleague}, own: own, got: "o-col", why: amplication.ChosenOnly},
		{name: "several, mine by uuid (braces and case ignored)", orgs: []amplication.GitOrgAccount{colleague, mine}, own: own, got: "o-me", why: amplication.ChosenByOwnIdentity, ownAccount: true},
		{name: "several, none mine", orgs: []amplication.GitOrgAccount{colleague, twin}, own: own, wantErr: true, problem: amplication.SeveralOrgs, choiceCount: 2},
		{name: "several, own identity unknown", orgs: []amplication.GitOrgAccount{colleague, mine}, wantErr: true, problem: amplication.SeveralOrgs, choiceCount: 2},
		{name: "just authorized wins over own identity", orgs: []amplication.GitOrgAccount{colleague, mine}, own: own, just: "o-col", got: "o-col", why: amplication.ChosenJustAuthorized},
		{name: "flag by id", orgs: []amplication.GitOrgAccount{colleague, mine}, own: own, want: "o-col", just: "o-me", got: "o-col", why: amplication.ChosenByFlag},
		{name: "flag by name, case ignored", orgs: []amplication.GitOrgAccount{colleague, mine}, own: own, want: "COLLEAGUE", got: "o-col", why: amplication.ChosenByFlag},
		{name: "flag names nothing", orgs: []amplication.GitOrgAccount{gh, colleague, mine}, own: own, want: "acme-archive", wantErr: true, problem: amplication.NoSuchOrg, choiceCount: 2},
		{name: "flag name ambiguous", orgs: []amplication.GitOrgAccount{mine, twin}, own: own, want: "demo", wantErr: true, problem: amplication.AmbiguousName, choiceCount: 2},
		{name: "flag id among twins", orgs: []amplication.GitOrgAccount{mine, twin}, own: own, want: "o-twin", got: "o-twin", why: amplication.ChosenByFlag},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := amplication.ChooseGitOrg(tc.orgs, tc.own, tc.want, tc.just)
			if tc.wantErr {
				var ce *amplication.GitOrgChoiceError
				if !errors.As(err, &ce) || ce.Problem != tc.problem || len(ce.Choices) != tc.choiceCount {
					t.Fatalf("got %+v, %v; want problem %v with %d choices", ch, err, tc.problem, tc.choiceCount)
				}
				for _, c := range ce.Choices {
					if !strings.Contains(err.Error(), c.ID) && tc.problem != amplication.NoBitbucketOrg {
						t.Errorf("the refusal %q does not list %s", err, c.ID)
					}
				}
				return
			}
			if err != nil || ch.Org.ID != tc.got || ch.Why != tc.why || ch.OwnAccount != tc.ownAccount {
				t.Fatalf("got %+v, %v; want %s why %v own %v", ch, err, tc.got, tc.why, tc.ownAccount)
			}
		})
	}
}

func TestGitOrgChoiceErrorSanitisesNames(t *testing.T) {
	evil := bbOrg("o1", "evil\x1b]0;pwned\x07\u202e", "{x}")
	_, err := amplication.ChooseGitOrg([]amplication.GitOrgAccount{evil, bbOrg("o2", "b", "{y}")}, amplication.OwnIdentity{}, "", "")
	if err == nil || strings.ContainsAny(err.Error(), "\x1b\x07\u202e") {
		t.Fatalf("%q", err)
	}
}

// pushServer is an emulator seeded with the demo world plus two Bitbucket organizations
// (bbsetup's own account and a colleague's), signed in as the demo user.
func pushServer(t *testing.T, schema string) (*amplication.Client, *ampemu.Emulator) {
	t.Helper()
	dir := t.TempDir()
	srvDir := filepath.Join(dir, "packages", "amplication-server")
	if err := os.MkdirAll(srvDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(srvDir, ".env.local"), []byte(keyEnv), 0o600); err != nil {
		t.Fatal(err)
	}
	seed := ampemu.DemoSeed()
	ws := &seed.Workspaces[0]
	ws.GitOrganizations = append(ws.GitOrganizations,
		ampemu.GitOrganization{ID: "org-colleague", Name: "colleague", Provider: "Bitbucket", Type: "Organization", InstallationID: "{c0c0c0c0-0000-0000-0000-000000000002}"},
		ampemu.GitOrganization{ID: "org-demo", Name: "demo", Provider: "Bitbucket", Type: "Organization", InstallationID: "{d0d0d0d0-0000-0000-0000-000000000001}"})
	// orders is connected elsewhere without the override: a project connect moves it.
	ws.Projects[0].Resources[1].Repo = &ampemu.GitRepository{Name: "orders-old", GroupName: "acme", GitOrganizationID: "org-colleague"}
	e, err := ampemu.New(ampemu.Options{CheckoutDir: dir, Schema: schema}, seed)
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
	return c, e
}

// TestChooseGitOrgAgainstEmulator reads the organizations with their accounts from the
// emulator and picks bbsetup's own among a colleague's.
func TestChooseGitOrgAgainstEmulator(t *testing.T) {
	ctx := context.Background()
	c, _ := pushServer(t, "")
	orgs, err := c.GitOrganizationAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 3 {
		t.Fatalf("orgs %+v", orgs)
	}
	ch, err := amplication.ChooseGitOrg(orgs, amplication.OwnIdentity{UUID: "{D0D0D0D0-0000-0000-0000-000000000001}"}, "", "")
	if err != nil || ch.Org.ID != "org-demo" || ch.Org.InstallationID == "" || !ch.OwnAccount {
		t.Fatalf("%+v, %v", ch, err)
	}
	_, err = amplication.ChooseGitOrg(orgs, amplication.OwnIdentity{UUID: "{eeee}"}, "", "")
	var ce *amplication.GitOrgChoiceError
	if !errors.As(err, &ce) || ce.Problem != amplication.SeveralOrgs || !strings.Contains(err.Error(), "colleague (org-colleague)") {
		t.Fatalf("%v", err)
	}
}

// TestSetOverrideThenConnectAgainstEmulator marks a service as overriding, connects it on
// its own, and shows a later project connect leaves it where it is; without the mark the
// project connect moves it (what MovedByProjectConnect names beforehand).
func TestSetOverrideThenConnectAgainstEmulator(t *testing.T) {
	ctx := context.Background()
	c, _ := pushServer(t, "")
	if m := amplication.DetectOverride(ctx, c, ""); m != amplication.OverrideByDisconnect {
		t.Fatalf("DetectOverride on v3 = %v", m)
	}
	shop := project(t, c, ampemu.DemoShopID)
	moved := amplication.MovedByProjectConnect(shop, "acme", "shop")
	if len(moved) != 1 || moved[0].ID != ampemu.DemoOrdersID {
		t.Fatalf("MovedByProjectConnect = %+v, want orders (connected elsewhere, no override)", moved)
	}
	if m := amplication.MovedByProjectConnect(shop, "acme", "orders-old"); len(m) != 0 {
		t.Errorf("connecting the project to orders' own repository moves nothing: %+v", m)
	}

	payments := resource(t, shop, ampemu.DemoPaymentsID)
	got, err := amplication.SetOverride(ctx, c, shop.ID, payments, amplication.OverrideByDisconnect)
	if err != nil || !got.Override {
		t.Fatalf("SetOverride: %+v, %v", got, err)
	}
	org := amplication.GitOrganization{ID: "org-demo", Provider: amplication.ProviderBitbucket}
	if _, err := amplication.ConnectResource(ctx, c, amplication.ConnectRequest{Project: project(t, c, shop.ID), Resource: *got, Org: org, Group: "acme", Slug: "payments"}); err != nil {
		t.Fatal(err)
	}
	// The project connect: orders moves (it was named), payments stays.
	shop = project(t, c, shop.ID)
	if _, err := amplication.ConnectResource(ctx, c, amplication.ConnectRequest{Project: shop, Resource: *shop.Settings(), Org: org, Group: "acme", Slug: "shop"}); err != nil {
		t.Fatal(err)
	}
	shop = project(t, c, shop.ID)
	if r := resource(t, shop, ampemu.DemoPaymentsID); r.Repo == nil || !r.Repo.Is("acme", "payments") || !r.Override {
		t.Errorf("payments after the project connect: %+v %+v", r, r.Repo)
	}
	if r := resource(t, shop, ampemu.DemoOrdersID); r.Repo == nil || !r.Repo.Is("acme", "shop") {
		t.Errorf("orders after the project connect: %+v", r.Repo)
	}
	// Already overriding: no request, returned as it is.
	again, err := amplication.SetOverride(ctx, c, shop.ID, resource(t, shop, ampemu.DemoPaymentsID), amplication.OverrideUnknown)
	if err != nil || !again.Override {
		t.Errorf("again: %+v, %v", again, err)
	}
	if _, err := amplication.SetOverride(ctx, c, shop.ID, *shop.Settings(), amplication.OverrideByDisconnect); err == nil {
		t.Error("the project's settings were marked as overriding")
	}
	if _, err := amplication.SetOverride(ctx, c, shop.ID, resource(t, shop, ampemu.DemoOrdersID), amplication.OverrideUnknown); !errors.Is(err, amplication.ErrOverrideUnknown) {
		t.Errorf("unknown method: %v", err)
	}
}

// TestOverrideOnOldEmulator: the v1 emulator has neither way; bbsetup does not guess.
func TestOverrideOnOldEmulator(t *testing.T) {
	ctx := context.Background()
	c, _ := pushServer(t, ampemu.SchemaV1)
	if m := amplication.DetectOverride(ctx, c, ""); m == amplication.OverrideByDisconnect {
		t.Fatalf("DetectOverride on v1 = %v", m)
	}
	// Sending the v3 document to it is refused by validation, and nothing changes.
	err := c.MarkOverride(ctx, ampemu.DemoPaymentsID, amplication.OverrideByDisconnect)
	var ge *amplication.GraphQLError
	if !errors.As(err, &ge) {
		t.Fatalf("v3 override on v1: %v", err)
	}
	if r := resource(t, project(t, c, ampemu.DemoShopID), ampemu.DemoPaymentsID); r.Override {
		t.Error("override set on v1")
	}
}

func TestBitbucketGate(t *testing.T) {
	ctx := context.Background()
	v3, _ := pushServer(t, "")
	if g, err := amplication.BitbucketGateFor(ctx, v3, ""); g != amplication.GateOpen || err != nil {
		t.Errorf("v3: %v %v", g, err)
	}
	v1, _ := pushServer(t, ampemu.SchemaV1)
	g, err := amplication.BitbucketGateFor(ctx, v1, "")
	var oe *amplication.OldServerError
	if g != amplication.GateRefuses || !errors.As(err, &oe) || oe.FromCheckout || !strings.Contains(err.Error(), "v3.5.0") || !strings.Contains(err.Error(), "update the checkout") {
		t.Errorf("v1: %v %v", g, err)
	}
	// Unknown until PrepareAuthorize tells: an old server's authorization is refused
	// before its URL is shown.
	unknown := func(context.Context) (bool, bool) { return false, false }
	if g, err := amplication.BitbucketGate(ctx, unknown); g != amplication.GateUnknown || err != nil {
		t.Errorf("unknown: %v %v", g, err)
	}
	az, err := amplication.PrepareAuthorize(ctx, v1, unknown, ampemu.DemoWorkspaceID, ampemu.DefaultBitbucketURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := amplication.CheckAuthorization(az); !errors.As(err, &oe) {
		t.Errorf("CheckAuthorization(v1) = %v", err)
	}
	az, err = amplication.PrepareAuthorize(ctx, v3, unknown, ampemu.DemoWorkspaceID, ampemu.DefaultBitbucketURL)
	if err != nil || amplication.CheckAuthorization(az) != nil {
		t.Errorf("v3: %v", err)
	}
	if !amplication.BillingRefusal(&amplication.GraphQLError{Messages: []string{"In order to connect Bitbucket service should upgrade its plan"}}) ||
		amplication.BillingRefusal(errors.New("should upgrade its plan")) {
		t.Error("BillingRefusal")
	}
}

// TestBitbucketGateFromCheckoutSchema: introspection off (an unreachable server here),
// the checkout's schema.graphql decides.
func TestBitbucketGateFromCheckoutSchema(t *testing.T) {
	c, err := amplication.New("http://127.0.0.1:1", nil, amplication.Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sdl  string
		gate amplication.ServerGate
	}{
		{"input GitGetInstallationUrlInput { gitProvider: String state: String }", amplication.GateOpen},
		{"input GitGetInstallationUrlInput { gitProvider: String }", amplication.GateRefuses},
	} {
		root := t.TempDir()
		p := filepath.Join(root, filepath.FromSlash(amplication.SchemaFile))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(tc.sdl), 0o644); err != nil {
			t.Fatal(err)
		}
		g, err := amplication.BitbucketGateFor(context.Background(), c, root)
		var oe *amplication.OldServerError
		if g != tc.gate || (g == amplication.GateRefuses) != (errors.As(err, &oe) && oe.FromCheckout) {
			t.Errorf("%q: %v %v", tc.sdl, g, err)
		}
	}
	if g, _ := amplication.BitbucketGateFor(context.Background(), c, t.TempDir()); g != amplication.GateUnknown {
		t.Errorf("no schema: %v", g)
	}
}

func project(t *testing.T, c *amplication.Client, id string) amplication.Project {
	t.Helper()
	ps, err := c.Projects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no project %s", id)
	return amplication.Project{}
}

func resource(t *testing.T, p amplication.Project, id string) amplication.Resource {
	t.Helper()
	for _, r := range p.Resources {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no resource %s in %s", id, p.Name)
	return amplication.Resource{}
}

func TestListBitbucketOrgs(t *testing.T) {
	gh := amplication.GitOrgAccount{GitOrganization: amplication.GitOrganization{ID: "gh", Provider: "Github"}}
	l := amplication.ListBitbucketOrgs([]amplication.GitOrgAccount{gh, bbOrg("a", "alice", "{A}"), bbOrg("b", "demo", "{b}")},
		amplication.OwnIdentity{UUID: "{B}"}, "a")
	if len(l) != 2 || l[0].Org.ID != "a" || !l[0].JustAuthorized || l[0].OwnAccount || l[1].JustAuthorized || !l[1].OwnAccount {
		t.Errorf("%+v", l)
	}
}

// TestConnectServiceAgainstEmulator: a service connected elsewhere without the override
// (orders) is connected on its own: it ends with the new repository and the override,
// the old one is reported, and a later project connect leaves it alone.
func TestConnectServiceAgainstEmulator(t *testing.T) {
	ctx := context.Background()
	c, _ := pushServer(t, "")
	shop := project(t, c, ampemu.DemoShopID)
	org := amplication.GitOrganization{ID: "org-demo", Provider: amplication.ProviderBitbucket}
	out, err := amplication.ConnectService(ctx, c, amplication.ConnectRequest{Project: shop, Resource: resource(t, shop, ampemu.DemoOrdersID),
		Org: org, Group: "acme", Slug: "orders"}, amplication.DetectOverride(ctx, c, ""))
	if err != nil || !out.Resource.Override || !out.Resource.Repo.Is("acme", "orders") || out.Old == nil || out.Old.Name != "orders-old" {
		t.Fatalf("ConnectService: %+v, %v", out, err)
	}
	shop = project(t, c, shop.ID)
	if moved := amplication.MovedByProjectConnect(shop, "acme", "shop"); len(moved) != 0 {
		t.Errorf("after the override, a project connect would move %+v", moved)
	}
	if _, err := amplication.ConnectResource(ctx, c, amplication.ConnectRequest{Project: shop, Resource: *shop.Settings(), Org: org, Group: "acme", Slug: "shop"}); err != nil {
		t.Fatal(err)
	}
	if r := resource(t, project(t, c, shop.ID), ampemu.DemoOrdersID); !r.Repo.Is("acme", "orders") {
		t.Errorf("the project connect moved orders to %s", r.Repo.FullName())
	}
	// With no known method it refuses before changing anything.
	_, err = amplication.ConnectService(ctx, c, amplication.ConnectRequest{Project: shop, Resource: resource(t, shop, ampemu.DemoPaymentsID),
		Org: org, Group: "acme", Slug: "payments"}, amplication.OverrideUnknown)
	var ce *amplication.ConnectError
	if !errors.As(err, &ce) || ce.Phase != amplication.PhaseOverride || !errors.Is(err, amplication.ErrOverrideUnknown) {
		t.Errorf("unknown method: %v", err)
	}
}
