package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/build"
	"github.com/bbsetup/bbsetup/setup/flow"
)

// ampBuildOptions are the flags of `bbsetup amplication build`.
type ampBuildOptions struct {
	signIn           ampSignIn
	project, message string
	timeout          time.Duration
	stallAfter       time.Duration
	watch, json      bool
}

// ampBuildResult is the --json output of `bbsetup amplication build`.
type ampBuildResult struct {
	Project  ampWorkspaceJSON `json:"project"`
	Commit   *ampCommitJSON   `json:"commit"` // null when watch mode saw no commit
	Watch    bool             `json:"watch"`
	Builds   []build.Service  `json:"builds"`
	URLs     []string         `json:"urls"`
	OK       bool             `json:"ok"`
	TimedOut bool             `json:"timed_out"`
}

type ampCommitJSON struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

func newCmdAmplicationBuild(a *Factory, si *ampSignIn, runF func(*ampBuildOptions) error) *cobra.Command {
	var o ampBuildOptions
	c := &cobra.Command{
		Use:   "build --project NAME|ID [--message TEXT] [--timeout D] [--watch] [--json]",
		Short: "Commit a project in Amplication and follow its builds to the pull requests in Bitbucket",
		Long: `build proves the setup end to end: it commits the project in Amplication (as the UI's
"Commit changes & build" does: Amplication records the project's pending changes as a
commit, then builds every service of the project and pushes each build to its repository,
on branch amplication, as a pull request), follows every service's build as it generates
code and pushes to Bitbucket, and prints each pull request's URL, taken from Amplication's
log and checked in Bitbucket.

A stage that does not move is named with the service that should move it and the command
that starts it (code generation: amplication-build-manager, local-data-service-generator-
controller and Kafka; the push: the checkout's pull-request service). bbsetup keeps
following: start the service in another terminal and the build goes on. A failed push
shows Amplication's own log of it. A service without a repository is named, not an error.

--watch commits nothing: it waits for the next commit made elsewhere (Amplication's UI)
and follows that one. The exit status is 0 only when every connected service reached its
pull request.`,
		Example: `  bbsetup amplication build --project Shop
  bbsetup amplication build --project Shop --message "First build" --timeout 10m
  bbsetup amplication build --project Shop --watch --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return ampClean(err)
			}
			o.signIn = *si
			if runF != nil {
				return runF(&o)
			}
			return ampClean(a.runAmplicationBuild(cmd.Context(), o))
		},
	}
	f := c.Flags()
	f.StringVar(&o.project, "project", "", "the Amplication project `NAME|ID` to build")
	f.StringVar(&o.message, "message", "", "the commit message `TEXT` (default \""+build.DefaultMessage+"\")")
	f.DurationVar(&o.timeout, "timeout", build.DefaultTimeout, "give up after `D` (the whole wait: commit, generation, push)")
	f.BoolVar(&o.watch, "watch", false, "commit nothing; follow the next commit made in Amplication's UI")
	f.BoolVar(&o.json, "json", false, "print the commit, the builds and the pull requests' URLs as a JSON object")
	f.DurationVar(&o.stallAfter, "stall-after", build.DefaultStallAfter, "name a stage that has not moved for `D`")
	_ = f.MarkHidden("stall-after") // for tests and slow machines; docs/build.md
	return c
}

func (o ampBuildOptions) validate() error {
	switch {
	case strings.TrimSpace(o.project) == "":
		return usageErrorf("--project is required: the Amplication project's name or id (see bbsetup amplication status)")
	case o.timeout <= 0:
		return usageErrorf("--timeout must be more than 0, like 5m")
	case o.stallAfter <= 0:
		return usageErrorf("--stall-after must be more than 0, like 20s")
	case o.watch && o.message != "":
		return usageErrorf("--message goes with a commit; --watch commits nothing")
	}
	return nil
}

func (a *Factory) runAmplicationBuild(ctx context.Context, o ampBuildOptions) error {
	s, err := a.ampClient()
	if err != nil {
		return err
	}
	defer s.close()
	if err := a.ampSignIn(ctx, s, o.signIn); err != nil {
		return err
	}
	p, err := ampProject(s.ov.Projects, o.project)
	if err != nil {
		return err
	}
	bb, bbDone, err := a.bbapiClient(ctx)
	if err != nil {
		return fmt.Errorf("cannot check the pull requests in Bitbucket: %w", err)
	}
	defer bbDone()

	pr := &ampBuildPrinter{w: a.env.Stderr, root: s.Checkout.Root, project: ampName(p.Name)}
	res, err := build.Run(ctx, s.Client, bb, build.Options{
		Project:    p,
		Message:    strings.TrimSpace(o.message),
		Watch:      o.watch,
		Timeout:    o.timeout,
		StallAfter: o.stallAfter,
		Layout:     build.LayoutFor(s.Checkout, a.env.LookupEnv),
		Progress:   pr.snapshot,
	})
	if err != nil {
		return flow.BuildFailed(ctx, err, p.Name, o.stallAfter, func(err error) error { return a.ampError(s, err) })
	}
	if o.json {
		out := ampBuildResult{Project: ampWorkspaceJSON{ID: p.ID, Name: p.Name}, Watch: o.watch, Builds: res.Services,
			URLs: res.URLs(), OK: res.OK(), TimedOut: res.TimedOut}
		if out.URLs == nil {
			out.URLs = []string{}
		}
		if res.Commit != nil {
			out.Commit = &ampCommitJSON{ID: res.Commit.ID, Message: res.Commit.Message}
		}
		if err := bbapiWriteJSON(a.env.Stdout, out); err != nil {
			return err
		}
	} else {
		for _, u := range res.URLs() {
			fmt.Fprintln(a.env.Stdout, u)
		}
	}
	pr.summary(res, o.timeout)
	if !res.OK() {
		return &ExitError{Code: 1}
	}
	return nil
}

// ampBuildPrinter prints the follow's progress on stderr: one line per service when its
// stage changes, the stall advice once per stall (build.Tracker keeps what was said).
type ampBuildPrinter struct {
	w             io.Writer
	root, project string
	said          build.Tracker
}

func (pp *ampBuildPrinter) snapshot(s build.Snapshot) {
	ch := pp.said.Track(s, ampBuildLine)
	switch ch.Phase {
	case build.PhaseCommitting:
		fmt.Fprintf(pp.w, "Committing project %s in Amplication: it records the pending changes, then builds every service and pushes each to its repository.\n", pp.project)
	case build.PhaseWatching:
		fmt.Fprintf(pp.w, "Waiting for the next commit of project %s (in Amplication's UI: Commit changes & build)…\n", pp.project)
	}
	if ch.Commit != nil {
		fmt.Fprintf(pp.w, "Commit %s %q: following the builds.\n", ch.Commit.ID, ch.Commit.Message)
	}
	switch {
	case ch.ServerChanged && ch.ServerError != "":
		fmt.Fprintf(pp.w, "The Amplication server does not answer (%s); bbsetup keeps asking. Is it running? (npx nx serve amplication-server)\n", ch.ServerError)
	case ch.ServerChanged:
		fmt.Fprintln(pp.w, "The Amplication server answers again.")
	}
	for _, c := range ch.Services {
		if c.ShowLine {
			fmt.Fprintln(pp.w, c.Line)
		}
		switch {
		case c.Stall == nil:
		case c.AdvisedBy != "":
			fmt.Fprintf(pp.w, "%s: %s too (see %s above).\n", c.Service.Name, strings.TrimSuffix(ampStallShort(c.Stall), "."), c.AdvisedBy)
		default:
			fmt.Fprintf(pp.w, "%s: %s\n", c.Service.Name, ampStallAdvice(c.Stall, pp.root))
		}
	}
}

// ampBuildLine is a service's stage in one line.
func ampBuildLine(sv build.Service) string {
	switch sv.Stage {
	case build.StageConfirming:
		return fmt.Sprintf("%s: pull request %s (checking it in Bitbucket)", sv.Name, sv.PR.URL)
	case build.StageDone:
		if sv.PR.ID != 0 {
			return fmt.Sprintf("%s: done: pull request #%d %s", sv.Name, sv.PR.ID, sv.PR.URL)
		}
		return fmt.Sprintf("%s: done: pull request %s", sv.Name, sv.PR.URL)
	case build.StageNotConnected:
		return fmt.Sprintf("%s: not connected to a repository, so Amplication built it without pushing (NotConnected); connect it with bbsetup amplication connect", sv.Name)
	case build.StageElsewhere:
		return fmt.Sprintf("%s: pushes to %s through %s, which bbsetup does not set up: not followed", sv.Name, sv.Repository, amplication.ProviderName(sv.Provider))
	case build.StageFailed, build.StageCanceled:
		l := fmt.Sprintf("%s: %s", sv.Name, sv.Failure)
		for _, m := range sv.Log {
			l += "\n    " + m
		}
		return l
	}
	to := ""
	if sv.Repository != "" && (sv.Stage == build.StagePushing) {
		to = " " + sv.Repository
	}
	return fmt.Sprintf("%s: %s%s", sv.Name, sv.Stage.Words(), to)
}

// ampStallShort is the stall's first sentence.
func ampStallShort(st *build.Stall) string {
	w, _, _ := strings.Cut(st.What, ":")
	return w + "."
}

// ampStallAdvice says what does not move and what to start, from the checkout.
func ampStallAdvice(st *build.Stall, root string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.", st.What)
	if len(st.Start) > 0 {
		fmt.Fprintf(&b, " Start, in the checkout (%s):", root)
		for _, n := range st.Start {
			fmt.Fprintf(&b, "\n    %s", n.Command)
			if !strings.Contains(n.Command, n.Name) {
				fmt.Fprintf(&b, "   # %s", n.Name)
			}
		}
		b.WriteString("\n  bbsetup keeps following: the build goes on once they run.")
	}
	for _, n := range st.Notes {
		b.WriteString("\n  Note: " + n)
	}
	return b.String()
}

// summary ends the output on stderr: what stands in the way when not every connected
// service reached its pull request.
func (pp *ampBuildPrinter) summary(res *build.Result, timeout time.Duration) {
	done, connected := res.Reached()
	switch {
	case res.Commit == nil && res.TimedOut:
		fmt.Fprintf(pp.w, "No commit of project %s was made within --timeout %s, so there was nothing to follow.\n", pp.project, timeout)
	case res.OK() && connected == 0 && res.Elsewhere() > 0:
		fmt.Fprintf(pp.w, "No service of project %s pushes to Bitbucket (the connected ones push through another git provider), so there was no pull request to follow: connect the project with bbsetup amplication connect, then build again.\n", pp.project)
	case res.OK() && connected == 0:
		fmt.Fprintf(pp.w, "No service of project %s is connected to a repository, so Amplication pushed nothing: connect the project with bbsetup amplication connect, then build again.\n", pp.project)
	case res.OK():
		fmt.Fprintf(pp.w, "Done: %d of %d connected services reached their pull request.\n", done, connected)
	case res.TimedOut:
		fmt.Fprintf(pp.w, "The time given (--timeout %s) ran out: %d of %d connected services reached their pull request. The builds go on in Amplication; follow them again with bbsetup amplication build --project %s --watch after the next commit, or give more time.\n",
			timeout, done, connected, pp.project)
	default:
		fmt.Fprintf(pp.w, "%d of %d connected services reached their pull request; the others are named above.\n", done, connected)
	}
}

// The clients are what the follow needs.
var (
	_ build.PullRequests = (*bitbucket.Client)(nil)
	_ build.Amplication  = (*amplication.Client)(nil)
)
