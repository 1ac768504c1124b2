package flow

import (
	"errors"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/amplication"
)

// shop is a project whose settings have acme/shop; orders inherits it, payments has a
// repository of its own (without override: a project connect takes it), catalog overrides.
func shop() []amplication.Project {
	org := amplication.GitOrganization{ID: "org1", Name: "acme", Provider: amplication.ProviderBitbucket}
	settings := &amplication.GitRepository{ID: "r1", Name: "shop", GroupName: "acme", Organization: org}
	return []amplication.Project{
		{ID: "p1", Name: "Shop", Resources: []amplication.Resource{
			{ID: "s0", Name: "Shop settings", Type: amplication.TypeProjectConfiguration, Repo: settings},
			{ID: "s1", Name: "orders", Type: amplication.TypeService, Repo: settings},
			{ID: "s2", Name: "payments", Type: amplication.TypeService, Repo: &amplication.GitRepository{ID: "r2", Name: "pay", GroupName: "acme"}},
			{ID: "s3", Name: "catalog", Type: amplication.TypeService, Override: true, Repo: &amplication.GitRepository{ID: "r3", Name: "cat", GroupName: "other"}},
			{ID: "s4", Name: "Orders", Type: amplication.TypeService},
		}},
		{ID: "p2", Name: "Internal"},
		{ID: "p3", Name: "internal"},
	}
}

func TestResolve(t *testing.T) {
	ps := shop()
	for _, tc := range []struct {
		project, resource, want string // want: the resource id, or the error's words
	}{
		{"Shop", "", "s0"},
		{"p1", "", "s0"},
		{" shop ", "payments", "s2"},
		{"Shop", "s1", "s1"},
		{"Shop", "s0", "s0"}, // the settings by id (the wizard's choice)
		{"Shop", "CATALOG", "s3"},
		{"Shop", "orders", "several of the services"},
		{"Shop", "Shop settings", "no such service"}, // the settings are no service by name
		{"Nope", "", "no such project"},
		{"Internal", "", "several of the projects"},
		{"p2", "", "has no settings"},
	} {
		got, err := Resolve(ps, tc.project, tc.resource)
		switch {
		case err != nil && !strings.Contains(err.Error(), tc.want):
			t.Errorf("Resolve(%q, %q): %v, want %q", tc.project, tc.resource, err, tc.want)
		case err == nil && got.Resource.ID != tc.want:
			t.Errorf("Resolve(%q, %q) = %s, want %s", tc.project, tc.resource, got.Resource.ID, tc.want)
		}
	}
	_, err := Resolve(ps, "Nope", "")
	var ns *NoSuchError
	if !errors.As(err, &ns) || len(ns.Have) != 3 || ns.Have[0] != "Shop (id p1)" {
		t.Errorf("no such project: %#v", err)
	}
}

func TestPlanConnect(t *testing.T) {
	ps := shop()
	settings, _ := Resolve(ps, "Shop", "")
	// Already there: unchanged, and nothing to store.
	if pl, err := PlanConnect(settings, "ACME", "shop", false); err != nil || !pl.Unchanged {
		t.Errorf("same repository: %+v, %v", pl, err)
	}
	// Another repository without replace: refused, naming what it has.
	_, err := PlanConnect(settings, "acme", "new", false)
	var ace *amplication.AlreadyConnectedError
	if !errors.As(err, &ace) || ace.Repo.FullName() != "acme/shop" {
		t.Errorf("without replace: %v", err)
	}
	// With replace: payments loses its own repository (no override), catalog keeps its.
	pl, err := PlanConnect(settings, "acme", "new", true)
	if err != nil || pl.Unchanged || len(pl.Taken) != 1 || pl.Taken[0].Name != "payments" || pl.Full() != "acme/new" {
		t.Errorf("with replace: %+v, %v", pl, err)
	}
	// A service that inherits: refused as inherited.
	orders, _ := Resolve(ps, "Shop", "s1")
	if _, err := PlanConnect(orders, "acme", "o", false); !errors.As(err, &ace) || !ace.Inherited {
		t.Errorf("inherited: %v", err)
	}
	if got := orders.Label(); got != "orders (project Shop)" {
		t.Errorf("label %q", got)
	}
	if got := settings.Label(); got != "the settings of project Shop" {
		t.Errorf("label %q", got)
	}
}

func TestConnectFailedSaysWhatWasPutBack(t *testing.T) {
	old := &amplication.GitRepository{Name: "shop", GroupName: "acme"}
	words := ConnectWords{
		Amp:        func(err error) error { return err },
		Check:      "; look again",
		ConnectOld: func(o *amplication.GitRepository, id string) string { return "put " + o.FullName() + " back in " + id },
	}
	refused := errors.New("refused")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&amplication.ConnectError{Phase: amplication.PhaseDisconnect, Err: refused, Old: old}, "could not disconnect x from acme/shop, so nothing was changed: refused"},
		{&amplication.ConnectError{Phase: amplication.PhaseConnect, Err: refused}, "did not connect x to acme/new: refused"},
		{&amplication.ConnectError{Phase: amplication.PhaseConnect, Err: refused, Old: old, Restored: true}, "so it is connected to acme/shop again: refused"},
		{&amplication.ConnectError{Phase: amplication.PhaseConnect, Err: refused, Old: old, RestoreErr: refused}, "putting back acme/shop failed too (refused): put acme/shop back in p1"},
		{&amplication.ConnectError{Phase: amplication.PhaseReadBack, Got: "acme/other"}, "shows acme/other instead of acme/new; look again"},
		{refused, "refused"},
	} {
		if got := ConnectFailed(tc.err, "x", "acme/new", "p1", words); !strings.Contains(got.Error(), tc.want) {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestClassifyAmp(t *testing.T) {
	s := &Server{URL: "http://localhost:3000"}
	for _, tc := range []struct {
		err    error
		want   Outcome
		wizard string
	}{
		{&amplication.UnreachableError{Reason: "dial tcp 127.0.0.1:3000: connect: connection refused"}, OutcomeUnreachable, "(connection refused). Start it"},
		{&amplication.UnreachableError{Timeout: true}, OutcomeTimeout, "did not answer"},
		{&amplication.UnauthorizedError{Login: true, Message: "Invalid password."}, OutcomeLoginRefused, "(Invalid password). Check the email"},
		{&amplication.UnauthorizedError{Message: "Unauthorized"}, OutcomeTokenRefused, "refused the token (Unauthorized)"},
		{&amplication.HTTPError{Status: 404}, OutcomeNotAmplication, "it answered 404 Not Found"},
		{&amplication.GraphQLError{Messages: []string{"Nope\x1b[2J."}}, OutcomeRefused, "refused the request (Nope"},
		{errors.New("odd"), OutcomeOther, "could not be asked (odd)"},
	} {
		a := s.ClassifyAmp(tc.err)
		if a.Outcome != tc.want || !strings.Contains(a.Wizard().Error(), tc.wizard) || strings.Contains(a.Wizard().Error(), "\x1b") {
			t.Errorf("%T: outcome %d (want %d), wizard %q (want %q)", tc.err, a.Outcome, tc.want, a.Wizard(), tc.wizard)
		}
		if !errors.Is(a.Wizard(), tc.err) {
			t.Errorf("%T: the wizard's words lose the error", tc.err)
		}
	}
}

func TestClassifyComplete(t *testing.T) {
	for msg, want := range map[string]CompleteOutcome{
		"Failed to complete OAuth2 flow - Workspace must upgrade its plan": CompleteNoPlan,
		"Invalid OAuth client credentials":                                 CompleteKeyRefused,
		"redirect_uri does not match":                                      CompleteRedirectURI,
		"invalid_grant":                                                    CompleteCodeUsed,
		"Failed to get username":                                           CompleteNoUser,
		"Bitbucket request failed.":                                        CompleteUnknown,
	} {
		if got, _, ok := ClassifyComplete(&amplication.GraphQLError{Messages: []string{msg}}); !ok || got != want {
			t.Errorf("%q: %d, want %d", msg, got, want)
		}
	}
	if _, _, ok := ClassifyComplete(errors.New("x")); ok {
		t.Error("a non-GraphQL error classified as the server's refusal")
	}
	var ce *CredentialsError
	if err := (&Server{}).wizardComplete(&amplication.GraphQLError{Messages: []string{"unauthorized_client"}}); !errors.As(err, &ce) {
		t.Errorf("a refused key is not a CredentialsError (the wizard offers k): %v", err)
	}
}

func TestLooksLikeSecret(t *testing.T) {
	for id, want := range map[string]bool{
		"cFRo5o6uliVJCprmvC":               false,
		"abcdefghijklmnopqrstuvwxyz012345": true,
		"abcdefghijklmnopqrstuvwxyz01234-": false,
	} {
		if LooksLikeSecret(id) != want {
			t.Errorf("LooksLikeSecret(%q) = %v", id, !want)
		}
	}
}

func TestPlanConnectRefusesMovingServices(t *testing.T) {
	ps := shop()
	settings, _ := Resolve(ps, "Shop", "")
	settings.Resource.Repo = nil // the project's settings not connected yet
	for i := range settings.Project.Resources {
		if settings.Project.Resources[i].Type == amplication.TypeProjectConfiguration {
			settings.Project.Resources[i].Repo = nil
		}
	}
	_, err := PlanConnect(settings, "acme", "new", false)
	var mse *MovesServicesError
	if !errors.As(err, &mse) || !strings.Contains(mse.Names(), "payments (from acme/pay)") || strings.Contains(mse.Names(), "catalog") {
		t.Fatalf("a project connect that moves payments without replace: %v", err)
	}
	if pl, err := PlanConnect(settings, "acme", "new", true); err != nil || len(pl.Taken) == 0 {
		t.Errorf("with replace: %+v, %v", pl, err)
	}
	// A connected service that still follows its project is not unchanged: Run marks it.
	cat, _ := Resolve(ps, "Shop", "payments")
	if pl, err := PlanConnect(cat, "acme", "pay", false); err != nil || pl.Unchanged {
		t.Errorf("payments on its own repository without the override: %+v, %v", pl, err)
	}
}
