package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/testkit"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// ampWorld is both emulators on loopback and a temp checkout whose .env.local files carry
// the consumer's key and secret and a CLIENT_HOST on a test-picked loopback port.
type ampWorld struct {
	bb      *bbemu.Server
	amp     *ampemu.Server
	dir     string
	cons    bbemu.Consumer
	host    string // CLIENT_HOST
	env     map[string]string
	secrets []string // never in any output
	billing bool
}

type ampWorldOptions struct {
	schema  string
	latency time.Duration
	// stale: the Amplication server starts before the keys are written (it loads the
	// committed placeholders), as when bbsetup configure ran after npx nx serve.
	stale bool
	// bitbucketOrg seeds a Bitbucket git organization (as after authorize).
	bitbucketOrg bool
	// host is CLIENT_HOST; "" picks a free loopback port.
	host string
	// seed edits the demo seed.
	seed func(*ampemu.Seed)
	// billing writes BILLING_ENABLED=true (an entitled deployment: a v1.10.0 server
	// completes a Bitbucket authorization only then).
	billing bool
	// bb edits the Bitbucket world before it starts (its consumer too: the consumer's
	// owner, for a consumer hosted by another account).
	bb func(*bbemu.Emulator, *bbemu.Consumer)
	// bbOpts edits the Bitbucket emulator's options (EmptyMainbranch).
	bbOpts func(*bbemu.Options)
}

const ampBitbucketOrgID = "cltestorg0000000000000001"

// ampDemoUUID is the demo operator's Bitbucket uuid in ampStart's world.
const ampDemoUUID = "{de305d54-75b4-431b-adb2-eb6b9e546014}"

// ampFreeHost returns http://127.0.0.1:PORT for a port nothing listens on
// (testkit.UnusedPort).
func ampFreeHost(t testing.TB) string {
	t.Helper()
	return "http://127.0.0.1:" + strconv.Itoa(testkit.UnusedPort(t))
}

func ampStart(t testing.TB, o ampWorldOptions) *ampWorld {
	t.Helper()
	host := o.host
	if host == "" {
		host = ampFreeHost(t)
	}
	bo := bbemu.Options{AutoApprove: true, Latency: o.latency}
	if o.bbOpts != nil {
		o.bbOpts(&bo)
	}
	e, demo := bbemu.NewDemo(bo, 0)
	// The operator's uuid, which a seeded git organization names as its account.
	e.AddUser(bbemu.User{AccountID: bbemu.DemoUserAccountID, UUID: ampDemoUUID, DisplayName: "Demo Operator", Nickname: "demo"})
	cons := demo
	cons.Key, cons.Secret = "ampKey0123456789abcd", "ampSecret0123456789abcdefghijklmn"
	cons.CallbackURL = host + "/bitbucket-auth-app/callback"
	e.AddRepos("acme", bbemu.Repo{Slug: "checkout-service", Name: "Checkout Service"}, bbemu.Repo{Slug: "shop-platform"},
		bbemu.Repo{Slug: "orders-v2"})
	if o.bb != nil {
		o.bb(e, &cons)
	}
	e.AddConsumer(cons)
	bb, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bb.Close)
	w := &ampWorld{bb: bb, dir: ampCheckout(t), cons: cons, host: host, billing: o.billing}
	if !o.stale {
		w.writeEnv(t)
	}
	seed := ampemu.DemoSeed()
	if o.bitbucketOrg {
		seed.Workspaces[0].GitOrganizations = append(seed.Workspaces[0].GitOrganizations, ampemu.GitOrganization{
			ID: ampBitbucketOrgID, Name: "demo", Provider: "Bitbucket", Type: "Organization", InstallationID: ampDemoUUID})
	}
	if o.seed != nil {
		o.seed(&seed)
	}
	emu, err := ampemu.New(ampemu.Options{CheckoutDir: w.dir, BitbucketURL: bb.URL, BitbucketAPIURL: bb.APIURL,
		Schema: o.schema, Latency: o.latency}, seed)
	if err != nil {
		t.Fatal(err)
	}
	amp, err := ampemu.Start(emu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(amp.Close)
	w.amp = amp
	if o.stale {
		w.writeEnv(t)
	}
	w.env = map[string]string{
		"BBSETUP_BITBUCKET_URL":        bb.URL,
		"BBSETUP_API_URL":              bb.APIURL,
		"BBSETUP_AMPLICATION_URL":      amp.URL,
		"BBSETUP_AMPLICATION_EMAIL":    ampemu.DemoEmail,
		"BBSETUP_AMPLICATION_PASSWORD": ampemu.DemoPassword,
	}
	w.secrets = []string{cons.Secret, ampemu.DemoPassword}
	return w
}

// ampCheckout is a temporary copy of the demo's scratch checkout (the current layout).
func ampCheckout(t testing.TB) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("..", "setup", "emulator", "demo", "checkout"))); err != nil {
		t.Fatal(err)
	}
	return dst
}

func (w *ampWorld) writeEnv(t testing.TB) {
	t.Helper()
	billing := "BILLING_ENABLED=false\n"
	if w.billing {
		billing = "BILLING_ENABLED=true\n"
	}
	keys := "BITBUCKET_CLIENT_ID=" + w.cons.Key + "\nBITBUCKET_CLIENT_SECRET=" + w.cons.Secret + "\n"
	for p, body := range map[string]string{
		filepath.Join(w.dir, "packages", "amplication-server", ".env.local"):     "CLIENT_HOST=" + w.host + "\n" + billing + keys,
		filepath.Join(w.dir, "ee", "packages", "git-sync-manager", ".env.local"): keys,
	} {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs bbsetup in-process in the checkout with stdin, and checks that no secret of
// the run reaches stdout or stderr.
func (w *ampWorld) run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	wd := filepath.Join(w.dir, "packages", "amplication-server")
	code = Run(context.Background(), args, Env{
		Stdin:     strings.NewReader(stdin),
		Stdout:    &out,
		Stderr:    &errb,
		Getenv:    func(k string) string { return w.env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := w.env[k]; return v, ok },
		Getwd:     func() (string, error) { return wd, nil },
	})
	w.noSecrets(t, out.String()+errb.String())
	return code, out.String(), errb.String()
}

func (w *ampWorld) noSecrets(t *testing.T, all string) {
	t.Helper()
	for _, s := range w.secrets {
		if s != "" && strings.Contains(all, s) {
			t.Errorf("a secret (%.4s…) appears in the output", s)
		}
	}
}

// start runs bbsetup asynchronously (for authorize): the session reads stderr as it is
// written and can type into stdin.
func (w *ampWorld) start(t *testing.T, args ...string) *authzSession {
	t.Helper()
	return startSession(t, args, w.env, filepath.Join(w.dir, "packages", "amplication-server"))
}

// ampOps lists the operation names the Amplication emulator has logged since from.
func (w *ampWorld) ampOps(from int) []string {
	var out []string
	for _, r := range w.amp.Log()[from:] {
		out = append(out, r.Operation)
	}
	return out
}

func TestAmplicationStatusStaleServerThenRestart(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{stale: true})
	code, out, errOut := w.run(t, "", "amplication", "status")
	if code != ExitFailure {
		t.Fatalf("stale server: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"✓ the Amplication server answers at " + w.amp.URL, "✓ signed in to Amplication as Demo Operator <" + ampemu.DemoEmail + ">, workspace Demo",
		"✗ the running server", "npx nx serve amplication-server", "1 of 5 checks failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("stale status lacks %q:\n%s", want, out)
		}
	}
	// The operator restarts the server: it reads .env.local now.
	w.amp.Restart()
	code, out, errOut = w.run(t, "", "amplication", "status")
	if code != ExitOK {
		t.Fatalf("after restart: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"✓ the running server uses the key in .env.local", "Bitbucket in Amplication: not connected yet",
		"  Shop\n", "    project settings not connected", "    catalog → acme-archive/catalog-legacy", "All 5 checks passed."} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = w.run(t, "", "amplication", "status", "--json")
	var res ampStatusResult
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil {
		t.Fatalf("--json: exit %d, %v\n%s", code, err, out)
	}
	if !res.OK || len(res.Findings) != 7 || res.Findings[3].ID != "server-key" || res.Findings[4].ID != "amplication-server-started" || res.Account.Email != ampemu.DemoEmail ||
		res.Workspace.ID != ampemu.DemoWorkspaceID || len(res.Projects) != 2 || res.State == nil || !*res.State {
		t.Errorf("--json: %+v", res)
	}
}

func TestAmplicationStatusMissingConfiguration(t *testing.T) {
	t.Parallel()
	// No key in the env at all when the server started: "Missing Bitbucket configuration".
	w := ampStart(t, ampWorldOptions{stale: true})
	server := filepath.Join(w.dir, "packages", "amplication-server")
	b, err := os.ReadFile(filepath.Join(server, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(server, ".env"), []byte(strings.ReplaceAll(string(b), "BITBUCKET_CLIENT_ID=[bitbucket-client-id]", "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(server, ".env.local")); err != nil {
		t.Fatal(err)
	}
	w.amp.Restart() // the server starts with no key at all
	w.writeEnv(t)   // written after the start: the server does not see it
	code, out, _ := w.run(t, "", "amplication", "status")
	if code != ExitFailure || !strings.Contains(out, "Missing Bitbucket configuration") || !strings.Contains(out, "started before it was written") ||
		!strings.Contains(out, "npx nx serve amplication-server") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestAmplicationStatusUnreachableAndSignIn(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	w.env["BBSETUP_AMPLICATION_URL"] = ampFreeHost(t)
	code, out, _ := w.run(t, "", "amplication", "status")
	if code != ExitFailure || !strings.Contains(out, "✗ the Amplication server does not answer") || !strings.Contains(out, "npx nx serve amplication-server") {
		t.Errorf("unreachable: exit %d:\n%s", code, out)
	}
	w.env["BBSETUP_AMPLICATION_URL"] = w.amp.URL
	w.env["BBSETUP_AMPLICATION_PASSWORD"] = "wrong-password-123"
	w.secrets = append(w.secrets, "wrong-password-123")
	code, out, _ = w.run(t, "", "amplication", "status")
	if code != ExitFailure || !strings.Contains(out, "✗ the sign-in to Amplication failed") || !strings.Contains(out, "Invalid password") {
		t.Errorf("wrong password: exit %d:\n%s", code, out)
	}
	// The password on stdin wins over the environment and is never echoed.
	code, out, _ = w.run(t, ampemu.DemoPassword+"\n", "amplication", "status", "--password-stdin", "--debug")
	if code != ExitOK {
		t.Errorf("--password-stdin: exit %d:\n%s", code, out)
	}
	// No sign-in at all.
	delete(w.env, "BBSETUP_AMPLICATION_EMAIL")
	delete(w.env, "BBSETUP_AMPLICATION_PASSWORD")
	code, out, _ = w.run(t, "", "amplication", "status")
	if code != ExitFailure || !strings.Contains(out, "BBSETUP_AMPLICATION_TOKEN") {
		t.Errorf("no sign-in: exit %d:\n%s", code, out)
	}
}

func TestAmplicationTokenSignInDebugRedacted(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	tok, ok := w.amp.Token(ampemu.DemoEmail, ampemu.DemoWorkspaceID)
	if !ok {
		t.Fatal("no token from the emulator")
	}
	delete(w.env, "BBSETUP_AMPLICATION_EMAIL")
	delete(w.env, "BBSETUP_AMPLICATION_PASSWORD")
	w.env["BBSETUP_AMPLICATION_TOKEN"] = tok
	w.secrets = append(w.secrets, tok)
	code, out, errOut := w.run(t, "", "--debug", "amplication", "status")
	if code != ExitOK || !strings.Contains(out, "signed in to Amplication as Demo Operator") {
		t.Errorf("token sign-in: exit %d:\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "debug: ") || !strings.Contains(errOut, "/graphql (Overview): 200") {
		t.Errorf("--debug log missing:\n%s", errOut)
	}
	w.env["BBSETUP_AMPLICATION_TOKEN"] = "not-a-token-at-all"
	code, out, _ = w.run(t, "", "amplication", "status")
	if code != ExitFailure || !strings.Contains(out, "refused the token") {
		t.Errorf("bad token: exit %d:\n%s", code, out)
	}
}

func TestAmplicationAuthorizeCallback(t *testing.T) {
	t.Parallel()
	for _, schema := range []string{ampemu.SchemaV3, ampemu.SchemaV1} {
		t.Run(schema, func(t *testing.T) {
			w := ampStart(t, ampWorldOptions{schema: schema, billing: schema == ampemu.SchemaV1})
			ss := w.start(t, "--debug", "amplication", "authorize", "--no-browser", "--timeout", "1m")
			authURL := ss.authorizeURL(t)
			if strings.Contains(authURL, "redirect_uri") || strings.Contains(authURL, "code_challenge") || !strings.Contains(authURL, "client_id="+w.cons.Key) {
				t.Errorf("authorize URL %s: must be the server's own, with its key and nothing added", authURL)
			}
			if schema == ampemu.SchemaV1 && !strings.Contains(authURL, "state="+ampemu.DemoWorkspaceID) {
				t.Errorf("v1.10.0: the state must be the workspace id: %s", authURL)
			}
			// The browser: Bitbucket auto-approves and redirects to the callback.
			loc := ss.land(t, authURL)
			resp, err := ss.browser.Get(loc)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("callback answered %d", resp.StatusCode)
			}
			if code := ss.wait(t); code != ExitOK {
				t.Fatalf("exit %d\n%s", code, ss.errText())
			}
			if out := ss.outText(); !strings.Contains(out, "Amplication is connected to Bitbucket as demo") {
				t.Errorf("stdout:\n%s", out)
			}
			w.noSecrets(t, ss.outText()+ss.errText())
			if code := strings.TrimPrefix(loc[strings.Index(loc, "code="):], "code="); code != "" {
				if i := strings.IndexByte(code, '&'); i >= 0 {
					code = code[:i]
				}
				if strings.Contains(ss.errText(), code) {
					t.Errorf("the authorization code is in the debug log")
				}
			}
			found := false
			for _, g := range w.amp.GitOrganizations(ampemu.DemoWorkspaceID) {
				found = found || (g.Provider == "Bitbucket" && g.Name == "demo")
			}
			if !found {
				t.Errorf("no Bitbucket git organization after authorize: %+v", w.amp.GitOrganizations(ampemu.DemoWorkspaceID))
			}
		})
	}
}

func TestAmplicationAuthorizeForgedStateRefused(t *testing.T) {
	t.Parallel() // waits (retries, a build, a timeout): overlaps with the others that do
	w := ampStart(t, ampWorldOptions{})
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "5s")
	authURL := ss.authorizeURL(t)
	loc := ss.land(t, authURL)
	// An attacker's (or a stale tab's) answer: a real code with another state.
	i := strings.Index(loc, "state=")
	forged := loc[:i] + "state=forged-state-0000"
	resp, err := ss.browser.Get(forged)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("forged callback answered %d, want 400", resp.StatusCode)
	}
	io.WriteString(ss.stdinW, forged+"\n") // pasted too
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, ss.errText())
	}
	errText := ss.errText()
	for _, want := range []string{"another state", "no answer within 5s", "refused"} {
		if !strings.Contains(errText, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errText)
		}
	}
	for _, op := range w.ampOps(0) {
		if strings.HasPrefix(op, "CompleteGitOAuth2Flow") {
			t.Errorf("a forged state reached completeGitOAuth2Flow")
		}
	}
	for _, g := range w.amp.GitOrganizations(ampemu.DemoWorkspaceID) {
		if g.Provider == "Bitbucket" {
			t.Errorf("a Bitbucket organization was created from a forged state")
		}
	}
}

func TestAmplicationAuthorizePastePortTaken(t *testing.T) {
	t.Parallel()
	host := authzHoldPort(t) // the Amplication client holds the callback port
	w := ampStart(t, ampWorldOptions{host: host})
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "1m", "--json")
	authURL := ss.authorizeURL(t)
	loc := ss.land(t, authURL) // the Amplication tab would show "Please wait..." at loc
	io.WriteString(ss.stdinW, "just-a-code-without-state\n")
	io.WriteString(ss.stdinW, loc+"\n")
	if code := ss.wait(t); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, ss.errText())
	}
	errText := ss.errText()
	for _, want := range []string{"is in use", `"Please wait..."`, "paste it here", "That did not work"} {
		if !strings.Contains(errText, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errText)
		}
	}
	var res ampAuthorizeResult
	if err := json.Unmarshal([]byte(ss.outText()), &res); err != nil || res.GitOrganization.Name != "demo" || res.GitOrganization.ID == "" ||
		res.Workspace == nil || res.Workspace.ID != ampemu.DemoWorkspaceID || !res.StateSupported {
		t.Errorf("--json: %v\n%s", err, ss.outText())
	}
}

func TestAmplicationAuthorizeStaleServer(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{stale: true})
	code, out, errOut := w.run(t, "", "amplication", "authorize", "--no-browser", "--timeout", "5s")
	if code != ExitFailure || !strings.Contains(errOut, "started before the key was written") || !strings.Contains(errOut, "npx nx serve amplication-server") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}

func TestAmplicationConnectExisting(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	from := len(w.amp.Log())
	code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop", "--service", "orders")
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	if !strings.HasPrefix(out, "orders (project Shop) → acme/checkout-service\n") || !strings.Contains(out, "Amplication will push as the Bitbucket account demo (bbsetup's own account too).") {
		t.Errorf("stdout %q", out)
	}
	r, _ := w.amp.Resource(ampemu.DemoOrdersID)
	if r.Repo == nil || r.Repo.Name != "checkout-service" || r.Repo.GroupName != "acme" || !r.GitRepositoryOverride || r.Repo.GitOrganizationID != ampBitbucketOrgID {
		t.Errorf("orders in the emulator: %+v %+v", r, r.Repo)
	}
	ops := w.ampOps(from)
	// v3.14: the override by disconnectResourceGitRepository(overrideProjectSettings), read
	// back, then the connect, read back.
	want := []string{"Login", "Overview", "GitOrganizationAccounts", "GitOverrideSupport", "OverrideProjectGitSettings", "Projects", "ConnectResourceGitRepository", "Projects"}
	if strings.Join(ops, ",") != strings.Join(want, ",") {
		t.Errorf("Amplication requests %v, want %v", ops, want)
	}

	// Again: already connected to the same repository is no change.
	code, out, _ = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop", "--service", "orders")
	if code != ExitOK || !strings.Contains(out, "already connected; nothing changed") {
		t.Errorf("same again: exit %d: %s", code, out)
	}
}

func TestAmplicationConnectMissingRepositoryRefused(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "no-such-repo", "--project", "Shop")
	if code != ExitFailure || !strings.Contains(errOut, "no Bitbucket repository acme/no-such-repo") || !strings.Contains(errOut, "nothing was connected") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
	for _, op := range w.ampOps(0) {
		if op == "ConnectResourceGitRepository" {
			t.Errorf("a missing repository was connected")
		}
	}
	r, _ := w.amp.Resource(ampemu.DemoShopConfig)
	if r.Repo != nil {
		t.Errorf("Shop settings got %+v", r.Repo)
	}
}

func TestAmplicationConnectAlreadyConnectedThenReplace(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	// catalog has its own repository in the demo seed (GitHub's catalog-legacy).
	args := []string{"amplication", "connect", "--workspace", "acme", "--repository", "orders-v2", "--project", "Shop", "--service", "catalog"}
	code, out, errOut := w.run(t, "", args...)
	if code != ExitFailure || !strings.Contains(errOut, "catalog (project Shop) is already connected to acme-archive/catalog-legacy;") || !strings.Contains(errOut, "--replace") {
		t.Fatalf("without --replace: exit %d:\n%s%s", code, out, errOut)
	}
	if r, _ := w.amp.Resource(ampemu.DemoCatalogID); r.Repo == nil || r.Repo.Name != "catalog-legacy" {
		t.Errorf("refused, yet catalog changed: %+v", r.Repo)
	}
	code, out, errOut = w.run(t, "", append(args, "--replace", "--json")...)
	if code != ExitOK {
		t.Fatalf("--replace: exit %d:\n%s%s", code, out, errOut)
	}
	var res ampConnectResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if res.Replaced == nil || *res.Replaced != "acme-archive/catalog-legacy" || res.Repository.FullName != "acme/orders-v2" ||
		res.Resource.ID != ampemu.DemoCatalogID || res.Project.Name != "Shop" || res.Created {
		t.Errorf("--json: %+v", res)
	}
	if r, _ := w.amp.Resource(ampemu.DemoCatalogID); r.Repo == nil || r.Repo.Name != "orders-v2" || r.Repo.GroupName != "acme" {
		t.Errorf("after --replace catalog has %+v", r.Repo)
	}
}

func TestAmplicationConnectCreateAtProjectLevel(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--create", "Shop Platform 2", "--project-key", "WEB",
		"--description", "made by bbsetup", "--project", "shop")
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "project settings (project Shop) → acme/shop-platform-2") || !strings.Contains(out, "Services that inherit it: orders, payments.") {
		t.Errorf("stdout:\n%s", out)
	}
	if !strings.Contains(errOut, "Created private repository acme/shop-platform-2") {
		t.Errorf("stderr:\n%s", errOut)
	}
	for _, id := range []string{ampemu.DemoShopConfig, ampemu.DemoOrdersID, ampemu.DemoPaymentsID} {
		if r, _ := w.amp.Resource(id); r.Repo == nil || r.Repo.Name != "shop-platform-2" {
			t.Errorf("resource %s: %+v", id, r.Repo)
		}
	}
	if r, _ := w.amp.Resource(ampemu.DemoCatalogID); r.Repo == nil || r.Repo.Name != "catalog-legacy" {
		t.Errorf("catalog (own repository) changed: %+v", r.Repo)
	}
	// One service gets a repository of its own: refused while it inherits, then --replace.
	args := []string{"amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop", "--service", "orders"}
	code, _, errOut = w.run(t, "", args...)
	if code != ExitFailure || !strings.Contains(errOut, "orders (project Shop) is already connected to acme/shop-platform-2, the project's repository, which it inherits") {
		t.Errorf("inheriting service: exit %d: %s", code, errOut)
	}
	code, out, errOut = w.run(t, "", append(args, "--replace")...)
	if code != ExitOK || !strings.HasPrefix(out, "orders (project Shop) → acme/checkout-service (was acme/shop-platform-2)\n") {
		t.Errorf("--replace: exit %d: %s%s", code, out, errOut)
	}
	code, out, _ = w.run(t, "", "amplication", "status")
	if code != ExitOK || !strings.Contains(out, "    orders → acme/checkout-service\n") || !strings.Contains(out, "    payments → acme/shop-platform-2 (the project's)\n") {
		t.Errorf("status after a service of its own: exit %d:\n%s", code, out)
	}
	// Bitbucket has it, in the project asked for.
	code, out, _ = w.run(t, "", "repos", "list", "--workspace", "acme", "--filter", "Shop Platform 2", "--json")
	if code != 0 || !strings.Contains(out, `"project_key": "WEB"`) {
		t.Errorf("repos list: %d %s", code, out)
	}
}

func TestAmplicationConnectNeedsAuthorizeAndUsage(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	code, _, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop")
	if code != ExitFailure || !strings.Contains(errOut, "run bbsetup amplication authorize first") {
		t.Errorf("no Bitbucket organization: exit %d: %s", code, errOut)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--repository", "x", "--project", "Shop"}, "--workspace is required"},
		{[]string{"--workspace", "acme", "--project", "Shop"}, "exactly one of --repository"},
		{[]string{"--workspace", "acme", "--repository", "x", "--create", "y", "--project", "Shop"}, "exactly one of --repository"},
		{[]string{"--workspace", "acme", "--repository", "x", "--public", "--project", "Shop"}, "go with --create only"},
		{[]string{"--workspace", "acme", "--repository", "x"}, "--project is required"},
	} {
		code, _, errOut := w.run(t, "", append([]string{"amplication", "connect"}, tc.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, code, errOut)
		}
	}
	w2 := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	code, _, errOut = w2.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Nope")
	if code != ExitUsage || !strings.Contains(errOut, "no such project; it has Shop (id "+ampemu.DemoShopID+"), Internal") {
		t.Errorf("unknown project: exit %d: %s", code, errOut)
	}
	code, _, errOut = w2.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop", "--service", "nope")
	if code != ExitUsage || !strings.Contains(errOut, "it has orders, payments, catalog") {
		t.Errorf("unknown service: exit %d: %s", code, errOut)
	}
}

// ampConnectRoundTrips counts the requests one `amplication connect --repository` sends,
// on both emulators' logs.
func ampConnectRoundTrips(t testing.TB, w *ampWorld, args ...string) (amp, bb int) {
	ampFrom, bbFrom := len(w.amp.Log()), len(w.bb.Controls().Log())
	var out, errb bytes.Buffer
	wd := filepath.Join(w.dir, "packages", "amplication-server")
	code := Run(context.Background(), args, Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return w.env[k] }, Getwd: func() (string, error) { return wd, nil },
	})
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errb.String())
	}
	return len(w.amp.Log()) - ampFrom, len(w.bb.Controls().Log()) - bbFrom
}

// TestAmplicationConnectCost: a connect to an existing repository takes at most 8
// requests in all (both sides, signed in with email and password): Bitbucket's token,
// bbsetup's own identity and the repository check, and Amplication's login, overview, git
// organizations (with their accounts), connect and read-back.
func TestAmplicationConnectCost(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	amp, bb := ampConnectRoundTrips(t, w, "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop")
	t.Logf("Amplication %d requests, Bitbucket %d", amp, bb)
	if amp+bb > 8 {
		t.Errorf("connect sent %d requests (Amplication %d, Bitbucket %d), want at most 8", amp+bb, amp, bb)
	}
	if bb != 3 {
		t.Errorf("Bitbucket requests %d, want 3 (token, /user, repository)", bb)
	}
}

// BenchmarkAmplicationConnect times `amplication connect --repository` with 100 ms added
// to every request on both emulators and prints the figure in round trips (wall time over
// 100 ms) beside the requests sent: the Bitbucket check runs beside the sign-in, so the
// command waits for fewer round trips than it sends requests.
func BenchmarkAmplicationConnect(b *testing.B) {
	const rtt = 100 * time.Millisecond
	var total time.Duration
	var reqs int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := ampStart(b, ampWorldOptions{bitbucketOrg: true, latency: rtt})
		b.StartTimer()
		start := time.Now()
		amp, bb := ampConnectRoundTrips(b, w, "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop")
		total += time.Since(start)
		reqs += amp + bb
	}
	rt := float64(total) / float64(b.N) / float64(rtt)
	b.ReportMetric(rt, "round-trips/op")
	b.ReportMetric(float64(reqs)/float64(b.N), "requests/op")
	b.Logf("connect to an existing repository at %s per request: %.1f round trips of wall time, %d requests", rtt, rt, reqs/b.N)
}

// TestAmplicationServerTextSanitised: names from the server cannot move the cursor, retitle
// the terminal or reverse text, in the findings, the listing and the errors.
func TestAmplicationServerTextSanitised(t *testing.T) {
	t.Parallel()
	evil := "Int\x1b[2J\x1b]0;pwned\x07er\u202enal"
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true, seed: func(s *ampemu.Seed) {
		s.Workspaces[0].Projects[1].Name = evil
		s.Workspaces[0].Projects[1].Resources[1].Name = "ad\x1b[31mmin"
	}})
	check := func(what, s string) {
		t.Helper()
		if strings.ContainsAny(s, "\x1b\x07\u202e") {
			t.Errorf("%s carries control characters: %q", what, s)
		}
	}
	code, out, errOut := w.run(t, "", "amplication", "status")
	if code != ExitOK || !strings.Contains(out, "Internal") || !strings.Contains(out, "admin not connected") {
		t.Errorf("status: exit %d:\n%s%s", code, out, errOut)
	}
	check("status", out+errOut)
	code, out, errOut = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Nope")
	if code != ExitUsage {
		t.Errorf("connect: exit %d", code)
	}
	check("connect error", out+errOut)
	code, out, errOut = w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", evil, "--service", "ad\x1b[31mmin")
	if code != ExitOK || !strings.Contains(out, "admin (project Internal) → acme/checkout-service") {
		t.Errorf("connect: exit %d:\n%s%s", code, out, errOut)
	}
	check("connect", out+errOut)
}

// ampFront serves the Amplication emulator behind a handler that can answer some requests
// itself (by operation name), as a server with introspection off, or one failing an
// operation, would; the commands then talk to the front.
func ampFront(t *testing.T, w *ampWorld, intercept func(op string) (status int, body string, ok bool)) {
	t.Helper()
	w.env["BBSETUP_AMPLICATION_URL"] = graphQLFront(t, w.amp.Emulator, func(op string, _ map[string]any) (int, string, bool) {
		return intercept(op)
	})
}

// graphQLFront is a server in front of an Amplication emulator (next): answer may answer
// a GraphQL request itself, by its operation name and variables (status, JSON body,
// true); every other request goes on to next unchanged. It returns the front's URL.
func graphQLFront(t *testing.T, next http.Handler, answer func(op string, vars map[string]any) (status int, body string, ok bool)) string {
	t.Helper()
	front := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req struct {
			OperationName string         `json:"operationName"`
			Variables     map[string]any `json:"variables"`
		}
		_ = json.Unmarshal(b, &req)
		if status, body, ok := answer(req.OperationName, req.Variables); ok {
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(status)
			io.WriteString(rw, body)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		next.ServeHTTP(rw, r)
	}))
	t.Cleanup(front.Close)
	return front.URL
}

// installURLAnswer answers the authorize-URL query (GitInstallationURL…) with
// authorizeURL(state), state as the request's variables carry it (nil without one).
func installURLAnswer(authorizeURL func(state any) string) func(op string, vars map[string]any) (int, string, bool) {
	return func(op string, vars map[string]any) (int, string, bool) {
		if !strings.HasPrefix(op, "GitInstallationURL") {
			return 0, "", false
		}
		body, _ := json.Marshal(map[string]any{"data": map[string]any{"getGitResourceInstallationUrl": map[string]string{"url": authorizeURL(vars["state"])}}})
		return http.StatusOK, string(body), true
	}
}

// TestAmplicationAuthorizeOlderServerFromCheckoutSchema: a v1.10.0 server with
// introspection off; bbsetup reads the checkout's own schema.graphql, learns there is no
// state, and checks the callback's state against the workspace id.
func TestAmplicationAuthorizeOlderServerFromCheckoutSchema(t *testing.T) {
	t.Parallel()
	schema, err := os.ReadFile(testkit.RequireShared(t, "amplication", "schema-v1.10.0.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	w := ampStart(t, ampWorldOptions{schema: ampemu.SchemaV1, billing: true})
	src := filepath.Join(w.dir, "packages", "amplication-server", "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "schema.graphql"), schema, 0o644); err != nil {
		t.Fatal(err)
	}
	ampFront(t, w, func(op string) (int, string, bool) {
		if op == "GitInstallationInputFields" {
			return 400, `{"errors":[{"message":"GraphQL introspection is not allowed by Apollo Server, but the query contained __schema or __type. To enable introspection, pass introspection: true to ApolloServer in production","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`, true
		}
		return 0, "", false
	})
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "1m")
	authURL := ss.authorizeURL(t)
	if !strings.Contains(authURL, "state="+ampemu.DemoWorkspaceID) {
		t.Errorf("authorize URL %s: want the workspace id as state", authURL)
	}
	loc := ss.land(t, authURL)
	resp, err := ss.browser.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := ss.wait(t); code != ExitOK || !strings.Contains(ss.outText(), "Amplication is connected to Bitbucket as demo") {
		t.Fatalf("exit %d\n%s%s", code, ss.outText(), ss.errText())
	}
	for _, op := range w.ampOps(0) {
		if strings.HasSuffix(op, "WithState") {
			t.Errorf("sent %s to a v1.10.0 server", op)
		}
	}
}

// TestAmplicationAuthorizeCodeAlreadyUsed: the Amplication client page (or anyone) used
// the code first; the server's "Failed to complete OAuth2 flow - …" becomes what to do.
func TestAmplicationAuthorizeCodeAlreadyUsed(t *testing.T) {
	t.Parallel()
	host := authzHoldPort(t)
	w := ampStart(t, ampWorldOptions{host: host})
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "1m")
	loc := ss.land(t, ss.authorizeURL(t))
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, w.bb.URL+"/site/oauth2/access_token",
		strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(w.cons.Key, w.cons.Secret)
	resp, err := ss.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the first exchange answered %d", resp.StatusCode)
	}
	io.WriteString(ss.stdinW, loc+"\n")
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, ss.errText())
	}
	errText := ss.errText()
	if !strings.Contains(errText, "Failed to complete OAuth2 flow") || !strings.Contains(errText, "already used or has expired") ||
		!strings.Contains(errText, "bbsetup amplication authorize again") {
		t.Errorf("stderr:\n%s", errText)
	}
}

// TestAmplicationReplaceRestoresOnFailure: --replace disconnects, the connect fails, and
// the old repository is put back.
func TestAmplicationReplaceRestoresOnFailure(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	failed := false
	ampFront(t, w, func(op string) (int, string, bool) {
		if op == "ConnectResourceGitRepository" && !failed {
			failed = true
			return 200, `{"errors":[{"message":"Something broke","extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":null}`, true
		}
		return 0, "", false
	})
	code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "orders-v2", "--project", "Shop", "--service", "catalog", "--replace")
	if code != ExitFailure || !strings.Contains(errOut, "so it is connected to acme-archive/catalog-legacy again") || !strings.Contains(errOut, "Something broke") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
	if r, _ := w.amp.Resource(ampemu.DemoCatalogID); r.Repo == nil || r.Repo.Name != "catalog-legacy" || r.Repo.GitOrganizationID != ampemu.DemoGitHubOrgID {
		t.Errorf("catalog after a failed replace: %+v", r.Repo)
	}
}

// TestAmplicationWorkspaceChoice: --amplication-workspace switches the session's
// workspace (setCurrentWorkspace) by name or id, and refuses an unknown one.
func TestAmplicationWorkspaceChoice(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{seed: func(s *ampemu.Seed) {
		s.Workspaces = append(s.Workspaces, ampemu.Workspace{ID: "clsecondws000000000000001", Name: "Second", Members: []string{ampemu.DemoEmail},
			Projects: []ampemu.Project{{Name: "Blog"}}})
	}})
	code, out, _ := w.run(t, "", "amplication", "status", "--amplication-workspace", "second")
	if code != ExitOK || !strings.Contains(out, "workspace Second") || !strings.Contains(out, "  Blog\n") || strings.Contains(out, "  Shop\n") {
		t.Errorf("by name: exit %d:\n%s", code, out)
	}
	w.env["BBSETUP_AMPLICATION_WORKSPACE"] = "clsecondws000000000000001"
	code, out, _ = w.run(t, "", "amplication", "status", "--json")
	if code != ExitOK || !strings.Contains(out, `"name": "Second"`) {
		t.Errorf("by id in the environment: exit %d:\n%s", code, out)
	}
	code, _, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "x", "--project", "Shop", "--amplication-workspace", "Nope")
	if code != ExitUsage || !strings.Contains(errOut, "no such workspace; it has Demo (id "+ampemu.DemoWorkspaceID+"), Second") {
		t.Errorf("unknown: exit %d: %s", code, errOut)
	}
}

// TestAmplicationAuthorizeOlderServerWithoutPlan: a local v1.10.0 server (billing off)
// refuses Bitbucket: bbsetup stops before it prints or opens any Bitbucket URL, says why
// and what to do, and asks the server for no authorize URL.
func TestAmplicationAuthorizeOlderServerWithoutPlan(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{schema: ampemu.SchemaV1})
	from := len(w.amp.Log())
	code, out, errOut := w.run(t, "", "amplication", "authorize", "--no-browser", "--timeout", "1m")
	if code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "older than v3.5.0") || !strings.Contains(errOut, "git pull") || !strings.Contains(errOut, "no Bitbucket URL was opened") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if strings.Contains(out+errOut, w.bb.URL) || strings.Contains(out+errOut, "oauth2/authorize") {
		t.Errorf("a Bitbucket URL was printed:\n%s%s", out, errOut)
	}
	for _, op := range w.ampOps(from) {
		if strings.Contains(op, "GetGitInstallationUrl") || strings.Contains(op, "Installation") && !strings.Contains(op, "Fields") {
			t.Errorf("asked the old server for an authorize URL (%s)", op)
		}
	}
}

// Issue 23 §3 on the command line: the Amplication server cannot reach Bitbucket to
// exchange the code; the error names that cause, not a used code.
func TestAmplicationAuthorizeBitbucketUnreachable(t *testing.T) {
	t.Parallel()
	host := authzHoldPort(t)
	w := ampStart(t, ampWorldOptions{host: host})
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "1m")
	loc := ss.land(t, ss.authorizeURL(t))
	w.bb.Close() // Bitbucket is gone: the server's exchange cannot reach it
	io.WriteString(ss.stdinW, loc+"\n")
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, ss.errText())
	}
	errText := ss.errText()
	if strings.Contains(errText, "already used") || !strings.Contains(errText, "could not reach Bitbucket at http://127.0.0.1:") ||
		!strings.Contains(errText, "bbsetup amplication authorize again") {
		t.Errorf("stderr:\n%s", errText)
	}
}

// An already-connected refusal names the repository the operator asked for (it said
// "connect it to / instead": the refused plan's empty repository).
func TestAmplicationConnectAlreadyConnectedNamesTheNewRepository(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	code, out, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--repository", "orders-v2", "--project", "Shop", "--service", "catalog")
	if code != ExitFailure || !strings.Contains(errOut, "pass --replace to connect it to acme/orders-v2 instead") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
}
