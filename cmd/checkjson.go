package cmd

// checkOpenFailed is runCheck's answer when the checkout cannot be opened (none found,
// --repo not a checkout, a checkout refused as unsafe): with --json, the result is still a
// JSON object on stdout, with ok false and one failed check "checkout", so a script that
// reads it gets the failure as data; the error goes to stderr as always (exit 1, or 2 for a
// usage mistake).
func (a *Factory) checkOpenFailed(err error, asJSON bool) error {
	if !asJSON {
		return err
	}
	res := checkResult{OK: false, Findings: []checkFinding{{
		ID: "checkout", Kind: "check", OK: false,
		Title:  "the Amplication checkout could not be opened",
		Detail: a.errorText(err),
		Hint:   "run bbsetup check inside your Amplication checkout, or pass --repo DIR",
	}}}
	if werr := writeJSON(a.env.Stdout, res); werr != nil {
		return werr
	}
	return err
}
