package bitbucket

import (
	"strings"
	"testing"
)

// TestDeleteRepo: a deleted repository answers 404 and leaves the listing; the others stay.
func TestDeleteRepo(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	if !w.s.Controls().DeleteRepo("acme", "billing-api") {
		t.Fatal("DeleteRepo(acme, billing-api) = false")
	}
	if w.s.Controls().DeleteRepo("acme", "billing-api") {
		t.Error("deleted twice")
	}
	if r := w.get("/2.0/repositories/acme/billing-api", tok); r.status != 404 {
		t.Errorf("GET after delete: %d %s", r.status, r.body)
	}
	r := w.get("/2.0/repositories/acme?pagelen=100", tok)
	if r.status != 200 || strings.Contains(string(r.body), `"slug": "billing-api"`) || strings.Contains(string(r.body), `"slug":"billing-api"`) {
		t.Errorf("listing after delete: %d %s", r.status, r.body)
	}
	if !strings.Contains(string(r.body), "slug") {
		t.Errorf("the other repositories went too: %s", r.body)
	}
}
