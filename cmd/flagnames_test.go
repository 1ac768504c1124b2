package cmd

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestProjectKeyFlag: one meaning per flag name. --project-key is a Bitbucket project
// key everywhere (repos create, amplication connect); --project is an Amplication project.
// repos create still takes --project with a deprecation note on stderr (never on stdout,
// which --json keeps for data), hidden from its help.
func TestProjectKeyFlag(t *testing.T) {
	w := bbapiStart(t, 0, nil)
	code, out, errOut := w.run(t, "repos", "create", "-w", "acme", "--name", "Keyed", "--project-key", "WEB")
	if code != 0 || !strings.Contains(out, "Created private repository acme/keyed in project WEB.") || errOut != "" {
		t.Errorf("--project-key WEB: exit %d:\n%s%s", code, out, errOut)
	}
	code, out, errOut = w.run(t, "repos", "create", "-w", "acme", "--name", "Old Spelling", "--project", "OSS", "--json")
	if code != 0 {
		t.Fatalf("--project OSS: exit %d: %s", code, errOut)
	}
	var got repoJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.ProjectKey != "OSS" {
		t.Errorf("--project OSS --json: stdout is not the repository in OSS (%v): %q", err, out)
	}
	if !strings.Contains(errOut, "--project is deprecated") || !strings.Contains(errOut, "--project-key") {
		t.Errorf("--project: no deprecation note on stderr: %q", errOut)
	}
	code, out, _ = w.run(t, "repos", "create", "--help")
	if code != 0 || !strings.Contains(out, "--project-key KEY") || strings.Contains(out, "--project KEY") || strings.Contains(out, "--project string") {
		t.Errorf("repos create --help: exit %d, want --project-key and no --project:\n%s", code, out)
	}
	// An unknown key is named by the flag the operator used.
	code, _, errOut = w.run(t, "repos", "create", "-w", "acme", "--name", "Checkout", "--project-key", "NOPE")
	if code != 1 || !strings.Contains(errOut, "has no project NOPE") {
		t.Errorf("--project-key NOPE: exit %d: %q", code, errOut)
	}
	// Completion offers the Bitbucket keys for --project-key, and still for the old spelling.
	for _, flag := range []string{"--project-key", "--project"} {
		code, out, errOut = w.run(t, "__complete", "repos", "create", "-w", "acme", flag, "P")
		if code != 0 || !strings.HasPrefix(out, "PLAT\tPlatform\n") {
			t.Errorf("__complete %s P: exit %d: %q %s", flag, code, out, errOut)
		}
	}
}
