package oauth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// codeFor runs the authorization in the emulator (auto-approve) for f and returns the
// address the browser lands on, without following it.
func landedFor(t *testing.T, f *oauth.Flow) string {
	t.Helper()
	resp, _ := fetch(t, noFollow(t), f.AuthURL())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

func codeFor(t *testing.T, f *oauth.Flow) string {
	t.Helper()
	code, err := f.ParsePasted(landedFor(t, f))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestFaultOAuth is the authorization flow's bad-input suite, one case per scenario, each
// against the emulator on 127.0.0.1:0.
func TestFaultOAuth(t *testing.T) {
	tests := []struct {
		name, expect string
		run          func(t *testing.T)
	}{
		{"wrong state on the callback", "the stale tab gets a 400 page saying it was ignored; the right answer is still accepted", func(t *testing.T) {
			l, redirect := loopback(t)
			s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect))
			flow, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
			cb := flow.Serve(l)
			defer cb.Close()
			// A stale tab from another attempt (other state) lands first: ignored.
			other, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
			resp, body := fetch(t, browser(t), other.AuthURL())
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "ignored") {
				t.Fatalf("wrong state: %d %s", resp.StatusCode, body)
			}
			resp, _ = fetch(t, browser(t), flow.AuthURL())
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("callback page: %d", resp.StatusCode)
			}
			if code, err := cb.Wait(ctxT(t)); err != nil || code == "" {
				t.Fatalf("Wait = %q, %v", code, err)
			}
			if cb.IgnoredWrongState() != 1 {
				t.Errorf("IgnoredWrongState = %d", cb.IgnoredWrongState())
			}
		}},
		{"wrong state in a pasted URL", "refused with ErrStateMismatch before any token request", func(t *testing.T) {
			_, redirect := loopback(t)
			s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect))
			flow, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
			// A URL from another attempt is refused before any exchange.
			other, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
			_, err := flow.ParsePasted(landedFor(t, other))
			if !errors.Is(err, oauth.ErrStateMismatch) || !strings.Contains(err.Error(), "different authorization attempt") {
				t.Errorf("pasted URL of another attempt: %v", err)
			}
			if n := tokenRequests(s); n != 0 {
				t.Errorf("%d token requests", n)
			}
		}},
		{"error=access_denied on the callback", "the browser page and Wait say access was denied and to click Grant access", func(t *testing.T) {
			l, redirect := loopback(t)
			s := startEmulator(t, bbemu.Options{}, consumer(redirect))
			flow, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
			cb := flow.Serve(l)
			defer cb.Close()
			resp, body := fetch(t, browser(t), flow.AuthURL())
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Grant access") {
				t.Fatalf("consent page: %d", resp.StatusCode)
			}
			// The operator clicks Cancel: the form posts the same parameters with action=cancel.
			form := mustQuery(t, flow.AuthURL())
			form.Set("action", "cancel")
			resp, err := browser(t).PostForm(s.URL+"/site/oauth2/authorize", form)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), "return to the terminal") || !strings.Contains(string(b), "denied") {
				t.Errorf("denied page: %d %s", resp.StatusCode, b)
			}
			_, err = cb.Wait(ctxT(t))
			var ae *oauth.AuthorizeError
			if !errors.As(err, &ae) || ae.Code != "access_denied" || !strings.Contains(err.Error(), "Grant access") {
				t.Fatalf("Wait = %v, want access_denied", err)
			}
		}},
		{"error=access_denied pasted", "AuthorizeError saying access was denied and to click Grant access", func(t *testing.T) {
			f, _ := oauth.NewFlow(oauth.EndpointsFor("http://127.0.0.1:1"), testKey, testSecret, "http://localhost:3001"+callbackP, nil)
			state := mustQuery(t, f.AuthURL()).Get("state")
			_, err := f.ParsePasted("http://localhost:3001" + callbackP + "?error=access_denied&error_description=The+user+denied+access&state=" + state)
			var ae *oauth.AuthorizeError
			if !errors.As(err, &ae) || ae.Code != "access_denied" || !strings.Contains(err.Error(), "Grant access") {
				t.Fatalf("ParsePasted = %v", err)
			}
		}},
		{"a second callback after the first", "the first code wins; the second is refused (409 page) or finds the server gone", func(t *testing.T) {
			l, redirect := loopback(t)
			s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect))
			flow, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
			cb := flow.Serve(l)
			defer cb.Close()
			resp, body := fetch(t, browser(t), flow.AuthURL())
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You can close this tab and return to the terminal") {
				t.Fatalf("callback page: %d %s", resp.StatusCode, body)
			}
			landed := resp.Request.URL
			code, err := cb.Wait(ctxT(t))
			if err != nil || code == "" {
				t.Fatalf("Wait = %q, %v", code, err)
			}
			// A second callback after the first is not accepted (the server is gone or says 409).
			if resp, err := browser(t).Get(landed.String()); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					t.Error("a second callback was accepted")
				}
			}
			if _, err := flow.Exchange(ctxT(t), code); err != nil {
				t.Errorf("the first code does not work: %v", err)
			}
		}},
		{"a callback with a code for another client", "the exchange is refused (invalid_grant) and says to start again; no secret in the error", func(t *testing.T) {
			_, redirect := loopback(t)
			other := consumer(redirect)
			other.Key, other.Secret = "otherKey0123456789", "otherSecret-0123456789abcdef"
			s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect), other)
			theirs, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), other.Key, other.Secret, redirect, nil)
			ours, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
			code := codeFor(t, theirs)
			_, err := ours.Exchange(ctxT(t), code)
			var te *oauth.TokenError
			if !errors.As(err, &te) || te.Code != "invalid_grant" || !strings.Contains(err.Error(), "Start again") {
				t.Fatalf("Exchange = %v", err)
			}
			if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), other.Secret) || strings.Contains(err.Error(), code) {
				t.Errorf("the error shows a secret or the code: %v", err)
			}
		}},
		{"a code from another attempt (PKCE verifier mismatch)", "the exchange is refused and says to start again", func(t *testing.T) {
			_, redirect := loopback(t)
			s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect))
			ep := oauth.EndpointsFor(s.URL)
			a, _ := oauth.NewFlow(ep, testKey, testSecret, redirect, nil)
			b, _ := oauth.NewFlow(ep, testKey, testSecret, redirect, nil)
			if _, err := b.Exchange(ctxT(t), codeFor(t, a)); err == nil || !strings.Contains(err.Error(), "Start again") {
				t.Errorf("code of another attempt (PKCE verifier mismatch): %v", err)
			}
		}},
		{"a pasted URL with extra junk", "quotes, words, extra parameters and a fragment around the URL are ignored; the code works", func(t *testing.T) {
			_, redirect := loopback(t)
			s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect))
			for _, wrap := range []func(string) string{
				func(u string) string { return "  \"" + u + "\"\n" },
				func(u string) string { return "<" + u + "&utm_source=mail#section>" },
				func(u string) string { return "Landed on: " + u + " (copied from Firefox)\r\n" },
				func(u string) string { return "\u201c" + u + "\u201d" },
			} {
				flow, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
				in := wrap(landedFor(t, flow))
				code, err := flow.ParsePasted(in)
				if err != nil {
					t.Fatalf("ParsePasted(%q): %v", in, err)
				}
				tok, err := flow.Exchange(ctxT(t), code)
				if err != nil {
					t.Fatalf("%q: %v", in, err)
				}
				id, err := whoAmI(t, flow.Client(ctxT(t), tok), s.APIURL)
				if err != nil || id.DisplayName != "Demo Operator" {
					t.Fatalf("CurrentUser = %+v, %v", id, err)
				}
			}
		}},
		{"a code used twice", "the second exchange is refused: already used, start again", func(t *testing.T) {
			_, redirect := loopback(t)
			s := startEmulator(t, bbemu.Options{AutoApprove: true}, consumer(redirect))
			flow, _ := oauth.NewFlow(oauth.EndpointsFor(s.URL), testKey, testSecret, redirect, nil)
			code := codeFor(t, flow)
			if _, err := flow.Exchange(ctxT(t), code); err != nil {
				t.Fatal(err)
			}
			// The code works once.
			_, err := flow.Exchange(ctxT(t), code)
			var te *oauth.TokenError
			if !errors.As(err, &te) || te.Code != "invalid_grant" || !strings.Contains(err.Error(), "already used or has expired") {
				t.Errorf("second exchange: %v", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oauth.FaultMatrix.Record(t, "Authorization", tc.name, tc.expect)
			tc.run(t)
		})
	}
}

// TestFaultTokenEndpoint breaks the token endpoint under the credential check (the first
// thing configure, check and the wizard do) and the code exchange.
func TestFaultTokenEndpoint(t *testing.T) {
	const tokenPath = "/site/oauth2/access_token"
	tests := []struct {
		name, expect string
		fault        *bbemu.Fault
		refused      bool
		kind         oauth.VerdictKind
		words        []string
	}{
		{name: "token endpoint answers 500", expect: "verdict unexpected; says Bitbucket is having trouble, try again in a few minutes",
			fault: &bbemu.Fault{PathPrefix: tokenPath, Kind: bbemu.FaultStatus, Status: 500, Body: "<html>oops</html>"},
			kind:  oauth.VerdictUnexpected, words: []string{"HTTP 500", "having trouble", "Try again in a few minutes", "the Bitbucket URL"}},
		{name: "token endpoint answers 503", expect: "verdict unexpected; says try again in a few minutes",
			fault: &bbemu.Fault{PathPrefix: tokenPath, Kind: bbemu.FaultStatus, Status: 503, Body: "busy"},
			kind:  oauth.VerdictUnexpected, words: []string{"HTTP 503", "Try again in a few minutes"}},
		{name: "token endpoint answers 429", expect: "verdict unexpected; says the rate limit is used up, wait a few minutes",
			fault: &bbemu.Fault{PathPrefix: tokenPath, Kind: bbemu.FaultStatus, Status: 429, RetryAfter: "30", Body: "slow down"},
			kind:  oauth.VerdictUnexpected, words: []string{"HTTP 429", "rate limit", "Wait a few minutes"}},
		{name: "token endpoint sends malformed JSON", expect: "verdict unexpected; says to check the Bitbucket URL",
			fault: &bbemu.Fault{PathPrefix: tokenPath, Kind: bbemu.FaultMalformedJSON},
			kind:  oauth.VerdictUnexpected, words: []string{"the Bitbucket URL", "try again"}},
		{name: "token endpoint resets mid-body", expect: "verdict network; says the connection was dropped",
			fault: &bbemu.Fault{PathPrefix: tokenPath, Kind: bbemu.FaultReset},
			kind:  oauth.VerdictNetwork, words: []string{"Could not reach Bitbucket", "Check your network connection"}},
		{name: "token endpoint never answers", expect: "verdict network within the client timeout; says no answer within that timeout",
			fault: &bbemu.Fault{PathPrefix: tokenPath, Kind: bbemu.FaultHang},
			kind:  oauth.VerdictNetwork, words: []string{"no answer within 300ms", "Check your network connection"}},
		{name: "token endpoint refuses connections", expect: "verdict network; says connection refused",
			refused: true, kind: oauth.VerdictNetwork, words: []string{"connection refused", "the Bitbucket URL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oauth.FaultMatrix.Record(t, "Token endpoint (credential check)", tc.name, tc.expect)
			t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
			s := startEmulator(t, bbemu.Options{}, consumer("http://localhost:3001"+callbackP))
			base := s.URL
			if tc.refused {
				base = closedPortURL(t)
			}
			if tc.fault != nil {
				s.Controls().SetFaults(*tc.fault)
			}
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			hc := &http.Client{Timeout: 300 * time.Millisecond, Transport: tr}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			v := oauth.CheckCredentials(ctx, oauth.EndpointsFor(base), testKey, testSecret, hc)
			if ctx.Err() != nil {
				t.Fatal("the check outlived its deadline")
			}
			if v.Kind != tc.kind {
				t.Errorf("verdict %v (%s), want %v", v.Kind, v.Message, tc.kind)
			}
			for _, w := range tc.words {
				if !strings.Contains(v.Message, w) {
					t.Errorf("message %q lacks %q", v.Message, w)
				}
			}
			if strings.Contains(v.Message, testSecret) || strings.Contains(v.Message, "\n") {
				t.Errorf("message shows the secret or is not one line: %q", v.Message)
			}
			if strings.Contains(v.Message, "the Bitbucket URL") != v.CheckURL {
				t.Errorf("CheckURL = %v for %q: it must be set exactly when the message says to check the Bitbucket URL", v.CheckURL, v.Message)
			}
		})
	}
}
