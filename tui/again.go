package tui

import (
	"errors"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Redoing a step in place. When a credential a step got stops working later (the
// Amplication server restarted and refuses the session; Bitbucket refuses to renew bbsetup's
// token), the screen where that shows offers ctrl+l, named in its help line: it redoes that
// step (sign in again, authorize again), keeps everything chosen after it (workspace,
// repository, target) and comes back to the screen the operator was on.

// againMsg asks the root to redo step to, then come back to the current step.
type againMsg struct{ to step }

// ampSignInLost reports whether err is the Amplication server refusing the signed-in
// session (not a wrong email, password or token typed on the sign-in screen).
func ampSignInLost(err error) bool {
	var ua *amplication.UnauthorizedError
	return errors.As(err, &ua) && !ua.Login
}

// bitbucketAuthLost reports whether err is Bitbucket refusing to renew bbsetup's access
// token: only a new authorization helps.
func bitbucketAuthLost(err error) bool {
	var te *oauth.TokenError
	return errors.As(err, &te) && te.RenewRefused
}

// credentialLost reports whether err says a step's credential stopped working.
func credentialLost(err error) bool { return ampSignInLost(err) || bitbucketAuthLost(err) }

// againStep is the step that gets a new credential for err: the sign-in or bbsetup's own
// authorization.
func againStep(err error) step {
	if ampSignInLost(err) {
		return stepAmpSignIn
	}
	return stepAuthorize
}

// againKey is the help line's key for err.
func (c *common) againKey(err error) key.Binding {
	if ampSignInLost(err) {
		return with(c.km.Again, "ctrl+l", "sign in again")
	}
	return with(c.km.Again, "ctrl+l", "authorize again")
}

// againKeys is the help line's key for err when it says a credential stopped working.
func (c *common) againKeys(err error) []key.Binding {
	if !credentialLost(err) {
		return nil
	}
	return []key.Binding{c.againKey(err)}
}

// againCmd reports the redo when msg is ctrl+l and err says a credential stopped working.
func (c *common) againCmd(msg tea.KeyMsg, err error) (tea.Cmd, bool) {
	if !credentialLost(err) || !key.Matches(msg, c.km.Again) {
		return nil, false
	}
	return c.report(againMsg{to: againStep(err)}), true
}

// lostBox is the error box of a credential that stopped working: what happened (in the
// wizard's words, not the sign-in screen's) and the key that redoes the step.
func (c *common) lostBox(title string, err error) string {
	var ua *amplication.UnauthorizedError
	if errors.As(err, &ua) && !ua.Login {
		why := ""
		if ua.Message != "" {
			why = " (it answered: " + safetext.Line(ua.Message) + ")"
		}
		return c.errorBox(title, "The Amplication server no longer accepts this sign-in"+why+
			": it was restarted with other settings, or the session expired.",
			"Press ctrl+l to sign in again: what you chose stays, and you come back here.")
	}
	var te *oauth.TokenError
	why := ""
	if errors.As(err, &te) && te.Code != "" {
		why = " (" + safetext.Line(te.Code) + ")"
	}
	return c.errorBox(title, "Bitbucket refused to renew bbsetup's access"+why+": the authorization was revoked or has expired.",
		"Press ctrl+l to authorize again: what you chose stays, and you come back here.")
}
