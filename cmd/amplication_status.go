package cmd

import (
	"context"
	"fmt"
	"io"

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
	st, err := flow.CheckStatus(ctx, s.Server, flow.StatusSteps{
		SignIn: func(ctx context.Context) (*amplication.Overview, error) {
			if err := a.ampSignIn(ctx, s, si); err != nil {
				return nil, err
			}
			return s.ov, nil
		},
		Own: func(ctx context.Context) *bitbucket.User {
			own, err := a.ownUser(ctx)
			if err != nil {
				a.debugf("%v", err)
			}
			return own
		},
	}, flow.StatusWords{
		Amp:       func(err error) error { return a.ampError(s, err) },
		Configure: "run bbsetup configure, then " + flow.AmpRestart,
	})
	if err != nil {
		return err
	}
	return a.ampStatusPrint(s, ampStatusJSON(st), st, asJSON)
}

// ampStatusJSON is the status as its --json object.
func ampStatusJSON(st flow.Status) ampStatusResult {
	res := ampStatusResult{OK: st.OK(), ServerURL: st.URL, State: st.State, GitOrganizations: []ampOrgJSON{}, Projects: []ampProjectJSON{}, Workspaces: []ampWorkspaceJSON{}}
	for _, f := range st.Findings {
		res.Findings = append(res.Findings, checkFinding{ID: f.ID, Kind: f.Kind.String(), OK: f.OK, Title: f.Title, Detail: f.Detail, Hint: f.Hint})
	}
	ov := st.Overview
	if ov == nil {
		return res
	}
	res.Account = &ampAccountJSON{Email: ov.Account.Email, Name: ov.Account.Name()}
	for _, w := range ov.Workspaces {
		res.Workspaces = append(res.Workspaces, ampWorkspaceJSON{ID: w.ID, Name: w.Name})
	}
	if ov.Current != nil {
		res.Workspace = &ampWorkspaceJSON{ID: ov.Current.ID, Name: ov.Current.Name}
	}
	for _, o := range st.Orgs {
		oj := ampOrgJSON{ID: o.ID, Name: o.Name, Type: "Bitbucket"}
		if st.OwnKnown {
			mine := o.OwnAccount
			oj.OwnAccount = &mine
		}
		res.GitOrganizations = append(res.GitOrganizations, oj)
	}
	for _, p := range ov.Projects {
		res.Projects = append(res.Projects, toAmpProjectJSON(p))
	}
	return res
}

func (a *Factory) ampStatusPrint(s *ampSession, res ampStatusResult, st flow.Status, asJSON bool) error {
	if asJSON {
		if err := bbapiWriteJSON(a.env.Stdout, res); err != nil {
			return err
		}
	} else {
		w := a.env.Stdout
		fmt.Fprintf(w, "Amplication server: %s (checkout %s)\n\n", ampName(s.URL), ampName(s.Checkout.Root))
		failed := 0
		checks := 0
		for _, f := range st.Findings {
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
		if st.Overview != nil {
			ampStatusPrintPushes(w, res)
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

// ampStatusPrintPushes prints the git organizations and the projects with their
// repositories.
func ampStatusPrintPushes(w io.Writer, res ampStatusResult) {
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
