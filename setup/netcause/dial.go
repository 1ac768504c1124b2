package netcause

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"syscall"
)

// Dial reports whether err (a *url.Error's, say) means the request never reached the
// server (the connection could not be made, so nothing was sent), and says why in a few
// words. A certificate the system does not trust is not a dial failure: its caller words
// it as the TLS problem it is.
func Dial(err error) (string, bool) {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *x509.UnknownAuthorityError
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("the name %s does not resolve", dnsErr.Name), true
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", true
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "network unreachable", true
	case errors.As(err, &certErr):
		return "", false
	case errors.As(err, &opErr) && opErr.Op == "dial":
		if opErr.Timeout() {
			return "no answer in time", true
		}
		return "the connection could not be made", true
	}
	return "", false
}
