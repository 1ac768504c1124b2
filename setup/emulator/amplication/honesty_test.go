package amplication_test

import (
	"strings"
	"testing"
	"time"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// Issue 20's cases, held against the real server's behaviour.

// TestOldServerRefusesBeforeTheExchange: v1.10.0's billing gate fires before the code
// exchange, so Bitbucket sees no token request and the code stays usable.
func TestOldServerRefusesBeforeTheExchange(t *testing.T) {
	bb, a, tok := authorized(t, ampemu.SchemaV1)
	u := dig(a.installURL(tok, nil).Data, "getGitResourceInstallationUrl", "url").(string)
	code := follow(t, u).Query().Get("code")
	before := len(bb.seen())
	if r := a.complete(tok, code, nil); r.errText() != "In order to connect Bitbucket service should upgrade its plan" {
		t.Fatalf("v1.10.0: %s", r.Raw)
	}
	for _, s := range bb.seen()[before:] {
		t.Errorf("the refused completion still called Bitbucket: %s %s", s.Method, s.Path)
	}
	if len(a.emu.GitOrganizations(ampemu.DemoWorkspaceID)) != 1 { // the demo's GitHub one
		t.Error("the refusal stored a git organization")
	}
}

// TestV36HasNoGate: from v3.5.0 on there is no Bitbucket gate.
func TestV36HasNoGate(t *testing.T) {
	_, a, tok := authorized(t, ampemu.SchemaV36)
	u := dig(a.installURL(tok, str("s")).Data, "getGitResourceInstallationUrl", "url").(string)
	if r := a.complete(tok, follow(t, u).Query().Get("code"), str("s")); dig(r.Data, "completeGitOAuth2Flow", "name") != "demo" {
		t.Errorf("v3.6.2 completion: %s", r.Raw)
	}
}

// TestOverrideBeforeV37: on v3.6.2 a service is marked as overriding with updateResource,
// then connected; a later project connect leaves it where it is and moves the inheriting ones.
func TestOverrideBeforeV37(t *testing.T) {
	_, a, tok := authorized(t, ampemu.SchemaV36)
	u := dig(a.installURL(tok, str("s")).Data, "getGitResourceInstallationUrl", "url").(string)
	org := dig(a.complete(tok, follow(t, u).Query().Get("code"), str("s")).Data, "completeGitOAuth2Flow", "id").(string)
	// Connecting alone with isOverrideGitRepository leaves the override false (ignored).
	v := connectVars(ampemu.DemoOrdersID, org, "orders-repo", "acme")
	v["data"].(map[string]any)["isOverrideGitRepository"] = true
	a.ok(tok, connectDoc, v)
	if r, _ := a.emu.Resource(ampemu.DemoOrdersID); r.GitRepositoryOverride {
		t.Fatal("connect set the override")
	}
	// payments: override first, as Amplication's UI did before v3.7.0.
	a.ok(tok, `mutation($id: String!) { updateResource(where: {id: $id}, data: {gitRepositoryOverride: true}) { id } }`,
		map[string]any{"id": ampemu.DemoPaymentsID})
	a.ok(tok, connectDoc, connectVars(ampemu.DemoPaymentsID, org, "payments-repo", "acme"))
	// The v3.6.2 disconnect has no overrideProjectSettings.
	if r := a.do(tok, disconnectDoc, map[string]any{"id": ampemu.DemoOrdersID, "override": true}); r.Status != 400 {
		t.Errorf("v3.6.2 disconnect with overrideProjectSettings: %s", r.Raw)
	}
	a.ok(tok, connectDoc, connectVars(ampemu.DemoShopConfig, org, "shop", "acme"))
	if got := repoOf(t, a.emu, ampemu.DemoOrdersID); got != "acme/shop" {
		t.Errorf("orders (override false) is on %q after the project connect, want it moved to acme/shop", got)
	}
	if got := repoOf(t, a.emu, ampemu.DemoPaymentsID); got != "acme/payments-repo" {
		t.Errorf("payments (override true) is on %q, want it left on acme/payments-repo", got)
	}
}

// TestColleaguesGitOrganization: a colleague connected their Bitbucket account earlier; a new
// authorization adds the operator's own organization beside it, and a project connected
// through the colleague's pushes as the colleague.
func TestColleaguesGitOrganization(t *testing.T) {
	e, cons := bbemu.NewDemo(bbemu.Options{AutoApprove: true}, 0)
	const colleague = "acc-colleague"
	e.AddUser(bbemu.User{AccountID: colleague, DisplayName: "Casey Colleague", Nickname: "casey"})
	e.AddWorkspace(bbemu.Workspace{Slug: "acme", Name: "Acme Corporation"}, map[string]bool{bbemu.DemoUserAccountID: true, colleague: false})
	e.AddRepos("acme", bbemu.Repo{Slug: "shop-code", IsPrivate: true, ProjectKey: "PLAT"})
	access, refresh := e.IssueTokens(cons.Key, colleague)
	bb, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bb.Close)
	dir := checkout(t, map[string]string{"packages/amplication-server/.env.local": keysFile(cons),
		"ee/packages/git-sync-manager/.env.local": keysFile(cons)})
	seed := ampemu.DemoSeed()
	seed.Workspaces[0].GitOrganizations = append(seed.Workspaces[0].GitOrganizations, ampemu.GitOrganization{
		ID: "org-casey", Name: "casey", Provider: "Bitbucket", InstallationID: "{casey-uuid}",
		AccessToken: access, RefreshToken: refresh, ExpiresAt: time.Now().Add(2 * time.Hour)})
	a := startAmp(t, ampemu.Options{CheckoutDir: dir, BitbucketURL: bb.URL, BitbucketAPIURL: bb.APIURL}, seed)
	tok := a.login(ampemu.DemoEmail, ampemu.DemoPassword)
	u := dig(a.installURL(tok, str("s")).Data, "getGitResourceInstallationUrl", "url").(string)
	mine := dig(a.complete(tok, follow(t, u).Query().Get("code"), str("s")).Data, "completeGitOAuth2Flow", "id").(string)
	var names []string
	for _, o := range a.emu.GitOrganizations(ampemu.DemoWorkspaceID) {
		if o.Provider == "Bitbucket" {
			names = append(names, o.Name+"="+o.ID)
		}
	}
	if got := strings.Join(names, ","); got != "casey=org-casey,demo="+mine {
		t.Errorf("Bitbucket organizations %s", got)
	}
	a.ok(tok, connectDoc, connectVars(ampemu.DemoShopConfig, "org-casey", "shop-code", "acme"))
	a.emu.Services().StartAll()
	d := a.ok(tok, commitDoc, map[string]any{"data": map[string]any{"message": "m", "resourceTypeGroup": "Services",
		"project": map[string]any{"connect": map[string]any{"id": ampemu.DemoShopID}}}})
	_ = d
	w := &pushWorld{amp: a, bb: bb}
	w.settle()
	st, _ := bb.Repo("acme", "shop-code")
	if len(st.PullRequests) != 1 || st.PullRequests[0].Author != colleague {
		t.Errorf("pull requests %+v, want one opened as the colleague", st.PullRequests)
	}
}
