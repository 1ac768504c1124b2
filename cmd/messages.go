package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/netcause"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// How a command's error reaches the terminal: one cause, said once, in the operator's
// words, ending in a full stop. A raw Go error (`Get "http://…": dial tcp …: connect:
// connection refused`) is detail for --debug, not for the operator.

// errorText renders err for the "bbsetup: …" line.
func (a *Factory) errorText(err error) string {
	msg := err.Error()
	var ue *url.Error
	var te *oauth.TokenError
	if errors.As(err, &ue) && !errors.As(err, &te) && strings.HasSuffix(msg, ": "+ue.Error()) {
		// A sentence with the HTTP client's own error appended: the sentence is for the
		// operator, the appended error goes to the debug log.
		a.debugf("error detail: %v", err)
		if reason, ok := netcause.Dial(ue); ok {
			// The sentence names the URL flag itself: no further CLI advice.
			return sentence(safetext.Block(fmt.Sprintf("could not reach Bitbucket at %s (%s). Check your network connection, or %s if you set it, and try again",
				hostOf(ue.URL), reason, a.urlFlagFor(ue.URL))))
		}
		msg = strings.TrimSuffix(msg, ": "+ue.Error())
	} else if errors.Is(err, context.DeadlineExceeded) && strings.HasSuffix(msg, ": "+context.DeadlineExceeded.Error()) {
		a.debugf("error detail: %v", err)
		msg = strings.TrimSuffix(msg, ": "+context.DeadlineExceeded.Error())
	}
	return sentence(safetext.Block(withCLIAdvice(msg, err)))
}

// sentence ends s with a full stop unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimRight(s, " \n")
	if s == "" || strings.ContainsRune(".!?", rune(s[len(s)-1])) {
		return s
	}
	return s + "."
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}

// urlFlagFor names the flag that sets the address of raw: --bitbucket-url for the OAuth
// host, --api-url otherwise.
func (a *Factory) urlFlagFor(raw string) string {
	if h := hostOf(raw); h != "" && h == hostOf(a.g.BitbucketURL) && h != hostOf(a.g.APIURL) {
		return "--bitbucket-url"
	}
	return "--api-url"
}

// usageHint points at the help of the command that was called wrongly.
func usageHint(c *cobra.Command) string {
	path := "bbsetup"
	if c != nil {
		path = c.CommandPath()
	}
	return fmt.Sprintf("Run '%s --help' for usage.", path)
}
