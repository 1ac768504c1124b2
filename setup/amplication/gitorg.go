package amplication

// Which Bitbucket git organization a connect uses (issue 20, item 1). Amplication pushes
// with the tokens of the git organization a repository is connected through, so with
// several Bitbucket organizations in a workspace (a colleague authorized theirs earlier)
// taking the first one can push as someone else.

import (
	"strings"

	"github.com/bbsetup/bbsetup/setup/bbuuid"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// OwnIdentity is bbsetup's own Bitbucket identity: the account its client-credentials
// token acts as (GET /user), i.e. the OAuth consumer's owner.
type OwnIdentity struct {
	UUID     string // "{…}"; "" when unknown
	Username string // deprecated by Bitbucket; may be ""
	Nickname string
}

// Why says how ChooseGitOrg picked the organization.
type Why int

// The reasons for a choice.
const (
	ChosenByFlag         Why = iota // --git-org named it (by id or name)
	ChosenJustAuthorized            // it is the one the operator just authorized
	ChosenOnly                      // it is the workspace's only Bitbucket organization
	ChosenByOwnIdentity             // its Bitbucket account is bbsetup's own identity
)

// GitOrgChoice is ChooseGitOrg's answer.
type GitOrgChoice struct {
	Org GitOrgAccount
	Why Why
	// OwnAccount: the organization acts as bbsetup's own identity (installationId equals
	// own's uuid). False with a known own uuid means Amplication pushes as another
	// Bitbucket account than the one bbsetup checks and creates repositories as.
	OwnAccount bool
}

// ChoiceProblem says why ChooseGitOrg would have to guess.
type ChoiceProblem int

// The problems.
const (
	NoBitbucketOrg ChoiceProblem = iota // the workspace has no Bitbucket organization: authorize first
	NoSuchOrg                           // --git-org names none of them
	AmbiguousName                       // --git-org names several (by name): give the id
	SeveralOrgs                         // several, none (or more than one) is bbsetup's own identity
)

// GitOrgChoiceError is ChooseGitOrg's refusal: it lists the Bitbucket organizations to
// choose from (names and ids unsanitised: sanitise when printing).
type GitOrgChoiceError struct {
	Problem ChoiceProblem
	Want    string          // what --git-org said ("" when not given)
	Choices []GitOrgAccount // every Bitbucket organization of the workspace
}

func (e *GitOrgChoiceError) Error() string {
	switch e.Problem {
	case NoBitbucketOrg:
		return "the Amplication workspace has no Bitbucket git organization: authorize Amplication with Bitbucket first"
	case NoSuchOrg:
		return "no Bitbucket git organization of the workspace has the id or name given: choose one of " + e.list()
	case AmbiguousName:
		return "several Bitbucket git organizations of the workspace have that name: give the id of one of " + e.list()
	}
	return "the Amplication workspace has several Bitbucket git organizations and none is bbsetup's own Bitbucket account: choose one of " + e.list()
}

// list is "name (id), …", sanitised: names and ids are the server's.
func (e *GitOrgChoiceError) list() string {
	var parts []string
	for _, o := range e.Choices {
		parts = append(parts, safetext.Line(o.Name)+" ("+safetext.Line(o.ID)+")")
	}
	return strings.Join(parts, ", ")
}

// ChooseGitOrg picks the Bitbucket git organization a connect uses, from orgs (every git
// organization of the workspace, any provider; GitOrganizationAccounts):
//   - want (the --git-org flag, an id or a name) when given: an exact id, else a name
//     (letter case ignored); none is NoSuchOrg, several by name AmbiguousName;
//   - else justAuthorized (the id completeGitOAuth2Flow answered), when it is among them;
//   - else the only Bitbucket organization;
//   - else the one whose account (installationId) is own's uuid, when exactly one is;
//   - else SeveralOrgs: it does not guess.
//
// Errors are *GitOrgChoiceError listing the Bitbucket organizations.
func ChooseGitOrg(orgs []GitOrgAccount, own OwnIdentity, want, justAuthorized string) (GitOrgChoice, error) {
	var bb []GitOrgAccount
	for _, o := range orgs {
		if o.Provider == ProviderBitbucket {
			bb = append(bb, o)
		}
	}
	pick := func(o GitOrgAccount, why Why) (GitOrgChoice, error) {
		return GitOrgChoice{Org: o, Why: why, OwnAccount: bbuuid.Same(o.InstallationID, own.UUID)}, nil
	}
	fail := func(p ChoiceProblem) (GitOrgChoice, error) {
		return GitOrgChoice{}, &GitOrgChoiceError{Problem: p, Want: want, Choices: bb}
	}
	if len(bb) == 0 {
		return fail(NoBitbucketOrg)
	}
	if want = strings.TrimSpace(want); want != "" {
		for _, o := range bb {
			if o.ID == want {
				return pick(o, ChosenByFlag)
			}
		}
		var byName []GitOrgAccount
		for _, o := range bb {
			if strings.EqualFold(o.Name, want) {
				byName = append(byName, o)
			}
		}
		switch len(byName) {
		case 0:
			return fail(NoSuchOrg)
		case 1:
			return pick(byName[0], ChosenByFlag)
		}
		return fail(AmbiguousName)
	}
	if justAuthorized != "" {
		for _, o := range bb {
			if o.ID == justAuthorized {
				return pick(o, ChosenJustAuthorized)
			}
		}
	}
	if len(bb) == 1 {
		return pick(bb[0], ChosenOnly)
	}
	var mine []GitOrgAccount
	for _, o := range bb {
		if bbuuid.Same(o.InstallationID, own.UUID) {
			mine = append(mine, o)
		}
	}
	if len(mine) == 1 {
		return pick(mine[0], ChosenByOwnIdentity)
	}
	return fail(SeveralOrgs)
}

// GitOrgListing is one Bitbucket organization as a list shows it (amplication status,
// the wizard's choice): which account it pushes as, and whether that is bbsetup's own or
// the one just authorized.
type GitOrgListing struct {
	Org            GitOrgAccount
	OwnAccount     bool // its installationId is bbsetup's own identity's uuid
	JustAuthorized bool
}

// ListBitbucketOrgs lists the Bitbucket organizations of orgs, in the server's order,
// marked against own and justAuthorized (the id completeGitOAuth2Flow answered, or "").
func ListBitbucketOrgs(orgs []GitOrgAccount, own OwnIdentity, justAuthorized string) []GitOrgListing {
	var out []GitOrgListing
	for _, o := range orgs {
		if o.Provider != ProviderBitbucket {
			continue
		}
		out = append(out, GitOrgListing{Org: o, OwnAccount: bbuuid.Same(o.InstallationID, own.UUID),
			JustAuthorized: justAuthorized != "" && o.ID == justAuthorized})
	}
	return out
}
