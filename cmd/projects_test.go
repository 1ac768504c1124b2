package cmd

import (
	"encoding/json"
	"strings"
	"testing"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

func TestProjectsCmd(t *testing.T) {
	w := bbapiStart(t, 0, nil)
	// At a terminal: an aligned table with a header, then the count, all on stdout.
	code, out, errOut := w.runAtTerminal(t, "projects", "-w", "acme")
	want := "KEY   NAME         PRIVATE\nOSS   Open Source  no\nPLAT  Platform     yes\nWEB   Web          yes\n3 projects in workspace acme.\n"
	if code != 0 || out != want || errOut != "" {
		t.Fatalf("exit %d:\n%s%s\nwant\n%s", code, out, errOut, want)
	}
	// Piped (like repos list and gh): tab-separated rows only, no header; the count on stderr.
	code, out, errOut = w.run(t, "projects", "-w", "acme")
	if want := "OSS\tOpen Source\tno\nPLAT\tPlatform\tyes\nWEB\tWeb\tyes\n"; code != 0 || out != want || errOut != "3 projects in workspace acme.\n" {
		t.Fatalf("piped: exit %d: %q %q, want %q", code, out, errOut, want)
	}
	code, out, errOut = w.run(t, "projects", "--workspace", "acme-labs", "--json")
	var got []projectJSON
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil {
		t.Fatalf("--json: exit %d, %v: %s%s", code, err, out, errOut)
	}
	if len(got) != 2 || got[0].Key != "AI" || got[0].Name != "Machine Learning" || !got[0].IsPrivate || got[0].UUID == "" || got[1].Key != "LAB" {
		t.Errorf("--json: %+v", got)
	}
	if code, _, errOut := w.run(t, "projects", "-w", "nope"); code != 1 || !strings.Contains(errOut, "404") {
		t.Errorf("unknown workspace: exit %d: %s", code, errOut)
	}
}

// A project name from the server cannot move the cursor or recolour the terminal.
func TestProjectsCmdSanitises(t *testing.T) {
	e, cons := bbemu.NewDemo(bbemu.Options{}, 0)
	e.AddProject("acme", bbemu.Project{Key: "EVIL", Name: "Evil\x1b[2J\x1b]0;pwned\x07 \u202eproject"})
	srv, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	w := &bbapiWorld{srv: srv, dir: demoCheckout(t), consumer: cons}
	w.writeCredentials(t, cons.Key, cons.Secret)
	code, out, errOut := w.runAtTerminal(t, "projects", "-w", "acme")
	if code != 0 || strings.ContainsAny(out, "\x1b\x07\u202e") || !strings.Contains(out, "EVIL  Evil project") {
		t.Errorf("exit %d: %q %s", code, out, errOut)
	}
}
