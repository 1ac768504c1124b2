// Package netcause says, in a few words, why an HTTP request failed at the transport level,
// for the errors of bbsetup's HTTP clients (the Bitbucket REST client and the Amplication
// GraphQL client), and whether the request can have reached the server at all.
package netcause

import (
	"context"
	"errors"
	"net"
	"net/url"
	"syscall"
)

// NotSent reports whether a transport error happened before the request could reach the
// server: the connection was never made (refused, no route, unknown host). Such a request
// is safe to retry whatever it was.
func NotSent(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &de) || (errors.As(err, &oe) && oe.Op == "dial")
}

// Kind describes a transport error without its URL (the caller names the server), e.g.
// "dial: connect: connection refused" or "timed out".
func Kind(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Op + ": " + oe.Err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}
