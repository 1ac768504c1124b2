package oauth_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/oauth"
)

// recorder is a loopback server on its own port that records every Authorization header
// it receives: the "other origin" a hostile server redirects to.
type recorder struct {
	*httptest.Server
	mu    sync.Mutex
	hits  int
	auths []string
}

func startRecorder(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits++
		if a := req.Header.Get("Authorization"); a != "" {
			r.auths = append(r.auths, a)
		}
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(req.URL.Path, "/access_token") {
			_, _ = w.Write([]byte(`{"access_token":"stolen","token_type":"bearer","expires_in":3600,"scopes":"account"}`))
			return
		}
		_, _ = w.Write([]byte(`{"account_id":"x","display_name":"Mallory"}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) got() (int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits, append([]string(nil), r.auths...)
}

// redirector answers every request with status and a Location on the recorder.
func redirector(t *testing.T, status int, to *recorder) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.URL.Path, "/access_token") && status == 0 {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"tok","token_type":"bearer","expires_in":3600,"scopes":"account"}`))
			return
		}
		st := status
		if st == 0 {
			st = http.StatusFound
		}
		http.Redirect(w, req, to.URL+req.URL.Path, st)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestHostileRedirects: a redirect to another origin (here another port on 127.0.0.1)
// is refused with a clear error, and the other origin never sees the secret or a token.
func TestHostileRedirects(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	check := func(t *testing.T, rec *recorder, msg string) {
		t.Helper()
		if _, auths := rec.got(); len(auths) > 0 {
			t.Errorf("the other origin received Authorization: %q", auths)
		}
		if !strings.Contains(msg, "redirect") || !strings.Contains(msg, "another") {
			t.Errorf("the message does not say a redirect to another origin was refused: %q", msg)
		}
		if strings.Contains(msg, testSecret) {
			t.Errorf("the message shows the secret: %q", msg)
		}
	}
	t.Run("307 from the token endpoint (credential check)", func(t *testing.T) {
		oauth.FaultMatrix.Record(t, "Hostile input", "307 from the token endpoint to another port", "check refused with a message naming the redirect; the other origin gets no Basic key:secret")
		rec := startRecorder(t)
		a := redirector(t, http.StatusTemporaryRedirect, rec)
		v := oauth.CheckCredentials(ctx, oauth.EndpointsFor(a.URL), testKey, testSecret, nil)
		if v.OK() {
			t.Fatalf("the check passed through a redirect: %+v", v)
		}
		check(t, rec, v.Message)
	})
	t.Run("307 from the token endpoint (code exchange)", func(t *testing.T) {
		oauth.FaultMatrix.Record(t, "Hostile input", "307 from the token endpoint during the code exchange", "exchange fails naming the redirect; the other origin gets no credentials")
		rec := startRecorder(t)
		a := redirector(t, http.StatusTemporaryRedirect, rec)
		flow, err := oauth.NewFlow(oauth.EndpointsFor(a.URL), testKey, testSecret, "http://127.0.0.1:3001/cb", &http.Client{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = flow.Exchange(ctx, "somecode")
		if err == nil {
			t.Fatal("the exchange passed through a redirect")
		}
		check(t, rec, err.Error())
	})
}

// TestHostile429WithErrorCode: a 429 from the token endpoint is the rate limit, whatever
// error code its body carries; it never says to check the consumer.
func TestHostile429WithErrorCode(t *testing.T) {
	oauth.FaultMatrix.Record(t, "Hostile input", "429 from the token endpoint with an OAuth error body", "says the rate limit is used up and to wait; not to check the consumer")
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":"rate_limited","error_description":"Too many requests"}`))
	}))
	t.Cleanup(s.Close)
	v := oauth.CheckCredentials(context.Background(), oauth.EndpointsFor(s.URL), testKey, testSecret, nil)
	if !strings.Contains(v.Message, "rate limit") || strings.Contains(v.Message, "consumer's settings") {
		t.Errorf("message %q", v.Message)
	}
}

// TestHostileCallbackNotLoopback: a callback host that is an address of this machine but
// not loopback is never listened on (it would be reachable from the network).
func TestHostileCallbackNotLoopback(t *testing.T) {
	oauth.FaultMatrix.Record(t, "Hostile input", "CLIENT_HOST on a LAN address of this machine", "Listen refuses (error says loopback only, paste instead); nothing listens there")
	var lan net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			lan = ipn.IP
			break
		}
	}
	if lan == nil {
		t.Skip("no non-loopback IPv4 address on this machine")
	}
	redirect := "http://" + lan.String() + ":0/bitbucket-auth-app/callback"
	flow, err := oauth.NewFlow(oauth.EndpointsFor("http://127.0.0.1:1"), testKey, testSecret, redirect, nil)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := flow.Listen(context.Background())
	if cb != nil {
		for _, a := range cb.Addrs() {
			t.Errorf("listening on %s", a)
		}
		cb.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "loopback") || !strings.Contains(err.Error(), "paste") {
		t.Errorf("Listen = %v, want a refusal that says loopback only and to paste", err)
	}
}

// TestHostileTimeoutStatesLimit: a token endpoint that never answers ends at the limit,
// and the message states that limit.
func TestHostileTimeoutStatesLimit(t *testing.T) {
	oauth.FaultMatrix.Record(t, "Hostile input", "token endpoint that never answers", "the check and the exchange end at their limit; each message states it")
	stop := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(stop) })
	hc := &http.Client{Timeout: 300 * time.Millisecond}
	v := oauth.CheckCredentials(context.Background(), oauth.EndpointsFor(hang.URL), testKey, testSecret, hc)
	if v.Kind != oauth.VerdictNetwork || !strings.Contains(v.Message, "within 300ms") {
		t.Errorf("check: %v %q", v.Kind, v.Message)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	v = oauth.CheckCredentials(ctx, oauth.EndpointsFor(hang.URL), testKey, testSecret, nil)
	if v.Kind != oauth.VerdictNetwork || !strings.Contains(v.Message, "within 400ms") {
		t.Errorf("check with a deadline: %v %q", v.Kind, v.Message)
	}
	flow, _ := oauth.NewFlow(oauth.EndpointsFor(hang.URL), testKey, testSecret, "http://127.0.0.1:3001/cb", hc)
	if _, err := flow.Exchange(context.Background(), "code123"); err == nil || !strings.Contains(err.Error(), "within 300ms") {
		t.Errorf("exchange: %v", err)
	}
}
