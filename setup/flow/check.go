package flow

import (
	"fmt"
	"strings"

	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/mask"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// CredentialsNotChecked is the online finding when the checkout holds no key and secret to
// check (or the services' differ): the same cause as the failed checks before it, so a
// note, not a second failure.
func CredentialsNotChecked() checkout.Finding {
	return checkout.Finding{ID: "credentials", Kind: checkout.KindNote, OK: true,
		Title:  "the key and secret were not checked with Bitbucket",
		Detail: "they are not configured yet, or differ between the services (see above)"}
}

// CredentialFinding is the online finding for v, the live check of the checkout's key and
// secret (secret is masked in its message). It says what happened (title and detail); the
// hint, what to do, is each surface's (its words name its commands and flags).
func CredentialFinding(v oauth.Verdict, secret string) checkout.Finding {
	f := checkout.Finding{ID: "credentials", Kind: checkout.KindCheck, Detail: mask.In(v.Message, secret)}
	switch v.Kind {
	case oauth.VerdictOK:
		f.OK = true
		f.Title = "Bitbucket accepts the key and secret, and the consumer has every permission"
	// For the mistakes bbsetup knows, the title says what is wrong and the hint what to
	// do, each once; the detail adds only what neither says.
	case oauth.VerdictBadCredentials:
		f.Title = "Bitbucket rejects the key or secret"
		f.Detail = ""
	case oauth.VerdictNotPrivate:
		f.Title = "the consumer is not private"
		f.Detail = "Bitbucket refuses a public consumer the grant bbsetup checks it with"
	case oauth.VerdictNoCallback:
		f.Title = "the consumer has no callback URL"
		f.Detail = ""
	case oauth.VerdictMissingScopes:
		f.Title = fmt.Sprintf("the consumer lacks %d of the permissions Amplication needs", len(v.Missing))
		f.Detail = strings.Join(oauth.Labels(v.Missing), "; ")
	case oauth.VerdictNetwork:
		f.Title = "Bitbucket could not be reached"
	default:
		f.Title = "the credential check failed"
	}
	return f
}

// CheckTally counts a check's findings: the checks, those failed, and whether all passed
// (a note never fails).
type CheckTally struct {
	Checks, Failed int
	OK             bool
}

// Tally counts findings.
func Tally(findings []checkout.Finding) CheckTally {
	t := CheckTally{OK: true}
	for _, f := range findings {
		if f.Kind != checkout.KindCheck {
			continue
		}
		t.Checks++
		if f.Failed() {
			t.Failed++
			t.OK = false
		}
	}
	return t
}
