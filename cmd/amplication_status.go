package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/flow"
)

// ampStatusResult is the --json output of `bbsetup amplication status`.
type ampStatusResult struct {
	OK               bool               `json:"ok"`
	ServerURL        string             `json:"server_url"`
	Findings         []checkFinding     `json:"findings"`
	Account          *ampAccountJSON    `json:"account"`
	Workspace        *ampWorkspaceJSON  `json:"workspace"`
	GitOrganizations []ampOrgJSON       `json:"git_organizations"`
	Projects         []ampProjectJSON   `json:"projects"`
	State            *bool              `json:"state_supported"` // null when unknown
	Workspaces       []ampWorkspaceJSON `json:"workspaces"`
}

type ampAccountJSON struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

type ampWorkspaceJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type ampOrgJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"` // a Bitbucket organization's: the account Amplication pushes as
	Type string `json:"type"`
	// OwnAccount (status): the account is bbsetup's own identity; null when not known.
	OwnAccount *bool `json:"own_account,omitempty"`
}

type ampResourceJSON struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Override   bool    `json:"override"`
	Repository *string `json:"repository"` // "workspace/slug", null when not connected
	// Inherited: a service whose repository is the project's (its settings'), not its own.
	Inherited bool `json:"inherited"`
}

type ampProjectJSON struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Resources []ampResourceJSON `json:"resources"`
}

func toAmpProjectJSON(p amplication.Project) ampProjectJSON {
	out := ampProjectJSON{ID: p.ID, Name: p.Name, Resources: []ampResourceJSON{}}
	for _, r := range p.Resources {
		rj := ampResourceJSON{ID: r.ID, Name: r.Name, Type: r.Type, Override: r.Override}
		if r.Repo != nil {
			s := r.Repo.FullName()
			rj.Repository = &s
			rj.Inherited = p.Inherits(r)
		}
		out.Resources = append(out.Resources, rj)
	}
	return out
}

// ampStatusOptions are the flags of `bbsetup amplication status`.
type ampStatusOptions struct {
	signIn ampSignIn
	json   bool
}

func newCmdAmplicationStatus(a *Factory, si *ampSignIn, runF func(*ampStatusOptions) error) *cobra.Command {
	var o ampStatusOptions
	c := &cobra.Command{
		Use:   "status",
		Short: "Check the running Amplication server: its Bitbucket key, the sign-in, projects",
		Long: `status asks the running Amplication server what it has: whether it answers, whether
the sign-in works (as whom, in which workspace), and whether it runs with the Bitbucket
key written in the server's .env.local: the client_id inside the authorize URL it builds
must be that key. A placeholder, another key or "Missing Bitbucket configuration" means the
server was started before the keys were written: restart npx nx serve amplication-server.

It also checks what decides whether Amplication will push to Bitbucket: a server before
v3.5.0 refuses Bitbucket (a failure: update the checkout); a project still on Amplication's
demo repository after the authorization fails; a PR service (git-sync-manager) started
before its .env.local was written fails, with the restart command. It lists every Bitbucket
git organization with the account it pushes as (and says when that is not bbsetup's own),
services that still follow their project's settings (the next project connect moves them),
and each project and service with its repository. It exits 0 when every check passes.`,
		Example: "  BBSETUP_AMPLICATION_TOKEN=... bbsetup amplication status\n  bbsetup amplication status --email me@example.com --password-stdin --json < pw.txt",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.signIn = *si
			if runF != nil {
				return runF(&o)
			}
			return ampClean(a.runAmplicationStatus(cmd.Context(), o.signIn, o.json))
		},
	}
	c.Flags().BoolVar(&o.json, "json", false, "print the findings as JSON")
	return c
}

func (a *Factory) runAmplicationStatus(ctx context.Context, si ampSignIn, asJSON bool) error {
	s, err := a.ampClient()
	if err != nil {
		return err
	}
	defer s.close()
	res := ampStatusResult{ServerURL: s.URL, GitOrganizations: []ampOrgJSON{}, Projects: []ampProjectJSON{}, Workspaces: []ampWorkspaceJSON{}}
	var findings []checkout.Finding
	add := func(f checkout.Finding) { findings = append(findings, f) }

	// 1. The server answers (introspection needs no sign-in and tells the generation).
	pr := s.Probe(ctx)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case pr.State != nil:
		res.State = pr.State
		gen := "older than v3.5.0: no state in the authorize URL; it connects Bitbucket only with a billing entitlement (a paid plan), which a local server does not have, so authorize is refused there: update the checkout to a current release"
		if *pr.State {
			gen = "v3.5.0 or later"
		}
		add(checkout.Finding{ID: "server", OK: true, Title: "the Amplication server answers at " + s.URL, Detail: gen})
	case pr.Answers:
		add(checkout.Finding{ID: "server", OK: true, Title: "the Amplication server answers at " + s.URL,
			Detail: "it does not answer introspection (PLAYGROUND_ENABLE off?), so its version is not known"})
	default:
		add(checkout.Finding{ID: "server", Title: "the Amplication server does not answer at " + s.URL,
			Detail: ampName(a.ampError(s, pr.Err).Error())})
		return a.ampStatusPrint(s, res, findings, asJSON)
	}
	gate := amplication.GateUnknown
	switch {
	case pr.State != nil && *pr.State:
		gate = amplication.GateOpen
	case pr.State != nil:
		gate = amplication.GateRefuses
	default:
		gate, _ = amplication.BitbucketGateFor(ctx, s.Client, s.Checkout.Root) // the checkout's schema
	}
	add(flow.GateFinding(s.Server, gate))

	// 2. The sign-in.
	if err := a.ampSignIn(ctx, s, si); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		add(checkout.Finding{ID: "signin", Title: "the sign-in to Amplication failed", Detail: ampName(err.Error())})
		return a.ampStatusPrint(s, res, findings, asJSON)
	}
	ov := s.ov
	res.Account = &ampAccountJSON{Email: ov.Account.Email, Name: ov.Account.Name()}
	for _, w := range ov.Workspaces {
		res.Workspaces = append(res.Workspaces, ampWorkspaceJSON{ID: w.ID, Name: w.Name})
	}
	wsName := "no workspace"
	if ov.Current != nil {
		res.Workspace = &ampWorkspaceJSON{ID: ov.Current.ID, Name: ov.Current.Name}
		wsName = "workspace " + ampName(ov.Current.Name)
	}
	add(checkout.Finding{ID: "signin", OK: true, Title: fmt.Sprintf("signed in to Amplication as %s <%s>, %s",
		ampName(ov.Account.Name()), ampName(ov.Account.Email), wsName)})

	// 3. The running server's Bitbucket key.
	add(a.ampKeyFinding(ctx, s))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// 4. Who and where Amplication pushes.
	var own *bitbucket.User
	if bb, done, err := a.bbapiClient(ctx); err == nil {
		own, err = flow.OwnUser(ctx, bb)
		if err != nil {
			a.debugf("%v", err)
		}
		done()
	}
	push, err := flow.CheckPush(ctx, s.Server, own, ov.Projects)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		add(checkout.Finding{ID: "push", Title: "what Amplication pushes could not be read", Detail: ampName(a.ampError(s, err).Error())})
	}
	for _, f := range push.Findings {
		add(f)
	}
	for _, o := range push.Orgs {
		oj := ampOrgJSON{ID: o.ID, Name: o.Name, Type: "Bitbucket"}
		if own != nil {
			mine := o.OwnAccount
			oj.OwnAccount = &mine
		}
		res.GitOrganizations = append(res.GitOrganizations, oj)
	}
	for _, p := range ov.Projects {
		res.Projects = append(res.Projects, toAmpProjectJSON(p))
	}
	return a.ampStatusPrint(s, res, findings, asJSON)
}

// ampKeyFinding compares the client_id in the server's authorize URL with the key in the
// env files.
func (a *Factory) ampKeyFinding(ctx context.Context, s *ampSession) checkout.Finding {
	f := checkout.Finding{ID: "server-key"}
	cr, configured := s.Checkout.Current()
	written := ""
	if configured {
		written = cr.ClientID
	}
	k := s.Key(ctx, written)
	running := ampName(k.Running)
	switch k.State {
	case amplication.KeyMissing:
		f.Title = "the running server has no Bitbucket key (\"Missing Bitbucket configuration\")"
		f.Detail = "the key is in " + s.Checkout.ServerEnvLocal + ", so the server was started before it was written"
		f.Hint = flow.AmpRestart
	case amplication.KeyUnknown:
		f.Title = "the server's Bitbucket key could not be read"
		f.Detail = ampName(a.ampError(s, k.Err).Error())
		if k.BadURL {
			f.Title = "the server's Bitbucket authorize URL is not a URL"
			f.Detail = ampName(k.Err.Error())
		}
	case amplication.KeyNotWritten:
		f.Title = "the Bitbucket key is not written in the env files"
		f.Detail = fmt.Sprintf("the running server uses %q", running)
		if k.Running == "" {
			f.Title = "the running server has no Bitbucket key (\"Missing Bitbucket configuration\")"
			f.Detail = ""
		}
		f.Hint = "run bbsetup configure, then " + flow.AmpRestart
	case amplication.KeyMatches:
		f.OK = true
		f.Title = "the running server uses the key in .env.local"
		f.Detail = "BITBUCKET_CLIENT_ID " + running
	case amplication.KeyPlaceholder:
		f.Title = "the running server still has the placeholder Bitbucket key"
		f.Detail = fmt.Sprintf("its authorize URL has client_id=%s; %s has %s: the server was started before the key was written", running, s.Checkout.ServerEnvLocal, ampName(cr.ClientID))
		f.Hint = flow.AmpRestart
	default:
		f.Title = "the running server uses another Bitbucket key than .env.local"
		f.Detail = fmt.Sprintf("its authorize URL has client_id=%s; %s has %s: the server was started before the key was written", running, s.Checkout.ServerEnvLocal, ampName(cr.ClientID))
		f.Hint = flow.AmpRestart
	}
	return f
}

func (a *Factory) ampStatusPrint(s *ampSession, res ampStatusResult, findings []checkout.Finding, asJSON bool) error {
	res.OK = true
	for _, f := range findings {
		res.OK = res.OK && f.OK
		res.Findings = append(res.Findings, checkFinding{ID: f.ID, Kind: f.Kind.String(), OK: f.OK, Title: f.Title, Detail: f.Detail, Hint: f.Hint})
	}
	if asJSON {
		if err := bbapiWriteJSON(a.env.Stdout, res); err != nil {
			return err
		}
	} else {
		w := a.env.Stdout
		fmt.Fprintf(w, "Amplication server: %s (checkout %s)\n\n", ampName(s.URL), ampName(s.Checkout.Root))
		failed := 0
		checks := 0
		for _, f := range findings {
			mark := "✓"
			switch {
			case f.Kind == checkout.KindNote:
				mark = "•"
			case !f.OK:
				mark = "✗"
				failed++
			}
			if f.Kind != checkout.KindNote {
				checks++
			}
			printFinding(w, mark, f) // the server's and the files' words: safe text only
		}
		if s.ov != nil {
			fmt.Fprintln(w)
			if len(res.GitOrganizations) == 0 {
				fmt.Fprintln(w, "Bitbucket in Amplication: not connected yet (run bbsetup amplication authorize).")
			}
			for _, g := range res.GitOrganizations {
				whose := ""
				switch {
				case g.OwnAccount == nil:
					whose = " (whether that is bbsetup's own account is not known)"
				case *g.OwnAccount:
					whose = " (bbsetup's own account)"
				default:
					whose = " (not bbsetup's own account)"
				}
				fmt.Fprintf(w, "Bitbucket in Amplication: git organization %s (id %s): pushes as the Bitbucket account %s%s.\n", ampName(g.Name), ampName(g.ID), ampName(g.Name), whose)
			}
			if len(res.Projects) == 0 {
				fmt.Fprintln(w, "Projects: none.")
			} else {
				fmt.Fprintln(w, "Projects:")
			}
			for _, p := range res.Projects {
				fmt.Fprintf(w, "  %s\n", ampName(p.Name))
				for _, r := range p.Resources {
					repo := "not connected"
					if r.Repository != nil {
						repo = "→ " + ampName(*r.Repository)
						if r.Inherited {
							repo += " (the project's)"
						}
					}
					label := ampName(r.Name)
					if r.Type == amplication.TypeProjectConfiguration {
						label = "project settings"
					}
					fmt.Fprintf(w, "    %s %s\n", label, repo)
				}
			}
		}
		if failed == 0 {
			fmt.Fprintf(w, "\nAll %d checks passed.\n", checks)
		} else {
			fmt.Fprintf(w, "\n%d of %d checks failed.\n", failed, checks)
		}
	}
	if !res.OK {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}
