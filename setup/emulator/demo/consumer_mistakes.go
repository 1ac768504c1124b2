package demo

import (
	"slices"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// Mistakes are the mistakes operators make when they create the OAuth consumer in
// Bitbucket, given to the demo consumer to rehearse what bbsetup says about each: Public
// leaves "This is a private consumer" unticked (Bitbucket then refuses the
// client_credentials grant), Scopes, when not nil, are its only permissions (an empty
// list: none), and NoCallback leaves its Callback URL empty.
type Mistakes struct {
	Public     bool
	Scopes     []string
	NoCallback bool
}

// Any reports whether m holds a mistake.
func (m Mistakes) Any() bool { return m.Public || m.Scopes != nil || m.NoCallback }

// Apply gives c the mistakes.
func (m Mistakes) Apply(c *bbemu.Consumer) {
	if m.Public {
		c.Private = false
	}
	if m.Scopes != nil {
		c.Scopes = slices.Clone(m.Scopes)
	}
	if m.NoCallback {
		c.CallbackURL = ""
	}
}

// mistakes are the demo world's consumer mistakes (Options' PublicConsumer, Scopes and
// NoCallback).
func (o Options) mistakes() Mistakes {
	return Mistakes{Public: o.PublicConsumer, Scopes: o.Scopes, NoCallback: o.NoCallback}
}
