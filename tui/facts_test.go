package tui

import (
	"strings"
	"testing"
)

// The wizard and the line mode build their Summary from one Facts: the key shown is the
// configured one when kept, the typed one otherwise, and what either records outside this
// machine reads the same (untrusted names made safe for a line).
func TestFactsSummary(t *testing.T) {
	f := Facts{Checkout: Checkout{Root: "/co", ClientID: "configured", CallbackURL: "http://localhost:3001/bitbucket-auth-app/callback"},
		Creds: Credentials{ID: "typed"}}
	if got := f.Summary().ClientID; got != "typed" {
		t.Fatalf("ClientID %q with a new key, want the typed one", got)
	}
	f.Kept = true
	if got := f.Summary().ClientID; got != "configured" {
		t.Fatalf("ClientID %q with the key kept, want the configured one", got)
	}

	f.Amp = &AmpSignedIn{URL: "http://localhost:3000", Account: "ada", Workspace: AmpWorkspace{Name: "Main\x1b[31m"}}
	f.RecordOrgStored(AmpOrg{Name: "ada\nrm"})
	s := f.Summary()
	if f.OrgStored == nil || s.Amplication == nil || s.Amplication.Account != "ada" {
		t.Fatalf("OrgStored %v, Amplication %+v", f.OrgStored, s.Amplication)
	}
	want := "Stored in Amplication: workspace Main's Bitbucket connection as ada rm (its git organization; see bbsetup amplication status)."
	if len(s.DoneOutside) != 1 || s.DoneOutside[0] != want {
		t.Fatalf("DoneOutside %q, want %q", s.DoneOutside, want)
	}
	if len(s.NextSteps) == 0 || !strings.Contains(s.NextSteps[len(s.NextSteps)-1], "http://localhost:3001") {
		t.Fatalf("NextSteps %q", s.NextSteps)
	}
}
