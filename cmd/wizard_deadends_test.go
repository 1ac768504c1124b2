package cmd

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/tui"
)

// Issue 23 §2: a refused paste must not close the callback listener the Authorize screen
// still says it listens on ("Still listening for the browser too"): the browser's redirect
// must still finish the authorization.
func TestWizardAdapterAmpPasteRefusedKeepsListening(t *testing.T) {
	aw := newAdapterWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := aw.signedInAmp(ctx, t)
	sess, state := aw.startAmpAuth(ctx, t, a)
	if sess.PortInUse {
		t.Skip("the callback port was taken meanwhile: nothing listens, so nothing to keep")
	}
	type result struct {
		a   tui.Authorized
		err error
	}
	waited := make(chan result, 1)
	go func() {
		a, err := sess.Flow.Wait(ctx)
		waited <- result{a, err}
	}()
	if _, err := sess.Flow.Paste(ctx, aw.landedWith("never-issued-code", state)); err == nil {
		t.Fatal("a code Bitbucket never issued was accepted")
	}
	// The browser now grants access: Bitbucket (auto-approving) redirects to the callback.
	resp, err := http.Get(sess.URL)
	if err != nil {
		t.Fatalf("the browser's trip after a refused paste: %v (nothing listens on the callback)", err)
	}
	resp.Body.Close()
	select {
	case r := <-waited:
		if r.err != nil || r.a.Org == nil {
			t.Fatalf("the wait after a refused paste: %+v, %v", r.a, r.err)
		}
	case <-ctx.Done():
		t.Fatal("the wait never finished")
	}
}

// Issue 23 §3: a paste refused because the Amplication server could not reach Bitbucket
// names that cause, not "the code was already used or has expired".
func TestWizardAdapterAmpPasteNamesAnUnreachableBitbucket(t *testing.T) {
	aw := newAdapterWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := aw.signedInAmp(ctx, t)
	sess, state := aw.startAmpAuth(ctx, t, a)
	aw.w.Server.Close() // Bitbucket is gone: the server's exchange cannot reach it
	_, err := sess.Flow.Paste(ctx, aw.landedWith("some-code", state))
	if err == nil {
		t.Fatal("the paste succeeded with Bitbucket gone")
	}
	msg := err.Error()
	if strings.Contains(msg, "already used or has expired") || !strings.Contains(msg, "could not reach Bitbucket") {
		t.Fatalf("the refusal does not name the cause: %q", msg)
	}
}

// Issue 23 §3: the wizard shows no raw Go error (`Get "http://…": dial tcp …`) when
// Bitbucket cannot be reached.
func TestWizardAdapterNoRawGoErrors(t *testing.T) {
	aw := newAdapterWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := aw.signedInAmp(ctx, t)
	au, err := a.API.ReuseAmpOrg(ctx, tui.AmpOrg{ID: "org", Name: "demo"})
	if err != nil || au.API == nil {
		t.Fatalf("bbsetup's own access: %v", err)
	}
	aw.w.Server.Close()
	_, werr := au.API.Workspaces(ctx)
	_, perr := au.API.Projects(ctx, "acme")
	lerr := au.API.ListRepos(ctx, "acme", "", func([]tui.Repo, int, int) {})
	for _, err := range []error{werr, perr, lerr} {
		if err == nil {
			t.Fatal("Bitbucket is closed, yet a call succeeded")
		}
		for _, raw := range []string{"dial tcp", `Get "`, "http://127.0.0.1"} {
			if strings.Contains(err.Error(), raw) {
				t.Errorf("the wizard's error carries the raw Go error (%q): %s", raw, err)
			}
		}
	}
}

// Issue 23 §2: the keep path after the server's .env.local was deleted mid-way: no new
// consumer is needed, and Verify leads to pasting the key and secret (not to the consumer
// steps).
func TestWizardAdapterKeptKeyGoneNeedsNoNewConsumer(t *testing.T) {
	aw := newAdapterWorld(t)
	aw.writeKeys(t)
	co, err := aw.b.FindCheckout(aw.co.Root)
	if err != nil || !co.Configured {
		t.Fatalf("configured checkout: %+v, %v", co, err)
	}
	if err := os.Remove(co.ServerEnv); err != nil {
		t.Fatal(err)
	}
	v := aw.b.CheckConfigured(context.Background(), co)
	if v.Kind != tui.VerdictBadCredentials || strings.Contains(v.Message, "new consumer.") || !strings.Contains(v.Message, "No new consumer is needed") {
		t.Fatalf("verdict %v: %q", v.Kind, v.Message)
	}
}

// Issue 23 §2: a redirect the Amplication server refuses ends the wait, and nothing keeps
// listening on the callback port for another one (the port is free for the next try). The
// callback frees the port once it has an answer; the flow's Wait then closes its session
// too, so this guards the whole path rather than that one call.
func TestWizardAdapterAmpRedirectRefusedFreesThePort(t *testing.T) {
	aw := newAdapterWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := aw.signedInAmp(ctx, t)
	sess, state := aw.startAmpAuth(ctx, t, a)
	if sess.PortInUse {
		t.Skip("the callback port was taken meanwhile: nothing listens, so nothing to free")
	}
	waited := make(chan error, 1)
	go func() {
		_, err := sess.Flow.Wait(ctx)
		waited <- err
	}()
	// The browser lands with a code Bitbucket never issued: the server refuses it.
	resp, err := http.Get(aw.landedWith("never-issued-code", state))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case err := <-waited:
		if err == nil {
			t.Fatal("a code Bitbucket never issued was accepted")
		}
	case <-ctx.Done():
		t.Fatal("the wait never finished")
	}
	listenFree(t, aw.port)
}
