package cmd

import (
	"strings"
	"testing"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

// TestAmplicationAuthorizeURLWithRedirect: an Amplication server (or whatever answers at
// --amplication-url) whose authorize URL is on Bitbucket's origin but adds a redirect_uri
// (Bitbucket would send the code there) or points at another page is refused before
// anything is opened or printed to open: exit 1, saying what is wrong and what to check.
func TestAmplicationAuthorizeURLWithRedirect(t *testing.T) {
	t.Parallel()
	for name, tail := range map[string]string{
		"redirect_uri": "/site/oauth2/authorize?client_id=K&response_type=code&state=S&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
		"another page": "/account/signin/?next=https%3A%2F%2Fevil.example%2F&client_id=K&response_type=code&state=S",
	} {
		t.Run(name, func(t *testing.T) {
			w := ampStart(t, ampWorldOptions{})
			// A front that answers the authorize URL itself, with the state bbsetup asked
			// for (so that only the URL's shape is wrong), and passes the rest on.
			w.env["BBSETUP_AMPLICATION_URL"] = graphQLFront(t, w.amp.Emulator, installURLAnswer(func(state any) string {
				s, _ := state.(string)
				if s == "" {
					s = ampemu.DemoWorkspaceID
				}
				return w.bb.URL + strings.NewReplacer("state=S", "state="+s, "client_id=K", "client_id="+w.cons.Key).Replace(tail)
			}))
			code, out, errOut := w.run(t, "", "amplication", "authorize", "--no-browser", "--timeout", "10s")
			if code != ExitFailure || !strings.Contains(errOut, "so bbsetup does not open it") || !strings.Contains(errOut, "--amplication-url") {
				t.Errorf("exit %d, want 1 and the refusal:\n%s%s", code, out, errOut)
			}
			if strings.Contains(out+errOut, "evil.example") || strings.Contains(out, "/site/oauth2/authorize") {
				t.Errorf("the URL was shown to be opened:\n%s%s", out, errOut)
			}
		})
	}
}
