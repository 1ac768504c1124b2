package oauth_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

const (
	testKey    = "kEy0123456789abcdef"
	testSecret = "SeCrEt0123456789abcdefghijklmnop"
	callbackP  = "/bitbucket-auth-app/callback"
)

var operator = bbemu.User{AccountID: "557058:0f0e0d0c", DisplayName: "Demo Operator", Nickname: "demo"}

func allScopes() []string {
	var out []string
	for _, p := range oauth.RequiredPermissions() {
		out = append(out, p.Scope)
	}
	return out
}

// startEmulator serves an emulator with the operator and the given consumers on 127.0.0.1:0.
func startEmulator(t *testing.T, opts bbemu.Options, consumers ...bbemu.Consumer) *bbemu.Server {
	t.Helper()
	e := bbemu.New(opts)
	e.AddUser(operator)
	for _, c := range consumers {
		if c.Owner == "" {
			c.Owner = operator.AccountID
		}
		e.AddConsumer(c)
	}
	s, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func consumer(callback string) bbemu.Consumer {
	return bbemu.Consumer{Key: testKey, Secret: testSecret, Name: "Amplication", CallbackURL: callback, Private: true, Scopes: allScopes()}
}

// loopback opens a callback listener on 127.0.0.1:0 and returns it with its callback URL.
func loopback(t *testing.T) (net.Listener, string) {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l, "http://" + l.Addr().String() + callbackP
}

// closedPortURL is an http URL on 127.0.0.1 where nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

// browser stands in for the operator's browser: it follows redirects.
func browser(t *testing.T) *http.Client {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// noFollow is a browser that stops at the first redirect (to read the Location).
func noFollow(t *testing.T) *http.Client {
	c := browser(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func fetch(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func tokenRequests(s *bbemu.Server) int {
	n := 0
	for _, r := range s.Controls().Log() {
		if r.Path == "/site/oauth2/access_token" {
			n++
		}
	}
	return n
}

func TestCheckCredentials(t *testing.T) {
	const cb = "http://localhost:3001" + callbackP
	missing := consumer(cb)
	missing.Key, missing.Secret = "missingKey", "missingSecret-0123456789"
	missing.Scopes = []string{"account", "team:write", "project", "repository:admin", "pullrequest:write"}
	public := consumer(cb)
	public.Key, public.Secret, public.Private = "publicKey", "publicSecret-0123456789", false
	nocb := consumer("")
	nocb.Key, nocb.Secret = "nocbKey", "nocbSecret-0123456789"
	implied := consumer(cb)
	implied.Key, implied.Secret = "impliedKey", "impliedSecret-0123456789"
	implied.Scopes = []string{"account", "team:write", "project:admin", "repository:admin", "pullrequest:write", "webhook"}
	s := startEmulator(t, bbemu.Options{}, consumer(cb), missing, public, nocb, implied)
	ep := oauth.EndpointsFor(s.URL)

	for _, tc := range []struct {
		name        string
		ep          oauth.Endpoints
		key, secret string
		kind        oauth.VerdictKind
		says        []string
	}{
		{"ok", ep, testKey, testSecret, oauth.VerdictOK, []string{"every permission"}},
		{"implied scopes are enough", ep, implied.Key, implied.Secret, oauth.VerdictOK, []string{"takes Admin to include Read", "tick Projects: Read as well"}},
		{"wrong secret", ep, testKey, "wrong-secret-0123456789", oauth.VerdictBadCredentials, []string{"rejected the key or secret", "Copy both again"}},
		{"unknown key", ep, "nobody", testSecret, oauth.VerdictBadCredentials, []string{"rejected the key or secret"}},
		{"public consumer", ep, public.Key, public.Secret, oauth.VerdictNotPrivate, []string{`tick "This is a private consumer"`}},
		{"no callback URL", ep, nocb.Key, nocb.Secret, oauth.VerdictNoCallback, []string{"no callback URL", "http://localhost:3001/bitbucket-auth-app/callback"}},
		{"missing scopes", ep, missing.Key, missing.Secret, oauth.VerdictMissingScopes, []string{"lacks 2 permissions", "Projects: Admin", "Webhooks: Read and write", "tick the boxes"}},
		{"network unreachable", oauth.EndpointsFor(closedPortURL(t)), testKey, testSecret, oauth.VerdictNetwork, []string{"Could not reach Bitbucket at 127.0.0.1:", "connection refused", "the Bitbucket URL"}},
		{"not a token endpoint", oauth.EndpointsFor(s.URL + "/nowhere"), testKey, testSecret, oauth.VerdictUnexpected, []string{"HTTP 404", "the Bitbucket URL"}},
		{"empty secret", ep, testKey, "", oauth.VerdictBadCredentials, []string{"empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := oauth.CheckCredentials(ctxT(t), tc.ep, tc.key, tc.secret, nil)
			if v.Kind != tc.kind {
				t.Fatalf("kind %v, want %v (%s)", v.Kind, tc.kind, v.Message)
			}
			for _, want := range tc.says {
				if !strings.Contains(v.Message, want) {
					t.Errorf("message %q lacks %q", v.Message, want)
				}
			}
			if tc.secret != "" && strings.Contains(v.Message, tc.secret) {
				t.Errorf("message leaks the secret: %q", v.Message)
			}
			if strings.Contains(v.Message, "the Bitbucket URL") != v.CheckURL {
				t.Errorf("CheckURL = %v for %q: it must be set exactly when the message says to check the Bitbucket URL", v.CheckURL, v.Message)
			}
		})
	}

	v := oauth.CheckCredentials(ctxT(t), ep, missing.Key, missing.Secret, nil)
	if got, want := oauth.Labels(v.Missing), []string{"Projects: Admin", "Webhooks: Read and write"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Missing %q, want %q", got, want)
	}
	if !reflect.DeepEqual(v.Granted, []string{"account", "project", "pullrequest:write", "repository:admin", "team:write"}) {
		t.Errorf("Granted %q", v.Granted)
	}

	s.Controls().SetFaults(bbemu.Fault{PathPrefix: "/site/oauth2/access_token", Kind: bbemu.FaultStatus, Status: 503})
	if v := oauth.CheckCredentials(ctxT(t), ep, testKey, testSecret, nil); v.Kind != oauth.VerdictUnexpected || !strings.Contains(v.Message, "503") {
		t.Errorf("503: %v %q", v.Kind, v.Message)
	}
	s.Controls().SetFaults()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if v := oauth.CheckCredentials(ctx, ep, testKey, testSecret, nil); v.Kind == oauth.VerdictOK || !strings.Contains(v.Message, "cancelled") {
		t.Errorf("cancelled: %v %q", v.Kind, v.Message)
	}
}

func TestCheckCredentialsTimeout(t *testing.T) {
	s := startEmulator(t, bbemu.Options{}, consumer("http://localhost:3001"+callbackP))
	s.Controls().SetFaults(bbemu.Fault{PathPrefix: "/site/oauth2/access_token", Kind: bbemu.FaultHang})
	hc := &http.Client{Timeout: 200 * time.Millisecond}
	v := oauth.CheckCredentials(ctxT(t), oauth.EndpointsFor(s.URL), testKey, testSecret, hc)
	if v.Kind != oauth.VerdictNetwork || !strings.Contains(v.Message, "no answer within 200ms") {
		t.Errorf("hang: %v %q", v.Kind, v.Message)
	}
}

func TestBrowserFlow(t *testing.T) {
	l, redirect := loopback(t)
	s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect))
	flow, err := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
	if err != nil {
		t.Fatal(err)
	}
	cb := flow.Serve(l)
	defer cb.Close()

	// A stale tab, a second callback and a code used twice: TestFaultOAuth.
	resp, body := fetch(t, browser(t), flow.AuthURL())
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You can close this tab and return to the terminal") {
		t.Fatalf("callback page: %d %s", resp.StatusCode, body)
	}
	code, err := cb.Wait(ctxT(t))
	if err != nil || code == "" {
		t.Fatalf("Wait = %q, %v", code, err)
	}

	tok, err := flow.Exchange(ctxT(t), code)
	if err != nil {
		t.Fatal(err)
	}
	if got := oauth.Scopes(tok); len(oauth.Missing(got)) != 0 {
		t.Errorf("scopes %q", got)
	}
	hc := flow.Client(ctxT(t), tok)
	id, err := whoAmI(t, hc, s.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	if id.DisplayName != "Demo Operator" || id.Nickname != "demo" || id.AccountID != operator.AccountID {
		t.Errorf("CurrentUser = %+v", id)
	}

	// Expired access token: one refresh, one retry, success.
	before := tokenRequests(s)
	s.Controls().ExpireAccessTokens()
	s.Controls().ResetLog()
	id, err = whoAmI(t, hc, s.APIURL)
	if err != nil || id.Nickname != "demo" {
		t.Fatalf("after expiry: %+v, %v", id, err)
	}
	var seq []string
	for _, r := range s.Controls().Log() {
		seq = append(seq, r.Method+" "+r.Path+" "+strconv.Itoa(r.Status))
	}
	want := []string{"GET /2.0/user 401", "POST /site/oauth2/access_token 200", "GET /2.0/user 200"}
	if !reflect.DeepEqual(seq, want) {
		t.Errorf("requests after expiry %q, want %q (before: %d token requests)", seq, want, before)
	}
	// Requests that fail together renew once.
	s.Controls().ExpireAccessTokens()
	s.Controls().ResetLog()
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := whoAmI(t, hc, s.APIURL)
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := tokenRequests(s); n != 1 {
		t.Errorf("%d token requests for 8 concurrent expired requests, want 1", n)
	}
	// The renewed token keeps working without another refresh.
	s.Controls().ResetLog()
	if _, err := whoAmI(t, hc, s.APIURL); err != nil || len(s.Controls().Log()) != 1 {
		t.Errorf("after renewal: %v, %d requests", err, len(s.Controls().Log()))
	}
}

// TestConsentPageGrantAndDeny moved into TestFaultOAuth ("error=access_denied on the callback").

func mustQuery(t *testing.T, u string) url.Values {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return pu.Query()
}

func TestPortTakenPastePath(t *testing.T) {
	hold, redirect := loopback(t) // the "Amplication client" holds the port
	defer hold.Close()
	s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect))
	flow, err := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := flow.Listen(ctxT(t))
	var pe *oauth.PortInUseError
	if !errors.As(err, &pe) {
		if cb != nil {
			cb.Close()
		}
		t.Fatalf("Listen = %v, want *PortInUseError", err)
	}
	if pe.Port != hold.Addr().(*net.TCPAddr).Port {
		t.Errorf("port %d", pe.Port)
	}

	resp, _ := fetch(t, noFollow(t), flow.AuthURL())
	landed := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(landed, redirect+"?") {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, landed)
	}
	code, err := flow.ParsePasted("  \"" + landed + "\"\n")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := flow.Exchange(ctxT(t), code)
	if err != nil {
		t.Fatal(err)
	}
	id, err := whoAmI(t, flow.Client(ctxT(t), tok), s.APIURL)
	if err != nil || id.DisplayName != "Demo Operator" {
		t.Fatalf("CurrentUser = %+v, %v", id, err)
	}
	// A URL from another attempt: TestFaultOAuth ("wrong state in a pasted URL").
}

func TestExchangeErrors(t *testing.T) {
	l, redirect := loopback(t)
	l.Close()
	s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect))
	ep := oauth.EndpointsFor(s.URL)
	code := func(f *oauth.Flow) string {
		resp, _ := fetch(t, noFollow(t), f.AuthURL())
		c, err := f.ParsePasted(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	wrong, _ := oauth.NewFlow(ep, testKey, "not-the-secret-0123456789", redirect, nil)
	_, err := wrong.Exchange(ctxT(t), code(wrong))
	if err == nil || !strings.Contains(err.Error(), "rejected the key or secret") || strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("wrong secret: %v", err)
	}

	// A code of another attempt (PKCE verifier mismatch): TestFaultOAuth.
	a, _ := oauth.NewFlow(ep, testKey, testSecret, redirect, nil)
	if _, err := a.Exchange(ctxT(t), "bogus"); err == nil || !strings.Contains(err.Error(), "already used or has expired") {
		t.Errorf("bogus code: %v", err)
	}

	down, _ := oauth.NewFlow(oauth.EndpointsFor(closedPortURL(t)), testKey, testSecret, redirect, nil)
	_, err = down.Exchange(ctxT(t), "abc")
	var te *oauth.TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "Could not reach Bitbucket") {
		t.Errorf("unreachable: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.Exchange(ctx, "abc"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestClientCredentialsClient(t *testing.T) {
	s := startEmulator(t, bbemu.Options{}, consumer("http://localhost:3001"+callbackP))
	ep := oauth.EndpointsFor(s.URL)
	hc := oauth.ClientCredentialsClient(ctxT(t), ep, testKey, testSecret, nil)
	id, err := whoAmI(t, hc, s.APIURL)
	if err != nil || id.Nickname != "demo" {
		t.Fatalf("CurrentUser = %+v, %v", id, err)
	}
	s.Controls().ExpireAccessTokens()
	s.Controls().ResetLog()
	if _, err := whoAmI(t, hc, s.APIURL); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Controls().Log()); n != 3 {
		t.Errorf("%d requests after expiry, want 401 + token + retry", n)
	}

	bad := oauth.ClientCredentialsClient(ctxT(t), ep, testKey, "wrong-secret-0123456789", nil)
	_, err = whoAmI(t, bad, s.APIURL)
	var te *oauth.TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "rejected the key or secret") || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("wrong secret: %v", err)
	}
}

// whoAmI asks the API who hc's token acts as, with bbsetup's one GET /user: the REST
// client's (setup/bitbucket), retries off so each answer is seen once.
func whoAmI(t *testing.T, hc *http.Client, apiURL string) (*bitbucket.User, error) {
	t.Helper()
	return bitbucket.New(apiURL, hc, bitbucket.Options{MaxRetries: -1}).CurrentUser(ctxT(t))
}
