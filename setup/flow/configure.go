package flow

import (
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/envfile"
)

// ConfigurePlan is what writing a consumer's key and secret into a checkout's env files
// will change, with what looks wrong in the values, before anything is checked or written.
type ConfigurePlan struct {
	*envfile.Plan
	// KeyLooksLikeSecret: the key has a secret's shape (LooksLikeSecret), the two were
	// probably swapped; the plan masks it like a secret, and so must every log.
	KeyLooksLikeSecret bool
	// ExpansionRisk: the key or secret holds text Nx might expand ($NAME, ${...}, \$) and
	// the checkout's Nx is not one verified to pass such values unchanged; Nx is its version.
	ExpansionRisk bool
	Nx            checkout.NxVersion
}

// PlanConfigure plans writing id and secret into co's env files: it validates both values
// and every file, and writes nothing.
func PlanConfigure(co *checkout.Checkout, id, secret string) (*ConfigurePlan, error) {
	plan, err := co.Plan(checkout.Credentials{ClientID: id, ClientSecret: secret})
	if err != nil {
		return nil, err
	}
	out := &ConfigurePlan{Plan: plan, KeyLooksLikeSecret: LooksLikeSecret(id)}
	if out.KeyLooksLikeSecret {
		for i := range plan.Files {
			plan.Files[i].Secrets = append(plan.Files[i].Secrets, id)
		}
	}
	if checkout.ExpansionRisk(id) || checkout.ExpansionRisk(secret) {
		// Nx 16.9.1 passes a project's values unchanged (verified): a risk only when the
		// checkout runs another (or an unknown) version.
		if v := co.NxVersion(); !v.Verified() {
			out.ExpansionRisk, out.Nx = true, v
		}
	}
	return out, nil
}
