package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckJSONWhenCheckoutFails: `check --json` prints its JSON object also when the
// checkout itself fails (none found, --repo not a checkout), with ok false and the
// reason, and exits 1 with the error on stderr.
func TestCheckJSONWhenCheckoutFails(t *testing.T) {
	empty := t.TempDir()
	notDir := filepath.Join(empty, "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		wd   string
		args []string
	}{
		"no checkout above": {empty, []string{"check", "--json", "--offline"}},
		"--repo a file":     {empty, []string{"check", "--json", "--repo", notDir}},
	} {
		t.Run(name, func(t *testing.T) {
			r := envcmdExec(t, c.wd, "", nil, c.args...)
			if r.code != ExitFailure {
				t.Errorf("exit %d, want 1: %s", r.code, r.stderr)
			}
			var res checkResult
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("stdout is not check's JSON (%v): %q", err, r.stdout)
			}
			if res.OK || len(res.Findings) != 1 || res.Findings[0].ID != "checkout" || res.Findings[0].OK || !strings.Contains(res.Findings[0].Detail, "checkout") {
				t.Errorf("result %+v, want ok false and one failed check \"checkout\" with the reason", res)
			}
			if !strings.HasPrefix(r.stderr, "bbsetup: ") {
				t.Errorf("stderr %q, want the error", r.stderr)
			}
		})
	}
	// Without --json: the error alone, no JSON.
	r := envcmdExec(t, empty, "", nil, "check", "--offline")
	if r.code != ExitFailure || r.stdout != "" {
		t.Errorf("check without --json: exit %d, stdout %q", r.code, r.stdout)
	}
}
