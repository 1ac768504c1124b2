package cmd

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/tui"
)

type demoOptions struct {
	wizard  wizardOptions
	repos   int
	latency time.Duration
	keep    bool
	stale   bool // --stale-server

	mistakes consumerMistakes // --public-consumer, --scopes, --no-callback (consumerflags.go)
}

func (a *app) newDemoCmd() *cobra.Command {
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
it for you, and says so).`,
		Example: `  bbsetup demo
  bbsetup demo --latency 100ms --keep
  bbsetup demo --stale-server                    # the Amplication server must be restarted
  bbsetup demo --public-consumer                 # rehearse a consumer left public
  bbsetup demo --scopes account,repository       # ... or lacking permissions
  bbsetup demo --no-callback                     # ... or without a callback URL`,
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

	addConsumerMistakeFlags(c.Flags(), &o.mistakes)
	return c
}

func (a *app) runDemo(ctx context.Context, o demoOptions) error {
	if o.repos < 0 {
		return usageErrorf("--repos must not be negative")
	}
	if !a.env.StdinIsTerminal || !(a.env.StdoutIsTerminal || o.wizard.json && a.env.StderrIsTerminal) {
		fmt.Fprintln(a.env.Stderr, "bbsetup: the demo runs the interactive wizard and needs a terminal (stdin and the screen); for a scripted try, run 'bbsetup emulator' and point the other commands at it.")
		return &ExitError{Code: ExitUsage}
	}
	do := demo.Options{Repos: o.repos, Latency: o.latency,
		PublicConsumer: o.mistakes.public, NoCallback: o.mistakes.noCallback, StaleServer: o.stale}
	if o.mistakes.scopesSet {
		do.Scopes = append([]string{}, o.mistakes.scopes...) // not nil: "only these"
	}
	// The demo's own state directory: the backups of the scratch checkout's files belong to
	// the demo's throwaway world, not among the operator's real ones, and go with it.
	state, err := os.MkdirTemp("", "bbsetup-demo-state-")
	if err != nil {
		return fmt.Errorf("cannot make the demo's state directory: %w", err)
	}
	w, err := demo.Start(do)
	if err != nil {
		os.RemoveAll(state)
		return err
	}
	if a.env.AtForcedExit != nil && !o.keep {
		// A second signal ends bbsetup before the deferred clean-up below runs: the
		// throwaway world goes all the same.
		remove := a.env.AtForcedExit(func() {
			os.RemoveAll(w.CheckoutDir)
			os.RemoveAll(state)
		})
		defer remove()
	}
	defer func() {
		if o.keep {
			w.CloseServers()
			fmt.Fprintf(a.env.Stderr, "The scratch checkout stays at %s (the backups of its files in %s).\n", w.CheckoutDir, state)
			return
		}
		w.Close()
		os.RemoveAll(state)
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
	if o.mistakes.any() {
		fmt.Fprintf(a.env.Stderr, "  consumer mistakes:  %s\n", o.mistakes.describe())
	}
	fmt.Fprintln(a.env.Stderr)
	a.g.Repo = w.CheckoutDir
	a.g.BitbucketURL = w.Server.URL
	a.g.APIURL = w.Server.APIURL

	wo := demoWizardOptions(o.wizard, w)
	wo.scratchRoot, wo.scratchState = w.CheckoutDir, state
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
	wo.visit = visitLikeABrowser
	wo.ampEmail, wo.ampPassword = w.AmplicationEmail, w.AmplicationPassword
	wo.afterWrite = func() { _, _ = w.StartAmplication() } // a failure shows as "does not answer"
	wo.restartAmp = func() error {
		_, err := w.RestartAmplication()
		return err
	}
	return wo
}

// visitLikeABrowser makes the visit a browser would: it opens the authorize URL and follows
// its redirects, ending at the wizard's own callback listener. It runs in the background
// after a short pause, so the URL is on screen first.
func visitLikeABrowser(ctx context.Context, url string) error {
	go func() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(700 * time.Millisecond):
		}
		vctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(vctx, http.MethodGet, url, nil)
		if err != nil {
			return
		}
		c := &http.Client{}
		defer c.CloseIdleConnections()
		resp, err := c.Do(req)
		if err != nil {
			return // the wizard still offers the paste key
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}()
	return nil
}
