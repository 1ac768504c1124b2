package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Facts is what the operator chose and what happened so far, as both surfaces record it:
// the wizard's session holds one, and so does the line mode (package tui/line), so the two
// keep the same facts and build the same Summary from them (Summary).
type Facts struct {
	Checkout Checkout
	Kept     bool        // the configured key and secret were kept (no consumer steps)
	Hint     string      // the workspace slug typed on the consumer step
	Creds    Credentials // zero when kept
	Verdict  *Verdict
	// Unverified: the operator went on after a network failure, without a live check.
	Unverified bool
	Written    []FileResult // nil: nothing written yet
	Identity   *Identity
	API        Bitbucket // the REST API as the authorized account (nil before Authorize)
	Workspace  Workspace
	Repo       *Repo
	Created    bool
	// The Amplication part: the signed-in session (nil: not signed in), whether the
	// operator skipped it, the git organization Amplication has (after Authorize), the
	// chosen resource and the connect as read back.
	Amp        *AmpSignedIn
	AmpSkipped bool
	Org        *AmpOrg
	OrgReused  bool
	OrgStored  *AmpOrg // Authorize stored this git organization in Amplication
	Target     *AmpTarget
	Connected  *AmpConnected
	Built      *AmpBuildProgress // the Build screen's follow, last state (nil: not built)
	Finished   bool              // the operator reached the last step
	// Outside is what was done outside this machine (a repository created, what was
	// stored in Amplication), in order, for the quit message and the Summary.
	Outside OutsideFacts
}

// AmpPath reports that the flow finishes inside Amplication (signed in, not skipped).
func (f *Facts) AmpPath() bool { return f.Amp != nil && !f.AmpSkipped }

// RecordOrgStored records that Authorize stored org in Amplication (a new git
// organization, not one it had), with its outside fact.
func (f *Facts) RecordOrgStored(org AmpOrg) {
	f.OrgStored = &org
	ws := ""
	if f.Amp != nil {
		ws = " workspace " + safetext.Line(f.Amp.Workspace.Name) + "'s"
	}
	f.Outside.Record("amp-org", "Stored in Amplication:"+ws+" Bitbucket connection as "+
		safetext.Line(org.Name)+" (its git organization; see bbsetup amplication status).")
}

// RecordConnected records the connect in Amplication as read back, with its outside fact.
func (f *Facts) RecordConnected(c AmpConnected) {
	f.Connected = &c
	f.Outside.Record("amp-connect", "Stored in Amplication: "+safetext.Line(c.Line())+" (read back from the server).")
}

// session is the wizard's Facts and its own bookkeeping (the write's error, the step to
// resume, the authorization count). Only the root changes it, from the messages the
// screens report; a screen gets a copy in its entry when it becomes active, so it cannot
// change it, and keeps what it needs (a screen never calls the Facts' Record methods).
type session struct {
	Facts
	writeErr error
	// resume is the step to come back to after redoing a step in place (againMsg), while
	// resuming; apiGen counts bbsetup's authorizations, so a screen that listed with an
	// older API lists again.
	resume   step
	resuming bool
	apiGen   int
}

// outsideFact is one thing done (or under way) outside this machine.
type outsideFact struct {
	key  string
	text string // one sentence, in the operator's words
}

// OutsideFacts is what was done (or is under way) outside this machine, in order, for the
// quit message and the Summary (Facts.Outside). A later fact with the same key replaces the
// earlier one ("being created" becomes "created"); an empty text removes it (the create
// failed: nothing exists).
type OutsideFacts struct{ facts []outsideFact }

// Record adds, replaces or (empty text) removes the fact with key.
func (o *OutsideFacts) Record(key, text string) {
	for i, f := range o.facts {
		if f.key == key {
			if text == "" {
				o.facts = append(o.facts[:i:i], o.facts[i+1:]...)
			} else {
				o.facts[i].text = text
			}
			return
		}
	}
	if text != "" {
		o.facts = append(o.facts, outsideFact{key: key, text: text})
	}
}

// Texts is the facts' texts, in order.
func (o *OutsideFacts) Texts() []string {
	out := make([]string, 0, len(o.facts))
	for _, f := range o.facts {
		out = append(out, f.text)
	}
	return out
}

// The outside facts of a repository create (key "repo"), in the same words on both
// surfaces: under way, failed, created.

// CreatingRepoFact is the fact while the create of ws/slug (named name) is under way.
func CreatingRepoFact(ws, slug, name string) string {
	return fmt.Sprintf("Creating the repository %s/%s was under way: check whether it exists with %s before you create it again.",
		ws, slug, checkCommand(ws, name))
}

// FailedRepoFact is the fact after the create of ws/slug failed with err: "" (nothing was
// created) unless the request may have been carried out although it failed.
func FailedRepoFact(err error, ws, slug, name string) string {
	var mh interface{ MayHaveSucceeded() bool }
	if !errors.As(err, &mh) || !mh.MayHaveSucceeded() {
		return ""
	}
	return fmt.Sprintf("The repository %s/%s may have been created although the request failed: check with %s.",
		ws, slug, checkCommand(ws, name))
}

// CreatedRepoFact is the fact once r was created.
func CreatedRepoFact(r Repo) string {
	return "Created the repository " + r.FullName + " on Bitbucket (" + r.HTMLURL + ")."
}

// record adds, replaces or removes f.
func (ses *session) record(f outsideFact) { ses.Outside.Record(f.key, f.text) }

// entry is what a screen is given each time it becomes active.
type entry struct {
	// ctx is cancelled when the step stops being active.
	ctx context.Context
	// s is the session so far (a copy).
	s session
	// canBack reports that Esc may leave the step backwards (see stepDef.back).
	canBack bool
	// fix is the verdict the Verify step sent the operator here to fix, if it did.
	fix *Verdict
	// filter is typed into the Connect screen's filter (Create's "connect to it").
	filter string
}

// Summary is what the wizard did, returned by Run; it marshals to the --json output.
type Summary struct {
	Completed       bool         `json:"completed"` // the operator reached the last screen
	Checkout        string       `json:"checkout,omitempty"`
	Layout          string       `json:"layout,omitempty"`
	CallbackURL     string       `json:"callback_url,omitempty"`
	KeptCredentials bool         `json:"kept_credentials"`    // the configured key and secret were kept
	ClientID        string       `json:"client_id,omitempty"` // the key, whole: it is not a secret
	Verified        bool         `json:"verified"`            // the live credential check passed
	Files           []FileResult `json:"files"`               // the files written (empty: nothing written)
	ConnectedAs     *Identity    `json:"connected_as,omitempty"`
	Workspace       string       `json:"workspace,omitempty"`
	Repository      *Repo        `json:"repository,omitempty"`
	CreatedRepo     bool         `json:"created_repository"`
	Services        []string     `json:"services,omitempty"`
	// DoneOutside is what was done outside this machine (a repository created, what was
	// stored in Amplication), or was under way when the wizard was left, and how to check it.
	DoneOutside []string `json:"done_outside,omitempty"`
	NextSteps   []string `json:"next_steps,omitempty"`
	// Amplication is the part inside Amplication (nil before its server screen).
	Amplication *AmpSummary `json:"amplication,omitempty"`
}

// AmpSummary is what the wizard did inside Amplication.
type AmpSummary struct {
	Skipped   bool   `json:"skipped"` // the operator chose to skip Amplication
	ServerURL string `json:"server_url,omitempty"`
	Account   string `json:"account,omitempty"`
	Workspace string `json:"workspace,omitempty"`
	// GitOrganization is Amplication's Bitbucket connection (stored once Authorize is
	// done); Reused: it existed before.
	GitOrganization *AmpOrg           `json:"git_organization,omitempty"`
	Reused          bool              `json:"git_organization_reused,omitempty"`
	Connected       *AmpConnected     `json:"connected,omitempty"` // the connect, read back
	Build           *AmpBuildProgress `json:"build,omitempty"`     // the Build screen's commit, builds and URLs
	buildable       bool              // the summary can offer the Build screen (b)
}

// NothingStoredInAmplication reports whether the run signed in to Amplication and stored
// nothing there (no new Bitbucket connection, no connect): what a quit says of it.
func (s Summary) NothingStoredInAmplication() bool {
	a := s.Amplication
	return a != nil && !a.Skipped && (a.GitOrganization == nil || a.Reused) && a.Connected == nil
}

// Summary is the facts as the Summary Run returns (the wizard's and the line mode's).
func (f *Facts) Summary() Summary {
	s := Summary{
		Completed:       f.Finished,
		Checkout:        f.Checkout.Root,
		Layout:          f.Checkout.Layout,
		CallbackURL:     f.Checkout.CallbackURL,
		KeptCredentials: f.Kept,
		Verified:        f.Verdict != nil && f.Verdict.Kind == VerdictOK && !f.Unverified,
		Files:           append([]FileResult{}, f.Written...),
		ConnectedAs:     f.Identity,
		Workspace:       f.Workspace.Slug,
		Repository:      f.Repo,
		CreatedRepo:     f.Created,
		Services:        f.Checkout.Services,
		DoneOutside:     f.Outside.Texts(),
	}
	if f.Kept {
		s.ClientID = f.Checkout.ClientID
	} else {
		s.ClientID = f.Creds.ID
	}
	switch {
	case f.AmpSkipped:
		s.Amplication = &AmpSummary{Skipped: true}
	case f.Amp != nil:
		s.Amplication = &AmpSummary{ServerURL: f.Amp.URL, Account: f.Amp.Account, Workspace: f.Amp.Workspace.Name,
			GitOrganization: f.Org, Reused: f.OrgReused, Connected: f.Connected, Build: f.Built}
	}
	if f.Checkout.Root != "" {
		s.NextSteps = nextSteps(f.Checkout, s.Amplication)
	}
	return s
}

// prService is the PR service's start command among the services ("" when none):
// Amplication opens pull requests through it.
func prService(services []string) string {
	for _, svc := range services {
		if strings.Contains(svc, "git-sync-manager") || strings.Contains(svc, "git-pull-request-service") {
			return svc
		}
	}
	return ""
}

// prNote says what the PR service does, once, beside its start command ("" without one).
func prNote(services []string, repo string) string {
	pr := prService(services)
	if pr == "" {
		return ""
	}
	return " " + strings.TrimPrefix(pr, "npx nx serve ") + " is the one that opens the pull requests in " + repo + "."
}

// commitStep is what is left for Amplication to push: nothing was pushed by bbsetup, the
// connection is only stored. A commit in Amplication builds the code (the build manager)
// and the PR service opens a pull request with it.
func commitStep(client string, c AmpConnected, pr bool) string {
	what := "a change to " + c.Resource
	if c.Settings {
		what = "a change in project " + c.Project
	}
	if !pr {
		return "In Amplication (" + client + "), commit " + what + ": its build then goes to " + c.Repository + "."
	}
	return "In Amplication (" + client + "), commit " + what + ": once it is built, a pull request with the code opens in " + c.Repository + "."
}

func nextSteps(co Checkout, amp *AmpSummary) []string {
	steps := []string{}
	if len(co.Services) > 0 {
		steps = append(steps, "Start the services (each in its own terminal, from "+co.Root+"): "+strings.Join(co.Services, "; "))
	}
	if amp != nil && amp.Connected != nil {
		var others []string
		for _, svc := range co.Services {
			if svc != "npx nx serve amplication-server" {
				others = append(others, svc)
			}
		}
		steps = steps[:0]
		if len(others) > 0 {
			steps = append(steps, "Start the other services (each in its own terminal, from "+co.Root+"): "+strings.Join(others, "; ")+"."+prNote(co.Services, amp.Connected.Repository))
		}
		steps = append(steps, commitStep(clientHost(co.CallbackURL), *amp.Connected, prService(co.Services) != ""))
		return steps
	}
	if amp != nil && amp.Skipped {
		steps = append(steps, "Amplication was skipped: once its server runs with the new key, connect it with bbsetup amplication authorize, then bbsetup amplication connect.")
		return steps
	}
	steps = append(steps, "Open Amplication (the client, "+clientHost(co.CallbackURL)+"), choose a service and use Connect to Bitbucket under Sync with Git Provider.")
	return steps
}

// clientHost is the CLIENT_HOST part of a callback URL.
func clientHost(callback string) string {
	if i := strings.Index(callback, "/bitbucket-auth-app/"); i > 0 {
		return callback[:i]
	}
	if callback == "" {
		return "http://localhost:3001"
	}
	return callback
}
