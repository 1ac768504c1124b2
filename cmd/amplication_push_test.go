package cmd

// Issue 20 on the command line: will Amplication push there? Each test drives bbsetup with
// real flags against both emulators on loopback and reads the emulators' state (which git
// organization, which override, which branch).

import (
	"encoding/json"
	"strings"
	"testing"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

const (
	caseyOrgID     = "clcaseyorg00000000000001"
	caseyAccountID = "5f0c1d2e3a4b5c6d7e8fcase"
	caseyUUID      = "{c0113a9e-0000-4000-8000-00000000ca5e}"
	otherOrgID     = "clotherorg00000000000001"
)

// withOrgs seeds the Demo workspace's Bitbucket git organizations: a colleague's (casey)
// first, then, when own, the operator's (demo); other adds a second stranger's.
func withOrgs(own, other bool) func(*ampemu.Seed) {
	return func(s *ampemu.Seed) {
		orgs := []ampemu.GitOrganization{{ID: caseyOrgID, Name: "casey", Provider: "Bitbucket", Type: "Organization", InstallationID: caseyUUID}}
		if other {
			orgs = append(orgs, ampemu.GitOrganization{ID: otherOrgID, Name: "robin", Provider: "Bitbucket", Type: "Organization", InstallationID: "{0be4e7a1-0000-4000-8000-0000000000aa}"})
		}
		if own {
			orgs = append(orgs, ampemu.GitOrganization{ID: ampBitbucketOrgID, Name: "demo", Provider: "Bitbucket", Type: "Organization", InstallationID: ampDemoUUID})
		}
		s.Workspaces[0].GitOrganizations = append(s.Workspaces[0].GitOrganizations, orgs...)
	}
}

// withCasey adds the colleague to Bitbucket (not a member of acme).
func withCasey(e *bbemu.Emulator, _ *bbemu.Consumer) {
	e.AddUser(bbemu.User{AccountID: caseyAccountID, UUID: caseyUUID, DisplayName: "Casey Colleague", Nickname: "casey"})
}

func orgOf(t *testing.T, w *ampWorld, id string) string {
	t.Helper()
	r, _ := w.amp.Resource(id)
	if r.Repo == nil {
		return ""
	}
	return r.Repo.GitOrganizationID
}

// The connect goes through the git organization whose account is bbsetup's own, not the
// first one (a colleague's); --git-org chooses another, and a connect through an account
// that cannot write the repository is refused before anything is stored.
func TestAmplicationConnectGitOrg(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{seed: withOrgs(true, false), bb: withCasey})
	code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop", "--service", "orders")
	if code != ExitOK || !strings.Contains(out, "Amplication will push as the Bitbucket account demo (bbsetup's own account too).") {
		t.Fatalf("default: exit %d:\n%s%s", code, out, errOut)
	}
	if got := orgOf(t, w, ampemu.DemoOrdersID); got != ampBitbucketOrgID {
		t.Errorf("orders connected through %q, want the operator's %s", got, ampBitbucketOrgID)
	}

	// Through casey, who cannot see the private repository: refused, nothing stored.
	code, out, errOut = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "shop-platform", "--project", "Shop", "--service", "payments", "--git-org", "casey")
	if code != ExitFailure || !strings.Contains(errOut, "casey, the Bitbucket account Amplication pushes as, has no access to acme/shop-platform") ||
		!strings.Contains(errOut, "Amplication pushes to Bitbucket as casey, but bbsetup checks and creates repositories as demo") {
		t.Errorf("casey without access: exit %d:\n%s%s", code, out, errOut)
	}
	if r, _ := w.amp.Resource(ampemu.DemoPaymentsID); r.Repo != nil {
		t.Errorf("payments was connected anyway: %+v", r.Repo)
	}
	// Casey is given write access: the connect goes through casey's organization (by id).
	w.bb.SetRepoPermission("acme", "shop-platform", caseyAccountID, bbemu.PermWrite)
	code, out, errOut = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "shop-platform", "--project", "Shop", "--service", "payments", "--git-org", caseyOrgID, "--json")
	var res ampConnectResult
	if err := json.Unmarshal([]byte(out), &res); code != ExitOK || err != nil || res.PushesAs != "casey" || res.OwnAccount == nil || *res.OwnAccount ||
		res.WriteChecked == nil || !*res.WriteChecked || !res.Resource.Override {
		t.Errorf("casey with write: exit %d, %v:\n%s%s", code, err, out, errOut)
	}
	if got := orgOf(t, w, ampemu.DemoPaymentsID); got != caseyOrgID {
		t.Errorf("payments connected through %q, want casey's %s", got, caseyOrgID)
	}
	if !strings.Contains(errOut, "casey can write acme/shop-platform (write).") {
		t.Errorf("the write check is not reported:\n%s", errOut)
	}
	// An unknown --git-org: a usage error listing the choices.
	code, _, errOut = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "shop-platform", "--project", "Shop", "--git-org", "nobody")
	if code != ExitUsage || !strings.Contains(errOut, "casey ("+caseyOrgID+"), demo ("+ampBitbucketOrgID+")") {
		t.Errorf("unknown --git-org: exit %d: %s", code, errOut)
	}
}

// Several Bitbucket organizations, none bbsetup's own: it does not guess.
func TestAmplicationConnectGitOrgRefusesToGuess(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{seed: withOrgs(false, true), bb: withCasey})
	code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop", "--service", "orders")
	if code != ExitUsage || !strings.Contains(errOut, "none is bbsetup's own Bitbucket account: choose one of casey ("+caseyOrgID+"), robin ("+otherOrgID+")") ||
		!strings.Contains(errOut, "--git-org NAME|ID") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
	if r, _ := w.amp.Resource(ampemu.DemoOrdersID); r.Repo != nil {
		t.Errorf("orders was connected: %+v", r.Repo)
	}
}

// amplication status lists every Bitbucket organization with its account and says which
// one is not bbsetup's own, with both names.
func TestAmplicationStatusListsGitOrgAccounts(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{seed: withOrgs(true, false), bb: withCasey})
	code, out, errOut := w.run(t, "", "amplication", "status")
	for _, want := range []string{
		"git organization casey (id " + caseyOrgID + "): pushes as the Bitbucket account casey (not bbsetup's own account).",
		"git organization demo (id " + ampBitbucketOrgID + "): pushes as the Bitbucket account demo (bbsetup's own account).",
		"• the git organization casey pushes as another Bitbucket account than bbsetup's own",
		"Amplication pushes to Bitbucket as casey, but bbsetup checks and creates repositories as demo",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q (exit %d):\n%s%s", want, code, out, errOut)
		}
	}
	if code != ExitOK {
		t.Errorf("exit %d: a colleague's organization is a note, not a failure", code)
	}
}

// A service connected alone is marked as overriding its project on each generation's
// document (v3.6.2: updateResource; v3.14: disconnectResourceGitRepository), read back in
// the emulator; a project connect then leaves it alone, and one that would move a service
// still following the project is refused without --replace.
func TestAmplicationConnectServiceOverride(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ schema, op string }{
		{ampemu.SchemaV36, "UpdateResourceGitOverride"},
		{ampemu.SchemaV3, "OverrideProjectGitSettings"},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			w := ampStart(t, ampWorldOptions{schema: tc.schema, bitbucketOrg: true, seed: func(s *ampemu.Seed) {
				// payments has a repository of its own but follows the project (as after a
				// connect by an older bbsetup).
				for i, r := range s.Workspaces[0].Projects[0].Resources {
					if r.ID == ampemu.DemoPaymentsID {
						s.Workspaces[0].Projects[0].Resources[i].Repo = &ampemu.GitRepository{Name: "orders-v2", GroupName: "acme", GitOrganizationID: ampBitbucketOrgID}
					}
				}
			}})
			from := len(w.amp.Log())
			code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop", "--service", "orders")
			if code != ExitOK || strings.Contains(errOut, "still follows") || !strings.Contains(out, "It overrides the settings of project Shop") {
				t.Fatalf("exit %d:\n%s%s", code, out, errOut)
			}
			if !strings.Contains(strings.Join(w.ampOps(from), ","), tc.op) {
				t.Errorf("no %s among %v", tc.op, w.ampOps(from))
			}
			if r, _ := w.amp.Resource(ampemu.DemoOrdersID); !r.GitRepositoryOverride || r.Repo == nil || r.Repo.Name != "checkout-service" {
				t.Errorf("orders: override %v, %+v", r.GitRepositoryOverride, r.Repo)
			}
			// The project connect would move payments: refused, naming it, nothing stored.
			code, out, errOut = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "shop-platform", "--project", "Shop")
			if code != ExitFailure || !strings.Contains(errOut, "would also move payments (from acme/orders-v2)") || !strings.Contains(errOut, "--replace") ||
				strings.Contains(errOut, "orders (from") {
				t.Errorf("project connect without --replace: exit %d:\n%s%s", code, out, errOut)
			}
			if r, _ := w.amp.Resource(ampemu.DemoShopConfig); r.Repo != nil {
				t.Errorf("the project was connected anyway: %+v", r.Repo)
			}
			code, out, errOut = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "shop-platform", "--project", "Shop", "--replace")
			if code != ExitOK {
				t.Fatalf("--replace: exit %d:\n%s%s", code, out, errOut)
			}
			if r, _ := w.amp.Resource(ampemu.DemoPaymentsID); r.Repo == nil || r.Repo.Name != "shop-platform" {
				t.Errorf("payments after --replace: %+v", r.Repo)
			}
			if r, _ := w.amp.Resource(ampemu.DemoOrdersID); r.Repo == nil || r.Repo.Name != "checkout-service" {
				t.Errorf("orders (overriding) moved with the project: %+v", r.Repo)
			}
		})
	}
}

// The consumer hosted by another Bitbucket account: every connect says so with both names;
// bbsetup checks that the account Amplication pushes as can write, refuses one that can
// only read, and says when it cannot check (not a workspace admin).
func TestAmplicationConnectConsumerInAnotherAccount(t *testing.T) {
	t.Parallel()
	const host = "5f0c1d2e3a4b5c6d7e8f0505"
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true, bb: func(e *bbemu.Emulator, c *bbemu.Consumer) {
		e.AddUser(bbemu.User{AccountID: host, DisplayName: "Consumer Host", Nickname: "hosting"})
		m := e.Members("acme")
		m[host] = true // an administrator of acme: it may read repository permissions
		e.AddWorkspace(bbemu.Workspace{Slug: "acme", Name: "Acme Corporation"}, m)
		c.Owner = host
	}})
	code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop", "--service", "orders")
	if code != ExitOK || !strings.Contains(out, "Amplication will push as the Bitbucket account demo, not bbsetup's own (hosting).") ||
		!strings.Contains(errOut, "Warning: Amplication pushes to Bitbucket as demo, but bbsetup checks and creates repositories as hosting") ||
		!strings.Contains(errOut, "demo can write acme/checkout-service") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
	// demo can only read orders-v2: refused before anything is stored.
	w.bb.SetRepoPermission("acme", "orders-v2", bbemu.DemoUserAccountID, bbemu.PermRead)
	code, out, errOut = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "orders-v2", "--project", "Shop", "--service", "payments")
	if code != ExitFailure || !strings.Contains(errOut, "demo, the Bitbucket account Amplication pushes as, can only read acme/orders-v2") {
		t.Errorf("read only: exit %d:\n%s%s", code, out, errOut)
	}
	if r, _ := w.amp.Resource(ampemu.DemoPaymentsID); r.Repo != nil {
		t.Errorf("payments was connected to a repository its pusher cannot write: %+v", r.Repo)
	}
	// hosting is no longer an administrator: the check cannot be made, and it says so.
	m := w.bb.Members("acme")
	m[host] = false
	w.bb.AddWorkspace(bbemu.Workspace{Slug: "acme", Name: "Acme Corporation"}, m)
	code, out, errOut = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "shop-platform", "--project", "Shop", "--service", "payments")
	if code != ExitOK || !strings.Contains(errOut, "bbsetup cannot check who can write acme/shop-platform") {
		t.Errorf("not admin: exit %d:\n%s%s", code, out, errOut)
	}
	// The workspace list says whose it is.
	code, out, errOut = w.run(t, "", "workspaces")
	if code != ExitOK || !strings.Contains(out+errOut, "1 workspace of hosting (the OAuth consumer's owner).") {
		t.Errorf("workspaces: exit %d:\n%s%s", code, out, errOut)
	}
}

// A repository created empty gets README.md on main before it is connected
// (amplication connect --create and repos create), read back from the emulator.
func TestAmplicationConnectCreateMakesMainBranch(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true, bbOpts: func(o *bbemu.Options) { o.EmptyMainbranch = true }})
	code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--create", "Fresh Service", "--project", "Shop", "--service", "orders")
	if code != ExitOK || !strings.Contains(errOut, "Added README.md on main so the repository has a default branch") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	if st, ok := w.bb.Repo("acme", "fresh-service"); !ok || st.Mainbranch != "main" {
		t.Errorf("fresh-service: %+v, %v", st, ok)
	}
	if _, ok := w.bb.File("acme", "fresh-service", "main", "README.md"); !ok {
		t.Errorf("no README.md on main")
	}
	if r, _ := w.amp.Resource(ampemu.DemoOrdersID); r.Repo == nil || r.Repo.Name != "fresh-service" {
		t.Errorf("orders: %+v", r.Repo)
	}
	code, out, errOut = w.run(t, "", "repos", "create", "--workspace", "acme", "--name", "Second Fresh")
	if code != ExitOK || !strings.Contains(errOut, "Added README.md on main") {
		t.Fatalf("repos create: exit %d:\n%s%s", code, out, errOut)
	}
	if st, ok := w.bb.Repo("acme", "second-fresh"); !ok || st.Mainbranch != "main" {
		t.Errorf("second-fresh: %+v, %v", st, ok)
	}
}

// After the authorization, projects the server left on Amplication's demo repository (it
// clears useDemoRepo; a server that did not) fail the command, named.
func TestAmplicationAuthorizeProjectsLeftOnDemoRepo(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	ampFront(t, w, func(op string) (int, string, bool) {
		if op == "ProjectsDemoRepo" {
			return 200, `{"data":{"projects":[{"id":"p1","name":"Shop","useDemoRepo":true},{"id":"p2","name":"Internal","useDemoRepo":false}]}}`, true
		}
		return 0, "", false
	})
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "1m")
	loc := ss.land(t, ss.authorizeURL(t))
	resp, err := ss.browser.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s%s", code, ss.outText(), ss.errText())
	}
	if e := ss.errText(); !strings.Contains(e, "still push to Amplication's demo repository on GitHub, not to Bitbucket: Shop;") || strings.Contains(e, "Internal") {
		t.Errorf("stderr:\n%s", e)
	}
	if out := ss.outText(); !strings.Contains(out, "Amplication is connected to Bitbucket as demo.") || !strings.Contains(out, "Amplication will push as the Bitbucket account demo (bbsetup's own account too).") {
		t.Errorf("stdout:\n%s", out)
	}
}
