package cmd

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

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
		if reason, ok := dialFailure(ue); ok {
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

// dialFailure reports whether the request never reached the server (the connection could
// not be made, so nothing was sent) and says why in a few words.
func dialFailure(ue *url.Error) (string, bool) {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *x509.UnknownAuthorityError
	switch {
	case errors.As(ue, &dnsErr):
		return fmt.Sprintf("the name %s does not resolve", dnsErr.Name), true
	case errors.Is(ue, syscall.ECONNREFUSED):
		return "connection refused", true
	case errors.Is(ue, syscall.ENETUNREACH), errors.Is(ue, syscall.EHOSTUNREACH):
		return "network unreachable", true
	case errors.As(ue, &certErr):
		return "", false // worded by the caller (a TLS message), not a dial failure
	case errors.As(ue, &opErr) && opErr.Op == "dial":
		if opErr.Timeout() {
			return "no answer in time", true
		}
		return "the connection could not be made", true
	}
	return "", false
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
