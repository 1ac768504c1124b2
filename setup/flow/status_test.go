package flow

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

var statusWords = StatusWords{
	Amp:       func(err error) error { return errors.New("worded: " + err.Error()) },
	Configure: "write the key, then restart",
}

func TestKeyFinding(t *testing.T) {
	for _, tc := range []struct {
		name    string
		k       amplication.KeyCheck
		ok      bool
		title   string // a part of the title
		detail  string // a part of the detail
		hint    string
		written string
	}{
		{"matches", amplication.KeyCheck{State: amplication.KeyMatches, Running: "key1"}, true, "uses the key in .env.local", "BITBUCKET_CLIENT_ID key1", "", "key1"},
		{"missing", amplication.KeyCheck{State: amplication.KeyMissing}, false, "has no Bitbucket key", "so the server was started before it was written", AmpRestart, "key1"},
		{"unknown", amplication.KeyCheck{State: amplication.KeyUnknown, Err: errors.New("boom")}, false, "could not be read", "worded: boom", "", "key1"},
		{"bad URL", amplication.KeyCheck{State: amplication.KeyUnknown, BadURL: true, Err: errors.New("not a URL")}, false, "is not a URL", "not a URL", "", "key1"},
		{"not written", amplication.KeyCheck{State: amplication.KeyNotWritten, Running: "k\x1b[31m"}, false, "not written in the env files", `uses "k`, "write the key, then restart", ""},
		{"not written, none running", amplication.KeyCheck{State: amplication.KeyNotWritten}, false, "has no Bitbucket key", "", "write the key, then restart", ""},
		{"placeholder", amplication.KeyCheck{State: amplication.KeyPlaceholder, Running: "placeholder"}, false, "placeholder", "client_id=placeholder; srv/.env.local has key1", AmpRestart, "key1"},
		{"other", amplication.KeyCheck{State: amplication.KeyOther, Running: "key0"}, false, "another Bitbucket key", "client_id=key0; srv/.env.local has key1", AmpRestart, "key1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := keyFinding(tc.k, "srv/.env.local", tc.written, statusWords)
			if f.ID != "server-key" || f.OK != tc.ok || !strings.Contains(f.Title, tc.title) || !strings.Contains(f.Detail, tc.detail) || f.Hint != tc.hint {
				t.Fatalf("keyFinding = %+v", f)
			}
			if tc.detail == "" && f.Detail != "" {
				t.Fatalf("detail %q, want none", f.Detail)
			}
			if strings.Contains(f.Detail, "\x1b") {
				t.Fatalf("the server's key is not made safe: %q", f.Detail)
			}
		})
	}
}

func TestServerFinding(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		pr      Probe
		answers bool
		detail  string
	}{
		{Probe{Answers: true, State: &yes}, true, "v3.5.0 or later"},
		{Probe{Answers: true, State: &no}, true, "older than v3.5.0"},
		{Probe{Answers: true}, true, "does not answer introspection"},
		{Probe{Err: errors.New("refused")}, false, "worded: refused"},
	} {
		f, answers := serverFinding("http://x", tc.pr, statusWords)
		if answers != tc.answers || f.OK != tc.answers || f.ID != "server" || !strings.Contains(f.Detail, tc.detail) || !strings.Contains(f.Title, "http://x") {
			t.Errorf("serverFinding(%+v) = %+v, %v", tc.pr, f, answers)
		}
	}
}

func TestSignedInFindingAndStatusOK(t *testing.T) {
	ov := &amplication.Overview{Account: amplication.Account{Email: "a@x", FirstName: "Ann"}}
	f := SignedInFinding(ov)
	if !f.OK || f.Title != "signed in to Amplication as Ann <a@x>, no workspace" {
		t.Fatalf("no workspace: %+v", f)
	}
	ov.Current = &amplication.Workspace{Name: "Team"}
	if f = SignedInFinding(ov); !strings.HasSuffix(f.Title, ", workspace Team") {
		t.Fatalf("workspace: %+v", f)
	}
	st := Status{}
	st.add(f)
	if !st.OK() {
		t.Fatal("one passing check: not OK")
	}
	st.add(keyFinding(amplication.KeyCheck{State: amplication.KeyMissing}, "e", "k", statusWords))
	if st.OK() {
		t.Fatal("a failing check: OK")
	}
}

func TestConnectedSays(t *testing.T) {
	own := &bitbucket.User{Username: "casey"}
	c := &Connected{Group: "acme", Slug: "shop"}
	if c.OwnAccount() != nil || c.WriteChecked() != nil || c.MainBranchCreated() || len(c.PushNotes()) != 0 || c.Full() != "acme/shop" {
		t.Fatalf("nothing known: %+v", c)
	}
	c.Pusher = Pusher{Compared: true, Own: own}
	if o := c.OwnAccount(); o == nil || !*o {
		t.Fatal("compared, no mismatch: not own")
	}
	c.Pusher.Mismatch = &bitbucket.AccountMismatch{Own: *own, PusherName: "robin"}
	c.Pusher.Choice.Org.Name = "robin"
	c.MainBranch = &bitbucket.MainBranchResult{Branch: "main", Committed: true}
	c.Write = &bitbucket.WriteCheck{Why: errors.New("not an admin")}
	if o := c.OwnAccount(); o == nil || *o {
		t.Fatal("a mismatch: own")
	}
	if w := c.WriteChecked(); w == nil || *w {
		t.Fatal("unchecked write: checked")
	}
	notes := c.PushNotes()
	if len(notes) != 3 || notes[0].Warning || !strings.HasPrefix(notes[0].Text, "Added README.md on main") ||
		!notes[1].Warning || !strings.Contains(notes[1].Text, "pushes to Bitbucket as robin") ||
		!notes[2].Warning || notes[2].Text != "not an admin" {
		t.Fatalf("notes: %+v", notes)
	}
	c.Write = &bitbucket.WriteCheck{Access: bitbucket.AccessWrite, Permission: "write"}
	if notes = c.PushNotes(); notes[2].Warning || notes[2].Text != "robin can write acme/shop (write)" {
		t.Fatalf("a checked write: %+v", notes[2])
	}
	if w := c.WriteChecked(); w == nil || !*w {
		t.Fatal("checked write: unchecked")
	}
}

func TestConnectedInheritsAndTakenNotes(t *testing.T) {
	p := shop()[0]
	pl, err := PlanConnect(Target{Project: p, Resource: p.Resources[0]}, "acme", "new", true)
	if err != nil {
		t.Fatal(err)
	}
	notes := pl.TakenNotes()
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "payments had acme/pay of its own and now uses the project's") {
		t.Fatalf("taken notes: %q", notes)
	}
	c := &Connected{ConnectResult: &amplication.ConnectResult{Resource: p.Resources[0], Inheriting: p.Resources[1:2]}}
	if settings, inh, _ := c.Inherits(); !settings || len(inh) != 1 || inh[0] != "orders" {
		t.Fatalf("settings: %v %q", settings, inh)
	}
	c.Resource = p.Resources[3]
	if settings, _, over := c.Inherits(); settings || !over {
		t.Fatalf("an overriding service: settings %v, override %v", settings, over)
	}
}

func TestAmpAuthorizedOwnAccount(t *testing.T) {
	a := AmpAuthorized{PusherErr: errors.New("unread"), Pusher: Pusher{Compared: true, Mismatch: &bitbucket.AccountMismatch{}}}
	if a.OwnAccount() != nil || a.Mismatch() != nil {
		t.Fatal("an unread pusher says something")
	}
	a.PusherErr = nil
	if o := a.OwnAccount(); o == nil || *o || a.Mismatch() == nil {
		t.Fatal("a mismatch is not said")
	}
	a.Pusher.Mismatch = nil
	if o := a.OwnAccount(); o == nil || !*o || a.Mismatch() != nil {
		t.Fatal("own account is not said")
	}
}

func TestLookupsStopWithTheCommand(t *testing.T) {
	if r, err := lookupWith[bitbucket.Repository](context.Background(), nil).Wait(); r != nil || err != nil {
		t.Fatalf("no slug: %v %v", r, err)
	}
	started := make(chan struct{})
	l := lookupWith(context.Background(), func(ctx context.Context) (*bitbucket.Repository, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	<-started
	stopped := make(chan struct{})
	go func() { l.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not end the look-up")
	}
	if _, err := l.Wait(); !errors.Is(err, context.Canceled) {
		t.Fatalf("after Stop: %v", err)
	}
	o := lookupWith(context.Background(), func(context.Context) (*bitbucket.User, error) { return &bitbucket.User{Username: "casey"}, nil })
	defer o.Stop()
	if u, err := o.Wait(); err != nil || u.Username != "casey" {
		t.Fatalf("own: %v %v", u, err)
	}
}
