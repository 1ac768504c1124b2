package flow

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
	"github.com/bbsetup/bbsetup/setup/checkout"
)

func TestPlanConfigure(t *testing.T) {
	co, err := checkout.Open(testkit.AmplicationCheckout(t, "current"))
	if err != nil {
		t.Fatal(err)
	}
	const key, secret = "AbCdEfGhIjKlMnOpQr", "s3cr3tS3cr3tS3cr3tS3cr3tS3cr3tXy"
	p, err := PlanConfigure(co, key, secret)
	if err != nil {
		t.Fatal(err)
	}
	if p.KeyLooksLikeSecret || len(p.Files) == 0 || !p.Files[0].Changed() {
		t.Fatalf("an ordinary key: %+v", p)
	}
	if p.ExpansionRisk {
		t.Error("values without $ were called an expansion risk")
	}

	// Swapped: the 32-character secret given as the key is masked like a secret.
	p, err = PlanConfigure(co, secret, key)
	if err != nil {
		t.Fatal(err)
	}
	if !p.KeyLooksLikeSecret {
		t.Fatal("a secret-shaped key was not noticed")
	}
	for _, f := range p.Files {
		if !slices.Contains(f.Secrets, secret) {
			t.Errorf("%s does not mask the secret-shaped key", f.Path)
		}
	}

	// $NAME in a value: a risk unless the checkout's Nx is a verified one.
	p, err = PlanConfigure(co, key, "with$HOMEinside")
	if err != nil {
		t.Fatal(err)
	}
	if !p.ExpansionRisk || p.Nx.Version != "" {
		t.Errorf("$HOME with no Nx found: ExpansionRisk = %v, Nx %+v", p.ExpansionRisk, p.Nx)
	}
	nx := filepath.Join(co.Root, "node_modules", "nx")
	if err := os.MkdirAll(nx, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nx, "package.json"), []byte(`{"version": "16.9.1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err = PlanConfigure(co, key, "with$HOMEinside"); err != nil || p.ExpansionRisk {
		t.Errorf("$HOME with the verified Nx 16.9.1: ExpansionRisk = %v (err %v)", p != nil && p.ExpansionRisk, err)
	}

	if _, err := PlanConfigure(co, "", secret); err == nil {
		t.Error("an empty key was planned")
	}
}
