// Package bitbucket is bbsetup's client for the Bitbucket Cloud REST API 2.0: the current
// user, workspaces (with names), projects, and repositories (listed with concurrent page
// fetches and delivered incrementally; created with slug validation).
//
// Every request has its own timeout; 429 and 5xx answers (for a POST: 429 and 503) are
// retried with bounded, jittered exponential backoff that honours Retry-After; answers
// are size-capped; and errors callers must branch on are typed (ScopeError,
// RemovedError, AuthError, ExistsError, APIError). A failed token request of the
// authenticating transport (*oauth.TokenError) is returned as it is, never retried. A
// create that may have been carried out although it failed (the connection broke or
// timed out after sending, or a 500, 502 or 504) is not sent again, and its error says
// how to check whether the repository exists. The retry loop, backoff, caps, deadline and
// redirect policy are setup/httpc's, shared with the Amplication client. Every string the
// client returns from Bitbucket is terminal-safe (types.go).
package bitbucket

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/httpc"
	"github.com/bbsetup/bbsetup/setup/netcause"
	"github.com/bbsetup/bbsetup/setup/oauth"
)

// Default option values.
const (
	DefaultConcurrency    = 8
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRetries     = 4
	DefaultBaseBackoff    = 250 * time.Millisecond
	DefaultMaxBackoff     = 8 * time.Second
	// DefaultDeadline bounds one call as a whole: a listing with all its pages, or one
	// request with its retries and backoff.
	DefaultDeadline = 2 * time.Minute
)

// MaxBodyBytes caps one decoded answer (one page). A Bitbucket page of 100 repositories
// is about 150 KB; anything past this is not a Bitbucket answer.
const MaxBodyBytes = 16 << 20

// maxErrorBytes caps how much of an error answer is read.
const maxErrorBytes = 64 << 10

// MaxRepositories caps a listing (repositories, workspaces or projects): past it the
// listing stops with a *TooManyError. A size Bitbucket reports above it is ignored.
const MaxRepositories = 10000

// maxPages bounds any listing, sequential or concurrent, however small its pages, so a
// misbehaving server cannot keep it going forever. A variable only so that tests can
// lower it.
var maxPages = 1000

// Options tune a Client; zero values take the defaults.
type Options struct {
	Concurrency int // page fetches in flight, default 8
	// NameConcurrency bounds the workspace-name look-ups in flight, default 4×Concurrency.
	// A look-up is one small GET per workspace; at 100 ms per request, 50 workspaces take
	// 3 round trips with 32 in flight and 8 with 8.
	NameConcurrency int
	RequestTimeout  time.Duration // per request (one attempt, body included), default 30s
	MaxRetries      int           // for 429/5xx, default 4; negative means none
	// BaseBackoff and MaxBackoff bound the wait between retries (default 250ms and 8s):
	// BaseBackoff·2^attempt with jitter, or Retry-After when given, never above MaxBackoff.
	BaseBackoff, MaxBackoff time.Duration
	// Deadline bounds one call as a whole (every page of a listing, every retry and
	// backoff), default DefaultDeadline; past it the call fails with a *DeadlineError.
	Deadline time.Duration
	// Debug, when set, gets one line per request attempt: method, path, status and
	// duration. Never headers or bodies, so never a token.
	Debug io.Writer
}

// Client talks to one Bitbucket REST API 2.0 base URL. It is safe for concurrent use.
type Client struct {
	base *url.URL // the API URL, without a trailing slash
	hc   *http.Client
	opts Options
	log  *httpc.Log
}

// defaults are the default option values the plumbing fills in.
var defaults = httpc.Options{RequestTimeout: DefaultRequestTimeout, MaxRetries: DefaultMaxRetries,
	BaseBackoff: DefaultBaseBackoff, MaxBackoff: DefaultMaxBackoff, Deadline: DefaultDeadline}

// New returns a client for apiURL (e.g. https://api.bitbucket.org/2.0). hc carries the
// authentication (an oauth2 transport); nil means http.DefaultClient.
func New(apiURL string, hc *http.Client, opts Options) *Client {
	// The token goes to the API's origin only: a redirect to another is refused.
	hc = oauth.SameOriginRedirects(hc)
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.NameConcurrency <= 0 {
		opts.NameConcurrency = 4 * opts.Concurrency
	}
	call := httpc.Options{RequestTimeout: opts.RequestTimeout, MaxRetries: opts.MaxRetries,
		BaseBackoff: opts.BaseBackoff, MaxBackoff: opts.MaxBackoff, Deadline: opts.Deadline}.WithDefaults(defaults)
	opts.RequestTimeout, opts.MaxRetries, opts.Deadline = call.RequestTimeout, call.MaxRetries, call.Deadline
	opts.BaseBackoff, opts.MaxBackoff = call.BaseBackoff, call.MaxBackoff
	u, err := url.Parse(strings.TrimRight(apiURL, "/"))
	if err != nil || u.Host == "" {
		// Keep the client usable; every call then fails with a clear message.
		u = &url.URL{Opaque: apiURL}
	}
	return &Client{base: u, hc: hc, opts: opts, log: &httpc.Log{W: opts.Debug, Prefix: "bitbucket: "}}
}

// plumbing is opts' timeouts, retries, backoff and deadline, as setup/httpc takes them.
func (c *Client) plumbing() httpc.Options {
	o := c.opts
	return httpc.Options{RequestTimeout: o.RequestTimeout, MaxRetries: o.MaxRetries,
		BaseBackoff: o.BaseBackoff, MaxBackoff: o.MaxBackoff, Deadline: o.Deadline}
}

// Options returns the effective options (defaults filled in).
func (c *Client) Options() Options { return c.opts }

// endpoint builds an absolute URL from path segments (each escaped) and a query.
func (c *Client) endpoint(query url.Values, segments ...string) string {
	var b strings.Builder
	b.WriteString(c.base.Scheme + "://" + c.base.Host + c.base.EscapedPath())
	for _, s := range segments {
		b.WriteString("/")
		b.WriteString(url.PathEscape(s))
	}
	if len(query) > 0 {
		b.WriteString("?")
		b.WriteString(query.Encode())
	}
	return b.String()
}

// op names a request for messages: "GET /repositories/acme" (relative to the API URL).
func (c *Client) op(method, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return method
	}
	p := u.EscapedPath()
	if bp := c.base.EscapedPath(); bp != "" && strings.HasPrefix(p, bp) {
		p = strings.TrimPrefix(p, bp)
	}
	return method + " " + p
}

// sameOrigin reports whether rawURL is on the API's scheme and host: the client never
// sends its token to another host a next link might name.
func (c *Client) sameOrigin(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && strings.EqualFold(u.Scheme, c.base.Scheme) && strings.EqualFold(u.Host, c.base.Host)
}

// DeadlineError is a call that did not finish within Options.Deadline.
type DeadlineError struct {
	What  string        // what was asked, e.g. "the repository list of acme"
	Limit time.Duration // the deadline
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("Bitbucket did not finish %s within %s (bbsetup's limit for it, retries included): check your network connection, or try again later",
		e.What, e.Limit)
}

// Unwrap lets errors.Is(err, context.DeadlineExceeded) hold.
func (e *DeadlineError) Unwrap() error { return context.DeadlineExceeded }

// bound gives a call its overall deadline. done turns an error caused by that deadline
// into a *DeadlineError naming what.
func (c *Client) bound(ctx context.Context, what string) (context.Context, func(error) error) {
	bctx, passed := httpc.Bound(ctx, c.opts.Deadline)
	return bctx, func(err error) error {
		if passed(err) {
			return &DeadlineError{What: what, Limit: c.opts.Deadline}
		}
		return err
	}
}

// TooManyError is a listing that passed MaxRepositories items (or maxPages pages).
type TooManyError struct {
	What  string // "repositories in workspace acme"
	Limit int
}

func (e *TooManyError) Error() string {
	return fmt.Sprintf("Bitbucket lists more than %s %s; bbsetup stops at that many: narrow the list with a filter",
		thousands(e.Limit), e.What)
}

// thousands writes n with comma separators: 10000 -> "10,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// getJSON GETs rawURL and decodes the JSON answer into out.
func (c *Client) getJSON(ctx context.Context, rawURL string, out any) error {
	return c.do(ctx, http.MethodGet, rawURL, nil, out)
}

// do sends one request with retries and decodes a 2xx JSON answer into out (nil: discard).
func (c *Client) do(ctx context.Context, method, rawURL string, body []byte, out any) error {
	return c.doRetries(ctx, method, rawURL, body, out, c.opts.MaxRetries)
}

// doRetries is do with at most retries retries.
func (c *Client) doRetries(ctx context.Context, method, rawURL string, body []byte, out any, retries int) error {
	if c.base.Host == "" {
		return checkAPIURL(fmt.Errorf("the Bitbucket API URL %q is not a valid URL: give one like %s", c.base.Opaque, "https://api.bitbucket.org/2.0"))
	}
	op := c.op(method, rawURL)
	return c.plumbing().Retry(ctx, retries, func(actx context.Context, t httpc.Try) error {
		return c.attempt(actx, t, method, rawURL, op, body, out)
	})
}

// attempt sends the request once; actx ends after the try's timeout. An error worth
// another try is an *httpc.Retryable.
func (c *Client) attempt(actx context.Context, t httpc.Try, method, rawURL, op string, body []byte, out any) error {
	req, err := newRequest(actx, method, rawURL, op, body)
	if err != nil {
		return err
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.debugf("%s: %s after %s", op, netcause.Kind(err), time.Since(start).Round(time.Millisecond))
		return c.sendError(actx, t, method, op, err)
	}
	defer resp.Body.Close()
	c.debugf("%s: %d after %s", op, resp.StatusCode, time.Since(start).Round(time.Millisecond))

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return statusError(resp, method, op)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBytes))
		return nil
	}
	return c.decode(actx, t, resp, method, op, out)
}

// newRequest builds a request for the API with its JSON body, if any.
func newRequest(actx context.Context, method, rawURL, op string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, rawURL, rd)
	if err != nil {
		return nil, fmt.Errorf("build request %s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "bbsetup")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// sendError is the error for a request that got no answer: err is the HTTP client's.
func (c *Client) sendError(actx context.Context, t httpc.Try, method, op string, err error) error {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	var cve *tls.CertificateVerificationError
	var te *oauth.TokenError
	switch {
	case errors.As(err, &te):
		// The authenticating transport could not get a token (the token endpoint is
		// unreachable or refused the key and secret): its error is worded for the
		// operator and names the right host. It may wrap a connection error, which
		// is not the API's: not retried, not reworded.
		return inner
	case actx.Err() != nil || netcause.Transport(inner):
		nerr := c.networkError(op, err, actx, t)
		if method == http.MethodGet {
			return &httpc.Retryable{Err: nerr}
		}
		if !netcause.NotSent(inner) {
			// The request may have reached Bitbucket and been carried out.
			return &uncertainError{msg: c.uncertainMessage(op, err, actx), err: nerr}
		}
		return nerr
	case errors.As(inner, &cve):
		return checkAPIURL(fmt.Errorf("the TLS certificate of %s could not be verified (%v): check the API URL and this machine's CA certificates: %w",
			c.base.Host, cve.Err, err))
	default:
		// An error of the authenticating transport (e.g. the token request failed):
		// it is already worded for the operator.
		return inner
	}
}

// statusError is the error for an answer outside 2xx.
func statusError(resp *http.Response, method, op string) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	perr := parseError(resp.StatusCode, data, op)
	// A GET is retried on 429 and any 5xx. Anything else (creating a repository) only
	// on 429 and 503, which say the request was not processed: after a 500, 502 or
	// 504 it may have been, and sending it again would answer "already exists".
	retry := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable ||
		(resp.StatusCode >= 500 && method == http.MethodGet)
	if retry {
		return &httpc.Retryable{Err: perr, RetryAfter: resp.Header.Get("Retry-After")}
	}
	return perr
}

// decode reads a 2xx answer's JSON into out, at most MaxBodyBytes of it.
func (c *Client) decode(actx context.Context, t httpc.Try, resp *http.Response, method, op string, out any) error {
	cr := &httpc.CapReader{R: resp.Body, N: MaxBodyBytes}
	dec := json.NewDecoder(cr)
	if err := dec.Decode(out); err != nil {
		switch {
		case errors.Is(err, httpc.ErrTooLarge):
			return checkAPIURL(fmt.Errorf("Bitbucket's answer to %s is larger than %d MB, which no Bitbucket API answer is: check that the API URL points at the Bitbucket REST API (%s)",
				op, MaxBodyBytes>>20, "https://api.bitbucket.org/2.0"))
		case actx.Err() != nil || cr.Broke != nil:
			// The connection broke or timed out mid-body.
			if method == http.MethodGet {
				return &httpc.Retryable{Err: c.networkError(op, err, actx, t)}
			}
			// Bitbucket answered with success: what was asked was done.
			return &uncertainError{status: resp.StatusCode, err: c.networkError(op, err, actx, t),
				msg: fmt.Sprintf("Bitbucket answered %s with %d %s, but the connection broke while its answer was read (%s)",
					op, resp.StatusCode, http.StatusText(resp.StatusCode), netcause.Kind(err))}
		default:
			return checkAPIURL(fmt.Errorf("Bitbucket's answer to %s is not the JSON the API sends (%v): check that the API URL points at the Bitbucket REST API (%s), then try again",
				op, err, "https://api.bitbucket.org/2.0"))
		}
	}
	// Drain a little so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(cr, 4<<10))
	return nil
}

// networkError words a transport failure of try t. A try that timed out names its own
// limit and, after earlier tries, how many there were and how long they took in all.
func (c *Client) networkError(op string, err error, actx context.Context, t httpc.Try) error {
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		within := c.opts.RequestTimeout.String()
		if t.N > 1 {
			within = fmt.Sprintf("%s (try %d of %d, %s after the first began)", within, t.N, t.Of, t.Waited().Round(time.Second))
		}
		return fmt.Errorf("Bitbucket did not answer %s within %s: check your network connection, or try again later: %w",
			op, within, context.DeadlineExceeded)
	}
	return checkAPIURL(fmt.Errorf("could not reach Bitbucket at %s (%s): check your network connection and the API URL, then try again: %w",
		c.base.Host, netcause.Kind(err), err))
}

// uncertainError is the failure of a request that changes something (a POST) after
// which it is not known whether Bitbucket carried it out: the connection broke or timed
// out after the request was sent. status is the 2xx status Bitbucket answered before the
// connection broke mid-body (then it was carried out), 0 when no answer arrived. The
// caller words what to check.
type uncertainError struct {
	msg    string // what happened, without advice
	status int
	err    error
}

func (e *uncertainError) Error() string { return e.msg }
func (e *uncertainError) Unwrap() error { return e.err }

// MayHaveSucceeded reports that the request may have been carried out although it failed:
// callers (the wizard's quit message) can tell it from a plain failure without the type.
func (e *uncertainError) MayHaveSucceeded() bool { return true }

// uncertainMessage says what happened to a request that may have been carried out.
func (c *Client) uncertainMessage(op string, err error, actx context.Context) string {
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("Bitbucket did not answer %s within %s", op, c.opts.RequestTimeout)
	}
	return fmt.Sprintf("the connection to Bitbucket at %s broke before it answered %s (%s)", c.base.Host, op, netcause.Kind(err))
}

func (c *Client) debugf(format string, a ...any) { c.log.Printf(format, a...) }
