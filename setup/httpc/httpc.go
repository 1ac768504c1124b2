// Package httpc is the request plumbing bbsetup's two API clients share (setup/bitbucket
// for Bitbucket's REST API, setup/amplication for the Amplication server's GraphQL API):
// option defaults, the retry loop with a timeout per try and bounded, jittered exponential
// backoff that honours Retry-After, an overall deadline per call, a size cap on answers,
// the redirect policies (none at all, or within the request's origin only), and the debug
// log of one line per try.
//
// What an answer means, which answers are worth another try, and the words of every error
// stay with each client; why a transport failed, in a few words, is setup/netcause's.
package httpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options bound a client's requests. A client fills the zero fields with its own defaults
// (WithDefaults).
type Options struct {
	// RequestTimeout bounds one try: the request and the whole answer.
	RequestTimeout time.Duration
	// MaxRetries is how many times a retryable failure is tried again; negative means none.
	MaxRetries int
	// BaseBackoff and MaxBackoff bound the wait between tries: BaseBackoff·2^retry with
	// jitter, or Retry-After when given, never above MaxBackoff.
	BaseBackoff, MaxBackoff time.Duration
	// Deadline bounds one call as a whole, every try and wait included (Bound); 0 is none.
	Deadline time.Duration
}

// WithDefaults returns o with every zero (or negative) field taken from d, a negative
// MaxRetries turned into 0 (no retry), and MaxBackoff at least BaseBackoff.
func (o Options) WithDefaults(d Options) Options {
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = d.RequestTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = d.MaxRetries
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = d.BaseBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = d.MaxBackoff
	}
	o.MaxBackoff = max(o.MaxBackoff, o.BaseBackoff)
	if o.Deadline <= 0 {
		o.Deadline = d.Deadline
	}
	return o
}

// Retryable marks an error worth another try (a 429 or 5xx, a dropped connection).
// RetryAfter is the answer's Retry-After header, "" when there is none.
type Retryable struct {
	Err        error
	RetryAfter string
}

func (e *Retryable) Error() string { return e.Err.Error() }
func (e *Retryable) Unwrap() error { return e.Err }

// Try is one try of a call, as Retry hands it to the function that makes it.
type Try struct {
	N, Of   int           // this try's number, from 1, and the most there will be
	Timeout time.Duration // this try's own limit (Options.RequestTimeout)
	Start   time.Time     // when the call's first try started
}

// Waited is the time since the call's first try started.
func (t Try) Waited() time.Duration { return time.Since(t.Start) }

// Retry calls try until it returns nil or an error that is not a *Retryable, or until it
// has been called 1+retries times; each call gets a context that ends after
// o.RequestTimeout, and between calls Retry waits Backoff. A *Retryable's Err is returned,
// never the *Retryable; once ctx is done, ctx.Err() is.
func (o Options) Retry(ctx context.Context, retries int, try func(ctx context.Context, t Try) error) error {
	t := Try{Of: 1 + max(retries, 0), Timeout: o.RequestTimeout, Start: time.Now()}
	for t.N = 1; ; t.N++ {
		err := o.once(ctx, t, try)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var re *Retryable
		if !errors.As(err, &re) {
			return err
		}
		if t.N >= t.Of {
			return re.Err
		}
		if err := Sleep(ctx, o.Backoff(t.N-1, re.RetryAfter)); err != nil {
			return err
		}
	}
}

func (o Options) once(ctx context.Context, t Try, try func(context.Context, Try) error) error {
	tctx, cancel := context.WithTimeout(ctx, o.RequestTimeout)
	defer cancel()
	return try(tctx, t)
}

// Backoff is how long to wait before retry number retry+1: Retry-After when it is given
// (delay seconds or an HTTP date), else BaseBackoff·2^retry with equal jitter (half fixed,
// half random, so that concurrent callers spread out); never above MaxBackoff.
func (o Options) Backoff(retry int, retryAfter string) time.Duration {
	if d, ok := ParseRetryAfter(retryAfter, time.Now()); ok {
		return min(d, o.MaxBackoff)
	}
	d := o.BaseBackoff
	for i := 0; i < retry && d < o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, o.MaxBackoff)
	half := d / 2
	return half + rand.N(half+1)
}

// ParseRetryAfter reads a Retry-After value: delay seconds or an HTTP date (a date in the
// past is 0).
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > 1<<31 {
			n = 1 << 31
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Sleep waits d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// errDeadline is the cause of a call's context when its Deadline passes.
var errDeadline = errors.New("bbsetup's deadline for the call passed")

// Bound gives a call its overall deadline, limit. done ends the bound context and reports
// whether err was caused by that deadline passing (rather than by ctx, or by nothing).
func Bound(ctx context.Context, limit time.Duration) (bctx context.Context, done func(err error) (passed bool)) {
	bctx, cancel := context.WithTimeoutCause(ctx, limit, errDeadline)
	return bctx, func(err error) bool {
		defer cancel()
		return err != nil && ctx.Err() == nil && errors.Is(context.Cause(bctx), errDeadline)
	}
}

// ErrTooLarge is the read error of a CapReader past its cap.
var ErrTooLarge = errors.New("the answer is larger than the cap")

// CapReader reads at most N bytes of R, then fails with ErrTooLarge if more follow. It
// remembers in Broke a read error of R (a broken connection), as opposed to a clean end.
type CapReader struct {
	R     io.Reader
	N     int64
	Broke error
}

// Read implements io.Reader.
func (c *CapReader) Read(p []byte) (int, error) {
	if c.N <= 0 {
		var one [1]byte
		for {
			n, err := c.R.Read(one[:])
			if n > 0 {
				return 0, ErrTooLarge
			}
			if err != nil {
				if err != io.EOF {
					c.Broke = err
				}
				return 0, err
			}
		}
	}
	if int64(len(p)) > c.N {
		p = p[:c.N]
	}
	n, err := c.R.Read(p)
	c.N -= int64(n)
	if err != nil && err != io.EOF {
		c.Broke = err
	}
	return n, err
}

// NoRedirects returns a copy of hc (nil: http.DefaultClient) that follows no redirect: the
// 3xx answer is returned as it is, so a body (a password, a code) never goes where a 307
// or 308 points. The Amplication client uses it.
func NoRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	own := *hc
	own.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &own
}

// MaxRedirects bounds the redirects SameOrigin follows within one origin (Go's default).
const MaxRedirects = 10

// SameOrigin is a CheckRedirect policy that follows redirects only within the origin
// (scheme, host and port) of the request that started the chain, so that no key, secret
// or token reaches another host; Bitbucket's clients use it (oauth.SameOriginRedirects).
// A redirect to another origin is refused with refuse(from, to, 0), a chain of
// MaxRedirects within the origin with refuse(from, "", hops); the origins are
// scheme://host[:port], lower-cased.
func SameOrigin(refuse func(from, to string, hops int) error) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) == 0 {
			return nil
		}
		if from, to := origin(via[0].URL), origin(req.URL); from != to {
			return refuse(from, to, 0)
		}
		if len(via) >= MaxRedirects {
			return refuse(origin(via[0].URL), "", len(via))
		}
		return nil
	}
}

func origin(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

// Log writes one line per try to W (nil: nothing), each prefixed with Prefix; safe for
// concurrent use. Callers never pass it headers, bodies or variables, so never a secret.
type Log struct {
	W      io.Writer
	Prefix string // e.g. "bitbucket: "
	mu     sync.Mutex
}

// Printf writes one line.
func (l *Log) Printf(format string, a ...any) {
	if l == nil || l.W == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.W, l.Prefix+format+"\n", a...)
}
