package amplication_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// seen is one request the Bitbucket emulator received, as its front door saw it.
type seen struct {
	Method, Path, Authorization, ContentType, Body string
}

// bitbucket is the Bitbucket emulator behind a recording front door on loopback.
type bitbucket struct {
	URL, APIURL string
	Consumer    bbemu.Consumer
	mu          sync.Mutex
	reqs        []seen
}

func (b *bitbucket) seen() []seen {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]seen(nil), b.reqs...)
}

func startBitbucket(t *testing.T) *bitbucket {
	t.Helper()
	emu, cons := bbemu.NewDemo(bbemu.Options{AutoApprove: true}, 3)
	b := &bitbucket{Consumer: cons}
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.reqs = append(b.reqs, seen{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization"),
			ContentType: r.Header.Get("Content-Type"), Body: string(body)})
		b.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		emu.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: front, ReadHeaderTimeout: 5 * time.Second}
	ln := listen(t)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	b.URL = "http://" + ln.Addr().String()
	b.APIURL = b.URL + "/2.0"
	return b
}

// checkout writes a scratch checkout: the server's committed .env with Amplication's
// placeholders, and files[name] (relative to the checkout) as given.
func checkout(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"packages/amplication-server/.env": "# committed\nBITBUCKET_CLIENT_ID=[bitbucket-client-id]\nBITBUCKET_CLIENT_SECRET=[bitbucket-client-secret]\n",
	}
	for k, v := range files {
		all[k] = v
	}
	for name, body := range all {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func keysFile(c bbemu.Consumer) string {
	return "BITBUCKET_CLIENT_ID=" + c.Key + "\nBITBUCKET_CLIENT_SECRET=" + c.Secret + "\n"
}

// amp is an Amplication emulator on loopback with a client for it.
type amp struct {
	t   *testing.T
	emu *ampemu.Emulator
	srv *ampemu.Server
	hc  *http.Client
}

func startAmp(t *testing.T, opts ampemu.Options, seed ampemu.Seed) *amp {
	t.Helper()
	e, err := ampemu.New(opts, seed)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ampemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{}}
	t.Cleanup(func() {
		hc.CloseIdleConnections()
		s.Close()
	})
	return &amp{t: t, emu: e, srv: s, hc: hc}
}

// result is a GraphQL answer.
type result struct {
	Status int
	Data   map[string]any
	Errors []gqlErr
	Raw    string
}

type gqlErr struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (r result) errText() string {
	var s []string
	for _, e := range r.Errors {
		s = append(s, e.Message)
	}
	return strings.Join(s, " | ")
}

// do posts a GraphQL document with the token ("" for none).
func (a *amp) do(token, query string, vars map[string]any) result {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.hc.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []gqlErr       `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("not JSON (%d): %s", res.StatusCode, raw)
	}
	return result{Status: res.StatusCode, Data: out.Data, Errors: out.Errors, Raw: string(raw)}
}

// ok is do, failing the test on any error.
func (a *amp) ok(token, query string, vars map[string]any) map[string]any {
	a.t.Helper()
	r := a.do(token, query, vars)
	if r.Status != 200 || len(r.Errors) > 0 {
		a.t.Fatalf("%s: %d %s", firstLine(query), r.Status, r.Raw)
	}
	return r.Data
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (a *amp) login(email, password string) string {
	a.t.Helper()
	d := a.ok("", `mutation Login($data: LoginInput!) { login(data: $data) { token } }`,
		map[string]any{"data": map[string]any{"email": email, "password": password}})
	return d["login"].(map[string]any)["token"].(string)
}

func (a *amp) installURL(token string, state *string) result {
	a.t.Helper()
	data := map[string]any{"gitProvider": "Bitbucket"}
	if state != nil {
		data["state"] = *state
	}
	return a.do(token, `mutation U($data: GitGetInstallationUrlInput!) { getGitResourceInstallationUrl(data: $data) { url } }`,
		map[string]any{"data": data})
}

func (a *amp) complete(token, code string, state *string) result {
	a.t.Helper()
	data := map[string]any{"gitProvider": "Bitbucket", "code": code}
	if state != nil {
		data["state"] = *state
	}
	return a.do(token, `mutation C($data: GitOAuth2FlowInput!) { completeGitOAuth2Flow(data: $data) { id name provider type installationId useGroupingForRepositories } }`,
		map[string]any{"data": data})
}

// follow opens an authorize URL on the (auto-approving) Bitbucket emulator as a browser
// would and returns the callback URL it redirects to.
func follow(t *testing.T, authorize string) *url.URL {
	t.Helper()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer hc.CloseIdleConnections()
	res, err := hc.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("authorize %s: %d, want a redirect", authorize, res.StatusCode)
	}
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func str(s string) *string { return &s }

// dig walks a decoded JSON value: dig(d, "a", "b") is d["a"]["b"].
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}
