package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// runEmulatorCmd starts `bbsetup emulator args...` and returns its output once the export
// lines are printed, and a stop function that cancels it (Ctrl+C) and checks it exits 0.
func runEmulatorCmd(t *testing.T, env Env, out, errOut *lockedBuffer, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- Run(ctx, append([]string{"emulator"}, args...), env) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "Serving until Ctrl+C.") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no output; stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
		}
		select {
		case c := <-code:
			cancel()
			t.Fatalf("emulator exited early with %d: %s", c, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return out.String(), func() {
		t.Helper()
		cancel()
		select {
		case c := <-code:
			if c != ExitOK {
				t.Errorf("exit %d after Ctrl+C; stderr %s", c, errOut.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatal("emulator did not stop")
		}
	}
}

// gql posts a GraphQL document to an Amplication URL.
func gql(t *testing.T, hc *http.Client, base, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
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
		Data   map[string]any
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%s: %v %+v", query, err, out.Errors)
	}
	return out.Data
}

func field(m map[string]any, keys ...string) string {
	var v any = m
	for _, k := range keys {
		v = v.(map[string]any)[k]
	}
	s, _ := v.(string)
	return s
}

func TestEmulatorCommandServesAmplication(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var out, errOut lockedBuffer
	printed, stop := runEmulatorCmd(t, emulatorEnv(&out, &errOut), &out, &errOut, "--repos", "10")
	m := regexp.MustCompile(`export BBSETUP_AMPLICATION_URL=(\S+) BBSETUP_AMPLICATION_EMAIL=(\S+)`).FindStringSubmatch(printed)
	pw := regexp.MustCompile(`Amplication password\s+(\S+)`).FindStringSubmatch(printed)
	bb := exportLine.FindStringSubmatch(printed)
	key := regexp.MustCompile(`Demo consumer key\s+(\S+)`).FindStringSubmatch(printed)
	if m == nil || pw == nil || bb == nil || key == nil || !strings.Contains(printed, "throwaway demo account") ||
		!strings.Contains(printed, "Bitbucket key loaded at start    the demo consumer's (no Amplication checkout here") {
		t.Fatalf("output lacks the Amplication lines:\n%s", printed)
	}
	amp, email, password := m[1], m[2], pw[1]
	if !strings.HasPrefix(amp, "http://127.0.0.1:") {
		t.Errorf("Amplication URL %s is not on 127.0.0.1", amp)
	}

	// Sign in with the printed credentials, take the authorize URL through the Bitbucket
	// emulator and complete Amplication's authorization: both emulators are wired together.
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	d := gql(t, hc, amp, "", `mutation($d: LoginInput!) { login(data: $d) { token } }`,
		map[string]any{"d": map[string]any{"email": email, "password": password}})
	tok := field(d, "login", "token")
	d = gql(t, hc, amp, tok, `mutation { getGitResourceInstallationUrl(data: {gitProvider: Bitbucket, state: "st-1"}) { url } }`, nil)
	u := field(d, "getGitResourceInstallationUrl", "url")
	if want := bb[1] + "/site/oauth2/authorize?client_id=" + key[1] + "&response_type=code&state=st-1"; u != want {
		t.Fatalf("authorize URL %s, want %s", u, want)
	}
	res, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := res.Location()
	if loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %v", res.StatusCode, loc)
	}
	d = gql(t, hc, amp, tok, `mutation($c: String!) { completeGitOAuth2Flow(data: {gitProvider: Bitbucket, code: $c, state: "st-1"}) { name provider } }`,
		map[string]any{"c": loc.Query().Get("code")})
	if field(d, "completeGitOAuth2Flow", "name") != "demo" {
		t.Errorf("completeGitOAuth2Flow: %v", d)
	}
	hc.CloseIdleConnections()
	stop()
	if !strings.Contains(out.String(), "Emulators stopped.") {
		t.Errorf("no stop message:\n%s", out.String())
	}
	if _, err := http.Post(amp+"/graphql", "application/json", strings.NewReader(`{"query":"{me{id}}"}`)); err == nil {
		t.Error("Amplication still serving after stop")
	}
}

func TestEmulatorCommandLoadsTheCheckout(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	server := filepath.Join(dir, "packages", "amplication-server")
	if err := os.MkdirAll(server, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(server, ".env"), []byte("BITBUCKET_CLIENT_ID=[bitbucket-client-id]\nBITBUCKET_CLIENT_SECRET=[bitbucket-client-secret]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "ee", "packages", "git-sync-manager"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Found from the working directory, no --repo.
	var out0, errOut0 lockedBuffer
	env := emulatorEnv(&out0, &errOut0)
	env.Getwd = func() (string, error) { return server, nil }
	printed, stop := runEmulatorCmd(t, env, &out0, &errOut0, "--repos", "0")
	if !strings.Contains(printed, "Bitbucket key loaded at start    none yet in "+dir) {
		t.Errorf("checkout above the working directory not loaded:\n%s", printed)
	}
	stop()

	var out, errOut lockedBuffer
	printed, stop = runEmulatorCmd(t, emulatorEnv(&out, &errOut), &out, &errOut, "--repos", "0", "--repo", dir, "--amplication-schema", "v1.10.0")
	m := regexp.MustCompile(`export BBSETUP_AMPLICATION_URL=(\S+)`).FindStringSubmatch(printed)
	if m == nil || !strings.Contains(printed, "Bitbucket key loaded at start    none yet in "+dir) || !strings.Contains(printed, "(v1.10.0)") {
		t.Fatalf("output:\n%s", printed)
	}
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{}}
	d := gql(t, hc, m[1], "", `mutation { login(data: {email: "demo@amplication.local", password: "demo-password-not-secret"}) { token } }`, nil)
	d = gql(t, hc, m[1], field(d, "login", "token"), `mutation { getGitResourceInstallationUrl(data: {gitProvider: Bitbucket}) { url } }`, nil)
	if u := field(d, "getGitResourceInstallationUrl", "url"); !strings.Contains(u, "client_id=[bitbucket-client-id]&") {
		t.Errorf("the checkout's placeholder is not what the server loaded: %s", u)
	}
	hc.CloseIdleConnections()
	stop()
}

func TestEmulatorCommandAmplicationErrors(t *testing.T) {
	notCheckout := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		text string
	}{
		{[]string{"emulator", "--amplication-port", "70000"}, ExitUsage, "--amplication-port"},
		{[]string{"emulator", "--amplication-schema", "v2"}, ExitUsage, "--amplication-schema"},
		{[]string{"emulator", "--repo", notCheckout}, ExitFailure, notCheckout},
	} {
		var out, errOut lockedBuffer
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		got := Run(ctx, c.args, emulatorEnv(&out, &errOut))
		cancel()
		if got != c.code || !strings.Contains(errOut.String(), c.text) {
			t.Errorf("%v: exit %d (want %d), stderr %q", c.args, got, c.code, errOut.String())
		}
	}
}

// The user flow: emulator, configure the checkout with the printed (random) demo key,
// restart the emulator so the server loads it: the checkout's key still works.
func TestEmulatorCommandRestartKeepsTheCheckoutWorking(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	server := filepath.Join(dir, "packages", "amplication-server")
	for _, d := range []string{server, filepath.Join(dir, "ee", "packages", "git-sync-manager")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(server, ".env"), []byte("BITBUCKET_CLIENT_ID=[bitbucket-client-id]\nBITBUCKET_CLIENT_SECRET=[bitbucket-client-secret]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out1, errOut1 lockedBuffer
	printed, stop := runEmulatorCmd(t, emulatorEnv(&out1, &errOut1), &out1, &errOut1, "--repos", "0", "--repo", dir)
	key := regexp.MustCompile(`Demo consumer key\s+(\S+)`).FindStringSubmatch(printed)
	secret := regexp.MustCompile(`Demo consumer secret\s+(\S+)`).FindStringSubmatch(printed)
	stop()
	if key == nil || secret == nil {
		t.Fatalf("no demo consumer:\n%s", printed)
	}
	// What configure writes.
	if err := os.WriteFile(filepath.Join(server, ".env.local"), []byte("BITBUCKET_CLIENT_ID="+key[1]+"\nBITBUCKET_CLIENT_SECRET="+secret[1]+"\nBILLING_ENABLED=false\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	var out, errOut lockedBuffer
	printed, stop = runEmulatorCmd(t, emulatorEnv(&out, &errOut), &out, &errOut, "--repos", "0", "--repo", dir)
	defer stop()
	if !strings.Contains(printed, "Bitbucket key loaded at start    the checkout's own, from "+dir) || strings.Contains(printed, secret[1]) {
		t.Fatalf("second run:\n%s", printed)
	}
	amp := regexp.MustCompile(`export BBSETUP_AMPLICATION_URL=(\S+)`).FindStringSubmatch(printed)[1]
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer hc.CloseIdleConnections()
	d := gql(t, hc, amp, "", `mutation { login(data: {email: "demo@amplication.local", password: "demo-password-not-secret"}) { token } }`, nil)
	tok := field(d, "login", "token")
	d = gql(t, hc, amp, tok, `mutation { getGitResourceInstallationUrl(data: {gitProvider: Bitbucket, state: "s"}) { url } }`, nil)
	u := field(d, "getGitResourceInstallationUrl", "url")
	if !strings.Contains(u, "client_id="+key[1]+"&") {
		t.Fatalf("authorize URL %s lacks the checkout's key", u)
	}
	res, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := res.Location()
	if res.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("the Bitbucket emulator does not know the checkout's key: %d %v", res.StatusCode, loc)
	}
	d = gql(t, hc, amp, tok, `mutation($c: String!) { completeGitOAuth2Flow(data: {gitProvider: Bitbucket, code: $c, state: "s"}) { name } }`,
		map[string]any{"c": loc.Query().Get("code")})
	if field(d, "completeGitOAuth2Flow", "name") != "demo" {
		t.Errorf("complete: %v", d)
	}
}
