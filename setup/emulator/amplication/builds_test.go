package amplication_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

const commitDoc = `mutation Commit($data: CommitCreateInput!) { commit(data: $data) { id message } }`

const buildsDoc = `query Builds($commit: String!) {
  builds(where: {commit: {id: $commit}}, orderBy: {createdAt: Asc}) {
    id resourceId message status gitStatus version
    action { steps { name message status completedAt logs { level message meta } } }
  }
}`

// IDs of the push world's Amplication data.
const (
	pwProject = "cpwprj000000000000000001"
	pwConfig  = "cpwres000000000000000001"
	pwOrders  = "cpwres000000000000000002"
	pwPayment = "cpwres000000000000000003"
	pwNotes   = "cpwres000000000000000004" // overrides the project's repository and has none
)

// pushWorld is Amplication (demo user, project Shop) authorized against a Bitbucket emulator
// on loopback, the server's and the PR service's .env.local holding the consumer's key, and
// the Shop project connected to acme/<slug> (orders and payments inherit; notes does not).
type pushWorld struct {
	*amp
	bb    *bbemu.Server
	cons  bbemu.Consumer
	token string
	org   string
	dir   string
}

type pushOpts struct {
	bb      bbemu.Options
	amp     ampemu.Options
	slug    string // repository to connect ("" = shop-code, seeded with a main branch)
	noRepo  bool   // create the repository through the API instead of seeding it
	connect bool
}

func newPushWorld(t *testing.T, o pushOpts) *pushWorld {
	t.Helper()
	o.bb.AutoApprove = true
	e, cons := bbemu.NewDemo(o.bb, 0)
	if o.slug == "" {
		o.slug = "shop-code"
	}
	if !o.noRepo {
		e.AddRepos("acme", bbemu.Repo{Slug: o.slug, Name: "Shop code", IsPrivate: true, ProjectKey: "PLAT"})
	}
	bb, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bb.Close)
	dir := checkout(t, map[string]string{
		"packages/amplication-server/.env.local":  keysFile(cons),
		"ee/packages/git-sync-manager/.env.local": keysFile(cons),
		"ee/packages/git-sync-manager/.env":       "BITBUCKET_CLIENT_ID=[bitbucket-client-id]\nBITBUCKET_CLIENT_SECRET=[bitbucket-client-secret]\n",
	})
	opts := o.amp
	opts.CheckoutDir, opts.BitbucketURL, opts.BitbucketAPIURL = dir, bb.URL, bb.APIURL
	seed := ampemu.Seed{
		Users: []ampemu.User{{Email: ampemu.DemoEmail, Password: ampemu.DemoPassword, FirstName: "Demo", LastName: "Operator"}},
		Workspaces: []ampemu.Workspace{{ID: ampemu.DemoWorkspaceID, Name: "Demo", Members: []string{ampemu.DemoEmail},
			Projects: []ampemu.Project{{ID: pwProject, Name: "Shop", UseDemoRepo: true, Resources: []ampemu.Resource{
				{ID: pwConfig, Name: "Shop", Type: "ProjectConfiguration"},
				{ID: pwOrders, Name: "orders", Type: "Service"},
				{ID: pwPayment, Name: "Payments API", Type: "Service"},
				{ID: pwNotes, Name: "notes", Type: "Service", GitRepositoryOverride: true},
			}}}}},
	}
	a := startAmp(t, opts, seed)
	w := &pushWorld{amp: a, bb: bb, cons: cons, dir: dir}
	w.token = a.login(ampemu.DemoEmail, ampemu.DemoPassword)
	u := dig(a.installURL(w.token, str("s")).Data, "getGitResourceInstallationUrl", "url").(string)
	r := a.complete(w.token, follow(t, u).Query().Get("code"), str("s"))
	w.org, _ = dig(r.Data, "completeGitOAuth2Flow", "id").(string)
	if w.org == "" {
		t.Fatalf("authorize: %s", r.Raw)
	}
	if o.connect {
		a.ok(w.token, connectDoc, connectVars(pwConfig, w.org, o.slug, "acme"))
	}
	return w
}

func (w *pushWorld) commit(message string) string {
	w.t.Helper()
	d := w.ok(w.token, commitDoc, map[string]any{"data": map[string]any{"message": message,
		"project": map[string]any{"connect": map[string]any{"id": pwProject}}, "resourceTypeGroup": "Services"}})
	return dig(d, "commit", "id").(string)
}

// builds reads the commit's builds by resource id.
func (w *pushWorld) builds(commit string) map[string]map[string]any {
	w.t.Helper()
	d := w.ok(w.token, buildsDoc, map[string]any{"commit": commit})
	out := map[string]map[string]any{}
	for _, b := range d["builds"].([]any) {
		m := b.(map[string]any)
		out[m["resourceId"].(string)] = m
	}
	return out
}

func (w *pushWorld) settle() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if !w.emu.Services().Wait(ctx) {
		w.t.Fatal("the services did not finish their work in 20 s")
	}
}

// steps is a build's steps by name.
func steps(b map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, s := range dig(b, "action", "steps").([]any) {
		m := s.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

func stepNames(b map[string]any) []string {
	var out []string
	for _, s := range dig(b, "action", "steps").([]any) {
		out = append(out, s.(map[string]any)["name"].(string))
	}
	return out
}

func logMessages(s map[string]any) []string {
	var out []string
	for _, l := range s["logs"].([]any) {
		out = append(out, l.(map[string]any)["message"].(string))
	}
	return out
}

func TestBuildHappyPath(t *testing.T) {
	w := newPushWorld(t, pushOpts{connect: true})
	w.emu.Services().StartAll()
	c := w.commit("First build")
	w.settle()
	bs := w.builds(c)
	if len(bs) != 3 {
		t.Fatalf("%d builds, want one per service (orders, payments, notes): %v", len(bs), bs)
	}
	prURL := bbemu.PullRequestURL(w.bb.URL, "acme", "shop-code", 1)
	for _, id := range []string{pwOrders, pwPayment} {
		b := bs[id]
		if b["status"] != "Completed" || b["gitStatus"] != "Completed" || b["message"] != "First build" || b["version"] != c[len(c)-8:] {
			t.Errorf("build of %s: %v", id, b)
		}
		if got := strings.Join(stepNames(b), ","); got != "ADD_TO_QUEUE,GENERATE_APPLICATION,PUSH_TO_GIT_PROVIDER" {
			t.Errorf("steps %s", got)
		}
		st := steps(b)
		if got := strings.Join(logMessages(st["ADD_TO_QUEUE"]), "|"); got != "Create build generation task|Build version: "+c[len(c)-8:]+"|Build message: First build" {
			t.Errorf("ADD_TO_QUEUE logs %q", got)
		}
		if st["GENERATE_APPLICATION"]["status"] != "Success" || st["GENERATE_APPLICATION"]["message"] != "Generating Application" {
			t.Errorf("generate step %v", st["GENERATE_APPLICATION"])
		}
		push := st["PUSH_TO_GIT_PROVIDER"]
		want := []string{ampemu.LogPushStart, ampemu.LogWorkerAssigned, prURL, "Successfully pushed changes to Bitbucket"}
		if got := logMessages(push); strings.Join(got, "|") != strings.Join(want, "|") || push["status"] != "Success" ||
			push["message"] != "Push changes to Bitbucket" || push["completedAt"] == nil {
			t.Errorf("push step %v, logs %q", push, got)
		}
		meta := push["logs"].([]any)[2].(map[string]any)["meta"].(map[string]any)
		if meta["githubUrl"] != prURL || meta["diffStat"] == nil {
			t.Errorf("the URL's meta %v", meta)
		}
	}
	notes := bs[pwNotes]
	if notes["status"] != "Completed" || notes["gitStatus"] != "NotConnected" || strings.Join(stepNames(notes), ",") != "ADD_TO_QUEUE,GENERATE_APPLICATION" {
		t.Errorf("the service without a repository: %v", notes)
	}
	st, _ := w.bb.Repo("acme", "shop-code")
	if len(st.PullRequests) != 1 || st.PullRequests[0].Source != "amplication" || st.PullRequests[0].Destination != "main" ||
		!strings.HasPrefix(st.PullRequests[0].Title, "chore(Amplication): Update Generated Code First build (Amplication build ") ||
		len(st.PullRequests[0].Comments) != 2 || !strings.Contains(st.PullRequests[0].Comments[0], "Commit message: First build.") {
		t.Errorf("Bitbucket holds %+v", st)
	}
	if st.PullRequests[0].Author != bbemu.DemoUserAccountID {
		t.Errorf("the pull request was opened by %s, want the user who authorized Amplication", st.PullRequests[0].Author)
	}
	if _, ok := w.bb.File("acme", "shop-code", "amplication", "apps/payments-api/src/main.ts"); !ok {
		t.Error("the generated code is not on the amplication branch")
	}

	// A second commit: the open pull request is found, not opened again; two more comments.
	c2 := w.commit("Second")
	w.settle()
	for id, b := range w.builds(c2) {
		if id != pwNotes && (b["gitStatus"] != "Completed" || !strings.Contains(strings.Join(logMessages(steps(b)["PUSH_TO_GIT_PROVIDER"]), "|"), prURL)) {
			t.Errorf("second build of %s: %v", id, b)
		}
	}
	st, _ = w.bb.Repo("acme", "shop-code")
	if len(st.PullRequests) != 1 || len(st.PullRequests[0].Comments) != 4 {
		t.Errorf("after the second commit Bitbucket holds %d pull requests, %d comments", len(st.PullRequests), len(st.PullRequests[0].Comments))
	}
}

// TestPushCallsInOrder: the PR service's Bitbucket calls for one push, in order (SPEC.md).
func TestPushCallsInOrder(t *testing.T) {
	w := newPushWorld(t, pushOpts{connect: true})
	w.emu.Services().StartAll()
	if err := w.emu.Services().Stop(ampemu.PRService); err != nil {
		t.Fatal(err)
	}
	w.commit("one")
	w.settle()
	w.bb.Controls().ResetLog()
	_ = w.emu.Services().Start(ampemu.PRService)
	w.settle()
	var got []string
	for _, r := range w.bb.Controls().Log() {
		got = append(got, r.Method+" "+strings.TrimPrefix(r.Path, "/2.0/repositories/acme/shop-code"))
		if len(got) == 9 {
			break // the first push; the second finds the branch and the pull request
		}
	}
	want := []string{"GET ", "GET /refs/branches/main", "GET /src/main/.amplicationignore", "GET /refs/branches/amplication",
		"POST /refs/branches", "POST /src", "GET /pullrequests", "POST /pullrequests", "POST /pullrequests/1/comments"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestGenerationWaitsForBuildManagerAndGenerator(t *testing.T) {
	w := newPushWorld(t, pushOpts{connect: true})
	s := w.emu.Services()
	_ = s.Start(ampemu.PRService)
	c := w.commit("waiting")
	w.settle()
	check := func(when string) {
		t.Helper()
		b := w.builds(c)[pwOrders]
		gen := steps(b)["GENERATE_APPLICATION"]
		if b["status"] != "Running" || b["gitStatus"] != "Waiting" || gen["status"] != "Running" || len(steps(b)) != 2 {
			t.Errorf("%s: build %v", when, b)
		}
	}
	check("both down")
	_ = s.Start(ampemu.BuildManager)
	w.settle()
	check("only the build manager")
	_ = s.Start(ampemu.CodeGenerator)
	w.settle()
	b := w.builds(c)[pwOrders]
	if b["gitStatus"] != "Completed" || steps(b)["GENERATE_APPLICATION"]["status"] != "Success" ||
		len(steps(b)["GENERATE_APPLICATION"]["logs"].([]any)) == 0 {
		t.Errorf("after starting the generator: %v", b)
	}
	if !s.Running(ampemu.CodeGenerator) || s.Start("nope") == nil {
		t.Error("Running/Start of an unknown service")
	}
}

func TestPushWaitsForPRService(t *testing.T) {
	w := newPushWorld(t, pushOpts{connect: true})
	s := w.emu.Services()
	_ = s.Start(ampemu.BuildManager)
	_ = s.Start(ampemu.CodeGenerator)
	c := w.commit("no worker")
	w.settle()
	b := w.builds(c)[pwOrders]
	push := steps(b)["PUSH_TO_GIT_PROVIDER"]
	if got := logMessages(push); len(got) != 1 || got[0] != "Pull request creation job added to queue. Waiting for available worker..." ||
		push["status"] != "Running" || b["status"] != "Running" || b["gitStatus"] != "Waiting" {
		t.Errorf("without a PR service: %v", b)
	}
	_ = s.Start(ampemu.PRService)
	w.settle()
	if b := w.builds(c)[pwOrders]; b["gitStatus"] != "Completed" {
		t.Errorf("after starting the PR service: %v", b)
	}
}

// pushError is the failed push step's error line, "" when the push did not fail.
func pushError(t *testing.T, b map[string]any) string {
	t.Helper()
	push := steps(b)["PUSH_TO_GIT_PROVIDER"]
	if push == nil || push["status"] != "Failed" || b["status"] != "Failed" || b["gitStatus"] != "Failed" {
		return ""
	}
	logs := push["logs"].([]any)
	n := len(logs)
	if logs[n-2].(map[string]any)["message"] != "Push changes to Bitbucket failed" || logs[n-1].(map[string]any)["level"] != "Error" {
		t.Errorf("failure logs %v", logs)
	}
	return logs[n-1].(map[string]any)["message"].(string)
}

func TestStalePRService(t *testing.T) {
	w := newPushWorld(t, pushOpts{connect: true})
	s := w.emu.Services()
	s.StartAll()
	s.MarkPRServiceStale()
	if s.PRServiceClientID() != ampemu.PlaceholderClientID {
		t.Errorf("stale PR service holds %q", s.PRServiceClientID())
	}
	// Within the token's lifetime the stale service still pushes.
	c := w.commit("fresh token")
	w.settle()
	if b := w.builds(c)[pwOrders]; b["gitStatus"] != "Completed" {
		t.Fatalf("with a fresh token: %v", b)
	}
	// Once the stored token is due, the refresh with the placeholders fails.
	s.ExpireGitTokens()
	c = w.commit("due token")
	w.settle()
	for _, id := range []string{pwOrders, pwPayment} {
		if got := pushError(t, w.builds(c)[id]); got != "Bitbucket request failed." {
			t.Errorf("%s: error %q, want the refresh's failure", id, got)
		}
	}
	// Restarted after the keys were written, the PR service refreshes and pushes; the refreshed
	// expiry is not kept (Amplication #7035), so every call of the push refreshes again.
	_ = s.Stop(ampemu.PRService)
	s.FollowCheckout(false)
	_ = s.Start(ampemu.PRService)
	if s.PRServiceClientID() != w.cons.Key {
		t.Fatalf("restarted PR service holds %q", s.PRServiceClientID())
	}
	w.bb.Controls().ResetLog()
	c = w.commit("refreshed")
	w.settle()
	if b := w.builds(c)[pwOrders]; b["gitStatus"] != "Completed" {
		t.Errorf("after the restart: %v", b)
	}
	refreshes := 0
	for _, r := range w.bb.Controls().Log() {
		if r.Path == "/site/oauth2/access_token" && r.Status == 200 {
			refreshes++
		}
	}
	if refreshes < 8 {
		t.Errorf("%d refreshes for two pushes, want one before each call (#7035)", refreshes)
	}
}

func TestPRServiceWithoutKeys(t *testing.T) {
	w := newPushWorld(t, pushOpts{connect: true})
	s := w.emu.Services()
	s.SetPRServiceEnv("", "")
	s.StartAll()
	s.SetPRServiceEnv("", "")
	c := w.commit("x")
	w.settle()
	if got := pushError(t, w.builds(c)[pwOrders]); got != "Missing Bitbucket configuration" {
		t.Errorf("error %q", got)
	}
}

func TestPRServiceReadsItsEnvAtStart(t *testing.T) {
	w := newPushWorld(t, pushOpts{})
	s := w.emu.Services()
	// The checkout's PR service .env.local holds the key: started now, it reads it.
	_ = s.Start(ampemu.PRService)
	if s.PRServiceClientID() != w.cons.Key {
		t.Errorf("PR service holds %q, want the checkout's key", s.PRServiceClientID())
	}
}

// TestEmptyRepository: a repository created through the API. With mainbranch null the push
// fails as Amplication's does (no null guard); with a main branch without commits the PR
// service pushes an "Initial commit" first.
func TestEmptyRepository(t *testing.T) {
	for _, null := range []bool{true, false} {
		t.Run(map[bool]string{true: "null", false: "no commits"}[null], func(t *testing.T) {
			w := newPushWorld(t, pushOpts{bb: bbemu.Options{EmptyMainbranch: null}, noRepo: true, slug: "fresh"})
			// bbsetup creates the repository with the consumer's client-credentials token.
			cc := bbToken(t, w.bb, w.cons)
			if st, body := bbPost(t, w.bb.APIURL+"/repositories/acme/fresh", cc, `{"scm":"git","is_private":true}`); st != 200 {
				t.Fatalf("create: %d %s", st, body)
			}
			w.ok(w.token, connectDoc, connectVars(pwConfig, w.org, "fresh", "acme"))
			w.emu.Services().StartAll()
			c := w.commit("into an empty repository")
			w.settle()
			b := w.builds(c)[pwOrders]
			if null {
				if got := pushError(t, b); got != "Cannot read properties of null (reading 'name')" {
					t.Errorf("error %q, build %v", got, b)
				}
				return
			}
			if b["gitStatus"] != "Completed" {
				t.Fatalf("build %v", b)
			}
			if got, ok := w.bb.File("acme", "fresh", "main", "README.md"); !ok || !strings.Contains(got, "fresh") {
				t.Errorf("main's README.md %q %v: the initial commit is missing", got, ok)
			}
		})
	}
}

// TestPushAsAUserWhoCannotWrite: Amplication pushes as the user who authorized it; one who
// can only read the repository gets Bitbucket's refusal at the branch.
func TestPushAsAUserWhoCannotWrite(t *testing.T) {
	w := newPushWorld(t, pushOpts{connect: true})
	w.bb.SetRepoPermission("acme", "shop-code", bbemu.DemoUserAccountID, bbemu.PermRead)
	w.emu.Services().StartAll()
	c := w.commit("x")
	w.settle()
	if got := pushError(t, w.builds(c)[pwOrders]); got != "Bitbucket request failed." {
		t.Errorf("error %q", got)
	}
}

func TestOAuthClearsUseDemoRepoAndStoresTokens(t *testing.T) {
	w := newPushWorld(t, pushOpts{})
	d := w.ok(w.token, `{ projects { id useDemoRepo } }`, nil)
	if dig(d["projects"].([]any)[0], "useDemoRepo") != false {
		t.Errorf("useDemoRepo after completeGitOAuth2Flow: %v", d)
	}
	orgs := w.emu.GitOrganizations(ampemu.DemoWorkspaceID)
	if len(orgs) != 1 || orgs[0].AccessToken == "" || orgs[0].RefreshToken == "" ||
		orgs[0].ExpiresAt.Before(time.Now().Add(time.Hour)) || orgs[0].Name != "demo" {
		t.Errorf("stored organization %+v", orgs)
	}
}

func TestStaleGitTokensOption(t *testing.T) {
	w := newPushWorld(t, pushOpts{amp: ampemu.Options{StaleGitTokens: true}, connect: true})
	s := w.emu.Services()
	s.StartAll()
	s.MarkPRServiceStale()
	c := w.commit("x")
	w.settle()
	if got := pushError(t, w.builds(c)[pwOrders]); got != "Bitbucket request failed." {
		t.Errorf("error %q", got)
	}
}

func TestCommitErrors(t *testing.T) {
	w := newPushWorld(t, pushOpts{})
	r := w.do(w.token, commitDoc, map[string]any{"data": map[string]any{"message": "m",
		"project": map[string]any{"connect": map[string]any{"id": "nope"}}, "resourceTypeGroup": "Services"}})
	if r.errText() != "Invalid userId or resourceId" {
		t.Errorf("unknown project: %s", r.Raw)
	}
	// v3.x requires resourceTypeGroup.
	r = w.do(w.token, commitDoc, map[string]any{"data": map[string]any{"message": "m",
		"project": map[string]any{"connect": map[string]any{"id": pwProject}}}})
	if r.Status != 400 || !strings.Contains(r.errText(), "resourceTypeGroup") {
		t.Errorf("without resourceTypeGroup: %d %s", r.Status, r.Raw)
	}
	if r := w.do(w.token, `query { build(where: {id: "nope"}) { id } }`, nil); len(r.Errors) == 0 {
		t.Errorf("unknown build: %s", r.Raw)
	}
}

// TestCommitAndBuildsPerSchema: v1.10.0's commit has no resourceTypeGroup and its builds need
// where.resource; v3.6.2's updateResource still takes gitRepositoryOverride, v3.14's does not.
func TestCommitAndBuildsPerSchema(t *testing.T) {
	for _, gen := range []string{ampemu.SchemaV1, ampemu.SchemaV36} {
		t.Run(gen, func(t *testing.T) {
			a := startAmp(t, ampemu.Options{Schema: gen}, ampemu.DemoSeed())
			tok := a.login(ampemu.DemoEmail, ampemu.DemoPassword)
			data := map[string]any{"message": "m", "project": map[string]any{"connect": map[string]any{"id": ampemu.DemoShopID}}}
			if gen != ampemu.SchemaV1 {
				data["resourceTypeGroup"] = "Services"
			}
			id := dig(a.ok(tok, commitDoc, map[string]any{"data": data}), "commit", "id").(string)
			q := `query($c: String!, $r: String!) { builds(where: {commit: {id: $c}, resource: {id: $r}}) { id status message } }`
			if gen == ampemu.SchemaV36 {
				q = `query($c: String!, $r: String!) { builds(where: {commit: {id: $c}, resource: {id: $r}}) { id status message gitStatus } }`
			}
			d := a.ok(tok, q, map[string]any{"c": id, "r": ampemu.DemoOrdersID})
			if bs := d["builds"].([]any); len(bs) != 1 || dig(bs[0], "status") != "Running" {
				t.Errorf("builds %v", d)
			}
			upd := `mutation($id: String!) { updateResource(where: {id: $id}, data: {gitRepositoryOverride: true}) { id gitRepositoryOverride } }`
			d = a.ok(tok, upd, map[string]any{"id": ampemu.DemoOrdersID})
			if dig(d, "updateResource", "gitRepositoryOverride") != true {
				t.Errorf("updateResource: %v", d)
			}
			if r, _ := a.emu.Resource(ampemu.DemoOrdersID); !r.GitRepositoryOverride {
				t.Error("the override was not stored")
			}
		})
	}
	a := startAmp(t, ampemu.Options{}, ampemu.DemoSeed())
	tok := a.login(ampemu.DemoEmail, ampemu.DemoPassword)
	r := a.do(tok, `mutation($id: String!) { updateResource(where: {id: $id}, data: {gitRepositoryOverride: true}) { id } }`,
		map[string]any{"id": ampemu.DemoOrdersID})
	if r.Status != 400 {
		t.Errorf("v3.14 updateResource with gitRepositoryOverride: %d %s, want a validation error", r.Status, r.Raw)
	}
}

// bbToken is a client-credentials token of the consumer (what bbsetup uses).
func bbToken(t *testing.T, bb *bbemu.Server, c bbemu.Consumer) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, bb.URL+"/site/oauth2/access_token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.Key, c.Secret)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("client credentials: %d %v", res.StatusCode, err)
	}
	return tok.AccessToken
}

func bbPost(t *testing.T, u, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
