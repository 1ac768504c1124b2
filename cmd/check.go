package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// checkFinding is one finding in `check --json`.
type checkFinding struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"` // "check" (passed or failed) or "note" (an instruction or a fact; always ok)
	OK     bool   `json:"ok"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Hint   string `json:"hint"`
}

// checkResult is the --json output of `bbsetup check`.
type checkResult struct {
	OK       bool           `json:"ok"`
	Findings []checkFinding `json:"findings"`
}

// checkOptions are the flags of `bbsetup check`.
type checkOptions struct{ offline, json bool }

func newCmdCheck(a *Factory, runF func(*checkOptions) error) *cobra.Command {
	var o checkOptions
	c := &cobra.Command{
		Use:   "check",
		Short: "Check the Amplication env files and the Bitbucket consumer",
		Long: `check looks at the checkout's env files (present, key and secret set and the same
everywhere, BILLING_ENABLED off, nothing overriding them) and, unless --offline,
checks the key and secret live with Bitbucket. It exits 0 only when every check passes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(&o)
			}
			return a.runCheck(cmd.Context(), o.offline, o.json)
		},
	}
	c.Flags().BoolVar(&o.offline, "offline", false, "check only the files, without contacting Bitbucket")
	c.Flags().BoolVar(&o.json, "json", false, "print the findings as JSON")
	return c
}

func (a *Factory) runCheck(ctx context.Context, offline, asJSON bool) error {
	co, err := a.openCheckout()
	if err != nil {
		return a.checkOpenFailed(err, asJSON) // checkjson.go: --json prints JSON here too
	}
	a.debugf("checkout %s (%s layout), files %s", co.Root, co.Layout(), strings.Join(co.EnvFiles(), ", "))
	if cr, ok := co.Current(); ok {
		a.secret(cr.ClientSecret)
	}
	lookup := a.env.LookupEnv
	if lookup == nil && a.env.Getenv != nil {
		lookup = func(k string) (string, bool) { v := a.env.Getenv(k); return v, v != "" }
	}
	findings := co.CheckOffline(lookup)
	if !offline {
		findings = append(findings, a.checkCredentials(ctx, co))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	res := checkResult{OK: flow.Tally(findings).OK}
	for _, f := range findings {
		a.debugf("finding %s: ok=%v %s", f.ID, f.OK, f.Detail)
		res.Findings = append(res.Findings, checkFinding{ID: f.ID, Kind: f.Kind.String(), OK: f.OK, Title: f.Title, Detail: f.Detail, Hint: checkHint(f)})
	}
	if asJSON {
		if err := bbapiWriteJSON(a.env.Stdout, res); err != nil {
			return err
		}
	} else {
		w := a.env.Stdout
		fmt.Fprintf(w, "Amplication checkout: %s (%s layout)\n\n", safetext.Line(co.Root), co.Layout())
		for _, f := range findings {
			if f.Kind != checkout.KindCheck {
				continue
			}
			mark := "✓"
			if f.Failed() {
				mark = "✗"
			}
			printFinding(w, mark, f)
		}
		notes := false
		for _, f := range findings {
			if f.Kind != checkout.KindNote {
				continue
			}
			if !notes {
				fmt.Fprintln(w, "\nNotes:")
				notes = true
			}
			printFinding(w, "•", f)
		}
		if t := flow.Tally(findings); t.Failed == 0 {
			fmt.Fprintf(w, "\nAll %d checks passed.\n", t.Checks)
		} else {
			fmt.Fprintf(w, "\n%d of %d checks failed.\n", t.Failed, t.Checks)
		}
	}
	if !res.OK {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// printFinding prints one finding: the mark and title, the detail, and the hint of a
// failed check. Text from the files is sanitised before it reaches the terminal.
func printFinding(w io.Writer, mark string, f checkout.Finding) {
	fmt.Fprintf(w, "%s %s\n", mark, safetext.Line(f.Title))
	if f.Detail != "" {
		fmt.Fprintf(w, "    %s\n", safetext.Line(f.Detail))
	}
	if h := checkHint(f); f.Failed() && h != "" {
		fmt.Fprintf(w, "    → %s\n", safetext.Line(h))
	}
}

// checkHint is a finding's hint with, when writing the env files again fixes it, the
// command that does it.
func checkHint(f checkout.Finding) string {
	if f.Rewrite {
		return f.Hint + "; run: bbsetup configure --client-id KEY --client-secret-stdin"
	}
	return f.Hint
}

// checkCredentials is the online finding: the effective key and secret against Bitbucket.
func (a *Factory) checkCredentials(ctx context.Context, co *checkout.Checkout) checkout.Finding {
	cr, ok := co.Current()
	if !ok {
		return flow.CredentialsNotChecked()
	}
	v := a.verifyCredentials(ctx, cr.ClientID, cr.ClientSecret)
	f := flow.CredentialFinding(v, cr.ClientSecret)
	f.Hint = credentialHint(v, co.CallbackURL)
	return f
}

// credentialHint is what the command line says to do about the credential check's verdict.
func credentialHint(v oauth.Verdict, callbackURL string) string {
	switch v.Kind {
	case oauth.VerdictBadCredentials:
		return "copy both again from the consumer's page (Workspace settings → OAuth consumers → the consumer's name) and run bbsetup configure"
	case oauth.VerdictNotPrivate:
		return "edit the consumer in Bitbucket, tick \"This is a private consumer\" and save"
	case oauth.VerdictNoCallback:
		return "edit the consumer in Bitbucket, set its Callback URL to " + callbackURL + " and save"
	case oauth.VerdictMissingScopes:
		return "edit the consumer in Bitbucket (Workspace settings → OAuth consumers), tick these boxes and save"
	case oauth.VerdictNetwork:
		return "check the network (and --bitbucket-url if you set it), or run bbsetup check --offline"
	}
	if v.CheckURL {
		return strings.TrimSuffix(adviceBitbucketURL, ".")
	}
	return ""
}
