package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/internal/termin"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// configureOptions are the flags of `bbsetup configure`.
type configureOptions struct {
	clientID    string
	secretStdin bool
	dryRun      bool
	noVerify    bool
	json        bool
}

// configureFile is one file in `configure --json`.
type configureFile struct {
	Path    string `json:"path"`
	Changed bool   `json:"changed"`
	Backup  string `json:"backup"`
}

// configureResult is the --json output of `bbsetup configure`.
type configureResult struct {
	Repo        string          `json:"repo"`
	Layout      string          `json:"layout"`
	CallbackURL string          `json:"callback_url"`
	Files       []configureFile `json:"files"`
	Verified    bool            `json:"verified"`
	DryRun      bool            `json:"dry_run"`
	Services    []string        `json:"services"`
}

// credentialCheckTimeout bounds the live check of the key and secret.
const credentialCheckTimeout = 30 * time.Second

func newCmdConfigure(a *Factory, runF func(*configureOptions) error) *cobra.Command {
	var o configureOptions
	c := &cobra.Command{
		Use:   "configure --client-id KEY --client-secret-stdin",
		Short: "Write the Bitbucket key and secret into both .env.local files",
		Long: `configure writes the OAuth consumer's key and secret into the server's and the
PR service's .env.local (and BILLING_ENABLED=false into the server's), after checking
them live against Bitbucket unless --no-verify is given.

The secret is never a flag: pipe it on standard input with --client-secret-stdin
(the first line is used), or set BBSETUP_CLIENT_SECRET.

  pass show bitbucket/amplication | bbsetup configure --client-id KEY --client-secret-stdin`,
		// Not cobra.NoArgs: its error repeats the argument, which may be a pasted secret.
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("configure takes no arguments; pass the key with --client-id and pipe the secret on standard input with --client-secret-stdin")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(&o)
			}
			return a.runConfigure(cmd.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.clientID, "client-id", "", "the OAuth consumer's `KEY` (Bitbucket calls it Key)")
	f.BoolVar(&o.secretStdin, "client-secret-stdin", false, "read the consumer's secret from the first line of standard input")
	f.BoolVar(&o.dryRun, "dry-run", false, "show what would change (secrets masked) and write nothing")
	f.BoolVar(&o.noVerify, "no-verify", false, "do not check the key and secret against Bitbucket first")
	f.BoolVar(&o.json, "json", false, "print the result as JSON")
	return c
}

func (a *Factory) runConfigure(ctx context.Context, o configureOptions) error {
	id := strings.TrimSpace(o.clientID)
	if id == "" {
		return usageErrorf("--client-id is required: the consumer's Key (Bitbucket: Workspace settings → OAuth consumers → the consumer's name)")
	}
	secret, err := a.configureSecret(ctx, o)
	if err != nil {
		return err
	}
	a.secret(secret)
	co, err := a.openCheckout()
	if err != nil {
		return err
	}
	a.debugf("checkout %s (%s layout), callback URL %s", co.Root, co.Layout(), co.CallbackURL)
	plan, err := flow.PlanConfigure(co, id, secret) // validates both values and every file; writes nothing
	if err != nil {
		return err
	}
	for _, f := range plan.Files {
		a.debugf("plan: %s (target %s): exists=%v changed=%v", f.Path, f.Target, f.Exists, f.Changed())
	}
	a.configureWarnings(plan, id)
	verified := false
	if !o.noVerify {
		stop := a.progress("Checking the key and secret with Bitbucket…")
		v := a.verifyCredentials(ctx, id, secret)
		stop()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !v.OK() {
			msg := strings.TrimSpace(v.Message)
			if v.CheckURL {
				msg += " " + adviceBitbucketURL
			}
			return fmt.Errorf("%s Nothing was written", msg)
		}
		verified = true
	}
	res := configureResult{
		Repo: co.Root, Layout: co.Layout(), CallbackURL: co.CallbackURL,
		Verified: verified, DryRun: o.dryRun, Services: co.Services(),
	}
	if !o.json {
		// Before anything is written: which checkout (it may have been found by walking
		// up from the working directory).
		fmt.Fprintf(a.env.Stdout, "Amplication checkout: %s\n", safetext.Line(co.Root))
	}
	if o.dryRun {
		for _, f := range plan.Files {
			res.Files = append(res.Files, configureFile{Path: f.Path, Changed: f.Changed()})
		}
		if o.json {
			return bbapiWriteJSON(a.env.Stdout, res)
		}
		a.configurePrintDryRun(plan)
	} else {
		results, err := plan.Apply()
		if err != nil {
			return err
		}
		for _, r := range results {
			res.Files = append(res.Files, configureFile{Path: r.Path, Changed: r.Changed, Backup: r.Backup})
		}
		if o.json {
			return bbapiWriteJSON(a.env.Stdout, res)
		}
		a.configurePrintResults(plan, results)
	}
	a.configurePrintNext(co, verified)
	return nil
}

func (a *Factory) configurePrintDryRun(plan *flow.ConfigurePlan) {
	w := a.env.Stdout
	fmt.Fprintln(w, "Dry run: nothing was written.")
	for _, f := range plan.Files {
		if !f.Changed() {
			fmt.Fprintf(w, "\n%s: unchanged\n", safetext.Line(flow.ShownPath(f)))
			continue
		}
		verb := "would be updated"
		if !f.Exists {
			verb = "would be created"
		}
		if n := flow.FileNotes(f); len(n) > 0 {
			verb += " (" + strings.ReplaceAll(joinNotes(n), "it is now", "it would be") + ")"
		}
		fmt.Fprintf(w, "\n%s: %s\n%s", safetext.Line(flow.ShownPath(f)), verb, safetext.Block(f.Diff()))
	}
}

func (a *Factory) configurePrintResults(plan *flow.ConfigurePlan, results []envfile.Result) {
	w := a.env.Stdout
	backups := false
	defer func() {
		if backups {
			fmt.Fprintln(w, "The backups hold the previous values, secrets included; they are outside the checkout (readable only by you), where git cannot see them: delete them once the new values work.")
		}
	}()
	for i, r := range results {
		backups = backups || r.Backup != ""
		for _, t := range r.RemovedTemps {
			fmt.Fprintf(w, "Removed %s, a temporary file an interrupted write had left (it may have held a secret).\n", safetext.Line(t))
		}
		name := safetext.Line(flow.ShownPath(plan.Files[i]))
		switch {
		case !r.Changed:
			fmt.Fprintf(w, "%s: unchanged\n", name)
		case !plan.Files[i].Exists:
			fmt.Fprintf(w, "%s: created\n", name)
		default:
			fmt.Fprintf(w, "%s: updated (previous content in %s)\n", name, safetext.Line(r.Backup))
		}
		if r.Changed {
			for _, n := range flow.FileNotes(plan.Files[i]) {
				fmt.Fprintf(w, "  note: %s\n", n)
			}
		}
	}
}

// configureSecret reads the client secret from stdin (--client-secret-stdin) or from
// BBSETUP_CLIENT_SECRET. It is never a flag, so it never shows in the process list.
func (a *Factory) configureSecret(ctx context.Context, o configureOptions) (string, error) {
	if o.secretStdin {
		var s string
		var err error
		if f, ok := a.env.Stdin.(interface{ Fd() uintptr }); ok && a.env.StdinIsTerminal {
			// Typed or pasted at a terminal: read it without echo, so it is not on screen
			// or in the scrollback. Echo goes off before the prompt appears.
			s, err = termin.ReadHidden(ctx, f.Fd(), a.env.Stderr, "Paste the consumer's secret and press Enter (it is not shown): ")
			s = strings.TrimSpace(s)
			fmt.Fprintln(a.env.Stderr)
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
		} else {
			s, err = termin.UntilDone(ctx, func() (string, error) { return readFirstLine(a.env.Stdin) }) // a signal ends the wait
		}
		if err != nil {
			return "", fmt.Errorf("cannot read the secret from standard input: %v", err)
		}
		if s == "" {
			return "", usageErrorf("--client-secret-stdin: standard input is empty; pipe the consumer's secret into bbsetup (for example: pass show bitbucket | bbsetup configure --client-id KEY --client-secret-stdin)")
		}
		return s, nil
	}
	if s := strings.TrimRight(a.env.Getenv("BBSETUP_CLIENT_SECRET"), "\r\n \t"); s != "" {
		return s, nil
	}
	return "", usageErrorf("no client secret: pipe it on standard input with --client-secret-stdin, or set BBSETUP_CLIENT_SECRET (it is never accepted as a flag)")
}

// readFirstLine returns the first line of r without its line ending and trailing blanks.
func readFirstLine(r io.Reader) (string, error) {
	if r == nil {
		return "", nil
	}
	br := bufio.NewReader(io.LimitReader(r, 64<<10))
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n \t"), nil
}

// verifyCredentials checks the key and secret live against Bitbucket's token endpoint,
// with the --debug log (requests and verdict).
func (a *Factory) verifyCredentials(ctx context.Context, id, secret string) oauth.Verdict {
	a.secret(secret)
	hc := a.httpClient(credentialCheckTimeout)
	defer hc.CloseIdleConnections()
	v := oauth.CheckCredentials(ctx, oauth.EndpointsFor(a.g.BitbucketURL), id, secret, hc)
	a.debugf("credential check: %s (granted scopes: %s)", v.Kind, strings.Join(v.Granted, " "))
	return v
}

// configureWarnings says, before anything is checked or written, what looks wrong in the
// values: a key shaped like a secret (then masked like one), or text Nx might expand.
func (a *Factory) configureWarnings(plan *flow.ConfigurePlan, id string) {
	if plan.KeyLooksLikeSecret {
		// Bitbucket's keys are 18 characters, its secrets 32: the two were probably
		// swapped. The "key" is a secret here: masked in the diff and the debug log.
		a.secret(id)
		fmt.Fprintln(a.env.Stderr, "bbsetup: warning: the key given with --client-id looks like a secret (32 letters and digits; Bitbucket's keys are shorter), so it is not shown. Check that the key and the secret are not swapped: the Key is the shorter value on the consumer's page.")
	}
	if plan.ExpansionRisk {
		which := "the checkout's Nx version was not found"
		if plan.Nx.Version != "" {
			which = "this checkout's Nx " + plan.Nx.Version + " is unverified"
		}
		fmt.Fprintln(a.env.Stderr, "bbsetup: note: the key or secret contains $NAME, ${...} or \\$; Nx 16.9.1 passes such values to the services unchanged, but "+which+" (a newer Nx may expand them). Check that you copied the right values.")
	}
}

// configurePrintNext says whether the values were checked and what to do next.
func (a *Factory) configurePrintNext(co *checkout.Checkout, verified bool) {
	w := a.env.Stdout
	if verified {
		fmt.Fprintln(w, "\nThe key and secret were checked with Bitbucket: they work.")
	} else {
		fmt.Fprintln(w, "\nThe key and secret were not checked with Bitbucket (--no-verify); run bbsetup check to do it.")
	}
	fmt.Fprintf(w, "\nThe consumer's callback URL must be:\n%s\n", safetext.Line(co.CallbackURL))
	fmt.Fprintln(w, "\nThen start (or restart) these, each in its own terminal, from the checkout:")
	for _, s := range co.Services() {
		fmt.Fprintf(w, "  %s\n", s)
	}
}
