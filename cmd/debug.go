package cmd

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/redact"
)

// The --debug log: every line goes to stderr through one redactor, which knows the
// secrets of this run (the client secret, tokens, authorization codes) and blanks
// anything credential-shaped besides.

// redactor returns the run's redactor, creating it on first use.
func (a *app) redactor() *redact.Redactor {
	a.dbgMu.Lock()
	defer a.dbgMu.Unlock()
	return a.redactorLocked()
}

func (a *app) redactorLocked() *redact.Redactor {
	if a.red == nil {
		a.red = redact.New()
	}
	return a.red
}

// secret tells the debug log about values it must never show.
func (a *app) secret(values ...string) { a.redactor().Add(values...) }

// debugWriter is the redacting debug log, or nil when --debug is off.
func (a *app) debugWriter() io.Writer {
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
func (a *app) debugf(format string, args ...any) {
	if w := a.debugWriter(); w != nil {
		fmt.Fprintf(w, "debug: "+format+"\n", args...)
	}
}

// debugPrefixWriter gives every line written to it the "debug: " prefix of the --debug
// log (for a package that writes its own debug lines, such as setup/amplication's).
type debugPrefixWriter struct{ w io.Writer }

func (d debugPrefixWriter) Write(p []byte) (int, error) {
	body := strings.TrimSuffix(string(p), "\n")
	line := "debug: " + strings.ReplaceAll(body, "\n", "\ndebug: ") + "\n"
	if _, err := io.WriteString(d.w, line); err != nil {
		return 0, err
	}
	return len(p), nil
}

// debugTransport logs one line per HTTP exchange (method, URL, status, duration; never
// headers or bodies) when --debug is on; otherwise it returns base.
func (a *app) debugTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if !a.g.Debug {
		return base
	}
	return &debugRoundTripper{a: a, base: base}
}

type debugRoundTripper struct {
	a    *app
	base http.RoundTripper
}

func (d *debugRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := d.base.RoundTrip(req)
	took := time.Since(start).Round(time.Millisecond)
	u := *req.URL
	u.User = nil
	if err != nil {
		d.a.debugf("http: %s %s: failed after %s: %v", req.Method, u.String(), took, err)
		return resp, err
	}
	d.a.debugf("http: %s %s: %d after %s", req.Method, u.String(), resp.StatusCode, took)
	return resp, err
}

// httpClient is a client with the debug transport and a timeout.
func (a *app) httpClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Timeout: timeout, Transport: a.debugTransport(tr)}
}
