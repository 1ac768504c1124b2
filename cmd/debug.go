package cmd

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/httpc"
	"github.com/bbsetup/bbsetup/setup/redact"
)

// The --debug log: every line goes to stderr through one redactor, which knows the
// secrets of this run (the client secret, tokens, authorization codes) and blanks
// anything credential-shaped besides.

// redactor returns the run's redactor, creating it on first use.
func (a *Factory) redactor() *redact.Redactor {
	a.dbgMu.Lock()
	defer a.dbgMu.Unlock()
	return a.redactorLocked()
}

func (a *Factory) redactorLocked() *redact.Redactor {
	if a.red == nil {
		a.red = redact.New()
	}
	return a.red
}

// secret tells the debug log about values it must never show.
func (a *Factory) secret(values ...string) { a.redactor().Add(values...) }

// debugWriter is the redacting debug log, or nil when --debug is off.
func (a *Factory) debugWriter() io.Writer {
	if !a.g.Debug || a.env.Stderr == nil {
		return nil
	}
	a.dbgMu.Lock()
	defer a.dbgMu.Unlock()
	if a.debugW == nil {
		a.debugW = a.redactorLocked().Writer(a.env.Stderr)
	}
	return a.debugW
}

// debugf writes one "debug: ..." line when --debug is on.
func (a *Factory) debugf(format string, args ...any) {
	if w := a.debugWriter(); w != nil {
		fmt.Fprintf(w, "debug: "+format+"\n", args...)
	}
}

// debugTransport logs one line per HTTP exchange (httpc.LogTransport: method, URL, the
// Amplication GraphQL operation's name, status, duration; never headers or bodies) when
// --debug is on; otherwise it returns base. It is the one logger of requests: no client is
// given Options.Debug as well, which would log each request a second time.
func (a *Factory) debugTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if !a.g.Debug {
		return base
	}
	return &httpc.LogTransport{Base: base, Logf: a.debugf, Label: func(r *http.Request) string {
		return amplication.OperationName(r.Context())
	}}
}

// httpClient is a client with the debug transport and a timeout.
func (a *Factory) httpClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: a.debugTransport(httpc.Transport(0))}
}

// pagedTransport is a fresh transport for the Bitbucket API, whose page fetches run in
// parallel.
func pagedTransport() *http.Transport { return httpc.Transport(2 * bitbucket.DefaultConcurrency) }
