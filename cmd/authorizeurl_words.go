package cmd

import (
	"errors"

	"github.com/bbsetup/bbsetup/setup/amplication"
)

// ampUnexpectedAuthorizeURL is what is wrong with an authorize URL on Bitbucket's origin
// that is not the one Amplication's server makes (an
// *amplication.UnexpectedAuthorizeURLError, e.g. a redirect_uri parameter), sanitised for
// the operator; ok is false for any other error.
func ampUnexpectedAuthorizeURL(err error) (problem string, ok bool) {
	var ue *amplication.UnexpectedAuthorizeURLError
	if !errors.As(err, &ue) {
		return "", false
	}
	return ampName(ue.Problem), true
}
