package cmd

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bbsetup/bbsetup/setup/checkout"
)

// openCheckout opens the Amplication checkout: exactly --repo when it is given (an
// explicit directory that is not a checkout is an error, not a reason to look higher),
// else the nearest one at or above the working directory.
func (a *Factory) openCheckout() (*checkout.Checkout, error) {
	co, err := a.findCheckout()
	if err != nil {
		return nil, err
	}
	a.prepareCheckout(co)
	return co, nil
}

// prepareCheckout sets what an opened checkout takes from bbsetup's own environment and
// flags: where backups go, and what the operator trusts.
func (a *Factory) prepareCheckout(co *checkout.Checkout) {
	// Backups go under the user's state directory, taken from bbsetup's own environment.
	co.BackupDir = checkout.BackupDirFor(checkout.StateHome(a.env.Getenv), co.Root)
	a.trustCheckout(co)
}

func (a *Factory) findCheckout() (*checkout.Checkout, error) {
	if a.g.Repo != "" {
		co, err := checkout.Open(a.g.Repo)
		if errors.Is(err, checkout.ErrNotFound) {
			// The operator named the directory: setup/'s "name the top directory of your
			// checkout" is the advice, and the flag to name it with; not cliAdvice's "run
			// bbsetup inside your checkout, or pass --repo DIR" on top.
			return nil, errors.New(strings.TrimSuffix(err.Error(), ".") + " with --repo DIR")
		}
		return co, err
	}
	wd, err := a.env.Getwd()
	if err != nil {
		return nil, fmt.Errorf("cannot tell the working directory (%v); pass --repo DIR", err)
	}
	root, err := checkout.Find(wd)
	if errors.Is(err, checkout.ErrNotFound) {
		// Most often a newcomer trying bbsetup out: say how to try it with no checkout.
		return nil, fmt.Errorf("no Amplication checkout at or above %s (bbsetup looks for a directory with packages/amplication-server): run bbsetup inside your Amplication checkout or pass --repo DIR; to try bbsetup without one, run: bbsetup demo", wd)
	}
	if err != nil {
		return nil, err
	}
	return checkout.Open(root)
}

// configuredCheckout opens the checkout and returns its effective Bitbucket key and
// secret, or says to run configure when they are not set.
func (a *Factory) configuredCheckout() (*checkout.Checkout, checkout.Credentials, error) {
	co, err := a.openCheckout()
	if err != nil {
		return nil, checkout.Credentials{}, err
	}
	cr, ok := co.Current()
	if !ok {
		return nil, checkout.Credentials{}, fmt.Errorf("the Bitbucket key and secret are not set in %s (or the PR service's .env.local disagrees); run bbsetup configure first", co.ServerEnvLocal)
	}
	return co, cr, nil
}

// trustCheckout sets what the operator trusts: BBSETUP_SAFE_DIRECTORY (checkouts that
// another user owns or group or others can write) and --allow-outside-checkout (env
// files that link outside the checkout).
func (a *Factory) trustCheckout(co *checkout.Checkout) {
	if v := a.env.Getenv(checkout.SafeDirectoryEnv); v != "" {
		co.SafeDirectories = filepath.SplitList(v)
	}
	co.AllowOutside = a.g.AllowOutside
}

func joinNotes(n []string) string { return strings.Join(n, "; ") }
