package cmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/checkout"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/spf13/cobra"
)

type emulatorOptions struct {
	port          int
	repos         int
	latency       time.Duration
	noAutoApprove bool
	ampPort       int
	ampSchema     string

	mistakes consumerMistakes // --public-consumer, --scopes, --no-callback (consumerflags.go)
}

func (a *Factory) newEmulatorCmd() *cobra.Command {
	var o emulatorOptions
	c := &cobra.Command{
		Use:   "emulator",
		Short: "Run the built-in Bitbucket Cloud and Amplication server emulators on 127.0.0.1",
		Long: `Run the built-in Bitbucket Cloud emulator (OAuth and REST API 2.0) and an Amplication
server emulator (its GraphQL API) on 127.0.0.1 until Ctrl+C. It prints their URLs, the key
and secret of a demo OAuth consumer and the email and password of a demo Amplication user:
throwaway credentials valid only against these emulators, for this run.

Like the real server, the Amplication emulator reads its Bitbucket key once, at start, from
the checkout's server env files (--repo, or the checkout at or above the working directory);
a key written later is seen only after a restart. Without a checkout it uses the demo
consumer's key.`,
		Example: `  bbsetup emulator --port 7990 --repos 5000
  bbsetup emulator --latency 100ms --no-auto-approve
  bbsetup emulator --repo ~/src/amplication --amplication-port 3000
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
	f.IntVar(&o.ampPort, "amplication-port", 0, "port of the Amplication server emulator at 127.0.0.1 (0 picks a free one; the real server's is 3000)")
	f.StringVar(&o.ampSchema, "amplication-schema", ampemu.SchemaV3, "Amplication server generation to play: "+ampemu.SchemaV3+", "+ampemu.SchemaV36+" or "+ampemu.SchemaV1+" (no state argument)")

	addConsumerMistakeFlags(f, &o.mistakes)
	return c
}

func (a *Factory) runEmulator(cmd *cobra.Command, o emulatorOptions) error {
	if err := o.check(cmd); err != nil {
		return err
	}
	root, err := a.emulatorCheckout()
	if err != nil {
		return err
	}
	eo := demo.EmulatorsOptions{Port: o.port, AmplicationPort: o.ampPort, Repos: o.repos,
		Latency: o.latency, ConsentPage: o.noAutoApprove, AmplicationSchema: o.ampSchema,
		CheckoutDir: root, Getenv: a.env.Getenv, Mistakes: o.mistakes.Mistakes}
	em, err := demo.StartEmulators(eo)
	if err != nil {
		return err
	}
	defer em.Close()

	fmt.Fprint(a.env.Stdout, emulatorBanner(o, em.Bitbucket, em.Amplication, em.Consumer, loadedKey(em.Key, root)))
	<-cmd.Context().Done()
	em.Close()
	fmt.Fprintln(a.env.Stdout, "Emulators stopped.")
	return nil
}

// check refuses flags out of range, as usage errors.
func (o *emulatorOptions) check(cmd *cobra.Command) error {
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
	if o.ampPort < 0 || o.ampPort > 65535 {
		return usageErrorf("--amplication-port %d is not a port number; use 1-65535, or 0 to pick a free port", o.ampPort)
	}
	if o.ampSchema != ampemu.SchemaV3 && o.ampSchema != ampemu.SchemaV36 && o.ampSchema != ampemu.SchemaV1 {
		return usageErrorf("--amplication-schema %q is not a generation the emulator plays; use %s, %s or %s", o.ampSchema, ampemu.SchemaV3, ampemu.SchemaV36, ampemu.SchemaV1)
	}
	return nil
}

// emulatorCheckout is the checkout whose server env the Amplication emulator loads:
// --repo (which must be a complete one, as for every command), else the nearest server
// directory at or above the working directory, else none ("").
func (a *Factory) emulatorCheckout() (string, error) {
	if a.g.Repo != "" {
		co, err := a.openCheckout()
		if err != nil {
			return "", err
		}
		return co.Root, nil
	}
	if wd, err := a.env.Getwd(); err == nil {
		if r, err := checkout.Find(wd); err == nil {
			return r, nil
		}
	}
	return "", nil
}

// loadedKey says in words whose Bitbucket key the Amplication emulator loaded at start.
func loadedKey(k demo.KeySource, root string) string {
	switch k {
	case demo.KeyNoCheckout:
		return "the demo consumer's (no Amplication checkout here; pass --repo DIR to load a checkout's env files instead)"
	case demo.KeyDemoConsumer:
		return "the demo consumer's, from " + root
	case demo.KeyNone:
		return "none yet in " + root + " (its authorize URL says so; run configure with the demo consumer, then restart this emulator)"
	case demo.KeyCheckoutOwn:
		return "the checkout's own, from " + root + " (registered in this Bitbucket emulator as a consumer too)"
	default:
		return "the shell's or the checkout's, from " + root + " (without its secret the Bitbucket emulator does not know it; exchanges fail)"
	}
}

// emulatorBanner is what the emulator command prints once both emulators listen.
func emulatorBanner(o emulatorOptions, s *bbemu.Server, as *ampemu.Server, cons bbemu.Consumer, keys string) string {
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
	if o.mistakes.Any() {
		fmt.Fprintf(&b, "  Consumer mistakes                %s\n", o.mistakes.describe())
	}
	fmt.Fprintf(&b, "  Authorize                        %s\n", approve)
	fmt.Fprintf(&b, "  Data                             %s; %d repositories\n", demo.BitbucketData, o.repos)
	if o.latency > 0 {
		fmt.Fprintf(&b, "  Latency                          %s per request\n", o.latency)
	}
	fmt.Fprintf(&b, "\nAmplication server emulator (%s) listening on %s\n\n", o.ampSchema, as.URL)
	fmt.Fprintf(&b, "  Amplication URL                  %s (GraphQL at %s)\n", as.URL, as.GraphQLURL())
	fmt.Fprintf(&b, "  Amplication email                %s\n", ampemu.DemoEmail)
	fmt.Fprintf(&b, "  Amplication password             %s\n", ampemu.DemoPassword)
	fmt.Fprintf(&b, "    (a throwaway demo account: it exists only in this emulator, until it stops)\n")
	fmt.Fprintf(&b, "  Bitbucket key loaded at start    %s\n", keys)
	fmt.Fprintf(&b, "  Data                             %s\n", demo.AmplicationData)
	fmt.Fprintf(&b, "\nPoint bbsetup at them from another shell:\n")
	fmt.Fprintf(&b, "  export BBSETUP_BITBUCKET_URL=%s BBSETUP_API_URL=%s\n", s.URL, s.APIURL)
	fmt.Fprintf(&b, "  export BBSETUP_AMPLICATION_URL=%s BBSETUP_AMPLICATION_EMAIL=%s\n", as.URL, ampemu.DemoEmail)
	fmt.Fprintf(&b, "\nServing until Ctrl+C.\n")
	return b.String()
}
