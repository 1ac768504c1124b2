package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

// The amplication commands' errors say their cause once, in one "bbsetup: …" line that
// ends with a full stop (issue 16 item 12): the wrapped client error is not repeated
// after the advice.
func TestAmplicationErrorsSayTheCauseOnce(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	connect := []string{"amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop"}
	for _, tc := range []struct {
		name, cause string
		env         map[string]string
	}{
		{"unreachable", "connection refused", map[string]string{"BBSETUP_AMPLICATION_URL": "http://127.0.0.1:1"}},
		{"not Amplication", "404 Not Found", map[string]string{"BBSETUP_AMPLICATION_URL": w.bb.URL}},
		{"wrong password", "Invalid password", map[string]string{"BBSETUP_AMPLICATION_PASSWORD": "not-the-password"}},
		{"unknown email", "No account found for email", map[string]string{"BBSETUP_AMPLICATION_EMAIL": "nobody@example.com"}},
		{"bad token", "Unauthorized", map[string]string{"BBSETUP_AMPLICATION_TOKEN": "not-a-token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := map[string]string{}
			for k, v := range tc.env {
				saved[k] = w.env[k]
				w.env[k] = v
			}
			defer func() {
				for k, v := range saved {
					if v == "" {
						delete(w.env, k)
					} else {
						w.env[k] = v
					}
				}
			}()
			code, _, errOut := w.run(t, "", connect...)
			line := strings.TrimRight(errOut, "\n")
			if code == ExitOK || strings.Count(line, "\n") != 0 || !strings.HasPrefix(line, "bbsetup: ") || !strings.HasSuffix(line, ".") {
				t.Fatalf("exit %d, want one error line ending with a full stop:\n%s", code, errOut)
			}
			if n := strings.Count(line, tc.cause); n != 1 {
				t.Errorf("the cause %q is said %d times:\n%s", tc.cause, n, line)
			}
		})
	}
}

// --debug logs each request to the Amplication server once, every line with the one
// "debug: " prefix (issue 16 item 16), as it does for Bitbucket's.
func TestAmplicationDebugLogsEachRequestOnce(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	ampFrom, bbFrom := len(w.amp.Log()), len(w.bb.Controls().Log())
	code, out, errOut := w.run(t, "", "--debug", "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop")
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	ampLine := regexp.MustCompile(`^debug: http: POST \S*/graphql \(\w+\): `)
	bbLine := regexp.MustCompile(`^debug: http: (GET|POST) ` + regexp.QuoteMeta(w.bb.URL))
	var ampN, bbN int
	for _, l := range strings.Split(strings.TrimRight(errOut, "\n"), "\n") {
		if !strings.HasPrefix(l, "debug: ") {
			t.Errorf("a debug line without the prefix: %q", l)
		}
		switch {
		case ampLine.MatchString(l):
			ampN++
		case bbLine.MatchString(l):
			bbN++
		}
	}
	if served := len(w.amp.Log()) - ampFrom; ampN != served {
		t.Errorf("Amplication served %d requests, the log has %d lines for them:\n%s", served, ampN, errOut)
	}
	if served := len(w.bb.Controls().Log()) - bbFrom; bbN != served {
		t.Errorf("Bitbucket served %d requests, the log has %d lines for them:\n%s", served, bbN, errOut)
	}
}

// authorize prints the authorize URL unindented on a line of its own, so the terminal
// wraps it and the mouse copies it whole (issue 16 item 8); a refused paste is answered
// in sentences that end with full stops.
func TestAmplicationAuthorizeURLAloneAndPasteSentences(t *testing.T) {
	t.Parallel()
	host := authzHoldPort(t)
	w := ampStart(t, ampWorldOptions{host: host})
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "1m")
	authURL := ss.authorizeURL(t)
	loc := ss.land(t, authURL)
	i := strings.Index(loc, "state=")
	io.WriteString(ss.stdinW, loc[:i]+"state=forged-state-0000\n")
	io.WriteString(ss.stdinW, "not an address at all\n")
	io.WriteString(ss.stdinW, loc+"\n")
	if code := ss.wait(t); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, ss.errText())
	}
	errText := ss.errText()
	if !strings.Contains(errText, "\n"+authURL+"\n") {
		t.Errorf("the URL is not on a line of its own, unindented:\n%s", errText)
	}
	refusals := 0
	for _, l := range strings.Split(errText, "\n") {
		if strings.HasPrefix(l, "That did not work") {
			refusals++
			if !strings.HasSuffix(l, ".") {
				t.Errorf("no full stop: %q", l)
			}
		}
	}
	if refusals != 2 {
		t.Errorf("%d refusals, want 2:\n%s", refusals, errText)
	}
}

// connect --create with a project key the workspace lacks names the keys it has, as
// repos create does (issue 16 item 12).
func TestAmplicationConnectCreateUnknownProjectKey(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	code, _, errOut := w.run(t, "", "amplication", "connect", "--workspace", "acme", "--create", "Brand New", "--project-key", "NOPE", "--project", "Shop")
	if code != ExitFailure || !strings.Contains(errOut, "has no project NOPE; its project keys are ") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// extraSentences counts the sentences that start after the first one in an error line,
// not counting what is in parentheses or quotes (a server's own words).
func extraSentences(line string) int {
	var b strings.Builder
	depth, quoted := 0, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return len(regexp.MustCompile(`[.!?] +[A-Z]`).FindAllString(b.String(), -1))
}

// One error, one sentence, with a full stop (issue 16 item 12): outside a checkout (the
// error that mentions bbsetup demo, item 20), a code Amplication could not exchange, and
// an authorize that timed out after refusing another state's answer.
func TestAmplicationErrorsAreOneSentence(t *testing.T) {
	t.Parallel()
	lastLine := func(s string) string {
		s = strings.TrimRight(s, "\n")
		return s[strings.LastIndexByte(s, '\n')+1:]
	}
	check := func(t *testing.T, what, line string) {
		t.Helper()
		if !strings.HasPrefix(line, "bbsetup: ") || !strings.HasSuffix(line, ".") || extraSentences(line) != 0 {
			t.Errorf("%s: want one sentence with a full stop:\n%s", what, line)
		}
	}
	if extraSentences(`a (b. C) "d. E" f`) != 0 || extraSentences("a. B") != 1 {
		t.Fatal("extraSentences is wrong")
	}

	r := envcmdExec(t, t.TempDir(), "", nil, "amplication", "status")
	check(t, "outside a checkout", lastLine(r.stderr))
	if !strings.Contains(r.stderr, "bbsetup demo") {
		t.Errorf("outside a checkout, no mention of bbsetup demo: %s", r.stderr)
	}

	// A code the Amplication server cannot exchange: Bitbucket refuses it.
	host := authzHoldPort(t)
	w := ampStart(t, ampWorldOptions{host: host})
	ss := w.start(t, "amplication", "authorize", "--no-browser", "--timeout", "1m")
	loc := ss.land(t, ss.authorizeURL(t))
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("code", "not-a-code-bitbucket-issued")
	u.RawQuery = q.Encode()
	io.WriteString(ss.stdinW, u.String()+"\n")
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, ss.errText())
	}
	check(t, "a code Bitbucket refused", lastLine(ss.errText()))

	// No answer in time, after refusing an answer with another state on the callback.
	w2 := ampStart(t, ampWorldOptions{})
	ss = w2.start(t, "amplication", "authorize", "--no-browser", "--timeout", "2s")
	loc = ss.land(t, ss.authorizeURL(t))
	forged := loc[:strings.Index(loc, "state=")] + "state=forged-state-0000"
	resp, err := ss.browser.Get(forged)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, ss.errText())
	}
	line := lastLine(ss.errText())
	check(t, "no answer in time", line)
	if !strings.Contains(line, "another state") {
		t.Errorf("the timeout does not say an answer was refused: %s", line)
	}
}

// A service connected with --service is first marked as overriding its project (the
// server ignores isOverrideGitRepository), so a later project-level connect leaves it
// alone; a project connect that would move a service still following the project is
// refused without --replace, naming it.
func TestAmplicationConnectSaysWhenAProjectConnectTakesAServicesRepository(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	connect := func(args ...string) (string, string) {
		t.Helper()
		code, out, errOut := w.run(t, "", append([]string{"amplication", "connect", "--workspace", "acme", "--project", "Shop"}, args...)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d:\n%s%s", args, code, out, errOut)
		}
		return out, errOut
	}
	connect("--repository", "shop-platform")
	out, errOut := connect("--repository", "checkout-service", "--service", "orders", "--replace")
	if strings.Contains(errOut, "still follows") || !strings.Contains(out, "It overrides the settings of project Shop") {
		t.Errorf("--service: no word that orders now overrides the project's settings:\n%s%s", out, errOut)
	}
	if r, _ := w.amp.Resource(ampemu.DemoOrdersID); !r.GitRepositoryOverride || r.Repo == nil || r.Repo.Name != "checkout-service" {
		t.Errorf("orders in the emulator after --service: override %v, %+v", r.GitRepositoryOverride, r.Repo)
	}
	out, errOut = connect("--repository", "orders-v2", "--replace")
	if r, _ := w.amp.Resource(ampemu.DemoOrdersID); r.Repo == nil || r.Repo.Name != "checkout-service" {
		t.Errorf("orders (now overriding) moved with the project: %+v\n%s%s", r.Repo, out, errOut)
	}
	if r, _ := w.amp.Resource(ampemu.DemoCatalogID); r.Repo == nil || r.Repo.Name != "catalog-legacy" {
		t.Errorf("catalog (override) changed: %+v", r.Repo)
	}
	if strings.Contains(errOut, "catalog") || strings.Contains(errOut, "payments") {
		t.Errorf("names a service that kept its repository or was inheriting anyway:\n%s", errOut)
	}
}

// amplication connect's --project is an Amplication project, not a Bitbucket project key:
// completion offers no Bitbucket keys there, and offers them for --project-key.
func TestAmplicationConnectCompletion(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	complete := func(args ...string) string {
		t.Helper()
		code, out, errOut := w.run(t, "", append([]string{"__complete", "amplication", "connect", "-w", "acme"}, args...)...)
		if code != 0 {
			t.Fatalf("__complete %v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	if got := complete("--project-key", ""); !strings.Contains(got, "WEB\t") || !strings.HasSuffix(got, ":4\n") {
		t.Errorf("--project-key: %q", got)
	}
	for _, flag := range []string{"--project", "--service"} {
		if got := complete(flag, ""); got != ":4\n" {
			t.Errorf("%s offers %q, want nothing (and no file names)", flag, got)
		}
	}
}

// authorize opens only an authorize URL on the Bitbucket bbsetup talks to
// (--bitbucket-url): a server answering another site's address (with the right state) is
// refused before anything is printed as "open this" or opened.
func TestAmplicationAuthorizeURLOnBitbucketOnly(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	w.env["BBSETUP_AMPLICATION_URL"] = graphQLFront(t, w.amp.Emulator, installURLAnswer(func(state any) string {
		return fmt.Sprintf("https://bitbucket.example.net/site/oauth2/authorize?client_id=%s&response_type=code&state=%v", w.cons.Key, state)
	}))
	code, out, errOut := w.run(t, "", "amplication", "authorize", "--no-browser", "--timeout", "5s")
	if code != ExitFailure || !strings.Contains(errOut, "goes to https://bitbucket.example.net, not to Bitbucket at "+w.bb.URL) ||
		!strings.Contains(errOut, "--bitbucket-url") || strings.Contains(errOut, "Open this URL") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}

// amplication status --json findings have the shape of check --json's: "kind" is
// "check" (a finding that passes or fails) or "note" (the PR service not running), never
// empty.
func TestAmplicationStatusJSONFindingKind(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	code, out, errOut := w.run(t, "", "amplication", "status", "--json")
	var res ampStatusResult
	if err := json.Unmarshal([]byte(out), &res); code != ExitOK || err != nil || len(res.Findings) != 7 {
		t.Fatalf("exit %d, %v:\n%s%s", code, err, out, errOut)
	}
	for _, f := range res.Findings {
		want := "check"
		if f.ID == "git-sync-manager-started" || f.ID == "amplication-server-started" {
			want = "note"
		}
		if f.Kind != want {
			t.Errorf("finding %s: kind %q, want %q", f.ID, f.Kind, want)
		}
	}
}

// A server still on the committed placeholder key, in a checkout with no key written yet:
// authorize says to configure and restart instead of sending the browser to Bitbucket with
// client_id=[bitbucket-client-id] ("Invalid client_id") and waiting for nothing.
func TestAmplicationAuthorizePlaceholderKeyNotConfigured(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{stale: true})
	for _, p := range []string{filepath.Join(w.dir, "packages", "amplication-server", ".env.local"),
		filepath.Join(w.dir, "ee", "packages", "git-sync-manager", ".env.local")} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := w.run(t, "", "amplication", "authorize", "--no-browser", "--timeout", "5s")
	if code != ExitFailure || !strings.Contains(errOut, "bbsetup configure") || strings.Contains(errOut, "Open this URL") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}

// On a server older than v3.5.0, status fails (✗, exit 1) saying that it connects
// Bitbucket only with a billing entitlement a local server lacks, and what to do.
func TestAmplicationStatusOlderServerSaysPlan(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{schema: ampemu.SchemaV1})
	code, out, errOut := w.run(t, "", "amplication", "status")
	if code != ExitFailure || !strings.Contains(out, "✗ the Amplication server is older than v3.5.0 and refuses to connect Bitbucket") ||
		!strings.Contains(out, "billing entitlement") || !strings.Contains(out, "→ update the checkout to v3.5.0 or later (git pull)") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
	// An entitled deployment (BILLING_ENABLED=true) is a note, not a failure.
	w2 := ampStart(t, ampWorldOptions{schema: ampemu.SchemaV1, billing: true})
	code, out, errOut = w2.run(t, "", "amplication", "status")
	if code != ExitOK || !strings.Contains(out, "• the Amplication server is older than v3.5.0; it connects Bitbucket only because BILLING_ENABLED=true") {
		t.Errorf("entitled: exit %d:\n%s%s", code, out, errOut)
	}
}
