package cmd

import (
	"slices"
	"strings"

	"github.com/spf13/pflag"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// consumerMistakes are the flags of `bbsetup emulator` and `bbsetup demo` that give the
// demo consumer one of the mistakes operators make when they create it in Bitbucket, to
// rehearse what bbsetup says about each.
type consumerMistakes struct {
	public     bool     // --public-consumer: "This is a private consumer" left unticked
	scopes     []string // --scopes: only these permissions ticked
	scopesSet  bool     // --scopes was given (an empty list means no boxes at all)
	noCallback bool     // --no-callback: the Callback URL left empty
}

func addConsumerMistakeFlags(f *pflag.FlagSet, m *consumerMistakes) {
	f.BoolVar(&m.public, "public-consumer", false, "make the demo consumer public, so Bitbucket refuses it the client_credentials grant (a common mistake)")
	f.StringSliceVar(&m.scopes, "scopes", nil, "give the demo consumer only these permission `SCOPES`, e.g. account,repository or \"account repository\" (default: every one bbsetup asks for)")
	f.BoolVar(&m.noCallback, "no-callback", false, "give the demo consumer no callback URL (a common mistake)")
}

// resolve reads whether --scopes was given and checks its values.
func (m *consumerMistakes) resolve(f *pflag.FlagSet) error {
	m.scopesSet = f.Changed("scopes")
	var clean []string
	// Commas (a flag list) or spaces (as Bitbucket writes scope lists), or both.
	for _, s := range strings.Fields(strings.Join(m.scopes, " ")) {
		if oauth.ScopeLabel(s) == s {
			return usageErrorf("--scopes: %q is not a Bitbucket permission scope; use scope names such as %s", s, strings.Join(bbemu.DemoScopes(), ","))
		}
		if !slices.Contains(clean, s) {
			clean = append(clean, s)
		}
	}
	m.scopes = clean
	return nil
}

// apply gives c the chosen mistakes.
func (m consumerMistakes) apply(c *bbemu.Consumer) {
	if m.public {
		c.Private = false
	}
	if m.scopesSet {
		c.Scopes = slices.Clone(m.scopes)
	}
	if m.noCallback {
		c.CallbackURL = ""
	}
}

// any reports whether a mistake was chosen.
func (m consumerMistakes) any() bool { return m.public || m.scopesSet || m.noCallback }

// describe says in a few words which mistakes the demo consumer has.
func (m consumerMistakes) describe() string {
	var parts []string
	if m.public {
		parts = append(parts, "public (client_credentials refused)")
	}
	if m.scopesSet {
		if len(m.scopes) == 0 {
			parts = append(parts, "no permissions")
		} else {
			parts = append(parts, "only the permissions "+strings.Join(m.scopes, ", "))
		}
	}
	if m.noCallback {
		parts = append(parts, "no callback URL")
	}
	return strings.Join(parts, "; ")
}
