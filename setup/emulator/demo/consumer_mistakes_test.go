package demo

import (
	"slices"
	"testing"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// Apply gives a consumer each mistake and nothing else; Any says whether there is one.
func TestMistakesApply(t *testing.T) {
	base := bbemu.Consumer{Key: "k", Private: true, Scopes: []string{"account", "repository", "project"}, CallbackURL: "http://localhost:3001/cb"}
	for _, c := range []struct {
		m    Mistakes
		any  bool
		want bbemu.Consumer
	}{
		{Mistakes{}, false, base},
		{Mistakes{Public: true}, true, bbemu.Consumer{Key: "k", Scopes: base.Scopes, CallbackURL: base.CallbackURL}},
		{Mistakes{Scopes: []string{}}, true, bbemu.Consumer{Key: "k", Private: true, Scopes: []string{}, CallbackURL: base.CallbackURL}},
		{Mistakes{Scopes: []string{"account"}}, true, bbemu.Consumer{Key: "k", Private: true, Scopes: []string{"account"}, CallbackURL: base.CallbackURL}},
		{Mistakes{NoCallback: true}, true, bbemu.Consumer{Key: "k", Private: true, Scopes: base.Scopes}},
	} {
		got := base
		got.Scopes = slices.Clone(base.Scopes)
		c.m.Apply(&got)
		if c.m.Any() != c.any || got.Private != c.want.Private || got.CallbackURL != c.want.CallbackURL ||
			!slices.Equal(got.Scopes, c.want.Scopes) || (got.Scopes == nil) != (c.want.Scopes == nil) {
			t.Errorf("%+v: Any %v, consumer %+v, want %v and %+v", c.m, c.m.Any(), got, c.any, c.want)
		}
	}
}
