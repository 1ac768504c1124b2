package oauth

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestScopeLabel: every scope Bitbucket's consumer form grants is named by its box, in the
// form's words (the REST client's scope errors use these), and an unknown scope passes through.
func TestScopeLabel(t *testing.T) {
	want := map[string]string{
		"account":           "Account: Read",
		"account:write":     "Account: Write",
		"email":             "Account: Email",
		"team":              "Workspace membership: Read",
		"team:write":        "Workspace membership: Write",
		"project":           "Projects: Read",
		"project:write":     "Projects: Write",
		"project:admin":     "Projects: Admin",
		"repository":        "Repositories: Read",
		"repository:write":  "Repositories: Write",
		"repository:admin":  "Repositories: Admin",
		"repository:delete": "Repositories: Delete",
		"pullrequest":       "Pull requests: Read",
		"pullrequest:write": "Pull requests: Write",
		"webhook":           "Webhooks: Read and write",
		"issue":             "Issues: Read",
		"issue:write":       "Issues: Write",
		"wiki":              "Wikis: Read and write",
		"snippet":           "Snippets: Read",
		"snippet:write":     "Snippets: Write",
		"pipeline":          "Pipelines: Read",
		"pipeline:write":    "Pipelines: Write",
		"pipeline:variable": "Pipelines: Edit variables",
		"runner":            "Runners: Read",
		"runner:write":      "Runners: Write",
	}
	for scope, label := range want {
		if got := ScopeLabel(scope); got != label {
			t.Errorf("ScopeLabel(%q) = %q, want %q", scope, got, label)
		}
	}
	if len(consumerForm) != len(want) {
		t.Errorf("the consumer form has %d boxes, this test knows %d", len(consumerForm), len(want))
	}
	for _, p := range RequiredPermissions() {
		if got := ScopeLabel(p.Scope); got != p.Label() {
			t.Errorf("required %q is labelled %q, ScopeLabel says %q", p.Scope, p.Label(), got)
		}
	}
	if got := ScopeLabel("no:such"); got != "no:such" {
		t.Errorf("unknown scope: %q", got)
	}
}

func TestRequiredPermissions(t *testing.T) {
	ps := RequiredPermissions()
	if len(ps) != 11 {
		t.Fatalf("%d permissions, want 11", len(ps))
	}
	var rows []string
	for _, p := range ps {
		if len(rows) == 0 || rows[len(rows)-1] != p.Row {
			rows = append(rows, p.Row)
		}
	}
	want := []string{"Account", "Workspace membership", "Projects", "Repositories", "Pull requests", "Webhooks"}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	if got := ps[len(ps)-1].Label(); got != "Webhooks: Read and write" {
		t.Errorf("last label %q", got)
	}
	var scopes []string
	for _, p := range ps {
		scopes = append(scopes, p.Scope)
	}
	wantScopes := []string{"account", "team", "team:write", "project", "project:admin", "repository", "repository:write", "repository:admin", "pullrequest", "pullrequest:write", "webhook"}
	if !reflect.DeepEqual(scopes, wantScopes) {
		t.Errorf("scopes %q, want %q", scopes, wantScopes)
	}
}

func TestMissing(t *testing.T) {
	all := []string{"account", "team:write", "project:admin", "repository:admin", "pullrequest:write", "webhook"}
	for _, tc := range []struct {
		name    string
		granted []string
		want    []string
	}{
		{"highest boxes imply the rest", all, nil},
		{"every scope listed", []string{"account", "team", "team:write", "project", "project:admin", "repository", "repository:write", "repository:admin", "pullrequest", "pullrequest:write", "webhook"}, nil},
		{"nothing", nil, Labels(RequiredPermissions())},
		{"webhook missing", all[:5], []string{"Webhooks: Read and write"}},
		{"pullrequest:write implies repository read and write", []string{"pullrequest:write"}, []string{
			"Account: Read", "Workspace membership: Read", "Workspace membership: Write", "Projects: Read", "Projects: Admin",
			"Repositories: Admin", "Webhooks: Read and write"}},
		{"pullrequest implies only repository read", []string{"account", "team:write", "project:admin", "repository:admin", "pullrequest", "webhook"},
			[]string{"Repositories: Write", "Pull requests: Write"}},
		{"repository:admin implies nothing", []string{"account", "team:write", "project:admin", "repository:admin", "webhook"},
			[]string{"Repositories: Read", "Repositories: Write", "Pull requests: Read", "Pull requests: Write"}},
		{"project:admin without project counts as Projects read", []string{"account", "team", "team:write", "project:admin", "repository", "repository:write", "repository:admin", "pullrequest", "pullrequest:write", "webhook"}, nil},
		{"project without admin", []string{"account", "team:write", "project", "repository:admin", "pullrequest:write", "webhook"}, []string{"Projects: Admin"}},
		{"team without write", []string{"account", "team", "project:admin", "repository:admin", "pullrequest:write", "webhook"}, []string{"Workspace membership: Write"}},
		{"unknown scopes and blanks are ignored", append([]string{"", " ", "issue:write", "wiki"}, all...), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Labels(Missing(tc.granted))
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Missing(%q) = %q, want %q", tc.granted, got, tc.want)
			}
		})
	}
}

func TestScopes(t *testing.T) {
	tok := (&oauth2.Token{AccessToken: "x"}).WithExtra(map[string]any{"scopes": "webhook account  pullrequest:write account"})
	if got, want := Scopes(tok), []string{"account", "pullrequest:write", "webhook"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Scopes = %q, want %q", got, want)
	}
	tok = (&oauth2.Token{AccessToken: "x"}).WithExtra(map[string]any{"scope": "account"})
	if got := Scopes(tok); !reflect.DeepEqual(got, []string{"account"}) {
		t.Errorf("fallback to scope: %q", got)
	}
	if got := Scopes(&oauth2.Token{AccessToken: "x"}); got != nil {
		t.Errorf("no field: %q", got)
	}
	if got := Scopes(nil); got != nil {
		t.Errorf("nil token: %q", got)
	}
}

func TestEndpointsFor(t *testing.T) {
	ep := EndpointsFor(" https://bitbucket.org/ ")
	if ep.AuthURL != "https://bitbucket.org/site/oauth2/authorize" || ep.TokenURL != "https://bitbucket.org/site/oauth2/access_token" {
		t.Errorf("%+v", ep)
	}
	if h := EndpointsFor("http://127.0.0.1:7990").host(); h != "127.0.0.1:7990" {
		t.Errorf("host %q", h)
	}
}

func TestVerdictKindString(t *testing.T) {
	if VerdictMissingScopes.String() != "missing_scopes" || VerdictOK.String() != "ok" || VerdictUnexpected.String() != "unexpected" {
		t.Error("verdict names changed")
	}
	if VerdictKind(42).String() != "verdict(42)" {
		t.Error(VerdictKind(42).String())
	}
}

const testSecret = "s3cr3t-SECRET-value-xyz"

func newTestFlow(t *testing.T, redirect string) *Flow {
	t.Helper()
	f, err := NewFlow(EndpointsFor("http://127.0.0.1:1"), "key123", testSecret, redirect, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewFlowRejects(t *testing.T) {
	for _, tc := range []struct{ id, secret, redirect string }{
		{"", testSecret, "http://localhost:3001/cb"},
		{"k", "", "http://localhost:3001/cb"},
		{"k", testSecret, "localhost:3001/cb"},
		{"k", testSecret, "ftp://localhost/cb"},
		{"k", testSecret, "http:///cb"},
	} {
		if _, err := NewFlow(EndpointsFor("https://bitbucket.org"), tc.id, tc.secret, tc.redirect, nil); err == nil {
			t.Errorf("NewFlow(%q, %q, %q) accepted", tc.id, tc.secret, tc.redirect)
		} else if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
			t.Errorf("error leaks the secret: %v", err)
		}
	}
}

func TestAuthURL(t *testing.T) {
	f := newTestFlow(t, "http://localhost:3001/bitbucket-auth-app/callback")
	u, err := url.Parse(f.AuthURL())
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme+"://"+u.Host+u.Path != "http://127.0.0.1:1/site/oauth2/authorize" {
		t.Errorf("endpoint %s", u)
	}
	q := u.Query()
	want := map[string]string{
		"client_id":             "key123",
		"response_type":         "code",
		"redirect_uri":          "http://localhost:3001/bitbucket-auth-app/callback",
		"code_challenge_method": "S256",
		"code_challenge":        oauth2.S256ChallengeFromVerifier(f.verifier),
		"state":                 f.state,
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(f.state) < 20 {
		t.Errorf("state %q is too short to be unguessable", f.state)
	}
	if strings.Contains(f.AuthURL(), testSecret) || strings.Contains(f.AuthURL(), f.verifier) {
		t.Error("the authorize URL carries the secret or the PKCE verifier")
	}
	g := newTestFlow(t, "http://localhost:3001/bitbucket-auth-app/callback")
	if g.state == f.state || g.verifier == f.verifier {
		t.Error("two flows share a state or verifier")
	}
}

func TestParsePasted(t *testing.T) {
	f := newTestFlow(t, "http://localhost:3001/bitbucket-auth-app/callback")
	full := "http://localhost:3001/bitbucket-auth-app/callback?code=AbC123xyz&state=" + f.state
	for _, tc := range []struct {
		name, in, code string
		err            error  // errors.Is target
		errText        string // substring of the error
	}{
		{name: "full URL", in: full, code: "AbC123xyz"},
		{name: "quoted with junk whitespace", in: "  \"" + full + "\" \r\n", code: "AbC123xyz"},
		{name: "single quotes and angle brackets", in: "'<" + full + ">'", code: "AbC123xyz"},
		{name: "query string", in: "code=AbC123xyz&state=" + f.state, code: "AbC123xyz"},
		{name: "query string with ?", in: "?state=" + f.state + "&code=AbC123xyz", code: "AbC123xyz"},
		{name: "bare code", in: " AbC123xyz\n", code: "AbC123xyz"},
		{name: "words around the URL", in: "Landed on: " + full + " (copied)\n", code: "AbC123xyz"},
		{name: "curly quotes and extra parameters", in: "\u201c" + full + "&utm_source=x#frag\u201d", code: "AbC123xyz"},
		{name: "URL without state", in: "http://localhost:3001/bitbucket-auth-app/callback?code=AbC123xyz", code: "AbC123xyz"},
		{name: "wrong state", in: "http://localhost:3001/bitbucket-auth-app/callback?code=AbC123xyz&state=nope", err: ErrStateMismatch},
		{name: "empty state", in: "code=AbC123xyz&state=", err: ErrStateMismatch},
		{name: "access denied", in: "http://localhost:3001/bitbucket-auth-app/callback?error=access_denied&error_description=The+user+denied&state=" + f.state, errText: "denied in the browser"},
		{name: "the authorize URL itself", in: f.AuthURL(), errText: "authorization URL itself"},
		{name: "URL without code", in: "http://localhost:3001/bitbucket-auth-app/callback?state=" + f.state, errText: "no code"},
		{name: "query without code", in: "state=" + f.state, errText: "no code="},
		{name: "empty", in: "  \n", errText: "nothing was pasted"},
		{name: "prose", in: "I clicked grant access", errText: "does not look like"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, err := f.ParsePasted(tc.in)
			switch {
			case tc.code != "":
				if err != nil || code != tc.code {
					t.Fatalf("ParsePasted = %q, %v; want %q", code, err, tc.code)
				}
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParsePasted = %q, %v; want %v", code, err, tc.err)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("ParsePasted = %q, %v; want an error with %q", code, err, tc.errText)
				}
			}
		})
	}
	var ae *AuthorizeError
	if _, err := f.ParsePasted("error=access_denied&state=" + f.state); !errors.As(err, &ae) || ae.Code != "access_denied" {
		t.Errorf("error= gives %v, want *AuthorizeError", err)
	}
}

func FuzzParsePasted(f *testing.F) {
	fl, err := NewFlow(EndpointsFor("https://bitbucket.org"), "k", "s", "http://localhost:3001/cb", nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("http://localhost:3001/cb?code=abc&state=" + fl.state)
	f.Add("code=abc")
	f.Add("abc")
	f.Add("\"'<>")
	f.Fuzz(func(t *testing.T, s string) {
		code, err := fl.ParsePasted(s)
		if err == nil && !plausibleCode(code) {
			t.Errorf("ParsePasted(%q) returned an implausible code %q", s, code)
		}
	})
}

// FuzzCallback sends arbitrary query strings to the callback handler: it never panics,
// answers only with the statuses it documents, and accepts an answer only when its state
// matches, handing Wait exactly the code (or error) it carried.
func FuzzCallback(f *testing.F) {
	fl, err := NewFlow(EndpointsFor("https://bitbucket.org"), "k", "s", "http://127.0.0.1:3001/bitbucket-auth-app/callback", nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("code=abc&state=" + fl.state)
	f.Add("error=access_denied&error_description=no&state=" + fl.state)
	f.Add("code=abc&state=wrong")
	f.Add("code=%3Cscript%3E&state=" + fl.state)
	f.Add("state=" + fl.state + "&state=other&code=x&code=y")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, query string) {
		c := fl.Serve()
		defer c.Close()
		rec := httptest.NewRecorder()
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:3001/bitbucket-auth-app/callback?"+query, nil)
		if err != nil {
			return
		}
		c.ServeHTTP(rec, req)
		q, _ := url.ParseQuery(req.URL.RawQuery)
		switch rec.Code {
		case http.StatusOK:
			if !fl.stateOK(q.Get("state")) {
				t.Fatalf("accepted a wrong state: %q", query)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			code, err := c.Wait(ctx)
			var ae *AuthorizeError
			switch {
			case q.Get("error") != "":
				if !errors.As(err, &ae) || ae.Code != q.Get("error") {
					t.Fatalf("%q: Wait = %q, %v; want the AuthorizeError", query, code, err)
				}
			case err != nil || code != q.Get("code") || !plausibleCode(code):
				t.Fatalf("%q: Wait = %q, %v", query, code, err)
			}
		case http.StatusBadRequest:
		default:
			t.Fatalf("%q: status %d", query, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "<script") {
			t.Fatalf("%q: unescaped page", query)
		}
	})
}

func TestAuthorizeErrorMessages(t *testing.T) {
	for code, want := range map[string]string{
		"access_denied":           "Grant access",
		"unauthorized_client":     "consumer key",
		"server_error":            "try again",
		"temporarily_unavailable": "try again",
		"invalid_scope":           "invalid_scope",
	} {
		if got := (&AuthorizeError{Code: code, Description: "d"}).Error(); !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", code, got, want)
		}
	}
}

// get sends a GET to a callback address and returns status and body.
func get(t *testing.T, rawURL string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCallbackHandler(t *testing.T) {
	f := newTestFlow(t, "http://127.0.0.1:3001/bitbucket-auth-app/callback")
	c := f.Serve()
	defer c.Close()
	do := func(target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		return rec
	}
	if rec := do("/other?code=x&state=" + f.state); rec.Code != http.StatusNotFound {
		t.Errorf("other path: %d", rec.Code)
	}
	rec := do("/bitbucket-auth-app/callback?code=x&state=wrong")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "different authorization attempt") {
		t.Errorf("wrong state: %d %s", rec.Code, rec.Body)
	}
	if rec := do("/bitbucket-auth-app/callback?state=" + f.state); rec.Code != http.StatusBadRequest {
		t.Errorf("no code: %d", rec.Code)
	}
	if rec := do("/bitbucket-auth-app/callback?code=%3Cscript%3E&state=" + f.state); rec.Code != http.StatusBadRequest {
		t.Errorf("damaged code: %d", rec.Code)
	}
	head := httptest.NewRecorder()
	c.ServeHTTP(head, httptest.NewRequest(http.MethodHead, "/bitbucket-auth-app/callback?code=prefetched&state="+f.state, nil))
	if head.Code != http.StatusMethodNotAllowed {
		t.Errorf("HEAD: %d; a prefetch must not use up the answer", head.Code)
	}
	if n := c.IgnoredWrongState(); n != 1 {
		t.Errorf("IgnoredWrongState = %d", n)
	}
	rec = do("/bitbucket-auth-app/callback?code=good1&state=" + f.state)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "You can close this tab and return to the terminal") {
		t.Errorf("valid: %d %s", rec.Code, rec.Body)
	}
	// Said before the exchange, and also for Amplication's authorization (issue 23 §3):
	// it does not claim that bbsetup is authorized.
	if strings.Contains(rec.Body.String(), "is authorized") {
		t.Errorf("the callback page claims an authorization: %s", rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("content type %q", ct)
	}
	rec = do("/bitbucket-auth-app/callback?code=good2&state=" + f.state)
	if rec.Code != http.StatusConflict {
		t.Errorf("second valid callback: %d", rec.Code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	code, err := c.Wait(ctx)
	if err != nil || code != "good1" {
		t.Errorf("Wait = %q, %v; want the first code", code, err)
	}
}

func TestCallbackEscapesPage(t *testing.T) {
	f := newTestFlow(t, "http://127.0.0.1:3001/cb")
	c := f.Serve()
	defer c.Close()
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/cb?error=%3Cb%3Ex&error_description=%3Cscript%3Ealert(1)%3C/script%3E&state="+f.state, nil))
	if strings.Contains(rec.Body.String(), "<script>") || strings.Contains(rec.Body.String(), "<b>x") {
		t.Errorf("page is not escaped: %s", rec.Body)
	}
}

func TestListenPortInUse(t *testing.T) {
	hold, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	port := hold.Addr().(*net.TCPAddr).Port
	for _, host := range []string{"127.0.0.1", "localhost"} {
		f := newTestFlow(t, "http://"+host+":"+strconv.Itoa(port)+"/bitbucket-auth-app/callback")
		c, err := f.Listen(context.Background())
		var pe *PortInUseError
		if !errors.As(err, &pe) {
			if c != nil {
				c.Close()
			}
			t.Fatalf("%s: Listen = %v, want *PortInUseError", host, err)
		}
		if pe.Port != port || !strings.Contains(pe.Error(), "port "+strconv.Itoa(port)+" is in use") || !strings.Contains(pe.Error(), "paste") {
			t.Errorf("%s: %+v: %v", host, pe, pe)
		}
	}
}

func TestListenIPv6Taken(t *testing.T) {
	hold, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here")
	}
	defer hold.Close()
	port := hold.Addr().(*net.TCPAddr).Port
	f := newTestFlow(t, "http://localhost:"+strconv.Itoa(port)+"/cb")
	c, err := f.Listen(context.Background())
	var pe *PortInUseError
	if !errors.As(err, &pe) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("Listen = %v, want *PortInUseError (a browser resolving localhost to ::1 would miss us)", err)
	}
}

func TestListenLocalhost(t *testing.T) {
	f := newTestFlow(t, "http://localhost:0/bitbucket-auth-app/callback")
	c, err := f.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addrs := c.Addrs()
	if len(addrs) == 0 {
		t.Fatal("no addresses")
	}
	port := -1
	for _, a := range addrs {
		ta := a.(*net.TCPAddr)
		if !ta.IP.IsLoopback() {
			t.Errorf("listening on non-loopback %s", ta)
		}
		if port >= 0 && ta.Port != port {
			t.Errorf("127.0.0.1 and ::1 on different ports: %v", addrs)
		}
		port = ta.Port
		status, body := get(t, "http://"+ta.String()+"/bitbucket-auth-app/callback?code=x&state=wrong")
		if status != http.StatusBadRequest || !strings.Contains(body, "ignored") {
			t.Errorf("%s: %d %s", ta, status, body)
		}
	}
	if got := c.IgnoredWrongState(); got != len(addrs) {
		t.Errorf("IgnoredWrongState = %d, want %d", got, len(addrs))
	}
}

func TestListenRefusesAllInterfacesAndHTTPS(t *testing.T) {
	for _, redirect := range []string{"http://0.0.0.0:0/cb", "http://[::]:0/cb", "https://localhost:0/cb"} {
		f := newTestFlow(t, redirect)
		c, err := f.Listen(context.Background())
		if err == nil {
			c.Close()
			t.Errorf("%s: Listen succeeded", redirect)
		} else if !strings.Contains(err.Error(), "paste") {
			t.Errorf("%s: %v does not offer the paste fallback", redirect, err)
		}
	}
}

func TestWaitHonoursContext(t *testing.T) {
	f := newTestFlow(t, "http://127.0.0.1:0/cb")
	c, err := f.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.Addrs()[0].String()
	get(t, "http://"+addr+"/cb?code=x&state=wrong")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Wait(ctx)
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "wrong state: 1") {
		t.Errorf("Wait after deadline = %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := c.Wait(ctx); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("Wait after cancel = %v", err)
	}
	// Still serving until Close.
	status, _ := get(t, "http://"+addr+"/cb?code=late&state="+f.state)
	if status != http.StatusOK {
		t.Errorf("late answer: %d", status)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if code, err := c.Wait(ctx); code != "late" || err != nil {
		t.Errorf("Wait = %q, %v", code, err)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("the callback still listens after Wait returned")
	}
}

// fakeAPI answers 401 "expired" to every token but the current one, and records bodies.
type fakeAPI struct {
	current atomic.Value // string
	bodies  chan string
	hits    atomic.Int32
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.hits.Add(1)
	b, _ := io.ReadAll(r.Body)
	select {
	case a.bodies <- string(b):
	default:
	}
	if r.Header.Get("Authorization") != "Bearer "+a.current.Load().(string) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"type":"error","error":{"message":"Access token expired. Use your refresh token to obtain a new access token."}}`)
		return
	}
	io.WriteString(w, "ok:"+string(b))
}

func TestBearerTransportRenewsOnce(t *testing.T) {
	api := &fakeAPI{bodies: make(chan string, 10)}
	api.current.Store("B")
	srv := httptest.NewServer(api)
	defer srv.Close()

	var renewals atomic.Int32
	renew := func(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
		renewals.Add(1)
		if old == nil || old.RefreshToken != "r" {
			return nil, errors.New("bad refresh token")
		}
		return &oauth2.Token{AccessToken: "B", RefreshToken: "r"}, nil
	}
	hc := newBearerClient(srv.Client(), &oauth2.Token{AccessToken: "A", RefreshToken: "r"}, renew, func(t *oauth2.Token) bool { return t.RefreshToken != "" })

	resp, err := hc.Post(srv.URL+"/x", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok:payload" {
		t.Errorf("after renewal: %d %q (the POST body must be sent again)", resp.StatusCode, b)
	}
	if n := renewals.Load(); n != 1 {
		t.Errorf("%d renewals, want 1", n)
	}
	// Expired again and the renewal yields a token that is refused too: one retry only.
	api.current.Store("C")
	api.hits.Store(0)
	resp, err = hc.Get(srv.URL + "/y")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "expired") {
		t.Errorf("second expiry: %d %q; want Bitbucket's 401 with its body intact", resp.StatusCode, b)
	}
	if h := api.hits.Load(); h != 2 {
		t.Errorf("%d requests, want the original and one retry", h)
	}
}

func TestBearerTransportRenewalFailure(t *testing.T) {
	api := &fakeAPI{bodies: make(chan string, 10)}
	api.current.Store("B")
	srv := httptest.NewServer(api)
	defer srv.Close()
	renew := func(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
		return nil, &TokenError{Message: "The access token expired and Bitbucket refused to renew it (invalid_grant). Authorize again."}
	}
	hc := newBearerClient(nil, &oauth2.Token{AccessToken: "A", RefreshToken: "r"}, renew, func(*oauth2.Token) bool { return true })
	_, err := hc.Get(srv.URL)
	var te *TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "Authorize again") {
		t.Errorf("err = %v, want the *TokenError", err)
	}
}

func TestBearerTransportNotExpired401(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"type":"error","error":{"message":"Token is invalid or not supported for this endpoint."}}`)
	}))
	defer srv.Close()
	var renewals atomic.Int32
	renew := func(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
		renewals.Add(1)
		return &oauth2.Token{AccessToken: "B"}, nil
	}
	hc := newBearerClient(nil, &oauth2.Token{AccessToken: "A", RefreshToken: "r"}, renew, func(*oauth2.Token) bool { return true })
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(b), "invalid") || renewals.Load() != 0 {
		t.Errorf("%d %q renewals=%d; a 401 that is not about expiry must pass through untouched", resp.StatusCode, b, renewals.Load())
	}
}

func TestBearerTransportRenewsAheadOfExpiry(t *testing.T) {
	api := &fakeAPI{bodies: make(chan string, 10)}
	api.current.Store("B")
	srv := httptest.NewServer(api)
	defer srv.Close()
	renew := func(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: "B", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)}, nil
	}
	hc := newBearerClient(nil, &oauth2.Token{AccessToken: "A", RefreshToken: "r", Expiry: time.Now().Add(-time.Minute)}, renew, func(*oauth2.Token) bool { return true })
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || api.hits.Load() != 1 {
		t.Errorf("%d after %d requests; want the renewed token on the first request", resp.StatusCode, api.hits.Load())
	}
}

func TestTokenErrorMessages(t *testing.T) {
	ep := EndpointsFor("https://bitbucket.org")
	re := func(status int, code, desc string) error {
		return &oauth2.RetrieveError{Response: &http.Response{StatusCode: status}, ErrorCode: code, ErrorDescription: desc}
	}
	for _, tc := range []struct {
		name, what string
		err        error
		want       string
	}{
		{"used code", "exchange", re(400, "invalid_grant", "The specified code is not valid."), "already used or has expired"},
		{"redirect mismatch", "exchange", re(400, "invalid_grant", "The redirect_uri does not match the one used to authorize."), "Set the consumer's Callback URL to http://localhost:3001/cb"},
		{"bad client", "exchange", re(400, "unauthorized_client", "Invalid OAuth client credentials"), "rejected the key or secret"},
		{"no callback", "exchange", re(400, "invalid_request", "No callback uri defined for the OAuth client."), "no callback URL"},
		{"refresh refused", "refresh", re(400, "invalid_grant", "Invalid refresh_token"), "Authorize again"},
		{"public", "request (client credentials)", re(400, "invalid_grant", `Cannot use client_credentials with a consumer marked as "public".`), "private consumer"},
		{"other", "exchange", re(400, "temporarily_unavailable", "try later "+testSecret), "try later ••••"},
		{"html", "exchange", re(502, "", ""), "HTTP 502"},
		{"not a token endpoint", "exchange", re(404, "", ""), "Check the Bitbucket URL if you set it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tokenError(ep, tc.err, tc.what, "http://localhost:3001/cb", testSecret, DefaultTokenTimeout)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q lacks %q", err, tc.want)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("%q leaks the secret", err)
			}
			if errors.Is(err, ErrCheckBitbucketURL) != strings.Contains(err.Error(), "the Bitbucket URL") {
				t.Errorf("errors.Is(%q, ErrCheckBitbucketURL) = %v: it must hold exactly when the message says to check the Bitbucket URL", err, errors.Is(err, ErrCheckBitbucketURL))
			}
		})
	}
}
