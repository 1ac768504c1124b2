package demo

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bbsetup/bbsetup/setup/checkout"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// writeKeys writes the demo consumer's key and secret into the scratch checkout the way
// bbsetup configure does (the checkout's own plan, applied).
func writeKeys(t *testing.T, w *World) {
	t.Helper()
	co, err := checkout.Open(w.CheckoutDir)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := co.Plan(checkout.Credentials{ClientID: w.Consumer.Key, ClientSecret: w.Consumer.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
}

// authorizeURL signs in as the demo user and asks the server for its authorize URL.
func authorizeURL(t *testing.T, w *World) string {
	t.Helper()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	post := func(token, query string) map[string]any {
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest(http.MethodPost, w.AmplicationURL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			Data   map[string]map[string]string
			Errors []struct{ Message string }
		}
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
			t.Fatalf("%s: %v %v", query, err, out.Errors)
		}
		m := map[string]any{}
		for k, v := range out.Data {
			m[k] = v
		}
		return m
	}
	d := post("", `mutation { login(data: {email: "`+w.AmplicationEmail+`", password: "`+w.AmplicationPassword+`"}) { token } }`)
	tok := d["login"].(map[string]string)["token"]
	d = post(tok, `mutation { getGitResourceInstallationUrl(data: {gitProvider: Bitbucket, state: "s"}) { url } }`)
	return d["getGitResourceInstallationUrl"].(map[string]string)["url"]
}

func TestAmplicationStartsAfterTheWrite(t *testing.T) {
	w, err := Start(Options{Repos: 5, ClientPort: 1, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The scratch checkout tells bbsetup where the server is.
	co, err := checkout.Open(w.CheckoutDir)
	if err != nil {
		t.Fatal(err)
	}
	if h, ok := co.ServerEnv("HOST"); !ok || h != w.AmplicationURL || !strings.HasPrefix(h, "http://127.0.0.1:") {
		t.Errorf("HOST in the scratch checkout %q, want %q", h, w.AmplicationURL)
	}
	if w.AmplicationEmail != ampemu.DemoEmail || w.AmplicationPassword != ampemu.DemoPassword {
		t.Errorf("demo sign-in %q", w.AmplicationEmail)
	}
	// Not started yet: nothing answers, as before `npx nx serve amplication-server`.
	if w.Amplication() != nil {
		t.Fatal("started before StartAmplication")
	}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	if res, err := hc.Get(w.AmplicationURL + "/graphql"); err == nil {
		res.Body.Close()
		t.Errorf("something answers at %s before the start", w.AmplicationURL)
	}
	writeKeys(t, w)
	s, err := w.StartAmplication()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := w.StartAmplication(); again != s || s.URL != w.AmplicationURL {
		t.Errorf("StartAmplication again: %v, URL %s", again, s.URL)
	}
	want := w.Server.URL + "/site/oauth2/authorize?client_id=" + w.Consumer.Key + "&response_type=code&state=s"
	if got := authorizeURL(t, w); got != want {
		t.Errorf("authorize URL %s, want %s", got, want)
	}
	// The demo's projects and the service already connected elsewhere.
	if r, ok := s.Resource(ampemu.DemoCatalogID); !ok || r.Repo == nil || r.Repo.Name != "catalog-legacy" {
		t.Errorf("catalog %+v", r)
	}
	w.CloseServers()
	if _, err := os.Stat(filepath.Join(w.CheckoutDir, "packages", "amplication-server", ".env.local")); err != nil {
		t.Errorf("CloseServers removed the checkout: %v", err)
	}
	if res, err := hc.Get(w.AmplicationURL + "/graphql"); err == nil {
		res.Body.Close()
		t.Error("Amplication still answers after CloseServers")
	}
}

func TestStaleServerShowsTheOldKeysUntilRestart(t *testing.T) {
	w, err := Start(Options{Repos: 5, ClientPort: 1, TempDir: t.TempDir(), StaleServer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Amplication() == nil {
		t.Fatal("StaleServer did not start the server")
	}
	writeKeys(t, w)
	if got := authorizeURL(t, w); !strings.Contains(got, "client_id=[bitbucket-client-id]&") {
		t.Errorf("stale server's URL %s, want the committed placeholder", got)
	}
	if _, err := w.RestartAmplication(); err != nil {
		t.Fatal(err)
	}
	if got := authorizeURL(t, w); !strings.Contains(got, "client_id="+w.Consumer.Key+"&") {
		t.Errorf("after the restart: %s", got)
	}
}
