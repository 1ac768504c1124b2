package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/tui"
)

type demoOptions struct {
	wizard  wizardOptions
	repos   int
	latency time.Duration
	keep    bool
	stale   bool // --stale-server

	// Issue 20/21 rehearsals (setup/emulator/demo.Options).
	prStale         bool   // --pr-service-stale
	prDown          bool   // --pr-service-down
	generatorDown   bool   // --generator-down
	emptyMainbranch bool   // --empty-mainbranch
	consumerAccount string // --consumer-account NAME
	colleague       bool   // --colleague

	mistakes consumerMistakes // --public-consumer, --scopes, --no-callback (consumerflags.go)
}

func (a *Factory) newDemoCmd() *cobra.Command {
	o := demoOptions{repos: 2000}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Try the wizard against the built-in emulator and a scratch checkout",
		Long: `Try the whole wizard with no Bitbucket account and no Amplication checkout.

The demo starts the built-in Bitbucket Cloud emulator on 127.0.0.1 with a demo consumer
and about 2,000 repositories in three workspaces, makes a scratch Amplication checkout in
a temporary directory, and runs the wizard against both. The key and secret inputs come
filled in with the demo consumer's; its authorization page approves at once, and where no
browser can open, the demo makes the browser's visit itself after showing the URL.

It also runs an emulated Amplication server for the scratch checkout, with a demo user
(its email and password come filled in) and two projects, Shop (services orders and
payments, which inherit the project's repository, and catalog, already connected
elsewhere) and Internal. The server "starts" once the env files are written, as you would
start npx nx serve amplication-server; with --stale-server it runs from the start with the
committed placeholder key, to show the restart the wizard then asks for (the demo restarts
it for you, and says so).

Beside the server the demo emulates the services a build needs (the build manager, the code
generator and the PR service, git-sync-manager), all running unless a flag stops one; a
commit in Amplication then ends in a pull request in the emulated Bitbucket. The Amplication
workspace also has a colleague's Bitbucket git organization (casey), connected earlier: the
wizard lists it with its account but starts on authorizing again, so the connect goes
through your own (--colleague=false leaves it out).`,
		Example: `  bbsetup demo
  bbsetup demo --latency 100ms --keep
  bbsetup demo --stale-server                    # the Amplication server must be restarted
  bbsetup demo --public-consumer                 # rehearse a consumer left public
  bbsetup demo --scopes account,repository       # ... or lacking permissions
  bbsetup demo --no-callback                     # ... or without a callback URL
  bbsetup demo --pr-service-stale                # the PR service holds the placeholder keys
  bbsetup demo --pr-service-down                 # ... or is not running (start it from the Build screen)
  bbsetup demo --generator-down                  # the build manager and code generator are not running
  bbsetup demo --empty-mainbranch                # a new repository reports no main branch
  bbsetup demo --consumer-account acme-bot       # the consumer lives in another Bitbucket account`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.mistakes.resolve(cmd.Flags()); err != nil {
				return err
			}
			return a.runDemo(cmd.Context(), o)
		},
	}
	addWizardFlags(c, &o.wizard)
	c.Flags().IntVar(&o.repos, "repos", o.repos, "how many repositories the demo workspaces hold")
	c.Flags().DurationVar(&o.latency, "latency", 0, "latency the emulator adds to every request, e.g. 100ms")
	c.Flags().BoolVar(&o.keep, "keep", false, "keep the scratch checkout and the backups of its files after the demo (their paths are printed)")
	c.Flags().BoolVar(&o.stale, "stale-server", false, "start the emulated Amplication server before the keys are written, to show the restart path")

	c.Flags().BoolVar(&o.prStale, "pr-service-stale", false, "run the emulated PR service (git-sync-manager) with the placeholder keys and due tokens: every push fails at the token refresh")
	c.Flags().BoolVar(&o.prDown, "pr-service-down", false, "leave the emulated PR service (git-sync-manager) stopped: pushes wait for a worker")
	c.Flags().BoolVar(&o.generatorDown, "generator-down", false, "leave the emulated build manager and code generator stopped: code generation waits")
	c.Flags().BoolVar(&o.emptyMainbranch, "empty-mainbranch", false, "make a repository created in the demo report no main branch (mainbranch null) until its first commit")
	c.Flags().StringVar(&o.consumerAccount, "consumer-account", "", "host the demo consumer in a separate Bitbucket account of this `name` (it administers the workspaces; you, who authorize Amplication, keep only acme)")
	c.Flags().BoolVar(&o.colleague, "colleague", true, "give the Amplication workspace a colleague's Bitbucket git organization (casey), connected earlier (--colleague=false: none)")

	addConsumerMistakeFlags(c.Flags(), &o.mistakes)
	return c
}

func (a *Factory) runDemo(ctx context.Context, o demoOptions) error {
	if o.repos < 0 {
		return usageErrorf("--repos must not be negative")
	}
	if o.consumerAccount == "demo" {
		return usageErrorf("--consumer-account must name an account other than the demo operator's (demo)")
	}
	if !a.env.StdinIsTerminal || !(a.env.StdoutIsTerminal || o.wizard.json && a.env.StderrIsTerminal) {
		fmt.Fprintln(a.env.Stderr, "bbsetup: the demo runs the interactive wizard and needs a terminal (stdin and the screen); for a scripted try, run 'bbsetup emulator' and point the other commands at it.")
		return &ExitError{Code: ExitUsage}
	}
	do := demo.Options{Repos: o.repos, Latency: o.latency,
		PublicConsumer: o.mistakes.Public, Scopes: o.mistakes.Scopes, NoCallback: o.mistakes.NoCallback, StaleServer: o.stale,
		PRServiceStale: o.prStale, PRServiceDown: o.prDown, GeneratorDown: o.generatorDown,
		EmptyMainbranch: o.emptyMainbranch, ConsumerAccount: o.consumerAccount, Colleague: o.colleague,
		StepDelay: 250 * time.Millisecond}
	// The demo's own state directory (StateDir): the backups of the scratch checkout's
	// files belong to the demo's throwaway world, not among the operator's real ones.
	do.StateDir = true
	w, err := demo.Start(do)
	if err != nil {
		return err
	}
	if a.env.AtForcedExit != nil && !o.keep {
		// A second signal ends bbsetup before the deferred clean-up below runs: the
		// throwaway world goes all the same.
		remove := a.env.AtForcedExit(func() { _ = w.RemoveFiles() })
		defer remove()
	}
	defer func() {
		if o.keep {
			w.CloseServers()
			fmt.Fprintf(a.env.Stderr, "The scratch checkout stays at %s (the backups of its files in %s).\n", w.CheckoutDir, w.StateDir)
			return
		}
		w.Close()
		// The summary pointed at the scratch checkout: say that it is gone now.
		fmt.Fprintf(a.env.Stderr, "The scratch checkout %s and its backups were removed (run with --keep to keep them).\n", w.CheckoutDir)
	}()

	fmt.Fprintf(a.env.Stderr, "bbsetup demo\n  Bitbucket emulator: %s (API %s)\n  scratch checkout:   %s\n",
		w.Server.URL, w.Server.APIURL, w.CheckoutDir)
	when := "starts once the env files are written"
	if o.stale {
		when = "running already, with the placeholder key (--stale-server)"
	}
	fmt.Fprintf(a.env.Stderr, "  Amplication:        %s (%s); user %s, password filled in\n", w.AmplicationURL, when, w.AmplicationEmail)
	if o.mistakes.Any() {
		fmt.Fprintf(a.env.Stderr, "  consumer mistakes:  %s\n", o.mistakes.describe())
	}
	if r := o.rehearsals(); r != "" {
		fmt.Fprintf(a.env.Stderr, "  rehearsing:         %s\n", r)
	}
	fmt.Fprintln(a.env.Stderr)
	a.g.Repo = w.CheckoutDir
	a.g.BitbucketURL = w.Server.URL
	a.g.APIURL = w.Server.APIURL

	wo := demoWizardOptions(o.wizard, w)
	wo.scratchRoot, wo.scratchState = w.CheckoutDir, w.StateDir
	return a.runWizard(ctx, wo)
}

// demoWizardOptions are the wizard's options in the demo world w: the consumer and the
// Amplication user filled in, the Amplication server started after the env files are
// written (and restarted when the wizard asks, --stale-server), the browser's visit made
// by the demo when no browser can open.
func demoWizardOptions(wo wizardOptions, w *demo.World) wizardOptions {
	wo.demo = true
	wo.workspace = "acme" // the demo world's admin workspace, pre-filled
	wo.prefill = tui.Credentials{ID: w.Consumer.Key, Secret: w.Consumer.Secret}
	wo.visit = demo.VisitLikeABrowser
	wo.ampEmail, wo.ampPassword = w.AmplicationEmail, w.AmplicationPassword
	wo.afterWrite = func() { _, _ = w.StartAmplication() } // a failure shows as "does not answer"
	wo.restartAmp = func() error {
		_, err := w.RestartAmplication()
		return err
	}
	wo.startService = func(name string) error { return w.StartService(ampemu.Service(name)) } // the Build screen's s
	wo.prService = w.PRServiceLines
	return wo
}

// rehearsals names the issue 20/21 cases the flags set up, "" when none.
func (o demoOptions) rehearsals() string {
	var parts []string
	if o.prStale {
		parts = append(parts, "a stale PR service (placeholder keys, tokens due)")
	}
	if o.prDown {
		parts = append(parts, "the PR service stopped")
	}
	if o.generatorDown {
		parts = append(parts, "the build manager and code generator stopped")
	}
	if o.emptyMainbranch {
		parts = append(parts, "new repositories without a main branch")
	}
	if o.consumerAccount != "" {
		parts = append(parts, "the consumer in the account "+o.consumerAccount)
	}
	return strings.Join(parts, "; ")
}
