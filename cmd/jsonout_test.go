package cmd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// jsonControlText is server text with DEL, C1 controls (NEL, CSI) and bidi overrides and
// isolates: a terminal acts on each of them when it sees it raw.
const jsonControlText = "a\u007fb\u0085c\u009b2Jd\u202ee\u2066f\u2069g\u200fh"

// TestJSONEscapesControls: no --json output carries DEL, C1 or bidi controls from a
// server raw. The Bitbucket client makes server text terminal-safe once, where its answer
// is decoded (setup/bitbucket, safetext.Line), so the JSON holds that safe text; the one
// encoder (writeJSON) would write any control left as a \u escape
// (TestEscapeJSONControls).
func TestJSONEscapesControls(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		name := jsonText(jsonControlText)
		switch {
		case r.URL.Path == "/site/oauth2/access_token":
			fmt.Fprint(w, `{"access_token":"json-token-0123456789","token_type":"bearer","expires_in":3600,"scopes":"account project repository"}`)
		case r.URL.Path == "/2.0/user/workspaces":
			fmt.Fprintf(w, `{"values":[{"administrator":true,"workspace":{"slug":"acme","name":"%s"}}],"size":1}`, name)
		case r.URL.Path == "/2.0/workspaces/acme":
			fmt.Fprintf(w, `{"slug":"acme","name":"%s"}`, name)
		case r.URL.Path == "/2.0/workspaces/acme/projects":
			fmt.Fprintf(w, `{"values":[{"key":"WEB","name":"%s"}],"size":1}`, name)
		case r.URL.Path == "/2.0/repositories/acme":
			fmt.Fprintf(w, `{"values":[{"slug":"api","name":"%s","description":"%s"}],"size":1}`, name, name)
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, `{"type":"error","error":{"message":"no"}}`)
		}
	}))
	t.Cleanup(s.Close)
	dir := demoCheckout(t)
	(&bbapiWorld{dir: dir}).writeCredentials(t, "jsonKey0123", "jsonSecret0123456789abcdefgh")
	env := map[string]string{"BBSETUP_BITBUCKET_URL": s.URL, "BBSETUP_API_URL": s.URL + "/2.0"}
	for _, args := range [][]string{
		{"workspaces", "--json"},
		{"projects", "-w", "acme", "--json"},
		{"repos", "list", "-w", "acme", "--json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := envcmdExec(t, dir, "", env, args...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			terminalSafe(t, "stdout", r.stdout)
			var v []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, r.stdout)
			}
			if want := safetext.Line(jsonControlText); len(v) != 1 || v[0]["name"] != want {
				t.Errorf("decoded name %q, want the server's text made safe once, %q", v[0]["name"], want)
			}
		})
	}
}

// TestEscapeJSONControls: the escaping round-trips and leaves other text alone.
func TestEscapeJSONControls(t *testing.T) {
	for _, s := range []string{"", "plain", jsonControlText, "é ü 日本 \u2028", "\u0080\u009f\u061c\u200e\u202a\u2069"} {
		var buf strings.Builder
		if err := writeJSON(&buf, map[string]string{"s": s}); err != nil {
			t.Fatal(err)
		}
		terminalSafe(t, "writeJSON output", buf.String())
		var back map[string]string
		if err := json.Unmarshal([]byte(buf.String()), &back); err != nil || back["s"] != s {
			t.Errorf("%q: round trip gave %q (%v)\n%s", s, back["s"], err, buf.String())
		}
	}
	if !strings.Contains(fmt.Sprint(string(safetext.EscapeJSON([]byte("x\u00e9")))), "\u00e9") {
		t.Error("é (not a control) was escaped")
	}
}
