package cmd

import (
	"strings"
	"testing"
)

// TestScopesFlagSpaces: --scopes takes the list as Bitbucket writes it (space-separated,
// as in a token's "scopes"), as well as comma-separated, and names a wrong scope alone.
func TestScopesFlagSpaces(t *testing.T) {
	for _, list := range []string{"account repository", "account,  repository", " account\trepository "} {
		_, _, _, _, printed := startEmulatorCmd(t, "--scopes", list)
		if !strings.Contains(printed, "Consumer mistakes                only the permissions account, repository\n") {
			t.Errorf("--scopes %q: the consumer's permissions are not account and repository:\n%s", list, printed)
		}
	}
	r := envcmdExec(t, t.TempDir(), "", nil, "emulator", "--scopes", "account bogus")
	if r.code != 2 || !strings.Contains(r.stderr, `--scopes: "bogus" is not a Bitbucket permission scope`) {
		t.Errorf("--scopes \"account bogus\": exit %d: %s", r.code, r.stderr)
	}
}
