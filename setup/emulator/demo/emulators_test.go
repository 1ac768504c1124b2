package demo

import (
	"testing"

	"github.com/bbsetup/bbsetup/setup/checkout"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

func TestLoadedKey(t *testing.T) {
	cons := bbemu.Consumer{Key: "demokey"}
	for _, c := range []struct {
		id, root string
		own      bool
		want     KeySource
	}{
		{"demokey", "", false, KeyNoCheckout},
		{"demokey", "/co", false, KeyDemoConsumer},
		{"", "/co", false, KeyNone},
		{checkout.PlaceholderClientID, "/co", true, KeyNone},
		{"other", "/co", true, KeyCheckoutOwn},
		{"other", "/co", false, KeyUnknown},
	} {
		if got := LoadedKey(c.id, c.root, cons, c.own); got != c.want {
			t.Errorf("LoadedKey(%q, %q, own=%v) = %d, want %d", c.id, c.root, c.own, got, c.want)
		}
	}
}

func TestCheckoutConsumer(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	root := t.TempDir()
	if _, ok := CheckoutConsumer(root, getenv, "demokey"); ok {
		t.Fatal("a checkout without a key gave a consumer")
	}
	env["BITBUCKET_CLIENT_ID"], env["BITBUCKET_CLIENT_SECRET"] = "demokey", "s"
	if _, ok := CheckoutConsumer(root, getenv, "demokey"); ok {
		t.Fatal("the demo consumer's own key was registered again")
	}
	env["BITBUCKET_CLIENT_ID"] = checkout.PlaceholderClientID
	if _, ok := CheckoutConsumer(root, getenv, "demokey"); ok {
		t.Fatal("the placeholder key gave a consumer")
	}
	env["BITBUCKET_CLIENT_ID"], env["CLIENT_HOST"] = "earlier", "http://localhost:4000/"
	c, ok := CheckoutConsumer(root, getenv, "demokey")
	if !ok || c.Key != "earlier" || c.Secret != "s" || !c.Private || c.CallbackURL != "http://localhost:4000"+checkout.CallbackPath {
		t.Fatalf("CheckoutConsumer = %+v, %v", c, ok)
	}
}
