// Package netcause says, in a few words, why an HTTP request failed at the transport level,
// for the errors of bbsetup's HTTP clients (the Bitbucket REST client and the Amplication
// GraphQL client), and whether the request can have reached the server at all.
package netcause

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"syscall"
)

// Transport reports whether err (from inside a *url.Error) is a transport failure, worth
// another try when the request may be sent again: a net.Error (refused, reset, timeout) or
// a connection closed early.
func Transport(err error) bool {
	if _, ok := err.(net.Error); ok {
		return true
	}
	return err == io.EOF || err == io.ErrUnexpectedEOF || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

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
