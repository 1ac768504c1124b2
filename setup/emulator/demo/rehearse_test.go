package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// client talks to the demo's emulators over loopback as bbsetup would.
type client struct {
	t  *testing.T
	w  *World
	hc *http.Client
}

func newClient(t *testing.T, w *World) *client {
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(hc.CloseIdleConnections)
	return &client{t: t, w: w, hc: hc}
}

func (c *client) gql(token, query string, vars map[string]any) map[string]any {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.w.AmplicationURL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		c.t.Fatalf("%.60s: %v %v", query, err, out.Errors)
	}
	return out.Data
}

func (c *client) bb(method, path, token, body string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.w.Server.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	if res.StatusCode == http.StatusFound {
		m = map[string]any{"location": res.Header.Get("Location")}
	}
	return res.StatusCode, m
}

// consumerToken is the demo consumer's client-credentials token (bbsetup's own identity).
func (c *client) consumerToken() string {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.w.Server.URL+"/site/oauth2/access_token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.w.Consumer.Key, c.w.Consumer.Secret)
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		c.t.Fatalf("client credentials: %d %v", res.StatusCode, err)
	}
	return tok.AccessToken
}

// connected signs in, authorizes Amplication (the demo's Bitbucket approves at once),
// creates acme/<slug> with bbsetup's identity and connects project Shop to it.
func (c *client) connected(slug string) (token, org string) {
	c.t.Helper()
	writeKeys(c.t, c.w)
	if _, err := c.w.StartAmplication(); err != nil {
		c.t.Fatal(err)
	}
	d := c.gql("", `mutation($d: LoginInput!) { login(data: $d) { token } }`,
		map[string]any{"d": map[string]any{"email": c.w.AmplicationEmail, "password": c.w.AmplicationPassword}})
	token = d["login"].(map[string]any)["token"].(string)
	d = c.gql(token, `mutation { getGitResourceInstallationUrl(data: {gitProvider: Bitbucket, state: "s"}) { url } }`, nil)
	authorize := d["getGitResourceInstallationUrl"].(map[string]any)["url"].(string)
	_, loc := c.bb(http.MethodGet, strings.TrimPrefix(authorize, c.w.Server.URL), "", "")
	cb, _ := url.Parse(loc["location"].(string))
	d = c.gql(token, `mutation($c: String!) { completeGitOAuth2Flow(data: {gitProvider: Bitbucket, code: $c, state: "s"}) { id } }`,
		map[string]any{"c": cb.Query().Get("code")})
	org = d["completeGitOAuth2Flow"].(map[string]any)["id"].(string)
	if st, body := c.bb(http.MethodPost, "/2.0/repositories/acme/"+slug, c.consumerToken(), `{"scm":"git","is_private":true,"project":{"key":"PLAT"}}`); st != 200 {
		c.t.Fatalf("create acme/%s: %d %v", slug, st, body)
	}
	c.gql(token, `mutation($d: ConnectGitRepositoryInput!) { connectResourceGitRepository(data: $d) { id } }`,
		map[string]any{"d": map[string]any{"resourceId": ampemu.DemoShopConfig, "gitOrganizationId": org, "name": slug, "groupName": "acme"}})
	return token, org
}

// build commits Shop and returns the orders service's build once the services are idle.
func (c *client) build(token string) map[string]any {
	c.t.Helper()
	d := c.gql(token, `mutation { commit(data: {message: "demo", project: {connect: {id: "`+ampemu.DemoShopID+`"}}, resourceTypeGroup: Services}) { id } }`, nil)
	commit := d["commit"].(map[string]any)["id"].(string)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c.w.Amplication().Services().Wait(ctx)
	d = c.gql(token, `query($c: String!) { builds(where: {commit: {id: $c}}) { resourceId status gitStatus action { steps { name status logs { level message meta } } } } }`,
		map[string]any{"c": commit})
	for _, b := range d["builds"].([]any) {
		if b.(map[string]any)["resourceId"] == ampemu.DemoOrdersID {
			return b.(map[string]any)
		}
	}
	c.t.Fatal("no build of orders")
	return nil
}

func lastLog(b map[string]any, stepName string) (string, string) {
	for _, s := range b["action"].(map[string]any)["steps"].([]any) {
		sm := s.(map[string]any)
		if sm["name"] == stepName {
			logs := sm["logs"].([]any)
			l := logs[len(logs)-1].(map[string]any)
			return l["level"].(string), l["message"].(string)
		}
	}
	return "", ""
}

func TestDemoBuildEndsInAPullRequest(t *testing.T) {
	w, err := Start(Options{Repos: 10, TempDir: t.TempDir(), Colleague: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := newClient(t, w)
	token, _ := c.connected("shop-code")
	b := c.build(token)
	if b["gitStatus"] != "Completed" {
		t.Fatalf("build %v", b)
	}
	st, _ := w.Server.Repo("acme", "shop-code")
	if len(st.PullRequests) != 1 || st.PullRequests[0].Author != bbemu.DemoUserAccountID {
		t.Errorf("pull requests %+v", st.PullRequests)
	}
	// The colleague's organization is there beside the one just authorized.
	orgs := w.Amplication().GitOrganizations(ampemu.DemoWorkspaceID)
	var names []string
	for _, o := range orgs {
		if o.Provider == "Bitbucket" {
			names = append(names, o.Name+":"+o.InstallationID)
		}
	}
	if strings.Join(names, ",") != "casey:"+ColleagueUUID+",demo:"+bbUUID(t, c) {
		t.Errorf("Bitbucket git organizations %v", names)
	}
}

// bbUUID is the demo operator's Bitbucket uuid (the authorizing user's).
func bbUUID(t *testing.T, c *client) string {
	t.Helper()
	for _, o := range c.w.Amplication().GitOrganizations(ampemu.DemoWorkspaceID) {
		if o.Name == "demo" {
			return o.InstallationID
		}
	}
	t.Fatal("no demo organization")
	return ""
}

func TestDemoStoppedServicesStartFromTheWorld(t *testing.T) {
	w, err := Start(Options{Repos: 10, TempDir: t.TempDir(), GeneratorDown: true, PRServiceDown: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := w.StoppedServices(); len(got) != 3 {
		t.Errorf("stopped before the server starts: %v", got)
	}
	c := newClient(t, w)
	token, _ := c.connected("shop-code")
	if got := w.StoppedServices(); len(got) != 3 {
		t.Errorf("stopped after the server starts: %v", got)
	}
	b := c.build(token)
	if b["status"] != "Running" || b["gitStatus"] != "Waiting" {
		t.Errorf("build with everything stopped: %v", b)
	}
	for _, s := range []ampemu.Service{ampemu.BuildManager, ampemu.CodeGenerator} {
		if err := w.StartService(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.StartService("kafka"); err == nil {
		t.Error("an unknown service started")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w.Amplication().Services().Wait(ctx)
	if got := w.StoppedServices(); len(got) != 1 || got[0] != ampemu.PRService {
		t.Errorf("stopped: %v", got)
	}
	if err := w.StartService(ampemu.PRService); err != nil {
		t.Fatal(err)
	}
	w.Amplication().Services().Wait(ctx)
	st, _ := w.Server.Repo("acme", "shop-code")
	if len(st.PullRequests) != 1 {
		t.Errorf("after starting every service: %+v", st)
	}
}

func TestDemoStalePRService(t *testing.T) {
	w, err := Start(Options{Repos: 10, TempDir: t.TempDir(), PRServiceStale: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := newClient(t, w)
	token, _ := c.connected("shop-code")
	if id := w.Amplication().Services().PRServiceClientID(); id != ampemu.PlaceholderClientID {
		t.Errorf("stale PR service holds %q", id)
	}
	b := c.build(token)
	if lvl, msg := lastLog(b, ampemu.StepPushToGit); b["gitStatus"] != "Failed" || lvl != "Error" || msg != "Bitbucket request failed." {
		t.Errorf("build %v, last push log %s %q", b["gitStatus"], lvl, msg)
	}
}

func TestDemoEmptyMainbranch(t *testing.T) {
	w, err := Start(Options{Repos: 10, TempDir: t.TempDir(), EmptyMainbranch: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := newClient(t, w)
	token, _ := c.connected("empty-one")
	if st, repo := c.bb(http.MethodGet, "/2.0/repositories/acme/empty-one", c.consumerToken(), ""); st != 200 || repo["mainbranch"] != nil {
		t.Errorf("new repository: %d mainbranch %v", st, repo["mainbranch"])
	}
	b := c.build(token)
	if _, msg := lastLog(b, ampemu.StepPushToGit); msg != "Cannot read properties of null (reading 'name')" {
		t.Errorf("push error %q", msg)
	}
}

func TestDemoConsumerAccount(t *testing.T) {
	if _, err := Start(Options{Repos: 10, TempDir: t.TempDir(), ConsumerAccount: "demo"}); err == nil {
		t.Error("the demo operator's own name was accepted as the consumer account")
	}
	w, err := Start(Options{Repos: 30, TempDir: t.TempDir(), ConsumerAccount: "acme-bot"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := newClient(t, w)
	tok := c.consumerToken()
	if _, u := c.bb(http.MethodGet, "/2.0/user", tok, ""); u["nickname"] != "acme-bot" || u["account_id"] != ConsumerOwnerAccountID {
		t.Errorf("bbsetup's identity %v, want acme-bot", u)
	}
	if m := w.Server.Members("acme-labs"); len(m) != 1 || !m[ConsumerOwnerAccountID] {
		t.Errorf("acme-labs members %v", m)
	}
	if m := w.Server.Members("acme"); !m[bbemu.DemoUserAccountID] || !m[ConsumerOwnerAccountID] {
		t.Errorf("acme members %v", m)
	}
	// Amplication pushes as the demo operator, who authorizes it.
	token, _ := c.connected("shop-code")
	if b := c.build(token); b["gitStatus"] != "Completed" {
		t.Errorf("build %v", b)
	}
	st, _ := w.Server.Repo("acme", "shop-code")
	if len(st.PullRequests) != 1 || st.PullRequests[0].Author != bbemu.DemoUserAccountID {
		t.Errorf("pull requests %+v", st.PullRequests)
	}
	// In acme-labs the operator cannot write; the permissions endpoint says so to the owner.
	st2, perms := c.bb(http.MethodGet, "/2.0/workspaces/acme-labs/permissions/repositories/"+firstRepo(t, c, tok, "acme-labs"), tok, "")
	if st2 != 200 || strings.Contains(mustJSON(perms), bbemu.DemoUserAccountID) {
		t.Errorf("acme-labs permissions %d %v", st2, perms)
	}
}

func firstRepo(t *testing.T, c *client, tok, ws string) string {
	t.Helper()
	_, page := c.bb(http.MethodGet, "/2.0/repositories/"+ws+"?pagelen=1", tok, "")
	vals, _ := page["values"].([]any)
	if len(vals) == 0 {
		t.Fatalf("no repository in %s", ws)
	}
	return vals[0].(map[string]any)["slug"].(string)
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestDemoPRServiceLines: the wizard's PR service lines in the demo say how the emulated
// service stands (there is no process to look for): stopped, stale, or running.
func TestDemoPRServiceLines(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"running", Options{}, "✓ git-sync-manager runs with the keys just written"},
		{"down", Options{PRServiceDown: true}, "• git-sync-manager is not running (demo: the emulated one is stopped"},
		{"stale", Options{PRServiceStale: true}, "✗ git-sync-manager started before .env.local was written"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.o.Repos, c.o.TempDir = 10, t.TempDir()
			w, err := Start(c.o)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			got := w.PRServiceLines()
			if len(got) != 1 || !strings.HasPrefix(got[0], c.want) {
				t.Errorf("PRServiceLines() = %q, want one line starting %q", got, c.want)
			}
		})
	}
	w, err := Start(Options{Repos: 10, TempDir: t.TempDir(), PRServiceDown: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.StartService(ampemu.PRService); err != nil {
		t.Fatal(err)
	}
	if got := w.PRServiceLines(); len(got) != 1 || !strings.HasPrefix(got[0], "✓ ") {
		t.Errorf("after s starts it: %q", got)
	}
}
