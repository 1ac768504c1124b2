package demo

import (
	"context"
	"net/http"
	"testing"

	"github.com/bbsetup/bbsetup/setup/oauth"
)

// The demo world's consumer can carry each mistake an operator makes, and the live check
// bbsetup runs names it; without options it passes.
func TestStartConsumerMistakes(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Options
		want oauth.VerdictKind
	}{
		{"none", Options{}, oauth.VerdictOK},
		{"public", Options{PublicConsumer: true}, oauth.VerdictNotPrivate},
		{"scopes", Options{Scopes: []string{"account", "repository"}}, oauth.VerdictMissingScopes},
		{"no scopes", Options{Scopes: []string{}}, oauth.VerdictMissingScopes},
		{"no callback", Options{NoCallback: true}, oauth.VerdictNoCallback},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			o.Repos, o.TempDir, o.ClientPort = 10, t.TempDir(), 39999
			w, err := Start(o)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			hc := &http.Client{Transport: &http.Transport{}}
			defer hc.CloseIdleConnections()
			v := oauth.CheckCredentials(context.Background(), oauth.EndpointsFor(w.Server.URL), w.Consumer.Key, w.Consumer.Secret, hc)
			if v.Kind != c.want {
				t.Errorf("verdict %s (%s), want %s", v.Kind, v.Message, c.want)
			}
			if c.name == "scopes" && len(v.Missing) != 9 {
				t.Errorf("missing %v, want the 9 boxes beyond account and repository", v.Missing)
			}
			if (w.Consumer.CallbackURL == "") != o.NoCallback || w.CallbackURL == "" {
				t.Errorf("consumer callback %q, world callback %q", w.Consumer.CallbackURL, w.CallbackURL)
			}
		})
	}
}
