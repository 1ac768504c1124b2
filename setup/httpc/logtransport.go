package httpc

import (
	"net/http"
	"time"
)

// LogTransport logs one line per HTTP exchange with Logf: the method, the URL without its
// user info, Label's words for the request (the GraphQL operation's name, say), the status
// or the failure, and how long it took. Never headers or bodies, so never a secret. It is
// the one logger of requests: a client that has one needs no log of its own as well,
// which would log each request a second time.
type LogTransport struct {
	Base  http.RoundTripper // nil: http.DefaultTransport
	Logf  func(format string, a ...any)
	Label func(*http.Request) string // nil, or "" for a request: no words
}

// RoundTrip sends req with Base and logs the exchange.
func (t *LogTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	start := time.Now()
	resp, err := base.RoundTrip(req)
	took := time.Since(start).Round(time.Millisecond)
	u := *req.URL
	u.User = nil
	what := u.String()
	if t.Label != nil {
		if l := t.Label(req); l != "" {
			what += " (" + l + ")"
		}
	}
	if err != nil {
		t.Logf("http: %s %s: failed after %s: %v", req.Method, what, took, err)
		return resp, err
	}
	t.Logf("http: %s %s: %d after %s", req.Method, what, resp.StatusCode, took)
	return resp, err
}

// Transport is a fresh copy of http.DefaultTransport that keeps up to idlePerHost idle
// connections to each host (0: the default's), for a client whose requests run in
// parallel (Bitbucket's page fetches).
func Transport(idlePerHost int) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if idlePerHost > 0 {
		tr.MaxIdleConnsPerHost = idlePerHost
	}
	return tr
}
