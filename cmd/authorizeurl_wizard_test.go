package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/amplication"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
	"github.com/bbsetup/bbsetup/tui"
)

// The wizard's Amplication authorize refuses, as the CLI does
// (TestAmplicationAuthorizeURLWithRedirect), an authorize URL on the right Bitbucket with
// the right state but a redirect_uri, in the wizard's words, before anything is opened.
func TestWizardAdapterAmpAuthorizeRefusesRedirectURI(t *testing.T) {
	aw := newAdapterWorld(t)
	ctx := context.Background()
	aw.writeKeys(t)
	amp, err := aw.w.StartAmplication()
	if err != nil {
		t.Fatal(err)
	}
	aw.frontInstallURL(t, amp, func(state any) string {
		return fmt.Sprintf("%s/site/oauth2/authorize?client_id=%s&response_type=code&state=%v&redirect_uri=https://evil.example/cb", aw.w.Server.URL, aw.w.Consumer.Key, state)
	})
	a, err := aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Email: ampemu.DemoEmail, Password: ampemu.DemoPassword})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := a.API.StartAmpAuth(ctx)
	var ue *amplication.UnexpectedAuthorizeURLError
	if !errors.As(err, &ue) || sess.URL != "" || sess.Flow != nil {
		t.Fatalf("a redirect_uri in the authorize URL: session %+v, error %v", sess, err)
	}
	wizardSpeaks(t, "a redirect_uri", err, `"redirect_uri"`)
	if !strings.Contains(err.Error(), "does not open it") || strings.Contains(err.Error(), "evil.example") {
		t.Errorf("%q", err)
	}
}
