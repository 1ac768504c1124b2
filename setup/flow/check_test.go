package flow

import (
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

func TestCredentialFinding(t *testing.T) {
	f := CredentialFinding(oauth.Verdict{Kind: oauth.VerdictOK, Message: "fine"}, "sec")
	if !f.OK || f.Failed() || f.ID != "credentials" || f.Kind != checkout.KindCheck {
		t.Fatalf("OK verdict: %+v", f)
	}
	f = CredentialFinding(oauth.Verdict{Kind: oauth.VerdictBadCredentials, Message: "rejected sec"}, "sec")
	if !f.Failed() || f.Title != "Bitbucket rejects the key or secret" || f.Detail != "" || f.Hint != "" {
		t.Fatalf("bad credentials: %+v", f)
	}
	const secret = "s3cr3tS3cr3tS3cr3tS3cr3tS3cr3tXy"
	f = CredentialFinding(oauth.Verdict{Kind: oauth.VerdictNetwork, Message: "no route; secret " + secret}, secret)
	if !f.Failed() || strings.Contains(f.Detail, secret) || !strings.HasPrefix(f.Detail, "no route") {
		t.Fatalf("the secret was not masked in the detail: %+v", f)
	}
	if n := CredentialsNotChecked(); n.Failed() || n.Kind != checkout.KindNote {
		t.Fatalf("not checked: %+v", n)
	}
}

func TestTally(t *testing.T) {
	fs := []checkout.Finding{
		{Kind: checkout.KindCheck, OK: true},
		{Kind: checkout.KindCheck},
		{Kind: checkout.KindNote, OK: true},
		{Kind: checkout.KindCheck},
	}
	if got := Tally(fs); got != (CheckTally{Checks: 3, Failed: 2}) {
		t.Errorf("Tally = %+v", got)
	}
	if got := Tally(fs[2:3]); got != (CheckTally{OK: true}) {
		t.Errorf("Tally(a note) = %+v", got)
	}
}
