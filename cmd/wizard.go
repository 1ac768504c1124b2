package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/tui"
)

type wizardOptions struct {
	noBrowser bool
	json      bool
	demo      bool
	// accessibleFlag is --accessible: the line mode (see accessible.go).
	accessibleFlag bool
	// prefill is handed to the key and secret inputs (the demo's consumer).
	prefill tui.Credentials
	// workspace pre-fills the workspace slug input (the demo's "acme").
	workspace string
	// visit makes the browser's visit itself instead of opening a browser (the demo on a
	// machine with no browser).
	visit func(ctx context.Context, url string) error
	// afterWrite runs after the env files are written (the demo starts its Amplication
	// server then, as the operator would start npx nx serve amplication-server).
	afterWrite func()
	// restartAmp restarts the demo's Amplication server (the --stale-server path).
	restartAmp func() error
	// startService starts one of the demo's emulated services (the Build screen's s).
	startService func(name string) error
	// prService says how the demo's emulated PR service stands (the env and server screens).
	prService func() []string
	// ampEmail and ampPassword pre-fill the Amplication sign-in (the demo's user).
	ampEmail, ampPassword string
	// scratchRoot is the demo's scratch checkout; the backups of its files go under
	// scratchState (the demo's own state directory, removed with it), not among the
	// operator's. Any other checkout keeps the operator's state directory.
	scratchRoot, scratchState string
}

func newCmdWizard(a *Factory, runF func(*wizardOptions) error) *cobra.Command {
	var o wizardOptions
	c := &cobra.Command{
		Use:   "wizard",
		Short: "Run the guided setup wizard (the default command)",
		Long: `Run the guided setup wizard (the default when bbsetup is run with no command).

It walks through creating the Bitbucket OAuth consumer, checks the key and secret live,
writes both .env.local files (after showing the diff and asking), authorizes in the
browser, and lets you pick a workspace and create or connect a repository.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(&o)
			}
			return a.runWizard(cmd.Context(), o)
		},
	}
	addWizardFlags(c, &o)
	return c
}

func addWizardFlags(c *cobra.Command, o *wizardOptions) {
	c.Flags().BoolVar(&o.noBrowser, "no-browser", false, "show URLs instead of opening a browser")
	c.Flags().BoolVar(&o.json, "json", false, "print the summary as JSON on stdout after the wizard exits (the wizard draws on stderr)")
	addAccessibleFlag(c, o) // accessible.go
}

// runWizard runs the Bubble Tea wizard on the terminal with the real setup/ packages.
func (a *Factory) runWizard(ctx context.Context, o wizardOptions) error {
	// Stdin and the screen must be a terminal: piped, redirected from /dev/null or to a
	// file, the program could not read keys or draw (and would leave the cursor hidden).
	screenIsTerminal := a.env.StdoutIsTerminal
	if o.json {
		screenIsTerminal = a.env.StderrIsTerminal // stdout carries the JSON
	}
	if !a.env.StdinIsTerminal || !screenIsTerminal {
		fmt.Fprintln(a.env.Stderr, "bbsetup: "+errNotATerminal)
		return &ExitError{Code: ExitUsage}
	}
	b := a.newWizardBackend(ctx, o)
	defer b.Close()

	screen := a.env.Stdout
	if o.json {
		screen = a.env.Stderr // stdout carries the JSON summary
	}
	sum, err := a.wizardSurface(o)(ctx, b, tui.Options{
		NoBrowser:    o.noBrowser,
		Remote:       a.env.Getenv("SSH_CONNECTION") != "",
		RepoDir:      a.g.Repo,
		Demo:         o.demo,
		DemoVisits:   o.visit != nil && a.env.Getenv("BROWSER") == "", // as OpenBrowser decides
		NoColor:      a.env.Getenv("NO_COLOR") != "",
		BitbucketURL: a.g.BitbucketURL,
		Prefill:      o.prefill,
		Workspace:    o.workspace,
		AmpEmail:     o.ampEmail,
		AmpPassword:  o.ampPassword,
	}, a.env.Stdin, screen)
	if o.json {
		if jerr := writeJSON(a.env.Stdout, sum); jerr != nil && err == nil { // jsonout.go: controls escaped
			err = jerr
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tui.ErrQuit):
		// The wizard's last frame already says what was (or was not) written; the line
		// mode's last line is a prompt.
		if a.accessible(o) {
			fmt.Fprintln(a.env.Stderr, "\n"+quitMessage(sum))
		}
		return &ExitError{Code: ExitInterrupted}
	case errors.Is(err, context.Canceled):
		// Stopped from outside (a signal): the wizard had no chance to say it.
		fmt.Fprintln(a.env.Stderr, quitMessage(sum))
		return &ExitError{Code: ExitInterrupted}
	default:
		return err
	}
}

// errNotATerminal is what the wizard (and the demo) say when stdin or the screen is not a
// terminal, whatever it is instead (a pipe, /dev/null, a file).
const errNotATerminal = "the wizard needs an interactive terminal (stdin and the screen); in scripts use 'bbsetup configure', 'bbsetup check' and 'bbsetup authorize' instead."

// quitMessage says what a wizard that was left early has changed on disk and outside this
// machine (a repository created, or a create under way and how to check it).
func quitMessage(s tui.Summary) string {
	var written []string
	for _, f := range s.Files {
		if f.Changed {
			written = append(written, f.Path)
		}
	}
	msg := "bbsetup: setup stopped; nothing was written."
	if len(written) > 0 {
		msg = "bbsetup: setup stopped; these files were written: " + strings.Join(written, ", ") +
			". Run 'bbsetup check' to see where things stand."
	}
	for _, o := range s.DoneOutside {
		msg += "\n" + o
	}
	if s.NothingStoredInAmplication() { // as the wizard's quit frame says
		msg += "\nNothing was stored in Amplication."
	}
	return msg
}

// The wizard's Backend has every role, the optional ones too (the screens find those by a
// type assertion, so only this says when one is lost).
var (
	_ tui.Backend          = (*flow.Backend)(nil)
	_ tui.OutsideAllower   = (*flow.Backend)(nil)
	_ tui.AmpDemoRestarter = (*flow.Backend)(nil)
)

// newWizardBackend is the wizard's Backend (setup/flow) with this invocation's flags,
// environment and HTTP client; the caller closes it.
func (a *Factory) newWizardBackend(ctx context.Context, o wizardOptions) *flow.Backend {
	tr := pagedTransport()
	return flow.NewBackend(ctx, flow.Config{
		BitbucketURL:   a.g.BitbucketURL,
		APIURL:         a.g.APIURL,
		AmplicationURL: a.g.AmplicationURL,
		HTTP:           &http.Client{Transport: a.debugTransport(tr), Timeout: 2 * time.Minute},
		Open: func(dir string) (*checkout.Checkout, error) {
			co, err := a.wizardCheckout(dir)
			if err == nil && o.scratchRoot != "" && o.scratchState != "" {
				// The demo's scratch checkout keeps its backups in the demo's own state
				// directory, removed with it, not among the operator's.
				if root, err := filepath.Abs(o.scratchRoot); err == nil && root == co.Root {
					co.BackupDir = checkout.BackupDirFor(o.scratchState, co.Root)
				}
			}
			return co, err
		},
		LookupEnv: a.env.LookupEnv,
		Secret:    a.secret,
		OpenBrowser: func(ctx context.Context, url string) error {
			// In the demo on a machine with no browser, the visit is made here.
			if o.visit != nil && a.env.Getenv("BROWSER") == "" {
				return o.visit(ctx, url)
			}
			return a.authorizeOpenBrowser(url)
		},
		AfterWrite:      o.afterWrite,
		RestartAmp:      o.restartAmp,
		StartService:    o.startService,
		PRService:       o.prService,
		BuildStallAfter: a.buildStallAfter(),
		Bitbucket:       a.testBackoff(bitbucket.Options{}),
	})
}

// buildStallAfter is BBSETUP_BUILD_STALL_AFTER, the Build screen's --stall-after (tests
// and slow machines; docs/build.md); 0 when unset or not a positive duration.
func (a *Factory) buildStallAfter() time.Duration {
	d, err := time.ParseDuration(a.env.Getenv("BBSETUP_BUILD_STALL_AFTER"))
	if err != nil || d <= 0 {
		return 0
	}
	return d
}

// wizardCheckout opens the checkout at or above dir for the wizard; "" is the command
// line's (--repo, or the working directory).
func (a *Factory) wizardCheckout(dir string) (*checkout.Checkout, error) {
	if dir == "" {
		return a.openCheckout()
	}
	root, err := checkout.Find(dir)
	if err != nil {
		return nil, err
	}
	co, err := checkout.Open(root)
	if err != nil {
		return nil, err
	}
	a.trustCheckout(co)
	return co, nil
}
