package demo

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/checkout"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// EmulatorsOptions tune the pair of emulators `bbsetup emulator` serves: the Bitbucket Cloud
// emulator with the demo consumer and data, and the Amplication server emulator (DemoSeed)
// that loads its Bitbucket key from a checkout's server env files, as the real server does.
type EmulatorsOptions struct {
	// Port and AmplicationPort are the ports on 127.0.0.1 (0 picks a free one).
	Port, AmplicationPort int
	// Repos is how many repositories the demo workspaces hold.
	Repos int
	// Latency is added to every request of both emulators.
	Latency time.Duration
	// ConsentPage shows the consent page with Grant and Cancel instead of approving at once.
	ConsentPage bool
	// AmplicationSchema is the Amplication server generation to play.
	AmplicationSchema string
	// Mistakes are the demo consumer's mistakes, to rehearse; a consumer with any is
	// registered again.
	Mistakes Mistakes
	// CheckoutDir is the checkout whose server env files the Amplication emulator loads,
	// "" for none (it then loads the demo consumer's key). Getenv is the shell's
	// environment, which overrides the files as for the real server.
	CheckoutDir string
	Getenv      func(string) string
}

// What the emulators hold, for a banner: the Bitbucket emulator's data (bbemu.NewDemo,
// before the count of repositories) and the Amplication emulator's (ampemu.DemoSeed).
const (
	BitbucketData   = "user Demo Operator; workspaces acme (admin), acme-labs, playground"
	AmplicationData = "workspace Demo; projects Shop (orders, payments, catalog: connected to GitHub) and Internal (admin)"
)

// KeySource says whose Bitbucket key the Amplication emulator loaded at start.
type KeySource int

// The key sources, in the order LoadedKey checks them.
const (
	// KeyNoCheckout: no checkout, the demo consumer's key.
	KeyNoCheckout KeySource = iota
	// KeyDemoConsumer: the checkout holds the demo consumer's key.
	KeyDemoConsumer
	// KeyNone: the checkout holds no key yet (or the committed placeholder).
	KeyNone
	// KeyCheckoutOwn: the checkout's own key from an earlier run, registered as a consumer too.
	KeyCheckoutOwn
	// KeyUnknown: a key (from the shell or the checkout) the Bitbucket emulator does not know.
	KeyUnknown
)

// Emulators are the two running emulators. Close them when done.
type Emulators struct {
	Bitbucket   *bbemu.Server
	Amplication *ampemu.Server
	// Consumer is the demo consumer (with its mistakes, if any).
	Consumer bbemu.Consumer
	// Key is whose Bitbucket key the Amplication emulator loaded at start.
	Key KeySource
}

// Close stops both emulators.
func (e *Emulators) Close() {
	e.Amplication.Close()
	e.Bitbucket.Close()
}

// StartEmulators builds and starts both emulators: the Bitbucket one with the demo consumer
// (and, when the checkout holds an earlier run's key and secret, that key as a consumer too),
// then the Amplication one, with its build manager, code generator and PR service running.
func StartEmulators(o EmulatorsOptions) (*Emulators, error) {
	e, cons := bbemu.NewDemo(bbemu.Options{Latency: o.Latency, AutoApprove: !o.ConsentPage}, o.Repos)
	if o.Mistakes.Any() {
		o.Mistakes.Apply(&cons)
		e.AddConsumer(cons)
	}
	ownKey := addCheckoutConsumer(e, o.CheckoutDir, o.Getenv, cons)
	s, err := bbemu.StartOn(e, net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port)))
	if err != nil {
		return nil, fmt.Errorf("cannot start the emulator: %w", err)
	}

	ampOpts := ampemu.Options{BitbucketURL: s.URL, BitbucketAPIURL: s.APIURL, Schema: o.AmplicationSchema, Latency: o.Latency}
	if o.CheckoutDir != "" {
		ampOpts.CheckoutDir, ampOpts.Getenv = o.CheckoutDir, o.Getenv
	} else {
		ampOpts.Getenv = demoConsumerEnv(cons)
	}
	ae, err := ampemu.New(ampOpts, ampemu.DemoSeed())
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("cannot start the Amplication emulator: %w", err)
	}
	// The build manager, the code generator and the PR service run, as after
	// `npx nx serve` of each started with this emulator (the PR service holds the keys it
	// found then, as the server does).
	ae.Services().StartAll()
	as, err := ampemu.StartOn(ae, net.JoinHostPort("127.0.0.1", strconv.Itoa(o.AmplicationPort)))
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("cannot start the Amplication emulator: %w", err)
	}
	return &Emulators{Bitbucket: s, Amplication: as, Consumer: cons,
		Key: LoadedKey(ae.LoadedClientID(), o.CheckoutDir, cons, ownKey)}, nil
}

// demoConsumerEnv is an environment that holds only the demo consumer's key and secret.
func demoConsumerEnv(cons bbemu.Consumer) func(string) string {
	return func(k string) string {
		switch k {
		case ampemu.EnvClientID:
			return cons.Key
		case ampemu.EnvClientSecret:
			return cons.Secret
		}
		return ""
	}
}

// addCheckoutConsumer registers the key the server will load from root as a consumer
// too, and reports whether it did: a checkout configured on an earlier run holds that
// run's (random) demo key, and keeps working here.
func addCheckoutConsumer(e *bbemu.Emulator, root string, getenv func(string) string, cons bbemu.Consumer) bool {
	if root == "" {
		return false
	}
	c, ok := CheckoutConsumer(root, getenv, cons.Key)
	if ok {
		e.AddConsumer(c)
	}
	return ok
}

// CheckoutConsumer is the consumer for the key and secret the server would load from root
// (the shell's environment first, then its env files), and whether there is one: not when
// either is missing or the committed placeholder, or the key is demoKey.
func CheckoutConsumer(root string, getenv func(string) string, demoKey string) (bbemu.Consumer, bool) {
	id := ampemu.ServerEnv(root, getenv, ampemu.EnvClientID)
	sec := ampemu.ServerEnv(root, getenv, ampemu.EnvClientSecret)
	if id == "" || sec == "" || id == checkout.PlaceholderClientID || sec == checkout.PlaceholderClientSecret || id == demoKey {
		return bbemu.Consumer{}, false
	}
	host := ampemu.ServerEnv(root, getenv, "CLIENT_HOST")
	if host == "" {
		host = checkout.DefaultClientHost
	}
	return bbemu.Consumer{Key: id, Secret: sec, Name: "Amplication (this checkout)",
		CallbackURL: strings.TrimRight(host, "/") + checkout.CallbackPath, Private: true,
		Scopes: bbemu.DemoScopes(), Owner: bbemu.DemoUserAccountID}, true
}

// LoadedKey says whose key loadedID (the Amplication emulator's at start) is: root is the
// checkout it loaded from ("" for none), ownKey whether the checkout's own key was
// registered as a consumer.
func LoadedKey(loadedID, root string, cons bbemu.Consumer, ownKey bool) KeySource {
	switch {
	case root == "":
		return KeyNoCheckout
	case loadedID == cons.Key:
		return KeyDemoConsumer
	case loadedID == "" || loadedID == checkout.PlaceholderClientID:
		return KeyNone
	case ownKey:
		return KeyCheckoutOwn
	default:
		return KeyUnknown
	}
}
