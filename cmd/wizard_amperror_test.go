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

// wizardSpeaks checks an error the wizard shows: its own terms (no CLI flag or
// environment variable), the cause said once, one sentence per cause, a full stop at
// the end, and no raw Go error.
func wizardSpeaks(t *testing.T, what string, err error, cause string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	msg := err.Error()
	if strings.Contains(msg, "--") || strings.Contains(msg, "BBSETUP_") || strings.Contains(msg, "bbsetup amplication") {
		t.Errorf("%s: names the CLI's flags or commands: %q", what, msg)
	}
	for _, raw := range []string{"dial tcp", "Post \"", "graphql:", "amplication: "} {
		if strings.Contains(msg, raw) {
			t.Errorf("%s: a raw Go error (%q) in %q", what, raw, msg)
		}
	}
	if n := strings.Count(msg, cause); n != 1 {
		t.Errorf("%s: the cause %q is said %d times: %q", what, cause, n, msg)
	}
	if !strings.HasSuffix(msg, ".") || extraSentences(msg) > 1 || strings.Contains(msg, "\n") {
		t.Errorf("%s: want a sentence for the cause and one for what to do, ending with a full stop: %q", what, msg)
	}
}

// The wizard's Amplication errors, through the adapter against the emulators: an
// unreachable server, a wrong password, a bad token (the CLI keeps its own wording,
// TestAmplicationErrorsSayTheCauseOnce).
func TestWizardAdapterAmplicationErrorsInTheWizardsWords(t *testing.T) {
	t.Parallel()
	aw := newAdapterWorld(t)
	ctx := context.Background()
	// Not started yet: nothing listens on its port.
	p := aw.b.ProbeAmp(ctx, aw.co)
	wizardSpeaks(t, "probe, unreachable", errors.New(p.Detail), "connection refused")
	_, err := aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Email: ampemu.DemoEmail, Password: ampemu.DemoPassword})
	wizardSpeaks(t, "sign-in, unreachable", err, "connection refused")
	var ue *amplication.UnreachableError
	if !errors.As(err, &ue) {
		t.Errorf("the typed error is lost: %T", err)
	}

	if _, err := aw.w.StartAmplication(); err != nil {
		t.Fatal(err)
	}
	_, err = aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Email: ampemu.DemoEmail, Password: "wrong-password"})
	wizardSpeaks(t, "wrong password", err, "Invalid password")
	if !strings.Contains(err.Error(), "email and password") || !strings.Contains(err.Error(), "ctrl+t") {
		t.Errorf("wrong password: not the sign-in screen's terms: %q", err)
	}
	_, err = aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Token: "not-a-token"})
	wizardSpeaks(t, "bad token", err, "refused the token")
	if !strings.Contains(err.Error(), "API token") {
		t.Errorf("bad token: %q", err)
	}
}

// The wizard's Amplication authorize opens only a URL on the Bitbucket bbsetup talks to,
// as the CLI does (TestAmplicationAuthorizeRefusesAnotherSitesURL): a server answering
// another site's URL, with the right state, is refused before anything is opened.
func TestWizardAdapterAmpAuthorizeRefusesAnotherSitesURL(t *testing.T) {
	aw := newAdapterWorld(t)
	ctx := context.Background()
	aw.writeKeys(t)
	amp, err := aw.w.StartAmplication()
	if err != nil {
		t.Fatal(err)
	}
	aw.frontInstallURL(t, amp, func(state any) string {
		return fmt.Sprintf("https://bitbucket.example.net/site/oauth2/authorize?client_id=%s&response_type=code&state=%v", aw.w.Consumer.Key, state)
	})
	a, err := aw.b.SignInAmp(ctx, aw.co, tui.AmpLogin{Email: ampemu.DemoEmail, Password: ampemu.DemoPassword})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := a.API.StartAmpAuth(ctx)
	var fe *amplication.ForeignAuthorizeURLError
	if !errors.As(err, &fe) || sess.URL != "" || sess.Flow != nil {
		t.Fatalf("another site's authorize URL: session %+v, error %v", sess, err)
	}
	wizardSpeaks(t, "another site's URL", err, "goes to https://bitbucket.example.net, not to Bitbucket at "+aw.w.Server.URL)
	if !strings.Contains(err.Error(), "does not open it") {
		t.Errorf("%q", err)
	}
}
