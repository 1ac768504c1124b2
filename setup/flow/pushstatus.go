package flow

// Will Amplication push there? The checks `amplication status` and the wizard's server
// screen make beyond the server's key (issue 20): the server's generation (before v3.5.0
// it refuses Bitbucket), each Bitbucket git organization and its account, services the
// next project connect would move, projects still on Amplication's demo repository, and
// a PR service started before its .env.local was written.

import (
	"context"
	"fmt"
	"strings"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// GateFinding is the server's generation as a check: before v3.5.0 (and not entitled by
// BILLING_ENABLED=true) a failing check with what to do; unknown, a note. It needs no
// sign-in. gate is amplication.BitbucketGateFor's answer.
func GateFinding(s *Server, gate amplication.ServerGate) checkout.Finding {
	f := checkout.Finding{ID: "bitbucket-gate", Kind: checkout.KindCheck}
	switch {
	case gate == amplication.GateOpen:
		f.OK, f.Title = true, "the Amplication server accepts Bitbucket ("+amplication.MinBitbucketVersion+" or later)"
	case gate == amplication.GateRefuses && Entitled(s.Checkout):
		f.Kind, f.OK = checkout.KindNote, true
		f.Title = "the Amplication server is older than " + amplication.MinBitbucketVersion + "; it connects Bitbucket only because BILLING_ENABLED=true grants the feature"
	case gate == amplication.GateRefuses:
		old := &amplication.OldServerError{}
		f.Title = "the Amplication server is older than " + amplication.MinBitbucketVersion + " and refuses to connect Bitbucket"
		f.Detail = "its completeGitOAuth2Flow asks for a paid plan's billing entitlement before the code exchange, which a local server never has"
		f.Hint = old.Advice()
	default:
		f.Kind, f.OK = checkout.KindNote, true
		f.Title = "whether the Amplication server accepts Bitbucket is not known"
		f.Detail = "it does not answer introspection and the checkout has no schema.graphql; servers before " + amplication.MinBitbucketVersion + " refuse Bitbucket"
	}
	return f
}

// PushStatus is what a signed-in status found about who and where Amplication pushes.
type PushStatus struct {
	Orgs     []OrgListing
	Findings []checkout.Finding
}

// CheckPush reads the workspace's git organizations (each Bitbucket one with its account,
// compared with own, bbsetup's identity: nil when unknown), the services a project connect
// would move, the projects on Amplication's demo repository; and the checkout's PR
// service (a process that started before its .env.local was written). The server must be
// signed in; the error is only the server's, for the surface's advice.
func CheckPush(ctx context.Context, s *Server, own *bitbucket.User, projects []amplication.Project) (PushStatus, error) {
	var out PushStatus
	orgs, err := s.Client.GitOrganizationAccounts(ctx)
	if err != nil {
		return out, err
	}
	out.Orgs = ListOrgs(orgs, own, "")
	for _, o := range out.Orgs {
		if o.Other != "" {
			out.Findings = append(out.Findings, checkout.Finding{ID: "git-org-account", Kind: checkout.KindNote, OK: true,
				Title: "the git organization " + o.Name + " pushes as another Bitbucket account than bbsetup's own", Detail: o.Other})
		}
	}
	if own == nil && len(out.Orgs) > 0 {
		out.Findings = append(out.Findings, checkout.Finding{ID: "git-org-account", Kind: checkout.KindNote, OK: true,
			Title: "bbsetup could not read its own Bitbucket account (the consumer's key and secret), so it cannot tell whose account each git organization pushes as"})
	}
	for _, p := range projects {
		set := p.Settings()
		if set == nil || set.Repo == nil {
			continue
		}
		if moved := amplication.MovedByProjectConnect(p, set.Repo.GroupName, set.Repo.Name); len(moved) > 0 {
			e := &MovesServicesError{Label: "the settings of project " + safetext.Line(p.Name), Full: set.Repo.FullName(), Moved: moved}
			out.Findings = append(out.Findings, checkout.Finding{ID: "follows-project", Kind: checkout.KindNote, OK: true,
				Title:  "project " + safetext.Line(p.Name) + ": " + e.Names() + " follow the project's settings",
				Detail: "connecting the project again moves them to its repository; connect each on its own (it is then marked \"Override project settings\") to keep it"})
		}
	}
	demo, err := amplication.ProjectsOnDemoRepo(ctx, s.Client)
	if err != nil {
		return out, err
	}
	switch {
	case len(demo) > 0 && len(out.Orgs) == 0:
		out.Findings = append(out.Findings, checkout.Finding{ID: "demo-repo", Kind: checkout.KindNote, OK: true,
			Title: "projects push to Amplication's demo repository on GitHub until the workspace authorizes Bitbucket: " + names(demo)})
	case len(demo) > 0:
		out.Findings = append(out.Findings, checkout.Finding{ID: "demo-repo", Kind: checkout.KindCheck,
			Title:  "projects still push to Amplication's demo repository on GitHub, not to Bitbucket: " + names(demo),
			Detail: "Amplication clears useDemoRepo when the workspace authorizes a git provider",
			Hint:   "authorize Amplication with Bitbucket again in this workspace"})
	default:
		out.Findings = append(out.Findings, checkout.Finding{ID: "demo-repo", Kind: checkout.KindCheck, OK: true,
			Title: "no project pushes to Amplication's demo repository"})
	}
	out.Findings = append(out.Findings, PRServiceFindings(s.Checkout)...)
	return out, nil
}

// PRServiceFindings are the checkout's PR service findings (as `check` has them); it
// reads /proc or runs ps: call it off the UI's thread.
func PRServiceFindings(co *checkout.Checkout) []checkout.Finding {
	again, err := checkout.Open(co.Root)
	if err == nil {
		co = again // the env files as written now
	}
	return checkout.PRServiceFindings(co.PRServiceReport())
}

// DemoRepoFailure words projects an authorization left on the demo repository ("" when
// none).
func DemoRepoFailure(ps []amplication.DemoRepoProject) string {
	if len(ps) == 0 {
		return ""
	}
	return fmt.Sprintf("these projects still push to Amplication's demo repository on GitHub, not to Bitbucket: %s; authorize Amplication with Bitbucket again in this workspace", names(ps))
}

// names is "Shop, Internal" (safe text).
func names(ps []amplication.DemoRepoProject) string {
	var out []string
	for _, p := range ps {
		out = append(out, safetext.Line(p.Name))
	}
	return strings.Join(out, ", ")
}

// PRServiceLines are PRServiceFindings as lines for the wizard and the line mode (safe
// text): "✗ title: detail → what to do" for a failing check, "• title: detail" for a note,
// "✓ title" for a passing one.
func PRServiceLines(co *checkout.Checkout) []string {
	var out []string
	for _, f := range PRServiceFindings(co) {
		line := safetext.Line(f.Title)
		switch {
		case f.Failed():
			line = "✗ " + line
			if f.Detail != "" {
				line += ": " + safetext.Line(f.Detail)
			}
			if f.Hint != "" {
				line += " → " + safetext.Line(f.Hint)
			}
		case f.Kind == checkout.KindNote:
			line = "• " + line
			if f.Detail != "" {
				line += ": " + safetext.Line(f.Detail)
			}
		default:
			line = "✓ " + line
		}
		out = append(out, line)
	}
	return out
}
