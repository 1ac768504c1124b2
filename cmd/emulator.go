package cmd

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/spf13/cobra"
)

type emulatorOptions struct {
	port          int
	repos         int
	latency       time.Duration
	noAutoApprove bool

	mistakes consumerMistakes // --public-consumer, --scopes, --no-callback (consumerflags.go)
}

func (a *app) newEmulatorCmd() *cobra.Command {
	var o emulatorOptions
	c := &cobra.Command{
		Use:   "emulator",
		Short: "Run the built-in Bitbucket Cloud emulator on 127.0.0.1",
		Long: `Run the built-in Bitbucket Cloud emulator (OAuth and REST API 2.0) on 127.0.0.1
until Ctrl+C. It prints its URLs and the key and secret of a demo OAuth consumer,
which are throwaway credentials valid only for this run.`,
		Example: `  bbsetup emulator --port 7990 --repos 5000
  bbsetup emulator --latency 100ms --no-auto-approve
  bbsetup emulator --scopes account,repository   # rehearse a consumer lacking permissions`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runEmulator(cmd, o)
		},
	}
	f := c.Flags()
	f.IntVar(&o.port, "port", 0, "port to listen on at 127.0.0.1 (0 picks a free one)")
	f.IntVar(&o.repos, "repos", 2000, "number of repositories spread over the demo workspaces")
	f.DurationVar(&o.latency, "latency", 0, "latency added to every request, e.g. 100ms")
	f.BoolVar(&o.noAutoApprove, "no-auto-approve", false, "show a consent page with Grant and Cancel instead of approving at once")

	addConsumerMistakeFlags(f, &o.mistakes)
	return c
}

func (a *app) runEmulator(cmd *cobra.Command, o emulatorOptions) error {
	if o.port < 0 || o.port > 65535 {
		return usageErrorf("--port %d is not a port number; use 1-65535, or 0 to pick a free port", o.port)
	}
	if o.repos < 0 || o.repos > 1_000_000 {
		return usageErrorf("--repos %d is out of range; use 0 to 1000000", o.repos)
	}
	if o.latency < 0 {
		return usageErrorf("--latency %s is negative; use 0 or a duration such as 100ms", o.latency)
	}
	if err := o.mistakes.resolve(cmd.Flags()); err != nil {
		return err
	}
	e, cons := bbemu.NewDemo(bbemu.Options{Latency: o.latency, AutoApprove: !o.noAutoApprove}, o.repos)
	if o.mistakes.any() {
		o.mistakes.apply(&cons)
		e.AddConsumer(cons)
	}
	s, err := bbemu.StartOn(e, net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port)))
	if err != nil {
		return fmt.Errorf("cannot start the emulator: %w", err)
	}
	defer s.Close()

	approve := "auto-approve (the authorize URL redirects to the callback at once)"
	if o.noAutoApprove {
		approve = "consent page with Grant and Cancel"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Bitbucket Cloud emulator listening on %s\n\n", s.URL)
	fmt.Fprintf(&b, "  Bitbucket URL (--bitbucket-url)  %s\n", s.URL)
	fmt.Fprintf(&b, "  API URL (--api-url)              %s\n", s.APIURL)
	fmt.Fprintf(&b, "  Demo consumer key                %s\n", cons.Key)
	fmt.Fprintf(&b, "  Demo consumer secret             %s\n", cons.Secret)
	fmt.Fprintf(&b, "    (a throwaway demo credential: it works only against this emulator, until it stops)\n")
	fmt.Fprintf(&b, "  Consumer callback URL            %s\n", bbapiOr(cons.CallbackURL, "none"))
	if o.mistakes.any() {
		fmt.Fprintf(&b, "  Consumer mistakes                %s\n", o.mistakes.describe())
	}
	fmt.Fprintf(&b, "  Authorize                        %s\n", approve)
	fmt.Fprintf(&b, "  Data                             user Demo Operator; workspaces acme (admin), acme-labs, playground; %d repositories\n", o.repos)
	if o.latency > 0 {
		fmt.Fprintf(&b, "  Latency                          %s per request\n", o.latency)
	}
	fmt.Fprintf(&b, "\nPoint bbsetup at it from another shell:\n")
	fmt.Fprintf(&b, "  export BBSETUP_BITBUCKET_URL=%s BBSETUP_API_URL=%s\n", s.URL, s.APIURL)
	fmt.Fprintf(&b, "\nServing until Ctrl+C.\n")
	fmt.Fprint(a.env.Stdout, b.String())

	<-cmd.Context().Done()
	s.Close()
	fmt.Fprintln(a.env.Stdout, "Emulator stopped.")
	return nil
}
