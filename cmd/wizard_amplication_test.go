package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/tui"
)

// The wizard's Amplication adapter on the demo world: what the screens are given.

// writeKeys writes the demo consumer's key and secret through the adapter, as the env
// screen does.
func (aw *adapterWorld) writeKeys(t *testing.T) {
	t.Helper()
	// Found by its directory, as the wizard's --repo does (backups in the test's state
	// directory).
	co, err := aw.b.FindCheckout(aw.co.Root)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := aw.b.PlanEnv(context.Background(), co, tui.Credentials{ID: aw.w.Consumer.Key, Secret: aw.w.Consumer.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWizardAdapterAmplicationProbeSignInAndKey(t *testing.T) {
	t.Parallel()
	aw := newAdapterWorld(t)
	ctx := context.Background()
	p := aw.b.ProbeAmp(ctx, aw.co)
	if p.Answers || p.URL != aw.w.AmplicationURL || !strings.Contains(p.Detail, "cannot reach the Amplication server") ||
		p.StartCommand != "npx nx serve amplication-server" || p.Dir != aw.co.Root {
		t.Fatalf("before the start: %+v", p)
	}
	// Started before the keys are written: it answers, with the placeholder.
	if _, err := aw.w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	aw.writeKeys(t)
	if p := aw.b.ProbeAmp(ctx, aw.co); !p.Answers || !strings.Contains(p.Detail, "v3.5.0 or later") {
		t.Fatalf("started: %+v", p)
	}
	_, err := aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Email: ampemu.DemoEmail, Password: "wrong-password"})
	if err == nil || !strings.Contains(err.Error(), "Invalid password") || !strings.Contains(err.Error(), "ctrl+t") || strings.Contains(err.Error(), "--email") {
		t.Fatalf("wrong password: %v", err)
	}
	a, err := aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Email: ampemu.DemoEmail, Password: ampemu.DemoPassword})
	if err != nil {
		t.Fatal(err)
	}
	if a.Key.OK || !a.Key.Stale || !strings.Contains(a.Key.Message, "placeholder key [bitbucket-client-id]") ||
		a.Workspace.Name != "Demo" || len(a.Orgs) != 0 || !strings.Contains(a.Account, ampemu.DemoEmail) {
		t.Fatalf("signed in on the stale server: %+v", a)
	}
	if _, err := a.API.StartAmpAuth(ctx); err == nil || !strings.Contains(err.Error(), "started before the key was written") {
		t.Fatalf("authorize on the stale server: %v", err)
	}
	if _, err := aw.w.RestartAmplication(); err != nil {
		t.Fatal(err)
	}
	if k := a.API.CheckAmpKey(ctx); !k.OK || !strings.Contains(k.Message, aw.w.Consumer.Key) {
		t.Fatalf("after the restart: %+v", k)
	}
	// A token signs in too.
	tok, ok := aw.w.Amplication().Token(ampemu.DemoEmail, "")
	if !ok {
		t.Fatal("no token")
	}
	if a, err := aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Token: tok}); err != nil || !a.Key.OK {
		t.Fatalf("token sign-in: %+v, %v", a, err)
	}
	if _, err := aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Token: "not-a-token"}); err == nil || !strings.Contains(err.Error(), "refused the token") {
		t.Fatalf("bad token: %v", err)
	}
}

// A target that changed since it was listed (connected meanwhile elsewhere) is refused,
// not replaced; nothing is stored.
func TestWizardAdapterConnectRefusesAChangedTarget(t *testing.T) {
	aw := newAdapterWorld(t)
	ctx := context.Background()
	a := aw.signedInAmp(ctx, t)
	ps, err := a.API.AmpProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var catalog tui.AmpTarget
	for _, p := range ps {
		for _, r := range p.Resources {
			if r.ID == ampemu.DemoCatalogID {
				catalog = tui.AmpTarget{Project: p, Resource: r}
			}
		}
	}
	if catalog.Resource.Repo != "acme-archive/catalog-legacy" || catalog.Resource.Provider != "GitHub" || ps[0].Resources[0].Settings != true {
		t.Fatalf("projects %+v", ps)
	}
	aw.w.Server.AddRepos("acme", bbemu.Repo{Slug: "x"}) // it exists: the refusal is the target's
	_, err = a.API.ConnectAmp(ctx, tui.AmpConnectRequest{Target: catalog, Org: tui.AmpOrg{ID: ampemu.DemoGitHubOrgID}, Workspace: "acme", Slug: "x"})
	if err == nil || !strings.Contains(err.Error(), "catalog (project Shop) is now connected to acme-archive/catalog-legacy") {
		t.Fatalf("connect without replace: %v", err)
	}
	if r, _ := aw.w.Amplication().Resource(ampemu.DemoCatalogID); r.Repo == nil || r.Repo.Name != "catalog-legacy" {
		t.Fatalf("catalog changed: %+v", r.Repo)
	}
}

// A repository gone from Bitbucket since it was chosen is not stored in Amplication: the
// wizard's backend looks it up first (as the command line's connect does) and says so.
func TestWizardAdapterConnectRefusesAGoneRepository(t *testing.T) {
	aw := newAdapterWorld(t)
	ctx := context.Background()
	a := aw.signedInAmp(ctx, t)
	ps, err := a.API.AmpProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orders := tui.AmpTarget{Project: ps[0], Resource: ps[0].Resources[1]} // orders
	_, err = a.API.ConnectAmp(ctx, tui.AmpConnectRequest{Target: orders, Org: tui.AmpOrg{ID: ampemu.DemoGitHubOrgID}, Workspace: "acme", Slug: "deleted-meanwhile"})
	var gone *tui.RepoGoneError
	if !errors.As(err, &gone) || !strings.Contains(err.Error(), "acme/deleted-meanwhile is no longer in Bitbucket") {
		t.Fatalf("connect to a gone repository: %v", err)
	}
	if r, _ := aw.w.Amplication().Resource(ampemu.DemoOrdersID); r.Repo != nil {
		t.Fatalf("stored in Amplication: %+v", r.Repo)
	}
}

// The Amplication server refusing the code exchange: the wizard says what happened in its
// own terms (its Authorize screen offers to try again), not the CLI's command; the CLI
// keeps its own wording (TestAmplicationAuthorizeCodeAlreadyUsed).
func TestWizardAdapterCodeRefusalInTheWizardsWords(t *testing.T) {
	aw := newAdapterWorld(t)
	ctx := context.Background()
	a := aw.signedInAmp(ctx, t)
	sess, state := aw.startAmpAuth(ctx, t, a)
	// The address a browser would land on, with a code Bitbucket never issued.
	_, err := sess.Flow.Paste(ctx, aw.landedWith("never-issued-code", state))
	if err == nil {
		t.Fatal("a code Bitbucket never issued was accepted")
	}
	msg := err.Error()
	if strings.Contains(msg, "bbsetup amplication") || !strings.Contains(msg, "could not finish the Bitbucket authorization") ||
		!strings.Contains(msg, "already used or has expired") || !strings.Contains(msg, "rying again makes a new one.") {
		t.Fatalf("the wizard's refusal: %q", msg)
	}
}

// Names from the Amplication server (workspace, projects, services, repositories, the
// connect's read-back) reach the screens sanitised: a server cannot retitle the terminal,
// clear it or reverse text through the wizard.
func TestWizardAdapterAmplicationNamesSanitised(t *testing.T) {
	aw := newAdapterWorldWith(t, demo.Options{Colleague: true}) // a Bitbucket git organization to connect through
	ctx := context.Background()
	aw.writeKeys(t)
	if _, err := aw.w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(aw.w.AmplicationURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		for from, to := range map[string]string{
			`"Shop"`:   `"Sh\u001b]0;pwned\u0007op"`,
			`"orders"`: `"ord\u001b[2Jers"`,
			`"Demo"`:   `"De\u202emo"`,
		} {
			b = bytes.ReplaceAll(b, []byte(from), []byte(to))
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()
	aw.useAmplicationURL(t, front.URL)

	bad := func(what string, v any) {
		t.Helper()
		if s := fmt.Sprintf("%+v", v); strings.ContainsAny(s, "\x1b\x07\u202e") {
			t.Errorf("%s carries control characters: %q", what, s)
		}
	}
	a, err := aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Email: ampemu.DemoEmail, Password: ampemu.DemoPassword})
	if err != nil {
		t.Fatal(err)
	}
	bad("signed in", []any{a.Account, a.Workspace, a.Workspaces, a.Orgs})
	if a.Workspace.Name != "Demo" {
		t.Errorf("workspace %q, want the sanitised Demo", a.Workspace.Name)
	}
	ps, err := a.API.AmpProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bad("projects", ps)
	var orders tui.AmpTarget
	for _, p := range ps {
		for _, r := range p.Resources {
			if r.Name == "orders" && p.Name == "Shop" {
				orders = tui.AmpTarget{Project: p, Resource: r}
			}
		}
	}
	if orders.Resource.ID == "" {
		t.Fatalf("no sanitised orders in Shop: %+v", ps)
	}
	var org tui.AmpOrg
	for _, g := range aw.w.Amplication().GitOrganizations(aw.w.Amplication().WorkspaceID("Demo")) {
		if g.Provider == "Bitbucket" {
			org = tui.AmpOrg{ID: g.ID, Name: g.Name}
		}
	}
	got, err := a.API.ConnectAmp(ctx, tui.AmpConnectRequest{Target: orders, Org: org, Workspace: "acme", Slug: "amber-api-00001"})
	if err != nil {
		t.Fatal(err)
	}
	bad("connected", got)
	if got.Project != "Shop" || got.Resource != "orders" {
		t.Errorf("connected %+v", got)
	}
}
