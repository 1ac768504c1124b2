package amplication_test

import (
	"fmt"
	"strings"
	"testing"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

const connectDoc = `mutation Connect($data: ConnectGitRepositoryInput!) {
  connectResourceGitRepository(data: $data) {
    id name resourceType gitRepositoryOverride
    gitRepository { id name groupName gitOrganization { id name provider } }
  }
}`

const disconnectDoc = `mutation Disconnect($id: String!, $override: Boolean) {
  disconnectResourceGitRepository(resourceId: $id, overrideProjectSettings: $override) {
    id gitRepositoryOverride gitRepository { id }
  }
}`

func connectVars(resource, org, slug, group string) map[string]any {
	return map[string]any{"data": map[string]any{"resourceId": resource, "gitOrganizationId": org, "name": slug, "groupName": group}}
}

// repoOf is "group/name" of a resource's repository in the emulator's state, "" when none.
func repoOf(t *testing.T, e *ampemu.Emulator, id string) string {
	t.Helper()
	r, ok := e.Resource(id)
	if !ok {
		t.Fatalf("no resource %s", id)
	}
	if r.Repo == nil {
		return ""
	}
	return r.Repo.GroupName + "/" + r.Repo.Name
}

// withBitbucketOrg is the demo world after Amplication was authorized.
func withBitbucketOrg(t *testing.T) (*amp, string, string) {
	t.Helper()
	_, a, tok := authorized(t, "")
	u := dig(a.installURL(tok, str("s")).Data, "getGitResourceInstallationUrl", "url").(string)
	r := a.complete(tok, follow(t, u).Query().Get("code"), str("s"))
	org, _ := dig(r.Data, "completeGitOAuth2Flow", "id").(string)
	if org == "" {
		t.Fatalf("authorize: %s", r.Raw)
	}
	return a, tok, org
}

func TestConnectProjectConnectsInheritingResources(t *testing.T) {
	a, tok, org := withBitbucketOrg(t)
	e := a.emu
	d := a.ok(tok, connectDoc, connectVars(ampemu.DemoShopConfig, org, "checkout-service", "acme"))
	res := d["connectResourceGitRepository"].(map[string]any)
	if res["resourceType"] != "ProjectConfiguration" || dig(res, "gitRepository", "name") != "checkout-service" ||
		dig(res, "gitRepository", "groupName") != "acme" || dig(res, "gitRepository", "gitOrganization", "name") != "demo" ||
		dig(res, "gitRepository", "gitOrganization", "provider") != "Bitbucket" {
		t.Errorf("connect answer %v", res)
	}
	for id, want := range map[string]string{
		ampemu.DemoShopConfig:  "acme/checkout-service",
		ampemu.DemoOrdersID:    "acme/checkout-service", // inherits
		ampemu.DemoPaymentsID:  "acme/checkout-service", // inherits
		ampemu.DemoCatalogID:   "/catalog-legacy",       // overrides: untouched
		ampemu.DemoInternalCfg: "",                      // another project
		ampemu.DemoAdminID:     "",
	} {
		if got := repoOf(t, e, id); got != want {
			t.Errorf("resource %s: repo %q, want %q", id, got, want)
		}
	}
	// The projects query shows the same.
	d = a.ok(tok, `{ projects { name resources { name gitRepositoryOverride gitRepository { name groupName } } } }`, nil)
	if s := fmt.Sprint(d["projects"]); !strings.Contains(s, "map[gitRepository:map[groupName:acme name:checkout-service] gitRepositoryOverride:false name:orders]") {
		t.Errorf("projects: %s", s)
	}

	// A connected resource refuses another connect, project and service alike.
	for _, id := range []string{ampemu.DemoShopConfig, ampemu.DemoOrdersID, ampemu.DemoCatalogID} {
		r := a.do(tok, connectDoc, connectVars(id, org, "other", "acme"))
		if r.errText() != "The resource is already connected to a Git Repository" || r.Data != nil {
			t.Errorf("connect %s again: %s", id, r.Raw)
		}
	}

	// Disconnecting the project takes the repository from everything that inherited it.
	d = a.ok(tok, disconnectDoc, map[string]any{"id": ampemu.DemoShopConfig})
	if dig(d, "disconnectResourceGitRepository", "gitRepository") != nil {
		t.Errorf("disconnect answer %v", d)
	}
	for _, id := range []string{ampemu.DemoShopConfig, ampemu.DemoOrdersID, ampemu.DemoPaymentsID} {
		if got := repoOf(t, e, id); got != "" {
			t.Errorf("after disconnect %s has %q", id, got)
		}
	}
	if repoOf(t, e, ampemu.DemoCatalogID) != "/catalog-legacy" {
		t.Errorf("catalog lost its own repository")
	}
	// Disconnecting what has no repository is a no-op on v3.
	if r := a.do(tok, disconnectDoc, map[string]any{"id": ampemu.DemoOrdersID}); len(r.Errors) > 0 {
		t.Errorf("disconnect of an unconnected resource: %s", r.Raw)
	}
}

func TestConnectServiceAlone(t *testing.T) {
	a, tok, org := withBitbucketOrg(t)
	e := a.emu
	// A service connected on its own keeps gitRepositoryOverride as it was: the real server
	// ignores isOverrideGitRepository here.
	v := connectVars(ampemu.DemoOrdersID, org, "orders", "acme")
	v["data"].(map[string]any)["isOverrideGitRepository"] = true
	d := a.ok(tok, connectDoc, v)
	if dig(d, "connectResourceGitRepository", "gitRepositoryOverride") != false {
		t.Errorf("override changed: %v", d)
	}
	if repoOf(t, e, ampemu.DemoOrdersID) != "acme/orders" || repoOf(t, e, ampemu.DemoPaymentsID) != "" || repoOf(t, e, ampemu.DemoShopConfig) != "" {
		t.Errorf("service connect touched others: orders %q payments %q project %q", repoOf(t, e, ampemu.DemoOrdersID),
			repoOf(t, e, ampemu.DemoPaymentsID), repoOf(t, e, ampemu.DemoShopConfig))
	}
	// Replace for an overriding service: disconnect, then connect.
	a.ok(tok, disconnectDoc, map[string]any{"id": ampemu.DemoCatalogID})
	if repoOf(t, e, ampemu.DemoCatalogID) != "" {
		t.Fatalf("catalog still connected")
	}
	a.ok(tok, connectDoc, connectVars(ampemu.DemoCatalogID, org, "catalog", "acme"))
	if r, _ := e.Resource(ampemu.DemoCatalogID); !r.GitRepositoryOverride || r.Repo == nil || r.Repo.GitOrganizationID != org {
		t.Errorf("catalog after replace: %+v", r)
	}
	// overrideProjectSettings makes an inheriting service stop inheriting (v3).
	d = a.ok(tok, disconnectDoc, map[string]any{"id": ampemu.DemoPaymentsID, "override": true})
	if dig(d, "disconnectResourceGitRepository", "gitRepositoryOverride") != false { // the record read before
		t.Errorf("disconnect answer %v", d)
	}
	if r, _ := e.Resource(ampemu.DemoPaymentsID); !r.GitRepositoryOverride || r.Repo != nil {
		t.Errorf("payments after override: %+v", r)
	}
	// Now a project connect leaves payments alone but moves orders (override false) over.
	a.ok(tok, disconnectDoc, map[string]any{"id": ampemu.DemoOrdersID})
	a.ok(tok, connectDoc, connectVars(ampemu.DemoShopConfig, org, "shop", "acme"))
	if repoOf(t, e, ampemu.DemoOrdersID) != "acme/shop" || repoOf(t, e, ampemu.DemoPaymentsID) != "" {
		t.Errorf("orders %q payments %q", repoOf(t, e, ampemu.DemoOrdersID), repoOf(t, e, ampemu.DemoPaymentsID))
	}
}

func TestConnectActsOnTheTokensWorkspace(t *testing.T) {
	a, tok, org := withBitbucketOrg(t)
	// Resources and organizations of a workspace the token is not in.
	for _, id := range []string{"r-other", "r-side", "no-such-resource", ""} {
		r := a.do(tok, connectDoc, connectVars(id, org, "x", "acme"))
		if r.errText() != "Forbidden resource" || r.Errors[0].Extensions["code"] != "FORBIDDEN" {
			t.Errorf("connect %q from Demo: %s", id, r.Raw)
		}
		if r := a.do(tok, disconnectDoc, map[string]any{"id": id}); r.errText() != "Forbidden resource" {
			t.Errorf("disconnect %q from Demo: %s", id, r.Raw)
		}
	}
	if r := a.do(tok, connectDoc, connectVars(ampemu.DemoOrdersID, "org-other", "x", "acme")); r.errText() != "Cannot read properties of null (reading 'workspace')" {
		t.Errorf("another workspace's organization: %s", r.Raw)
	}
	if repoOf(t, a.emu, ampemu.DemoOrdersID) != "" {
		t.Errorf("a refused connect stored something")
	}
	// setCurrentWorkspace: a new token; everything then acts on that workspace.
	r := a.do(tok, `mutation { setCurrentWorkspace(data: {id: "ws-other"}) { token } }`, nil)
	if !strings.HasPrefix(r.errText(), "This account does not have an active user records in the selected workspace") {
		t.Errorf("a workspace the user is not in: %s", r.Raw)
	}
	d := a.ok(tok, `mutation { setCurrentWorkspace(data: {id: "ws-second"}) { token } }`, nil)
	tok2 := dig(d, "setCurrentWorkspace", "token").(string)
	if tok2 == tok {
		t.Fatal("setCurrentWorkspace returned the same token")
	}
	d = a.ok(tok2, `{ currentWorkspace { name } projects { name } gitOrganizations { id } }`, nil)
	if dig(d, "currentWorkspace", "name") != "Second" || fmt.Sprint(d["projects"]) != "[map[name:Side]]" || len(d["gitOrganizations"].([]any)) != 0 {
		t.Errorf("second workspace: %v", d)
	}
	if r := a.do(tok2, connectDoc, connectVars("r-side", org, "x", "acme")); r.errText() != "Cannot read properties of null (reading 'workspace')" {
		t.Errorf("Demo's organization from Second: %s", r.Raw)
	}
	// The old token still acts on Demo; the next login lands in Second.
	if d := a.ok(tok, `{ currentWorkspace { name } }`, nil); dig(d, "currentWorkspace", "name") != "Demo" {
		t.Errorf("old token: %v", d)
	}
	tok3 := a.login(ampemu.DemoEmail, ampemu.DemoPassword)
	if d := a.ok(tok3, `{ currentWorkspace { name } }`, nil); dig(d, "currentWorkspace", "name") != "Second" {
		t.Errorf("login after setCurrentWorkspace: %v", d)
	}
}

func TestSchemaV1Disconnect(t *testing.T) {
	_, a, tok := authorized(t, ampemu.SchemaV1)
	doc := `mutation($id: String!) { disconnectResourceGitRepository(resourceId: $id) { id } }`
	if r := a.do(tok, doc, map[string]any{"id": ampemu.DemoOrdersID}); len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "INTERNAL_SERVER_ERROR" {
		t.Errorf("v1 disconnect without repository: %s", r.Raw)
	}
	a.ok(tok, doc, map[string]any{"id": ampemu.DemoCatalogID})
	if repoOf(t, a.emu, ampemu.DemoCatalogID) != "" {
		t.Errorf("v1 disconnect kept the repository")
	}
}

func TestLogHoldsNoSecrets(t *testing.T) {
	a, tok, _ := withBitbucketOrg(t)
	a.emu.ResetLog()
	a.login(ampemu.DemoEmail, ampemu.DemoPassword)
	a.ok(tok, `query Overview { me { id } projects { id } }`, nil)
	log := a.emu.Log()
	if len(log) != 2 || log[0].Operation != "Login" || log[0].Authorization || log[1].Operation != "Overview" ||
		!log[1].Authorization || fmt.Sprint(log[1].Fields) != "[me projects]" || log[1].Status != 200 {
		t.Errorf("log %+v", log)
	}
	s := fmt.Sprintf("%+v", log)
	for _, secret := range []string{ampemu.DemoPassword, tok} {
		if strings.Contains(s, secret) {
			t.Errorf("the log holds a secret: %s", s)
		}
	}
}

func TestTokenHelper(t *testing.T) {
	a := startAmp(t, ampemu.Options{}, twoWorkspaces())
	for ws, want := range map[string]string{"": "Demo", "Second": "Second", "ws-second": "Second"} {
		tok, ok := a.emu.Token(strings.ToUpper(ampemu.DemoEmail), ws)
		if !ok {
			t.Fatalf("Token(%q) failed", ws)
		}
		if d := a.ok(tok, `{ currentWorkspace { name } }`, nil); dig(d, "currentWorkspace", "name") != want {
			t.Errorf("Token(%q): %v", ws, d)
		}
	}
	if _, ok := a.emu.Token(ampemu.DemoEmail, "Other"); ok {
		t.Error("a token for a workspace the user is not in")
	}
	if _, ok := a.emu.Token("nobody@x", ""); ok {
		t.Error("a token for nobody")
	}
}

func TestSkipTakeAndWhere(t *testing.T) {
	a := startAmp(t, ampemu.Options{}, ampemu.DemoSeed())
	tok := a.login(ampemu.DemoEmail, ampemu.DemoPassword)
	for doc, want := range map[string]string{
		`{ projects { name } }`:                                                        "[map[name:Shop] map[name:Internal]]",
		`{ projects(skip: 1) { name } }`:                                               "[map[name:Internal]]",
		`{ projects(skip: 5) { name } }`:                                               "[]",
		`{ projects(take: 1) { name } }`:                                               "[map[name:Shop]]",
		`{ projects(where: {id: "` + ampemu.DemoInternalID + `"}) { name } }`:          "[map[name:Internal]]",
		`{ gitOrganizations(take: 0) { name } }`:                                       "[]",
		`{ gitOrganizations(where: {id: "` + ampemu.DemoGitHubOrgID + `"}) { name } }`: "[map[name:acme-archive]]",
	} {
		d := a.ok(tok, doc, nil)
		for _, v := range d {
			if got := fmt.Sprint(v); got != want {
				t.Errorf("%s: %s, want %s", doc, got, want)
			}
		}
	}
}
