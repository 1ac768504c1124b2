package tui

import (
	"context"
	"strings"
)

// session is what the operator chose and what happened so far. Only the root changes it,
// from the messages the screens report; a screen gets a copy in its entry when it becomes
// active, so it cannot change it, and keeps what it needs.
type session struct {
	checkout Checkout
	kept     bool        // the configured key and secret were kept (no consumer steps)
	hint     string      // the workspace slug typed on the consumer screen
	creds    Credentials // zero when kept
	verdict  *Verdict
	// unverified: the operator went on after a network failure, without a live check.
	unverified bool
	written    []FileResult // nil: nothing written yet
	writeErr   error
	identity   *Identity
	api        Bitbucket // the REST API as the authorized account (nil before Authorize)
	workspace  Workspace
	repo       *Repo
	created    bool
	// The Amplication part: the signed-in session (nil: not signed in), whether the
	// operator skipped it, the git organization Amplication has (after Authorize), the
	// chosen resource and the connect as read back.
	amp        *AmpSignedIn
	ampSkipped bool
	org        *AmpOrg
	orgReused  bool
	orgStored  *AmpOrg // Authorize stored this git organization in Amplication
	target     *AmpTarget
	connected  *AmpConnected
	built      *AmpBuildProgress // the Build screen's follow, last state (nil: not built)
	finished   bool              // the operator reached the last screen
	// resume is the step to come back to after redoing a step in place (againMsg), while
	// resuming; apiGen counts bbsetup's authorizations, so a screen that listed with an
	// older API lists again.
	resume   step
	resuming bool
	apiGen   int
	// outside is what was done outside this machine (a repository created; later what was
	// stored in Amplication), in order, for the quit message and the Summary. Screens
	// report each fact with outsideMsg.
	outside OutsideFacts
}

// outsideFact is one thing done (or under way) outside this machine.
type outsideFact struct {
	key  string
	text string // one sentence, in the operator's words
}

// OutsideFacts is what was done (or is under way) outside this machine, in order, for the
// quit message and the Summary; the wizard's session and line mode keep one each. A later
// fact with the same key replaces the earlier one ("being created" becomes "created"); an
// empty text removes it (the create failed: nothing exists).
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

// record adds, replaces or removes f.
func (ses *session) record(f outsideFact) { ses.outside.Record(f.key, f.text) }

// doneOutside is the texts of the outside facts.
func (ses *session) doneOutside() []string { return ses.outside.Texts() }

// ampPath reports that the wizard finishes inside Amplication (signed in, not skipped).
func (ses *session) ampPath() bool { return ses.amp != nil && !ses.ampSkipped }

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

// summary is the session as the Summary Run returns.
func (ses *session) summary() Summary {
	s := Summary{
		Completed:       ses.finished,
		Checkout:        ses.checkout.Root,
		Layout:          ses.checkout.Layout,
		CallbackURL:     ses.checkout.CallbackURL,
		KeptCredentials: ses.kept,
		Verified:        ses.verdict != nil && ses.verdict.Kind == VerdictOK && !ses.unverified,
		Files:           append([]FileResult{}, ses.written...),
		ConnectedAs:     ses.identity,
		Workspace:       ses.workspace.Slug,
		Repository:      ses.repo,
		CreatedRepo:     ses.created,
		Services:        ses.checkout.Services,
		DoneOutside:     ses.doneOutside(),
	}
	if ses.kept {
		s.ClientID = ses.checkout.ClientID
	} else {
		s.ClientID = ses.creds.ID
	}
	switch {
	case ses.ampSkipped:
		s.Amplication = &AmpSummary{Skipped: true}
	case ses.amp != nil:
		a := &AmpSummary{ServerURL: ses.amp.URL, Account: ses.amp.Account, Workspace: ses.amp.Workspace.Name,
			GitOrganization: ses.org, Reused: ses.orgReused, Connected: ses.connected, Build: ses.built}
		s.Amplication = a
	}
	if ses.checkout.Root != "" {
		s.NextSteps = nextSteps(ses.checkout, s.Amplication)
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
