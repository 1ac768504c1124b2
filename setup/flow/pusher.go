package flow

// Who Amplication will push as (issue 20, items 1 and 5): the git organization a connect
// stores, and whether its Bitbucket account is bbsetup's own. The command line and the
// wizard choose with ChoosePusher and say Pusher.Says on every result.

import (
	"context"
	"fmt"
	"net/http"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Own is bbsetup's own Bitbucket identity as the git organization choice needs it; a
// nil user gives an empty identity (nothing is bbsetup's own).
func Own(u *bitbucket.User) amplication.OwnIdentity {
	if u == nil {
		return amplication.OwnIdentity{}
	}
	return amplication.OwnIdentity{UUID: u.UUID, Username: u.Username, Nickname: u.Nickname}
}

// Pusher is the git organization a connect stores and the account Amplication pushes as.
type Pusher struct {
	Choice amplication.GitOrgChoice
	Own    *bitbucket.User // bbsetup's own identity (the consumer's owner); nil when unknown
	// Mismatch: Amplication pushes as another Bitbucket account than bbsetup's own (both
	// names in its Error). Compared: the accounts could be compared at all.
	Mismatch *bitbucket.AccountMismatch
	Compared bool
}

// Org is the git organization to store with the connect.
func (p Pusher) Org() amplication.GitOrganization { return p.Choice.Org.GitOrganization }

// Account is the Bitbucket account Amplication pushes as (safe text).
func (p Pusher) Account() string { return safetext.Line(p.Choice.Org.Name) }

// Says is one sentence for every connect result: the account Amplication will push as,
// and whose it is (safe text).
func (p Pusher) Says() string {
	who := "Amplication will push as the Bitbucket account " + p.Account()
	switch {
	case p.Mismatch != nil:
		return who + ", not bbsetup's own (" + safetext.Line(p.Own.AccountName()) + ")."
	case !p.Compared:
		return who + " (bbsetup could not compare it with its own account)."
	}
	return who + " (bbsetup's own account too)."
}

// ChoosePusher picks the Bitbucket git organization among orgs (want: the operator's
// choice by id or name, ""; justAuthorized: the id an authorization just answered, "")
// with amplication.ChooseGitOrg, and compares its account with own (nil: unknown). Its
// error is ChooseGitOrg's *amplication.GitOrgChoiceError.
func ChoosePusher(orgs []amplication.GitOrgAccount, own *bitbucket.User, want, justAuthorized string) (Pusher, error) {
	ch, err := amplication.ChooseGitOrg(orgs, Own(own), want, justAuthorized)
	if err != nil {
		return Pusher{}, err
	}
	p := Pusher{Choice: ch, Own: own}
	if own != nil {
		p.Mismatch, p.Compared = bitbucket.CompareAccounts(*own, ch.Org.InstallationID, ch.Org.Name)
	}
	return p, nil
}

// OrgListing is one Bitbucket git organization as the surfaces list it (safe text).
type OrgListing struct {
	ID, Name       string // Name: the account it pushes as
	OwnAccount     bool   // bbsetup's own identity
	JustAuthorized bool
	// Other: the account is not bbsetup's own (both names, what to do); "" when it is or
	// cannot be told.
	Other string
}

// ListOrgs lists the Bitbucket git organizations of orgs for a choice or a status.
func ListOrgs(orgs []amplication.GitOrgAccount, own *bitbucket.User, justAuthorized string) []OrgListing {
	var out []OrgListing
	for _, l := range amplication.ListBitbucketOrgs(orgs, Own(own), justAuthorized) {
		o := OrgListing{ID: safetext.Line(l.Org.ID), Name: safetext.Line(l.Org.Name), OwnAccount: l.OwnAccount, JustAuthorized: l.JustAuthorized}
		if own != nil {
			if mm, _ := bitbucket.CompareAccounts(*own, l.Org.InstallationID, l.Org.Name); mm != nil {
				o.Other = mm.Error()
			}
		}
		out = append(out, o)
	}
	return out
}

// Label is "casey (bbsetup's own account, just authorized)".
func (o OrgListing) Label() string {
	var marks []string
	if o.OwnAccount {
		marks = append(marks, "bbsetup's own account")
	}
	if o.JustAuthorized {
		marks = append(marks, "just authorized")
	}
	s := o.Name
	for i, m := range marks {
		if i == 0 {
			s += " (" + m
		} else {
			s += ", " + m
		}
	}
	if len(marks) > 0 {
		s += ")"
	}
	return s
}

// WriteUnchecked words a write check that could not be made (w.Why) as a warning.
func WriteUnchecked(w bitbucket.WriteCheck) string {
	if w.Why == nil {
		return ""
	}
	return safetext.Line(w.Why.Error())
}

// OwnUser is bbsetup's own identity over bb (GET /user with the client-credentials
// token); nil when it cannot be read, with the reason.
func OwnUser(ctx context.Context, bb *bitbucket.Client) (*bitbucket.User, error) {
	u, err := bb.CurrentUser(ctx)
	if err != nil {
		return nil, fmt.Errorf("bbsetup's own Bitbucket account could not be read: %w", err)
	}
	return u, nil
}

// OwnAccess is what bbsetup's own Bitbucket client is built from: the consumer's key and
// secret, the Bitbucket site (its token endpoint) and API, the HTTP client the token and
// API requests go through (the program's transport, with its debug log), and the API
// client's options (tests shorten the retry wait).
type OwnAccess struct {
	BitbucketURL, APIURL string
	Credentials          checkout.Credentials
	HTTP                 *http.Client
	Options              bitbucket.Options
	// Secret registers the consumer's secret as never logged (nil: nothing to register).
	Secret func(...string)
}

// OwnClient is bbsetup's own Bitbucket client with the consumer's client_credentials (no
// browser trip): the command line's and the wizard's. ctx is the token requests' base.
func OwnClient(ctx context.Context, a OwnAccess) *bitbucket.Client {
	if a.Secret != nil {
		a.Secret(a.Credentials.ClientSecret)
	}
	hc := oauth.ClientCredentialsClient(ctx, oauth.EndpointsFor(a.BitbucketURL), a.Credentials.ClientID, a.Credentials.ClientSecret, a.HTTP)
	return bitbucket.New(a.APIURL, hc, a.Options)
}
