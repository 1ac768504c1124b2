package cmd

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

func TestReposListCmd(t *testing.T) {
	w := bbapiStart(t, 500, nil) // acme gets 300
	// Not a terminal (a pipe, as in the test): tab-separated rows only; the count on stderr.
	code, out, errOut := w.run(t, "repos", "list", "--workspace", "acme")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(rows) != 300 || errOut != "300 repositories in workspace acme.\n" {
		t.Fatalf("%d rows (first %q), stderr %q", len(rows), rows[0], errOut)
	}
	for _, l := range rows {
		f := strings.Split(l, "\t")
		if len(f) != 5 || (f[3] != "private" && f[3] != "public") || strings.HasPrefix(l, "SLUG") {
			t.Fatalf("row %q is not slug, name, project, visibility, updated", l)
		}
	}

	code, out, errOut = w.run(t, "repos", "list", "--workspace", "acme", "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errOut)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json: %v", err)
	}
	if len(got) != 300 {
		t.Fatalf("--json: %d repositories", len(got))
	}
	for _, k := range []string{"slug", "name", "full_name", "uuid", "description", "project_key", "is_private",
		"html_url", "clone_https", "clone_ssh", "updated_on"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("--json lacks %q", k)
		}
	}

	// --filter narrows on the server; the first generated name has "amber".
	first := got[0]["slug"].(string)
	code, out, _ = w.run(t, "repos", "list", "--workspace", "acme", "--filter", first, "--json")
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || len(got) != 1 || got[0]["slug"] != first {
		t.Errorf("--filter %s: exit %d, %v", first, code, got)
	}
	code, out, errOut = w.run(t, "repos", "list", "--workspace", "acme", "--filter", `no "such" repo`)
	if code != 0 || out != "" || !strings.Contains(errOut, "No repositories in workspace acme") {
		t.Errorf("no match: exit %d: %q %q", code, out, errOut)
	}
	var req []bbemu.Request
	for _, r := range w.srv.Controls().Log() {
		if r.Path == "/2.0/repositories/acme" {
			req = append(req, r)
		}
	}
	if !slices.ContainsFunc(req, func(r bbemu.Request) bool { return strings.Contains(r.RawQuery, "q=name") }) {
		t.Errorf("--filter did not reach the server as q=name~...")
	}
}

func TestReposListCmdErrors(t *testing.T) {
	w := bbapiStart(t, 10, nil)
	if code, _, errOut := w.run(t, "repos", "list"); code != 2 || !strings.Contains(errOut, "workspace") {
		t.Errorf("without --workspace: exit %d: %s", code, errOut)
	}
	code, _, errOut := w.run(t, "repos", "list", "--workspace", "nope")
	if code != 1 || !strings.Contains(errOut, "404") || !strings.Contains(errOut, "check the workspace") {
		t.Errorf("unknown workspace: exit %d: %s", code, errOut)
	}
}

func TestReposCreateCmd(t *testing.T) {
	w := bbapiStart(t, 0, nil)
	code, out, errOut := w.run(t, "repos", "create", "--workspace", "acme", "--name", "Checkout Service", "--project-key", "WEB", "--description", "pay")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "Created private repository acme/checkout-service in project WEB.\n") || !strings.Contains(out, "Clone (SSH):") {
		t.Errorf("output:\n%s", out)
	}

	code, out, errOut = w.run(t, "repos", "create", "-w", "acme", "--name", "Open Thing", "--project-key", "OSS", "--public", "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if got["slug"] != "open-thing" || got["is_private"] != false || got["full_name"] != "acme/open-thing" {
		t.Errorf("--json: %v", got)
	}

	code, _, errOut = w.run(t, "repos", "create", "--workspace", "acme", "--name", "checkout service")
	if code != 1 || !strings.Contains(errOut, `"checkout-service" already exists in workspace "acme"`) {
		t.Errorf("exists: exit %d: %s", code, errOut)
	}
	for _, bad := range []string{"日本", "---"} {
		code, _, errOut = w.run(t, "repos", "create", "--workspace", "acme", "--name", bad)
		if code != 2 || !strings.Contains(errOut, "cannot be used") {
			t.Errorf("--name %q: exit %d: %s", bad, code, errOut)
		}
	}
	if code, _, _ := w.run(t, "repos", "create", "--workspace", "acme"); code != 2 {
		t.Errorf("without --name: exit %d", code)
	}
	posts := 0
	for _, r := range w.srv.Controls().Log() {
		if r.Method == "POST" && strings.HasPrefix(r.Path, "/2.0/repositories/") {
			posts++
		}
	}
	if posts != 3 {
		t.Errorf("%d POSTs, want 3 (bad names never reach Bitbucket)", posts)
	}
}

func TestReposCreateCmdScope(t *testing.T) {
	w := bbapiStart(t, 0, func(c *bbemu.Consumer) { c.Scopes = []string{"account", "repository:write"} })
	code, _, errOut := w.run(t, "repos", "create", "--workspace", "acme", "--name", "x")
	if code != 1 || !strings.Contains(errOut, `tick "Repositories: Admin"`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
