package cmd

import (
	"errors"
	"slices"
	"strings"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// The command line's words for the settings and steps setup/'s errors advise in their own
// words ("check the API URL", "name the checkout's directory"): setup/ does not know it is
// driven by flags and commands, so what names them is said here.
const (
	adviceAPIURL       = "bbsetup takes the API URL from --api-url or BBSETUP_API_URL."
	adviceBitbucketURL = "bbsetup takes the Bitbucket URL from --bitbucket-url or BBSETUP_BITBUCKET_URL."
	adviceCheckout     = "Run bbsetup inside your Amplication checkout, or pass --repo DIR with its top directory."
	adviceConfigure    = "Run bbsetup configure to set them."
	adviceCheck        = "'bbsetup check' checks them."
	adviceWorkspaces   = "'bbsetup workspaces' lists the workspaces."
	adviceDebug        = "Run it again with --debug to see each exchange."
	adviceFilter       = "Narrow the list with --filter TEXT."
	adviceOutside      = "To allow it, pass --allow-outside-checkout (or set BBSETUP_ALLOW_OUTSIDE_CHECKOUT=1)."
)

// cliAdvice is what the command line adds to an error from setup/: how to carry out, with
// bbsetup's flags and commands, the advice the error gives. It is "" when there is none.
func cliAdvice(err error) string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	var (
		authErr   *bitbucket.AuthError
		uncertain *bitbucket.CreateUncertainError
		authorize *oauth.AuthorizeError
		redirect  *oauth.RedirectError
		tooMany   *bitbucket.TooManyError
		outside   *checkout.OutsideError
	)
	if errors.As(err, &redirect) {
		add(adviceBitbucketURL)
		add(adviceAPIURL)
	}
	if errors.As(err, &tooMany) {
		add(adviceFilter)
	}
	if errors.As(err, &outside) {
		add(adviceOutside)
	}
	if errors.Is(err, bitbucket.ErrCheckAPIURL) {
		add(adviceAPIURL)
	}
	if errors.Is(err, oauth.ErrCheckBitbucketURL) {
		add(adviceBitbucketURL)
	}
	if errors.Is(err, checkout.ErrNotFound) || errors.Is(err, checkout.ErrNoPRService) || errors.Is(err, envfile.ErrNoDir) {
		add(adviceCheckout)
	}
	if errors.Is(err, oauth.ErrNoCredentials) {
		add(adviceConfigure)
	}
	if errors.As(err, &authorize) && authorize.UnknownKey() {
		add(adviceConfigure)
	}
	if errors.As(err, &authErr) && !authErr.Expired {
		add(adviceCheck)
	}
	if errors.Is(err, bitbucket.ErrNoWorkspace) || errors.Is(err, bitbucket.ErrBadWorkspace) {
		add(adviceWorkspaces)
	}
	if errors.As(err, &uncertain) {
		add("bbsetup repos list --workspace " + shellWord(uncertain.Workspace) + " --filter " + shellWord(uncertain.Name) + " lists them.")
	}
	if errors.Is(err, bitbucket.ErrUnexpectedAnswer) {
		add(adviceDebug)
	}
	return strings.Join(out, " ")
}

// withCLIAdvice is msg (an error's message) followed by the command line's advice for err.
func withCLIAdvice(msg string, err error) string {
	advice := cliAdvice(err)
	if advice == "" {
		return msg
	}
	msg = strings.TrimSpace(msg)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg + " " + advice
}

// shellWord quotes s for a shell command line the operator may copy: as is when it is
// plain, else in single quotes.
func shellWord(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./@%+=:,", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
