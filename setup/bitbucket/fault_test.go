package bitbucket

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bbsetup/bbsetup/internal/faultmatrix"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

var matrix = faultmatrix.New("bitbucket", "Network: the REST client against the emulator's fault plan (setup/bitbucket)")

// faultCase is one network fault: the plan, the call, and what the operator must get.
type faultCase struct {
	name, expect string
	faults       []bbemu.Fault
	opts         Options
	refused      bool   // point the client at a closed port instead of the emulator
	op           string // "list" (default), "user", "workspaces", "create"
	wantErr      []string
	wantType     any   // a pointer to the typed error errors.As must find, nil for any
	wantIs       error // a sentinel errors.Is must find (the advice the caller words), nil for none
	wantOK       int   // repositories delivered on success (each exactly once)
	requests     int   // attempts, from the emulator's log (or the debug log when refused)
}

// TestFaultNetwork runs every fault through the real client: a clear message (asserted
// on its words), the retries that make sense (asserted on the request count), bounded
// time (the case's own deadline), no goroutine left behind, no panic.
func TestFaultNetwork(t *testing.T) {
	const ws = "/2.0/repositories/acme"
	status := func(code int, retryAfter string, times int) []bbemu.Fault {
		return []bbemu.Fault{{PathPrefix: ws, Kind: bbemu.FaultStatus, Status: code, RetryAfter: retryAfter, Times: times}}
	}
	kind := func(k bbemu.FaultKind, times int) []bbemu.Fault {
		return []bbemu.Fault{{PathPrefix: ws, Kind: k, Times: times}}
	}
	two := Options{MaxRetries: 2}
	tests := []faultCase{
		{name: "400 bad request", expect: "not retried; says to correct the input",
			faults: status(400, "", 0), wantErr: []string{"400 Bad Request", "correct the input"}, wantType: new(*APIError), requests: 1},
		{name: "401 access token expired", expect: "not retried; says the token expired and to try again",
			op: "user", faults: []bbemu.Fault{{PathPrefix: "/2.0/user", Kind: bbemu.FaultStatus, Status: 401}},
			wantErr: []string{"access token has expired", "try again to get a fresh one"}, wantType: new(*AuthError), requests: 1},
		{name: "401 token rejected", expect: "not retried; says to check the key and secret",
			faults:  []bbemu.Fault{{PathPrefix: ws, Kind: bbemu.FaultStatus, Status: 401, Body: `{"type":"error","error":{"message":"Token is invalid, expired, or not supported for this endpoint."}}`}},
			wantErr: []string{"rejected the access token", "check BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET"}, wantType: new(*AuthError), requests: 1},
		{name: "403 missing scopes", expect: "not retried; names the consumer box to tick",
			faults: status(403, "", 0), wantErr: []string{"lacks a permission", `"Repositories: Read"`, "OAuth consumers"}, wantType: new(*ScopeError), requests: 1},
		{name: "403 without scope detail", expect: "not retried; says to ask a workspace administrator",
			faults:  []bbemu.Fault{{PathPrefix: ws, Kind: bbemu.FaultStatus, Status: 403, Body: `{"type":"error","error":{"message":"You do not have access"}}`}},
			wantErr: []string{"403 Forbidden", "workspace administrator"}, wantType: new(*APIError), requests: 1},
		{name: "404 not found", expect: "not retried; says to check the workspace name",
			faults: status(404, "", 0), wantErr: []string{"404 Not Found", "check the workspace"}, wantType: new(*APIError), requests: 1},
		{name: "410 gone (CHANGE-2770)", expect: "not retried; says to update bbsetup",
			faults: status(410, "", 0), wantErr: []string{"removed an API", "CHANGE-2770", "update bbsetup"}, wantType: new(*RemovedError), requests: 1},
		{name: "429 with Retry-After, then healthy", expect: "retried after the wait; every repository once",
			faults: status(429, "1", 2), wantOK: 250, requests: 2 + 3},
		{name: "429 without Retry-After, then healthy", expect: "retried with backoff; every repository once",
			faults: status(429, "", 2), wantOK: 250, requests: 2 + 3},
		{name: "429 forever", expect: "1+2 attempts; says the rate limit is used up and to wait",
			opts: two, faults: status(429, "", 0), wantErr: []string{"429", "rate limit", "wait a few minutes"}, wantType: new(*APIError), requests: 3},
		{name: "500 forever", expect: "1+2 attempts; says Bitbucket is having trouble, try again later",
			opts: two, faults: status(500, "", 0), wantErr: []string{"500 Internal Server Error", "try again in a few minutes"}, wantType: new(*APIError), requests: 3},
		{name: "502 once, then healthy", expect: "retried; every repository once",
			faults: status(502, "", 1), wantOK: 250, requests: 1 + 3},
		{name: "502 forever", expect: "1+2 attempts; says try again in a few minutes",
			opts: two, faults: status(502, "", 0), wantErr: []string{"502 Bad Gateway", "try again in a few minutes"}, wantType: new(*APIError), requests: 3},
		{name: "503 forever", expect: "1+2 attempts; says try again in a few minutes",
			opts: two, faults: status(503, "", 0), wantErr: []string{"503 Service Unavailable", "try again in a few minutes"}, wantType: new(*APIError), requests: 3},
		{name: "create answered 502", expect: "a POST is not retried after a 502; says it may have been created and how to check",
			op: "create", faults: []bbemu.Fault{{Method: "POST", PathPrefix: ws, Kind: bbemu.FaultStatus, Status: 502}},
			wantErr:  []string{"502", "may have created the repository acme/fault-case-repo", "list the repositories of acme", "before you try again"},
			wantType: new(*CreateUncertainError), requests: 1},
		{name: "create: answer cut off", expect: "a POST answered 200 whose body breaks is not retried; says it was created and how to see it",
			op: "create", faults: []bbemu.Fault{{Method: "POST", PathPrefix: ws, Kind: bbemu.FaultReset}},
			wantErr:  []string{"answered POST /repositories/acme/fault-case-repo with 200 OK", "the repository acme/fault-case-repo was created", "list the repositories of acme"},
			wantType: new(*CreateUncertainError), requests: 1},
		{name: "create: never answered", expect: "a POST is not retried after a timeout; says it may have been created and how to check",
			op: "create", opts: Options{RequestTimeout: 200 * time.Millisecond}, faults: []bbemu.Fault{{Method: "POST", PathPrefix: ws, Kind: bbemu.FaultHang}},
			wantErr:  []string{"did not answer POST /repositories/acme/fault-case-repo within 200ms", "may have created the repository", "list the repositories of acme"},
			wantType: new(*CreateUncertainError), requests: 1},
		{name: "create answered 503 once", expect: "a POST is retried after a 503 and succeeds",
			op: "create", faults: []bbemu.Fault{{Method: "POST", PathPrefix: ws, Kind: bbemu.FaultStatus, Status: 503, Times: 1}},
			requests: 2},
		{name: "connection refused", expect: "1+2 attempts; says Bitbucket could not be reached, check the network and the API URL",
			opts: two, refused: true, wantErr: []string{"could not reach Bitbucket", "connection refused", "check your network connection and the API URL"}, wantIs: ErrCheckAPIURL, requests: 3},
		{name: "reset mid-body", expect: "1+2 attempts; says Bitbucket could not be reached",
			opts: two, faults: kind(bbemu.FaultReset, 0), wantErr: []string{"could not reach Bitbucket", "try again"}, requests: 3},
		{name: "reset mid-body once", expect: "retried; every repository once",
			faults: kind(bbemu.FaultReset, 1), wantOK: 250, requests: 1 + 3},
		{name: "malformed JSON", expect: "not retried; says the answer is not the API's JSON, check the API URL",
			faults: kind(bbemu.FaultMalformedJSON, 0), wantErr: []string{"is not the JSON the API sends", "check that the API URL points at"}, wantIs: ErrCheckAPIURL, requests: 1},
		{name: "50 MB body", expect: "not retried; stops reading at 16 MB and says so",
			faults: kind(bbemu.FaultHugeBody, 0), wantErr: []string{"larger than 16 MB", "check that the API URL points at"}, wantIs: ErrCheckAPIURL, requests: 1},
		{name: "never-answering server", expect: "each attempt times out (200ms), 1+1 attempts; says Bitbucket did not answer",
			opts: Options{MaxRetries: 1, RequestTimeout: 200 * time.Millisecond}, faults: kind(bbemu.FaultHang, 0),
			wantErr: []string{"did not answer", "within 200ms", "try again later"}, wantType: new(error), requests: 2},
		{name: "repeating next", expect: "the repeated page is not fetched again; the listing ends",
			faults: kind(bbemu.FaultRepeatNext, 0), wantOK: 100, requests: 1},
		{name: "size that lies", expect: "every repository once; stops at the first empty page",
			opts: Options{Concurrency: 4}, faults: kind(bbemu.FaultLieSize, 0), wantOK: 250, requests: -7},
		{name: "workspace names time out", expect: "1+1 attempts per name; the list still comes back, names fall back to slugs",
			op: "workspaces", opts: Options{MaxRetries: 1, RequestTimeout: 200 * time.Millisecond},
			faults: []bbemu.Fault{{PathPrefix: "/2.0/workspaces/", Kind: bbemu.FaultHang}}, requests: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			matrix.Record(t, "REST client", tc.name, tc.expect)
			runFaultCase(t, tc)
		})
	}
}

func runFaultCase(t *testing.T, tc faultCase) {
	// Registered first, so it runs last: after the emulator and transports are closed.
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var debug strings.Builder
	tc.opts.Debug = &lockedBuilder{b: &debug}
	env := startEmu(t, allScopes, tc.opts, func(e *bbemu.Emulator) { e.GenerateRepos("acme", 250) })
	c := env.c
	if tc.refused {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		o := tc.opts
		o.BaseBackoff, o.MaxBackoff = time.Millisecond, 10*time.Millisecond
		c = New("http://"+addr+"/2.0", &http.Client{Transport: tr}, o)
	}
	env.srv.Controls().SetFaults(tc.faults...)
	env.srv.Controls().ResetLog()

	seen := map[string]int{}
	var err error
	prefix := "/2.0/repositories/acme"
	switch tc.op {
	case "", "list":
		err = c.ListRepositories(ctx, "acme", ListOptions{}, func(b []Repository, _, _ int) {
			for _, r := range b {
				seen[r.Slug]++
			}
		})
	case "user":
		prefix = "/2.0/user"
		_, err = c.CurrentUser(ctx)
	case "workspaces":
		prefix = "/2.0/workspaces/"
		var wss []Workspace
		wss, err = c.Workspaces(ctx)
		if err == nil && (len(wss) != 1 || wss[0].Slug != "acme" || wss[0].Name != "acme") {
			t.Errorf("workspaces %+v, want acme with its slug as name", wss)
		}
	case "create":
		_, err = c.CreateRepository(ctx, "acme", CreateRepo{Name: "fault-case-repo"})
	}
	if ctx.Err() != nil {
		t.Fatalf("the call outlived its deadline: %v", err)
	}

	if len(tc.wantErr) > 0 {
		if err == nil {
			t.Fatalf("no error, want one saying %q", tc.wantErr)
		}
		for _, w := range tc.wantErr {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
		if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
			t.Errorf("errors.Is(%v, %v) is false", err, tc.wantIs)
		}
		switch want := tc.wantType.(type) {
		case **CreateUncertainError:
			if !errors.As(err, want) || (*want).Workspace != "acme" || (*want).Slug != "fault-case-repo" || (*want).Name == "" {
				t.Errorf("error %T (%+v) is not a *CreateUncertainError for acme/fault-case-repo", err, err)
			}
		case **APIError:
			if !errors.As(err, want) {
				t.Errorf("error %T is not an *APIError", err)
			}
		case **AuthError:
			if !errors.As(err, want) {
				t.Errorf("error %T is not an *AuthError", err)
			}
		case **ScopeError:
			if !errors.As(err, want) {
				t.Errorf("error %T is not a *ScopeError", err)
			}
		case **RemovedError:
			if !errors.As(err, want) {
				t.Errorf("error %T is not a *RemovedError", err)
			}
		}
	} else {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if tc.wantOK > 0 {
			if len(seen) != tc.wantOK {
				t.Errorf("%d repositories, want %d", len(seen), tc.wantOK)
			}
			for s, n := range seen {
				if n != 1 {
					t.Errorf("%s delivered %d times", s, n)
				}
			}
		}
	}

	var n int
	if tc.refused {
		n = strings.Count(debug.String(), "connection refused")
	} else {
		for _, r := range env.srv.Controls().Log() {
			if strings.HasPrefix(r.Path, prefix) && (tc.op != "create" || r.Method == "POST") {
				n++
			}
		}
	}
	switch {
	case tc.requests > 0 && n != tc.requests:
		t.Errorf("%d requests, want %d\ndebug log:\n%s", n, tc.requests, debug.String())
	case tc.requests < 0 && (n == 0 || n > -tc.requests):
		t.Errorf("%d requests, want 1 to %d", n, -tc.requests)
	}
	if strings.Contains(debug.String(), "test-secret") || strings.Contains(strings.ToLower(debug.String()), "bearer") {
		t.Errorf("the debug log shows a credential")
	}
}
