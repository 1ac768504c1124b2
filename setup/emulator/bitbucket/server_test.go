package bitbucket

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStartOnRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.168.1.10:0", "example.com:80", "[::]:0", "nonsense"} {
		if s, err := StartOn(New(Options{}), addr); err == nil {
			s.Close()
			t.Errorf("StartOn(%q) listened; want a refusal", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		s, err := StartOn(New(Options{}), addr)
		if err != nil {
			if addr == "[::1]:0" {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			t.Fatalf("StartOn(%q): %v", addr, err)
		}
		host, _, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() || s.APIURL != s.URL+"/2.0" {
			t.Errorf("StartOn(%q): URL %s API %s", addr, s.URL, s.APIURL)
		}
		s.Close()
	}
}

func TestStartOnPortTaken(t *testing.T) {
	s, err := Start(New(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s2, err := StartOn(New(Options{}), strings.TrimPrefix(s.URL, "http://")); err == nil {
		s2.Close()
		t.Fatal("two servers on one port")
	} else if !strings.Contains(err.Error(), "port") {
		t.Errorf("error %q does not mention the port", err)
	}
}

func TestNewDemo(t *testing.T) {
	e, c := NewDemo(Options{AutoApprove: true}, 2000)
	_, c2 := NewDemo(Options{}, 0)
	if len(c.Key) != 18 || len(c.Secret) != 32 || c.Key == c2.Key || c.Secret == c2.Secret {
		t.Errorf("demo key %d chars, secret %d chars; random per call: %v", len(c.Key), len(c.Secret), c.Key != c2.Key)
	}
	if !c.Private || c.CallbackURL != "http://localhost:3001/bitbucket-auth-app/callback" || c.Owner != DemoUserAccountID {
		t.Errorf("demo consumer %+v", c)
	}
	total := 0
	for _, ws := range []string{"acme", "acme-labs", "playground"} {
		n := len(e.workspaces[ws].repos)
		if n == 0 || len(e.workspaces[ws].projects) == 0 {
			t.Errorf("%s: %d repositories, %d projects", ws, n, len(e.workspaces[ws].projects))
		}
		total += n
	}
	if total != 2000 {
		t.Errorf("%d repositories, want 2000", total)
	}

	s, err := Start(e)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	w := &world{t: t, s: s, hc: hc}
	defer func() { hc.CloseIdleConnections(); s.Close() }()

	r := w.tokenReq(&c, url.Values{"grant_type": {"client_credentials"}})
	m := r.json(t)
	if m["scopes"] != strings.Join(DemoScopes(), " ") {
		t.Errorf("demo scopes %v", m["scopes"])
	}
	u := w.get("/2.0/user", m["access_token"].(string)).json(t)
	if u["display_name"] != "Demo Operator" || u["nickname"] != "demo" {
		t.Errorf("demo user %v", u)
	}
	wsl := w.get("/2.0/user/workspaces", m["access_token"].(string)).json(t)
	admin := map[string]bool{}
	for _, v := range wsl["values"].([]any) {
		a := v.(map[string]any)
		admin[a["workspace"].(map[string]any)["slug"].(string)] = a["administrator"].(bool)
	}
	if len(admin) != 3 || !admin["acme"] || admin["acme-labs"] || admin["playground"] {
		t.Errorf("demo workspaces %v", admin)
	}
	// The demo authorizes at once (AutoApprove) with Amplication's own URL.
	code := w.code(c, url.Values{"state": {"s"}})
	if tr := w.tokenReq(&c, url.Values{"grant_type": {"authorization_code"}, "code": {code}}); tr.status != 200 {
		t.Errorf("demo code exchange: %d %s", tr.status, tr.body)
	}
}

// TestCloseWhileHandlersStart closes the server while handlers keep starting, as net/http
// may start one at any moment, also while Close waits for the others: no panic and no
// data race (the suite runs with -race; a WaitGroup Add from zero during Wait is one),
// every handler that ran has returned when Close returns, and a request arriving after
// Close began is answered 503 without reaching the emulator.
func TestCloseWhileHandlersStart(t *testing.T) {
	for range 10 {
		e := New(Options{})
		e.Controls().SetLatency(time.Millisecond)
		s, err := Start(e)
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					s.srv.Handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/2.0/user", nil))
				}
			})
		}
		time.Sleep(5 * time.Millisecond)
		closed := make(chan struct{})
		go func() { s.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(30 * time.Second):
			close(stop)
			t.Fatal("Close did not return within 30s while handlers kept starting")
		}
		for _, r := range e.Controls().Log() {
			if r.End.IsZero() {
				t.Errorf("a handler (%s %s) was still running when Close returned", r.Method, r.Path)
				break
			}
		}
		rec := httptest.NewRecorder()
		n := len(e.Controls().Log())
		s.srv.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/2.0/user", nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("a request after Close: status %d, want 503", rec.Code)
		}
		close(stop)
		wg.Wait()
		if len(e.Controls().Log()) != n && !t.Failed() {
			// Handlers still looping between the two reads are refused too.
			for _, r := range e.Controls().Log()[n:] {
				t.Errorf("the emulator served %s %s after Close", r.Method, r.Path)
			}
		}
	}
}
