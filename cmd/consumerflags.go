package cmd

import (
	"slices"
	"strings"

	"github.com/spf13/pflag"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
	"github.com/bbsetup/bbsetup/setup/emulator/demo"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// consumerMistakes are the flags of `bbsetup emulator` and `bbsetup demo` that give the
// demo consumer one of the mistakes operators make when they create it in Bitbucket, to
// rehearse what bbsetup says about each (demo.Mistakes).
type consumerMistakes struct {
	demo.Mistakes          // --public-consumer, --no-callback; Scopes once resolve has read --scopes
	scopes        []string // --scopes as given
}

func addConsumerMistakeFlags(f *pflag.FlagSet, m *consumerMistakes) {
	f.BoolVar(&m.Public, "public-consumer", false, "make the demo consumer public, so Bitbucket refuses it the client_credentials grant (a common mistake)")
	f.StringSliceVar(&m.scopes, "scopes", nil, "give the demo consumer only these permission `SCOPES`, e.g. account,repository or \"account repository\" (default: every one bbsetup asks for)")
	f.BoolVar(&m.NoCallback, "no-callback", false, "give the demo consumer no callback URL (a common mistake)")
}

// resolve checks the values of --scopes, when it was given (an empty list means no
// boxes at all), and sets Scopes.
func (m *consumerMistakes) resolve(f *pflag.FlagSet) error {
	if !f.Changed("scopes") {
		return nil
	}
	clean := []string{}
	// Commas (a flag list) or spaces (as Bitbucket writes scope lists), or both.
	for _, s := range strings.Fields(strings.Join(m.scopes, " ")) {
		if oauth.ScopeLabel(s) == s {
			return usageErrorf("--scopes: %q is not a Bitbucket permission scope; use scope names such as %s", s, strings.Join(bbemu.DemoScopes(), ","))
		}
		if !slices.Contains(clean, s) {
			clean = append(clean, s)
		}
	}
	m.Scopes = clean
	return nil
}

// describe says in a few words which mistakes the demo consumer has.
func (m consumerMistakes) describe() string {
	var parts []string
	if m.Public {
		parts = append(parts, "public (client_credentials refused)")
	}
	if m.Scopes != nil {
		if len(m.Scopes) == 0 {
			parts = append(parts, "no permissions")
		} else {
			parts = append(parts, "only the permissions "+strings.Join(m.Scopes, ", "))
		}
	}
	if m.NoCallback {
		parts = append(parts, "no callback URL")
	}
	return strings.Join(parts, "; ")
}
