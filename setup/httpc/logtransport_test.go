package httpc

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestLogTransport: one line per exchange, with the method, the URL without its user
// info, the label and the status; a failed exchange says it failed; nothing of the
// headers or the body is logged.
func TestLogTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, "body-secret")
	}))
	defer srv.Close()
	var mu sync.Mutex
	var lines []string
	tr := &LogTransport{
		Base:  Transport(4),
		Logf:  func(f string, a ...any) { mu.Lock(); lines = append(lines, fmt.Sprintf(f, a...)); mu.Unlock() },
		Label: func(r *http.Request) string { return r.Header.Get("X-Op") },
	}
	hc := &http.Client{Transport: tr}
	u := strings.Replace(srv.URL, "http://", "http://user:pw-secret@", 1) + "/graphql?x=1"
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader("request-secret"))
	req.Header.Set("Authorization", "Bearer header-secret")
	req.Header.Set("X-Op", "connect")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A port nothing listens on: the exchange fails.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String() + "/gone"
	l.Close()
	if resp, err := hc.Get(dead); err == nil {
		resp.Body.Close()
		t.Fatalf("GET %s: no error", dead)
	}
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2: %q", len(lines), lines)
	}
	want := "http: POST " + srv.URL + "/graphql?x=1 (connect): 418 after "
	if !strings.HasPrefix(lines[0], want) {
		t.Errorf("line %q, want it to start %q", lines[0], want)
	}
	if want := "http: GET " + dead + ": failed after "; !strings.HasPrefix(lines[1], want) {
		t.Errorf("line %q, want it to start %q", lines[1], want)
	}
	for _, l := range lines {
		if strings.Contains(l, "secret") {
			t.Errorf("a secret was logged: %q", l)
		}
	}
}

// Transport keeps the default transport's settings but the idle connections per host.
func TestTransport(t *testing.T) {
	if got := Transport(8).MaxIdleConnsPerHost; got != 8 {
		t.Errorf("MaxIdleConnsPerHost = %d, want 8", got)
	}
	def := http.DefaultTransport.(*http.Transport)
	if got := Transport(0); got.MaxIdleConnsPerHost != def.MaxIdleConnsPerHost || got == def {
		t.Errorf("Transport(0) is not a fresh copy of the default")
	}
}
