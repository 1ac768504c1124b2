package cmd

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/tui"
)

// A wizard stopped by a signal says what was done outside this machine too (issue 16
// item 1).
func TestQuitMessageListsWhatWasDoneOutside(t *testing.T) {
	msg := quitMessage(tui.Summary{DoneOutside: []string{"Created the repository acme/shop on Bitbucket (https://bitbucket.org/acme/shop)."}})
	if !strings.Contains(msg, "nothing was written") || !strings.Contains(msg, "Created the repository acme/shop") {
		t.Fatalf("quit message:\n%s", msg)
	}
}

// A run left after the sign-in says nothing was stored in Amplication, as the wizard's quit
// frame does; not once a connection or a connect was stored, nor when Amplication was
// skipped or never signed in to.
func TestQuitMessageSaysNothingWasStoredInAmplication(t *testing.T) {
	const nothing = "Nothing was stored in Amplication."
	for _, tc := range []struct {
		name string
		amp  *tui.AmpSummary
		want bool
	}{
		{"not signed in", nil, false},
		{"skipped", &tui.AmpSummary{Skipped: true}, false},
		{"signed in only", &tui.AmpSummary{Account: "demo@example.com"}, true},
		{"reused connection", &tui.AmpSummary{Account: "demo@example.com", GitOrganization: &tui.AmpOrg{Name: "demo"}, Reused: true}, true},
		{"authorized", &tui.AmpSummary{Account: "demo@example.com", GitOrganization: &tui.AmpOrg{Name: "demo"}}, false},
		{"connected", &tui.AmpSummary{Account: "demo@example.com", GitOrganization: &tui.AmpOrg{Name: "demo"}, Reused: true, Connected: &tui.AmpConnected{Resource: "orders"}}, false},
	} {
		if got := strings.Contains(quitMessage(tui.Summary{Amplication: tc.amp}), nothing); got != tc.want {
			t.Errorf("%s: says %q = %v, want %v", tc.name, nothing, got, tc.want)
		}
	}
}

// authorized runs the adapter's authorization against the emulator, as the browser would.
func (aw *adapterWorld) authorized(t *testing.T) tui.Bitbucket {
	t.Helper()
	s := aw.start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type result struct {
		a   tui.Authorized
		err error
	}
	done := make(chan result, 1)
	go func() {
		a, err := s.Wait(ctx)
		done <- result{a, err}
	}()
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	resp, err := c.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.a.API
}

// The create form's slug lookup and description go through the adapter to the emulator
// (issue 16 item 18).
func TestWizardAdapterRepoExistsAndDescription(t *testing.T) {
	aw := newAdapterWorld(t)
	api := aw.authorized(t)
	ctx := context.Background()
	var first tui.Repo
	if err := api.ListRepos(ctx, "acme", "", func(b []tui.Repo, _, _ int) {
		if first.Slug == "" && len(b) > 0 {
			first = b[0]
		}
	}); err != nil || first.Slug == "" {
		t.Fatalf("listing: %v", err)
	}
	if taken, err := api.RepoExists(ctx, "acme", first.Slug); err != nil || !taken {
		t.Fatalf("RepoExists(%s) = %v, %v; want taken", first.Slug, taken, err)
	}
	if taken, err := api.RepoExists(ctx, "acme", "no-such-repository-here"); err != nil || taken {
		t.Fatalf("RepoExists(missing) = %v, %v; want free", taken, err)
	}
	r, err := api.CreateRepo(ctx, "acme", tui.NewRepo{Name: "Shop", Slug: "shop", Private: true, Description: "Orders and payments"})
	if err != nil {
		t.Fatal(err)
	}
	if taken, err := api.RepoExists(ctx, "acme", r.Slug); err != nil || !taken {
		t.Fatalf("RepoExists after the create = %v, %v", taken, err)
	}
}
