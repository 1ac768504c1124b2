package amplication_test

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

// These tests hold the emulator to ../shared/SPEC.md "Amplication server API" and to the
// real server's code (amplication/amplication, v3.14.0-29 and v1.10.0), over real HTTP on
// 127.0.0.1 against the Bitbucket emulator.

// twoWorkspaces is the demo seed plus a second workspace the demo user belongs to, and a
// stranger's workspace.
func twoWorkspaces() ampemu.Seed {
	s := ampemu.DemoSeed()
	s.Users = append(s.Users, ampemu.User{Email: "other@example.com", Password: "pw-other", FirstName: "O", LastName: "Ther"})
	s.Workspaces = append(s.Workspaces,
		ampemu.Workspace{ID: "ws-second", Name: "Second", Members: []string{"Demo@Amplication.local"},
			Projects: []ampemu.Project{{ID: "p-second", Name: "Side", Resources: []ampemu.Resource{
				{ID: "r-side", Name: "side", Type: "Service"}}}}},
		ampemu.Workspace{ID: "ws-other", Name: "Other", Members: []string{"other@example.com"},
			GitOrganizations: []ampemu.GitOrganization{{ID: "org-other", Name: "other", Provider: "Bitbucket"}},
			Projects: []ampemu.Project{{ID: "p-other", Name: "Theirs", Resources: []ampemu.Resource{
				{ID: "r-other", Name: "theirs", Type: "Service"}}}}})
	return s
}

func TestLogin(t *testing.T) {
	a := startAmp(t, ampemu.Options{}, twoWorkspaces())
	login := `mutation($data: LoginInput!) { login(data: $data) { token } }`
	cases := []struct{ email, password, want string }{
		{"Nobody@Example.com", "x", "No account found for email: nobody@example.com"},
		{ampemu.DemoEmail, "wrong", "Invalid password"},
	}
	for _, c := range cases {
		r := a.do("", login, map[string]any{"data": map[string]any{"email": c.email, "password": c.password}})
		if r.Status != 200 || len(r.Errors) != 1 || r.Errors[0].Message != c.want ||
			r.Errors[0].Extensions["code"] != "INTERNAL_SERVER_ERROR" || !reflect.DeepEqual(r.Errors[0].Path, []any{"login"}) {
			t.Errorf("login %s: %s, want %q", c.email, r.Raw, c.want)
		}
		if r.Data != nil {
			t.Errorf("login %s: data %v, want null", c.email, r.Data)
		}
	}
	// The email is lower-cased; a stray Authorization header does not matter to login.
	tok := a.login(strings.ToUpper(ampemu.DemoEmail), ampemu.DemoPassword)
	if strings.Count(tok, ".") != 2 {
		t.Errorf("token %q is not JWT-shaped", tok)
	}
	d := a.ok(tok, `{ me { id account { email firstName lastName } } currentWorkspace { id name } workspaces { id name } }`, nil)
	if dig(d, "me", "account", "email") != ampemu.DemoEmail || dig(d, "me", "account", "firstName") != "Demo" ||
		dig(d, "currentWorkspace", "name") != "Demo" || len(d["workspaces"].([]any)) != 2 {
		t.Errorf("me/currentWorkspace/workspaces: %v", d)
	}
}

func TestUnauthenticated(t *testing.T) {
	a := startAmp(t, ampemu.Options{}, twoWorkspaces())
	want := gqlErr{Message: "Unauthorized", Extensions: map[string]any{"code": "UNAUTHENTICATED",
		"response": map[string]any{"statusCode": float64(401), "message": "Unauthorized"}}}
	for _, tok := range []string{"", "garbage", "a.b.c"} {
		r := a.do(tok, `{ me { id } }`, nil)
		if r.Status != 200 || len(r.Errors) != 1 || !reflect.DeepEqual(r.Errors[0], want) || r.Data != nil {
			t.Errorf("me with token %q: %s", tok, r.Raw)
		}
		if !strings.Contains(r.Raw, `"data":null`) {
			t.Errorf("me with token %q: want data null: %s", tok, r.Raw)
		}
		// A nullable root field is null beside the error.
		r = a.do(tok, `{ currentWorkspace { id } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Message != "Unauthorized" || r.Data == nil || r.Data["currentWorkspace"] != nil {
			t.Errorf("currentWorkspace with token %q: %s", tok, r.Raw)
		}
	}
	for _, doc := range []string{`mutation { getGitResourceInstallationUrl(data: {gitProvider: Bitbucket}) { url } }`,
		`mutation { completeGitOAuth2Flow(data: {gitProvider: Bitbucket, code: "x"}) { id } }`,
		`mutation { connectResourceGitRepository(data: {resourceId: "r", gitOrganizationId: "o", name: "n"}) { id } }`,
		`mutation { disconnectResourceGitRepository(resourceId: "r") { id } }`,
		`mutation { setCurrentWorkspace(data: {id: "ws-second"}) { token } }`,
		`{ projects { id } }`, `{ gitOrganizations { id } }`, `{ workspaces { id } }`} {
		if r := a.do("", doc, nil); len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
			t.Errorf("%s: %s", doc, r.Raw)
		}
	}
}

func TestValidationErrors(t *testing.T) {
	a := startAmp(t, ampemu.Options{}, ampemu.DemoSeed())
	if r := a.do("", `{ me { `, nil); r.Status != 400 || len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "GRAPHQL_PARSE_FAILED" {
		t.Errorf("syntax error: %s", r.Raw)
	}
	if r := a.do("", `{ me { password } }`, nil); r.Status != 400 || len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("unknown field: %s", r.Raw)
	}
}

func TestStaleServer(t *testing.T) {
	bb := startBitbucket(t)
	dir := checkout(t, nil)
	opts := ampemu.Options{CheckoutDir: dir, BitbucketURL: bb.URL, BitbucketAPIURL: bb.APIURL}
	a := startAmp(t, opts, ampemu.DemoSeed())
	// bbsetup writes the keys after the server started.
	local := filepath.Join(dir, "packages", "amplication-server", ".env.local")
	if err := os.WriteFile(local, []byte(keysFile(bb.Consumer)), 0o600); err != nil {
		t.Fatal(err)
	}
	tok := a.login(ampemu.DemoEmail, ampemu.DemoPassword)
	r := a.installURL(tok, str("s1"))
	u := dig(r.Data, "getGitResourceInstallationUrl", "url")
	if want := bb.URL + "/site/oauth2/authorize?client_id=[bitbucket-client-id]&response_type=code&state=s1"; u != want {
		t.Errorf("stale server's URL %v (%s), want %s", u, r.Raw, want)
	}
	if a.emu.LoadedClientID() != "[bitbucket-client-id]" {
		t.Errorf("LoadedClientID %q", a.emu.LoadedClientID())
	}
	// A restart reads the new key (data and sessions survive, like a database and JWT_SECRET).
	a.emu.Restart()
	r = a.installURL(tok, str("s1"))
	if want := bb.URL + "/site/oauth2/authorize?client_id=" + bb.Consumer.Key + "&response_type=code&state=s1"; dig(r.Data, "getGitResourceInstallationUrl", "url") != want {
		t.Errorf("after restart: %s, want %s", r.Raw, want)
	}
	// So does a new server on the same checkout.
	b := startAmp(t, opts, ampemu.DemoSeed())
	if b.emu.LoadedClientID() != bb.Consumer.Key {
		t.Errorf("new server loaded %q", b.emu.LoadedClientID())
	}
}

func TestEnvOrder(t *testing.T) {
	server := "packages/amplication-server/"
	cases := []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  string
	}{
		{"committed placeholders", nil, nil, "[bitbucket-client-id]"},
		{".env.local over .env", map[string]string{server + ".env.local": "BITBUCKET_CLIENT_ID=local\n"}, nil, "local"},
		{".env.serve over .env.local", map[string]string{server + ".env.local": "BITBUCKET_CLIENT_ID=local\n",
			server + ".env.serve": "BITBUCKET_CLIENT_ID=serve\n"}, nil, "serve"},
		{".serve.env over .env.local", map[string]string{server + ".env.local": "BITBUCKET_CLIENT_ID=local\n",
			server + ".serve.env": "BITBUCKET_CLIENT_ID=serve2\n"}, nil, "serve2"},
		{".local.env over .env", map[string]string{server + ".local.env": "BITBUCKET_CLIENT_ID=local2\n"}, nil, "local2"},
		{"the project's files over the root's", map[string]string{".env.serve": "BITBUCKET_CLIENT_ID=root-serve\n"}, nil, "[bitbucket-client-id]"},
		{"the root's files when the project has none", map[string]string{server + ".env": "# no keys\n",
			".env.local": "BITBUCKET_CLIENT_ID=root-local\n"}, nil, "root-local"},
		{"the shell over every file", map[string]string{server + ".env.serve": "BITBUCKET_CLIENT_ID=serve\n"},
			map[string]string{"BITBUCKET_CLIENT_ID": "shell"}, "shell"},
		{"quoted values as dotenv reads them", map[string]string{server + ".env.local": "BITBUCKET_CLIENT_ID='q#uoted' # comment\n"}, nil, "q#uoted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := checkout(t, c.files)
			e, err := ampemu.New(ampemu.Options{CheckoutDir: dir, Getenv: func(k string) string { return c.env[k] }}, ampemu.DemoSeed())
			if err != nil {
				t.Fatal(err)
			}
			if got := e.LoadedClientID(); got != c.want {
				t.Errorf("loaded %q, want %q", got, c.want)
			}
		})
	}
}

func TestMissingBitbucketConfiguration(t *testing.T) {
	for _, files := range []map[string]string{
		{"packages/amplication-server/.env": "# nothing\n"},
		{"packages/amplication-server/.env": "BITBUCKET_CLIENT_ID=only-the-key\n"},
		{"packages/amplication-server/.env": "BITBUCKET_CLIENT_ID=\nBITBUCKET_CLIENT_SECRET=s\n"},
	} {
		a := startAmp(t, ampemu.Options{CheckoutDir: checkout(t, files)}, ampemu.DemoSeed())
		tok := a.login(ampemu.DemoEmail, ampemu.DemoPassword)
		r := a.installURL(tok, str("s"))
		if len(r.Errors) != 1 || r.Errors[0].Message != "Missing Bitbucket configuration" || r.Data != nil {
			t.Errorf("%v: %s", files, r.Raw)
		}
		r = a.complete(tok, "code", str("s"))
		if len(r.Errors) != 1 || r.Errors[0].Message != "Failed to complete OAuth2 flow - Missing Bitbucket configuration" {
			t.Errorf("%v: complete: %s", files, r.Raw)
		}
		if a.emu.LoadedClientID() == "" && files["packages/amplication-server/.env"] == "BITBUCKET_CLIENT_ID=only-the-key\n" {
			t.Errorf("LoadedClientID lost the key")
		}
	}
	// No checkout at all: no keys.
	a := startAmp(t, ampemu.Options{}, ampemu.DemoSeed())
	if r := a.installURL(a.login(ampemu.DemoEmail, ampemu.DemoPassword), nil); r.errText() != "Missing Bitbucket configuration" {
		t.Errorf("no checkout: %s", r.Raw)
	}
}

// authorized is a world where the server loaded the consumer's keys.
func authorized(t *testing.T, schema string) (*bitbucket, *amp, string) {
	t.Helper()
	bb := startBitbucket(t)
	dir := checkout(t, map[string]string{"packages/amplication-server/.env.local": keysFile(bb.Consumer)})
	a := startAmp(t, ampemu.Options{CheckoutDir: dir, BitbucketURL: bb.URL, BitbucketAPIURL: bb.APIURL, Schema: schema}, twoWorkspaces())
	return bb, a, a.login(ampemu.DemoEmail, ampemu.DemoPassword)
}

func TestAuthorizeURLAndStateRoundTrip(t *testing.T) {
	bb, a, tok := authorized(t, "")
	state := "bbsetup-Zx9_-state"
	r := a.installURL(tok, &state)
	u, _ := dig(r.Data, "getGitResourceInstallationUrl", "url").(string)
	if want := bb.URL + "/site/oauth2/authorize?client_id=" + bb.Consumer.Key + "&response_type=code&state=" + state; u != want {
		t.Fatalf("url %q (%s), want %q", u, r.Raw, want)
	}
	// The state goes in as it is (the real server does not encode it).
	r = a.installURL(tok, str("a b&c"))
	if u2, _ := dig(r.Data, "getGitResourceInstallationUrl", "url").(string); !strings.HasSuffix(u2, "&state=a b&c") {
		t.Errorf("state not inserted raw: %q", u2)
	}
	// Without a state (or an empty one) the state is the workspace id.
	for _, s := range []*string{nil, str("")} {
		r = a.installURL(tok, s)
		if u2, _ := dig(r.Data, "getGitResourceInstallationUrl", "url").(string); !strings.HasSuffix(u2, "&state="+ampemu.DemoWorkspaceID) {
			t.Errorf("state %v: %q, want the workspace id", s, u2)
		}
	}

	// The browser trip: Bitbucket redirects to the consumer's callback with code and state.
	cb := follow(t, u)
	code := cb.Query().Get("code")
	if cb.Query().Get("state") != state || code == "" || cb.Path != "/bitbucket-auth-app/callback" {
		t.Fatalf("callback %s", cb)
	}
	before := len(bb.seen())
	r = a.complete(tok, code, &state)
	if len(r.Errors) > 0 {
		t.Fatalf("complete: %s", r.Raw)
	}
	org := r.Data["completeGitOAuth2Flow"].(map[string]any)
	if org["name"] != "demo" || org["provider"] != "Bitbucket" || org["type"] != "Organization" ||
		org["useGroupingForRepositories"] != true || !strings.HasPrefix(org["installationId"].(string), "{") {
		t.Errorf("git organization %v", org)
	}
	// What the Bitbucket emulator saw: the exchange exactly as the real server sends it, then GET /user.
	reqs := bb.seen()[before:]
	if len(reqs) != 2 {
		t.Fatalf("Bitbucket saw %d requests, want 2: %+v", len(reqs), reqs)
	}
	ex, user := reqs[0], reqs[1]
	if ex.Method != "POST" || ex.Path != "/site/oauth2/access_token" || ex.ContentType != "application/x-www-form-urlencoded" ||
		ex.Body != "grant_type=authorization_code&code="+code {
		t.Errorf("exchange %+v", ex)
	}
	if strings.Contains(ex.Body, "redirect_uri") || strings.Contains(ex.Body, "code_verifier") || strings.Contains(ex.Body, "client_secret") {
		t.Errorf("exchange body %q carries more than grant_type and code", ex.Body)
	}
	if want := "Basic " + basic(bb.Consumer.Key, bb.Consumer.Secret); ex.Authorization != want {
		t.Errorf("exchange Authorization %q, want HTTP Basic key:secret", ex.Authorization)
	}
	if user.Method != "GET" || user.Path != "/2.0/user" || !strings.HasPrefix(user.Authorization, "Bearer ") {
		t.Errorf("user request %+v", user)
	}

	// gitOrganizations lists it; a second authorization updates the same organization.
	orgs := a.ok(tok, `{ gitOrganizations { id name provider } }`, nil)["gitOrganizations"].([]any)
	if len(orgs) != 2 { // acme-archive (GitHub) and demo
		t.Fatalf("gitOrganizations %v", orgs)
	}
	cb = follow(t, u)
	r = a.complete(tok, cb.Query().Get("code"), &state)
	if dig(r.Data, "completeGitOAuth2Flow", "id") != org["id"] || len(a.emu.GitOrganizations(ampemu.DemoWorkspaceID)) != 2 {
		t.Errorf("second authorization: %s; orgs %v", r.Raw, a.emu.GitOrganizations(ampemu.DemoWorkspaceID))
	}
	// The same Bitbucket user in another Amplication workspace is another organization.
	tok2 := a.ok(tok, `mutation { setCurrentWorkspace(data: {id: "ws-second"}) { token } }`, nil)["setCurrentWorkspace"].(map[string]any)["token"].(string)
	cb = follow(t, u)
	r = a.complete(tok2, cb.Query().Get("code"), &state)
	if id := dig(r.Data, "completeGitOAuth2Flow", "id"); id == nil || id == org["id"] || len(a.emu.GitOrganizations("ws-second")) != 1 {
		t.Errorf("other workspace: %s", r.Raw)
	}
}

func basic(id, secret string) string {
	return b64(id + ":" + secret)
}

func TestCodeExchangeFailures(t *testing.T) {
	bb, a, tok := authorized(t, "")
	u := bb.URL + "/site/oauth2/authorize?client_id=" + bb.Consumer.Key + "&response_type=code&state=s"
	const failed = "Failed to complete OAuth2 flow - Bitbucket request failed."

	// A used code.
	code := follow(t, u).Query().Get("code")
	if r := a.complete(tok, code, str("s")); len(r.Errors) > 0 {
		t.Fatalf("first exchange: %s", r.Raw)
	}
	if r := a.complete(tok, code, str("s")); r.errText() != failed || r.Data != nil {
		t.Errorf("used code: %s", r.Raw)
	}
	// An unknown code.
	if r := a.complete(tok, "not-a-code", str("s")); r.errText() != failed {
		t.Errorf("unknown code: %s", r.Raw)
	}
	// A code authorized with a redirect_uri (as bbsetup's own flow sends) is useless to the
	// server, whose exchange carries none (RFC 6749 §4.1.3).
	withRedirect := u + "&redirect_uri=" + url.QueryEscape(bb.Consumer.CallbackURL)
	code = follow(t, withRedirect).Query().Get("code")
	if r := a.complete(tok, code, str("s")); r.errText() != failed {
		t.Errorf("code bound to a redirect_uri: %s", r.Raw)
	}
	// So is one authorized with a PKCE challenge.
	code = follow(t, u+"&code_challenge=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG&code_challenge_method=S256").Query().Get("code")
	if r := a.complete(tok, code, str("s")); r.errText() != failed {
		t.Errorf("code bound to a PKCE challenge: %s", r.Raw)
	}
	// Another consumer's code: the server's key does not match it.
	if len(a.emu.GitOrganizations(ampemu.DemoWorkspaceID)) != 2 {
		t.Errorf("failed completions changed the organizations: %v", a.emu.GitOrganizations(ampemu.DemoWorkspaceID))
	}
}

func TestCodeExchangeUnreachableBitbucket(t *testing.T) {
	ln := listen(t)
	dead := "http://" + ln.Addr().String()
	ln.Close()
	dir := checkout(t, map[string]string{"packages/amplication-server/.env.local": "BITBUCKET_CLIENT_ID=k\nBITBUCKET_CLIENT_SECRET=s\n"})
	a := startAmp(t, ampemu.Options{CheckoutDir: dir, BitbucketURL: dead, BitbucketAPIURL: dead + "/2.0"}, ampemu.DemoSeed())
	r := a.complete(a.login(ampemu.DemoEmail, ampemu.DemoPassword), "code", nil)
	if !strings.HasPrefix(r.errText(), "Failed to complete OAuth2 flow - request to "+dead+"/site/oauth2/access_token failed, reason: ") {
		t.Errorf("unreachable Bitbucket: %s", r.Raw)
	}
}

func TestSchemaV1(t *testing.T) {
	bb, a, tok := authorized(t, ampemu.SchemaV1)
	// No `state` in either input: a document that sends it fails validation.
	for _, doc := range []string{
		`mutation { getGitResourceInstallationUrl(data: {gitProvider: Bitbucket, state: "s"}) { url } }`,
		`mutation { completeGitOAuth2Flow(data: {gitProvider: Bitbucket, code: "c", state: "s"}) { id } }`,
		`mutation { disconnectResourceGitRepository(resourceId: "r", overrideProjectSettings: true) { id } }`,
	} {
		if r := a.do(tok, doc, nil); r.Status != 400 || len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("v1 %s: %s", doc, r.Raw)
		}
	}
	if r := a.installURL(tok, str("s")); r.Status != 400 {
		t.Errorf("v1 state in variables: %s", r.Raw)
	}
	// Introspection shows it, as the client detects it.
	intro := `query GitInstallationInputFields { __type(name: "GitGetInstallationUrlInput") { inputFields { name } } }`
	if d := a.ok(tok, intro, nil); fmt.Sprint(dig(d, "__type", "inputFields")) != "[map[name:gitProvider]]" {
		t.Errorf("v1 introspection: %v", d)
	}
	// The state is the workspace id; the round trip completes without one.
	r := a.installURL(tok, nil)
	u, _ := dig(r.Data, "getGitResourceInstallationUrl", "url").(string)
	if want := bb.URL + "/site/oauth2/authorize?client_id=" + bb.Consumer.Key + "&response_type=code&state=" + ampemu.DemoWorkspaceID; u != want {
		t.Fatalf("v1 url %q, want %q", u, want)
	}
	cb := follow(t, u)
	if cb.Query().Get("state") != ampemu.DemoWorkspaceID {
		t.Errorf("v1 callback state %q", cb.Query().Get("state"))
	}
	// With billing disabled (what bbsetup writes, and what a local server without Stigg
	// ends up with) v1.10.0 refuses to complete the Bitbucket authorization at all.
	if r := a.complete(tok, cb.Query().Get("code"), nil); r.errText() != "In order to connect Bitbucket service should upgrade its plan" || r.Data != nil {
		t.Errorf("v1 complete without billing: %s", r.Raw)
	}
	// An entitled deployment (BILLING_ENABLED=true) completes it; errors are not prefixed.
	dir := checkout(t, map[string]string{"packages/amplication-server/.env.local": keysFile(bb.Consumer) + "BILLING_ENABLED=true\n"})
	v1 := startAmp(t, ampemu.Options{CheckoutDir: dir, BitbucketURL: bb.URL, BitbucketAPIURL: bb.APIURL, Schema: ampemu.SchemaV1}, twoWorkspaces())
	vtok := v1.login(ampemu.DemoEmail, ampemu.DemoPassword)
	cb = follow(t, u)
	if r := v1.complete(vtok, cb.Query().Get("code"), nil); dig(r.Data, "completeGitOAuth2Flow", "name") != "demo" {
		t.Errorf("v1 complete with billing: %s", r.Raw)
	}
	if r := v1.complete(vtok, cb.Query().Get("code"), nil); r.errText() != "Bitbucket request failed." {
		t.Errorf("v1 used code: %s", r.Raw)
	}
	// v3 for comparison: state is there.
	_, b, tok3 := authorized(t, ampemu.SchemaV3)
	if d := b.ok(tok3, intro, nil); fmt.Sprint(dig(d, "__type", "inputFields")) != "[map[name:gitProvider] map[name:state]]" {
		t.Errorf("v3 introspection: %v", d)
	}
}

func TestHTTPSurface(t *testing.T) {
	a := startAmp(t, ampemu.Options{}, ampemu.DemoSeed())
	get := func(q string) (int, string) {
		t.Helper()
		res, err := a.hc.Get(a.srv.URL + "/graphql?query=" + url.QueryEscape(q))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, res.Body)
		return res.StatusCode, b.String()
	}
	// GET answers queries (introspection here, with no token), never mutations.
	if code, body := get(`{ __schema { mutationType { name } } }`); code != 200 || !strings.Contains(body, `"Mutation"`) {
		t.Errorf("GET query: %d %s", code, body)
	}
	if code, body := get(`mutation { login(data: {email: "a", password: "b"}) { token } }`); code != 405 {
		t.Errorf("GET mutation: %d %s", code, body)
	}
	// Not JSON, another path.
	res, err := a.hc.Post(a.srv.URL+"/graphql", "text/plain", strings.NewReader("{ me { id } }"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Errorf("text/plain POST: %d", res.StatusCode)
	}
	res, err = a.hc.Post(a.srv.URL+"/other", "application/json", strings.NewReader(`{"query":"{ me { id } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("POST /other: %d", res.StatusCode)
	}
	// Only loopback addresses.
	if _, err := ampemu.StartOn(a.emu, "0.0.0.0:0"); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("StartOn 0.0.0.0: %v", err)
	}
	if _, err := ampemu.New(ampemu.Options{Schema: "v2"}, ampemu.Seed{}); err == nil {
		t.Error("unknown schema accepted")
	}
}

func TestSeedErrors(t *testing.T) {
	for name, seed := range map[string]ampemu.Seed{
		"member not a user":    {Workspaces: []ampemu.Workspace{{Name: "W", Members: []string{"x@y"}}}},
		"user in no workspace": {Users: []ampemu.User{{Email: "a@b"}}},
		"bad resource type": {Users: []ampemu.User{{Email: "a@b"}}, Workspaces: []ampemu.Workspace{{Name: "W", Members: []string{"a@b"},
			Projects: []ampemu.Project{{Name: "P", Resources: []ampemu.Resource{{Name: "r", Type: "Lambda"}}}}}}},
		"repository of an unknown organization": {Users: []ampemu.User{{Email: "a@b"}}, Workspaces: []ampemu.Workspace{{Name: "W", Members: []string{"a@b"},
			Projects: []ampemu.Project{{Name: "P", Resources: []ampemu.Resource{{Name: "r", Type: "Service", Repo: &ampemu.GitRepository{Name: "x", GitOrganizationID: "nope"}}}}}}}},
	} {
		if _, err := ampemu.New(ampemu.Options{}, seed); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A project's repository reaches the resources that inherit it.
	seed := ampemu.Seed{Users: []ampemu.User{{Email: "a@b"}}, Workspaces: []ampemu.Workspace{{Name: "W", Members: []string{"a@b"},
		GitOrganizations: []ampemu.GitOrganization{{ID: "o", Name: "acme", Provider: "Bitbucket"}},
		Projects: []ampemu.Project{{Name: "P", Resources: []ampemu.Resource{
			{ID: "cfg", Name: "P", Type: "ProjectConfiguration", Repo: &ampemu.GitRepository{Name: "shop", GroupName: "acme", GitOrganizationID: "o"}},
			{ID: "s1", Name: "s1", Type: "Service"},
			{ID: "s2", Name: "s2", Type: "Service", GitRepositoryOverride: true}}}}}}}
	e, err := ampemu.New(ampemu.Options{}, seed)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := e.Resource("s1"); r.Repo == nil || r.Repo.Name != "shop" {
		t.Errorf("s1 %+v", r)
	}
	if r, _ := e.Resource("s2"); r.Repo != nil {
		t.Errorf("s2 %+v", r)
	}
	if len(e.Resources("P")) != 3 {
		t.Errorf("Resources(P) = %v", e.Resources("P"))
	}
}
