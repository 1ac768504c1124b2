package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// lockedBuffer is a bytes.Buffer safe to read while a command writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func emulatorEnv(out, errOut *lockedBuffer) Env {
	return Env{
		Stdin:     strings.NewReader(""),
		Stdout:    out,
		Stderr:    errOut,
		Getenv:    func(string) string { return "" },
		LookupEnv: func(string) (string, bool) { return "", false },
		Getwd:     func() (string, error) { return "/", nil },
	}
}

var exportLine = regexp.MustCompile(`export BBSETUP_BITBUCKET_URL=(\S+) BBSETUP_API_URL=(\S+)`)

func TestEmulatorCommandServesUntilCancelled(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var out, errOut lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, []string{"emulator", "--repos", "120", "--latency", "1ms"}, emulatorEnv(&out, &errOut))
	}()

	deadline := time.Now().Add(20 * time.Second)
	var m []string
	for m == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no export line printed; stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
		}
		select {
		case c := <-code:
			t.Fatalf("emulator exited early with %d: %s", c, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
		m = exportLine.FindStringSubmatch(out.String())
	}
	base, api := m[1], m[2]
	printed := out.String()
	key := regexp.MustCompile(`Demo consumer key\s+(\S+)`).FindStringSubmatch(printed)
	secret := regexp.MustCompile(`Demo consumer secret\s+(\S+)`).FindStringSubmatch(printed)
	if key == nil || secret == nil || api != base+"/2.0" || !strings.Contains(printed, "throwaway demo credential") {
		t.Fatalf("output lacks URLs or the demo credentials:\n%s", printed)
	}
	u, _ := url.Parse(base)
	if host, _, _ := net.SplitHostPort(u.Host); host != "127.0.0.1" {
		t.Errorf("listening on %s, want 127.0.0.1", u.Host)
	}

	// A real token request and API call with the printed credentials.
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 20 * time.Second}
	defer hc.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodPost, base+"/site/oauth2/access_token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(key[1], secret[1])
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if res.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token request: %d", res.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodGet, api+"/repositories/acme?pagelen=1", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Size int }
	_ = json.NewDecoder(res.Body).Decode(&page)
	res.Body.Close()
	if res.StatusCode != 200 || page.Size != 72 { // 60% of 120 in acme
		t.Errorf("GET /repositories/acme: %d size %d", res.StatusCode, page.Size)
	}
	hc.CloseIdleConnections()

	cancel() // what Ctrl+C does through cmd/root.go
	select {
	case c := <-code:
		if c != ExitOK {
			t.Errorf("exit code %d after Ctrl+C, want 0; stderr: %s", c, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("emulator did not stop after the context was cancelled")
	}
	if !strings.Contains(out.String(), "Emulators stopped.") {
		t.Errorf("no stop message:\n%s", out.String())
	}
	if _, err := http.Get(base + "/2.0/user"); err == nil {
		t.Error("still serving after stop")
	}
}

func TestEmulatorCommandErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, port, _ := net.SplitHostPort(taken.Addr().String())
	cases := []struct {
		args []string
		code int
		text string
	}{
		{[]string{"emulator", "--port", "70000"}, ExitUsage, "--port"},
		{[]string{"emulator", "--port", "-1"}, ExitUsage, "--port"},
		{[]string{"emulator", "--repos", "-5"}, ExitUsage, "--repos"},
		{[]string{"emulator", "--latency", "-1s"}, ExitUsage, "--latency"},
		{[]string{"emulator", "--latency", "soon"}, ExitUsage, "latency"},
		{[]string{"emulator", "--port", port, "--repos", "0"}, ExitFailure, "port"},
	}
	for _, c := range cases {
		var out, errOut lockedBuffer
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		got := Run(ctx, c.args, emulatorEnv(&out, &errOut))
		cancel()
		if got != c.code || !strings.Contains(errOut.String(), c.text) {
			t.Errorf("%v: exit %d (want %d), stderr %q", c.args, got, c.code, errOut.String())
		}
	}
}
