package cmd

import (
	"errors"
	"fmt"

	"github.com/bbsetup/bbsetup/setup/checkout"
)

// openCheckout opens the Amplication checkout: exactly --repo when it is given (an
// explicit directory that is not a checkout is an error, not a reason to look higher),
// else the nearest one at or above the working directory.
func (a *app) openCheckout() (*checkout.Checkout, error) {
	co, err := a.findCheckout()
	if err != nil {
		return nil, err
	}
	// Backups go under the user's state directory, taken from bbsetup's own environment.
	co.BackupDir = checkout.BackupDirFor(checkout.StateHome(a.env.Getenv), co.Root)
	return co, nil
}

func (a *app) findCheckout() (*checkout.Checkout, error) {
	if a.g.Repo != "" {
		return checkout.Open(a.g.Repo)
	}
	wd, err := a.env.Getwd()
	if err != nil {
		return nil, fmt.Errorf("cannot tell the working directory (%v); pass --repo DIR", err)
	}
	root, err := checkout.Find(wd)
	if errors.Is(err, checkout.ErrNotFound) {
		// Most often a newcomer trying bbsetup out: say how to try it with no checkout.
		return nil, fmt.Errorf("no Amplication checkout at or above %s (bbsetup looks for a directory with packages/amplication-server). Run bbsetup inside your Amplication checkout or pass --repo DIR; to try bbsetup without one, run: bbsetup demo", wd)
	}
	if err != nil {
		return nil, err
	}
	return checkout.Open(root)
}

// configuredCheckout opens the checkout and returns its effective Bitbucket key and
// secret, or says to run configure when they are not set.
func (a *app) configuredCheckout() (*checkout.Checkout, checkout.Credentials, error) {
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
