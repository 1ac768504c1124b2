// Package cmd is bbsetup's command line: one file per command, wired here.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bbsetup/bbsetup/internal/buildinfo"
	"github.com/bbsetup/bbsetup/internal/stopsignal"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/setup/redact"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Exit codes, as documented in the README.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

// version is set at build time with -ldflags "-X github.com/bbsetup/bbsetup/cmd.version=...".
var version = buildinfo.DefaultVersion

// Env is everything a command takes from its process: streams, environment and working
// directory. Tests build one by hand; Main builds it from the real process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv looks up an environment variable ("" when unset).
	Getenv func(string) string
	// LookupEnv reports whether an environment variable is set at all.
	LookupEnv func(string) (string, bool)
	// Getwd is the working directory, the start of the checkout search.
	Getwd func() (string, error)
	// StdinIsTerminal reports whether stdin is an interactive terminal.
	StdinIsTerminal bool
	// StdoutIsTerminal and StderrIsTerminal report the same of stdout and stderr (the
	// wizard draws on one of them).
	StdoutIsTerminal, StderrIsTerminal bool
	// AtForcedExit registers cleanup to run if a second signal ends the process at once
	// (before the command's own deferred clean-up could run); the returned func removes it
	// again. nil (tests that run commands in-process): nothing is registered.
	AtForcedExit func(cleanup func()) (remove func())
}

// ProcessEnv returns the Env of the running process.
func ProcessEnv() Env {
	return Env{
		Stdin:           os.Stdin,
		Stdout:          os.Stdout,
		Stderr:          os.Stderr,
		Getenv:          os.Getenv,
		LookupEnv:       os.LookupEnv,
		Getwd:           os.Getwd,
		StdinIsTerminal: isTerminal(os.Stdin),
		// The wizard's check (see runWizard).
		StdoutIsTerminal: isTerminal(os.Stdout),
		StderrIsTerminal: isTerminal(os.Stderr),
	}
}

// isTerminal asks the terminal driver, not the file mode: /dev/null is a character device
// too, but no terminal.
func isTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }

// Globals are the flags every command shares; each has an environment variable.
type Globals struct {
	Repo         string // --repo / BBSETUP_REPO
	BitbucketURL string // --bitbucket-url / BBSETUP_BITBUCKET_URL
	APIURL       string // --api-url / BBSETUP_API_URL
	Debug        bool   // --debug / BBSETUP_DEBUG: a redacted debug log on stderr
	// AmplicationURL is --amplication-url / BBSETUP_AMPLICATION_URL; "" means the HOST in
	// the server's env files, then DefaultAmplicationURL (resolved by the amplication commands).
	AmplicationURL string
	// AmplicationWorkspace is --amplication-workspace / BBSETUP_AMPLICATION_WORKSPACE: the
	// Amplication workspace (name or id) the amplication commands act on; "" is the current one.
	AmplicationWorkspace string
	// AllowOutside lets bbsetup write an env file that links outside the checkout
	// (--allow-outside-checkout / BBSETUP_ALLOW_OUTSIDE_CHECKOUT=1).
	AllowOutside bool
}

// Default service addresses.
const (
	DefaultBitbucketURL = "https://bitbucket.org"
	DefaultAPIURL       = "https://api.bitbucket.org/2.0"
	// DefaultAmplicationURL is the Amplication server when neither a flag nor HOST says.
	DefaultAmplicationURL = flow.DefaultAmplicationURL
)

// Factory is what every command takes from one invocation of bbsetup (gh's
// cmdutil.Factory): the process's streams and environment, the global flags, and the
// shared services made from them (the checkout, HTTP clients with the --debug log, the
// secrets that log hides). A command is NewCmdX(f, runF) with an Options struct: runF,
// when not nil, receives the parsed options instead of running (flag tests).
type Factory struct {
	env Env
	g   Globals

	dbgMu  sync.Mutex       // guards red and debugW: the wizard logs from several goroutines
	red    *redact.Redactor // the secrets the --debug log hides (see debug.go)
	debugW io.Writer        // the redacting --debug log, once made
}

// UsageError marks a mistake in how the command was called (exit code 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// ExitError carries an exit code without printing anything more (the command has
// already said what happened), e.g. `check` with a failing finding.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// EarlySignals is a subscription to the stop signals made before Main runs (package
// main's internal/earlysignal, during initialisation): Main takes the signals from it
// instead of subscribing itself, so a signal that arrives while bbsetup starts is not lost.
type EarlySignals = stopsignal.Subscription

// Main runs bbsetup with the real process environment and returns the exit code.
// early is the subscription package main made while bbsetup started. The first stop
// signal (internal/stopsignal) cancels the command's context (an orderly stop: nothing
// more is written, the demo removes its scratch checkout); a second ends the process at
// once with ExitInterrupted.
func Main(args []string, early ...EarlySignals) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The terminal as it was, to put back if a second signal ends bbsetup mid-wizard
	// (raw mode) or mid-prompt (echo off).
	var restore func()
	if fd := os.Stdin.Fd(); term.IsTerminal(fd) {
		if st, err := term.GetState(fd); err == nil {
			restore = func() { _ = term.Restore(fd, st) }
		}
	}
	// What a forced exit still cleans up (the demo's scratch checkout), by registration.
	var cleanups stopsignal.Cleanups
	env := ProcessEnv()
	env.AtForcedExit = cleanups.Add
	var sub EarlySignals
	if len(early) > 0 {
		sub = early[0]
	}
	stop := stopsignal.Watch(sub, cancel, func() {
		if restore != nil {
			restore()
		}
		cleanups.Run()
		fmt.Fprintln(os.Stderr, "\nbbsetup: stopped at once (second signal); a file being written is either old or new, never half-written.")
		os.Exit(ExitInterrupted)
	})
	defer stop()
	return Run(ctx, args, env)
}

// Run runs bbsetup with args and env, and returns the exit code. It is what tests call.
func Run(ctx context.Context, args []string, env Env) int {
	a := &Factory{env: env}
	root := a.newRootCmd()
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	c, err := root.ExecuteContextC(ctx)
	return a.report(ctx, err, c)
}

// report prints err (see errorText) and returns the exit code; c is the command that ran.
func (a *Factory) report(ctx context.Context, err error, c *cobra.Command) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		fmt.Fprintln(a.env.Stderr, "bbsetup: interrupted; nothing more was changed.")
		return ExitInterrupted
	}
	msg := a.errorText(err) // sanitised: error text may carry a server's or a file's words
	// The exit code comes from the error's type, set where it arose (flag parsing, an
	// argument check, a command's own validation), never from its wording.
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(a.env.Stderr, "bbsetup: %s\n%s\n", msg, usageHint(c))
		return ExitUsage
	}
	fmt.Fprintf(a.env.Stderr, "bbsetup: %s\n", msg)
	return ExitFailure
}

// flagError turns a flag-parsing error into a *UsageError. A value given to a secret
// flag (--client-secret-stdin=VALUE) is never repeated: it may be the pasted secret.
func flagError(c *cobra.Command, err error) error {
	if e := misplacedCommandError(c); e != nil { // suggest.go: `repos lst -w x` names "lst"
		return e
	}
	var ive *pflag.InvalidValueError
	if errors.As(err, &ive) && ive.GetFlag() != nil && isSecretFlag(ive.GetFlag().Name) {
		return secretFlagValueError(c, ive.GetFlag().Name) // usagewords.go: the hint names the command called
	}
	return &UsageError{Err: err}
}

func isSecretFlag(name string) bool {
	return strings.Contains(name, "secret") || strings.Contains(name, "token") || strings.Contains(name, "password")
}

// typedArgErrors makes every argument check of c and its subcommands return a
// *UsageError (cobra's own are plain errors), so the exit code comes from the check.
func typedArgErrors(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				if e := argsError(cmd, args); e != nil { // suggest.go: unknown command, "did you mean"
					return e
				}
				var ue *UsageError
				if errors.As(err, &ue) {
					return err
				}
				return &UsageError{Err: err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		typedArgErrors(sub)
	}
}

func (a *Factory) newRootCmd() *cobra.Command {
	var rootWizard wizardOptions
	root := &cobra.Command{
		Use:   "bbsetup",
		Short: "Connect a local Amplication platform to Bitbucket Cloud",
		Long: `bbsetup connects a local Amplication platform to Bitbucket Cloud.

Run it with no command for the guided wizard: it walks you through creating the
Bitbucket OAuth consumer, checks the key and secret live, writes both .env.local
files, authorizes in the browser and connects a repository.

Try it with no Bitbucket account at all: bbsetup demo`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			// cobra checks required flags and flag groups after this hook, with plain
			// errors: check them here first, so that their exit code comes from the check.
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return requiredFlagsError(cmd, err) // usagewords.go: one wording for a missing flag
			}
			if err := cmd.ValidateFlagGroups(); err != nil {
				return &UsageError{Err: err}
			}
			return a.resolveGlobals(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runWizard(cmd.Context(), rootWizard)
		},
	}
	addWizardFlags(root, &rootWizard) // bbsetup is bbsetup wizard, flags included
	root.SetVersionTemplate(versionTemplate())
	root.SetFlagErrorFunc(flagError)

	pf := root.PersistentFlags()
	pf.StringVar(&a.g.Repo, "repo", "", "Amplication checkout `DIR` (env BBSETUP_REPO; default: nearest directory at or above the working directory with packages/amplication-server)")
	pf.StringVar(&a.g.BitbucketURL, "bitbucket-url", "", "Bitbucket `URL` for OAuth (env BBSETUP_BITBUCKET_URL; default "+DefaultBitbucketURL+")")
	pf.StringVar(&a.g.APIURL, "api-url", "", "Bitbucket REST API `URL` (env BBSETUP_API_URL; default "+DefaultAPIURL+")")
	pf.StringVar(&a.g.AmplicationURL, "amplication-url", "", "Amplication server `URL` (env BBSETUP_AMPLICATION_URL; default: HOST in the server's env files, then "+DefaultAmplicationURL+")")
	pf.StringVar(&a.g.AmplicationWorkspace, "amplication-workspace", "", "Amplication workspace `NAME|ID` for the amplication commands (env BBSETUP_AMPLICATION_WORKSPACE; default: the current one)")
	pf.BoolVar(&a.g.Debug, "debug", false, "write a debug log with secrets redacted to stderr (env BBSETUP_DEBUG=1)")
	pf.BoolVar(&a.g.AllowOutside, "allow-outside-checkout", false, "write a .env.local that is a symlink to a file outside the checkout (env BBSETUP_ALLOW_OUTSIDE_CHECKOUT=1); bbsetup refuses by default")

	root.AddCommand(
		newCmdWizard(a, nil),
		a.newDemoCmd(),
		newCmdConfigure(a, nil),
		newCmdCheck(a, nil),
		newCmdAuthorize(a, nil),
		newCmdWorkspaces(a, nil),
		newCmdProjects(a, nil),
		newCmdRepos(a, nil, nil),
		newCmdAmplication(a, ampRunners{}),
		a.newEmulatorCmd(),
		a.newVersionCmd(),
	)
	a.addCompletion(root)            // completion.go
	runnableGroups(root)             // suggest.go: a mistyped subcommand of a group is a usage error
	helpShowsApplicableGlobals(root) // globalflags.go: --help lists only the globals a command uses
	typedArgErrors(root)
	return root
}

// resolveGlobals fills unset global flags from their environment variables and defaults.
func (a *Factory) resolveGlobals(cmd *cobra.Command) error {
	fromEnv := func(flag string, dst *string, envName, def string) {
		if cmd.Flags().Changed(flag) {
			return
		}
		if v := a.env.Getenv(envName); v != "" {
			*dst = v
			return
		}
		if *dst == "" {
			*dst = def
		}
	}
	fromEnv("repo", &a.g.Repo, "BBSETUP_REPO", "")
	fromEnv("bitbucket-url", &a.g.BitbucketURL, "BBSETUP_BITBUCKET_URL", DefaultBitbucketURL)
	fromEnv("api-url", &a.g.APIURL, "BBSETUP_API_URL", DefaultAPIURL)
	fromEnv("amplication-url", &a.g.AmplicationURL, "BBSETUP_AMPLICATION_URL", "")
	fromEnv("amplication-workspace", &a.g.AmplicationWorkspace, "BBSETUP_AMPLICATION_WORKSPACE", "")
	if !cmd.Flags().Changed("debug") {
		switch strings.ToLower(a.env.Getenv("BBSETUP_DEBUG")) {
		case "1", "true", "yes":
			a.g.Debug = true
		}
	}
	if !cmd.Flags().Changed("allow-outside-checkout") {
		switch strings.ToLower(a.env.Getenv("BBSETUP_ALLOW_OUTSIDE_CHECKOUT")) {
		case "1", "true", "yes":
			a.g.AllowOutside = true
		}
	}
	for _, u := range []struct{ flag, v, example string }{{"--bitbucket-url", a.g.BitbucketURL, DefaultBitbucketURL}, {"--api-url", a.g.APIURL, DefaultAPIURL}} {
		if !strings.HasPrefix(u.v, "http://") && !strings.HasPrefix(u.v, "https://") {
			return usageErrorf("%s %q is not an http(s) URL", u.flag, safetext.Line(u.v))
		}
		pu, err := url.Parse(u.v)
		switch {
		case err != nil:
			return usageErrorf("%s is not a valid URL (%v): pass a URL like %s", u.flag, safetext.Line(err.Error()), u.example)
		case pu.Hostname() == "" && pu.User == nil:
			// As typed ("http://"; Redacted would say "http:"): there is no password in it.
			return usageErrorf("%s %q has no host: pass a URL like %s", u.flag, safetext.Line(u.v), u.example)
		case pu.Hostname() == "":
			return usageErrorf("%s %q has no host: pass a URL like %s", u.flag, safetext.Line(pu.Redacted()), u.example)
		case pu.User != nil:
			return usageErrorf("%s %q holds a user name or password, which bbsetup never sends: remove it (bbsetup signs in with the consumer's key and secret)", u.flag, safetext.Line(pu.Redacted()))
		}
	}
	if u := a.g.AmplicationURL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return usageErrorf("--amplication-url %q is not an http(s) URL", u)
	}
	a.g.BitbucketURL = strings.TrimRight(a.g.BitbucketURL, "/")
	a.g.APIURL = strings.TrimRight(a.g.APIURL, "/")
	return nil
}
