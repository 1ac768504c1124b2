// Package amplication is bbsetup's client for the Amplication server's GraphQL API: sign-in
// (login, or a token), workspaces, the Bitbucket authorize URL and the completion of
// Amplication's own OAuth flow, git organizations, projects and their resources, and
// connecting a resource to a repository (SPEC.md, "Amplication server API").
//
// It sends only the documents in Documents(), each parsed with gqlparser when the package
// loads and validated against the real v1.10.0, v3.6.2 and v3.14.0-29 schemas by its tests;
// the two that carry `state` are used only on a server that has it (StateSupport).
//
// Every request has its own timeout; network failures, 429 and 5xx answers are retried
// with bounded, jittered backoff (a non-idempotent operation only when it cannot have
// reached the server, or on 429 and 503). Answers are size-capped. Errors a caller must
// branch on are typed: UnreachableError, UnauthorizedError, GraphQLError, HTTPError,
// NotGraphQLError.
package amplication

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/bbsetup/bbsetup/setup/netcause"
)

// Default option values.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRetries     = 3
	DefaultBaseBackoff    = 250 * time.Millisecond
	DefaultMaxBackoff     = 4 * time.Second
)

// DefaultServerURL is the server's address when neither a flag nor HOST says otherwise.
const DefaultServerURL = "http://localhost:3000"

// MaxBodyBytes caps one answer. The largest bbsetup reads (projects with resources) is a
// few kilobytes per project.
const MaxBodyBytes = 8 << 20

// maxErrorBytes caps what is read of a non-GraphQL error answer.
const maxErrorBytes = 4 << 10

// Options tune a Client; zero values take the defaults.
type Options struct {
	RequestTimeout time.Duration // per attempt, body included; default 30s
	MaxRetries     int           // default 3; negative means none
	// BaseBackoff and MaxBackoff bound the wait between retries: BaseBackoff·2^attempt with
	// jitter, or Retry-After when given, never above MaxBackoff.
	BaseBackoff, MaxBackoff time.Duration
	// Debug, when set, gets one line per attempt: operation name, status and duration.
	// Never variables, headers or bodies, so never a password or token.
	Debug io.Writer
}

// Client talks to one Amplication server. It is safe for concurrent use.
type Client struct {
	base     string // the server URL, no trailing slash
	endpoint string // base + "/graphql"
	hc       *http.Client
	opts     Options

	mu    sync.Mutex
	token string

	debugMu sync.Mutex
}

// New returns a client for the server at serverURL (e.g. http://localhost:3000; a URL
// ending in /graphql is accepted too). hc nil means http.DefaultClient.
func New(serverURL string, hc *http.Client, opts Options) (*Client, error) {
	s := strings.TrimRight(strings.TrimSpace(serverURL), "/")
	s = strings.TrimSuffix(s, "/graphql")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not an Amplication server URL like %s", serverURL, DefaultServerURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	// A GraphQL endpoint answers where it is asked: a redirect is not followed (a 307 or
	// 308 would send the body, a password or a code, to wherever it points), and its 3xx
	// is an HTTPError.
	own := *hc
	own.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hc = &own
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	} else if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	if opts.BaseBackoff <= 0 {
		opts.BaseBackoff = DefaultBaseBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	opts.MaxBackoff = max(opts.MaxBackoff, opts.BaseBackoff)
	return &Client{base: s, endpoint: s + "/graphql", hc: hc, opts: opts}, nil
}

// URL is the server URL (without /graphql).
func (c *Client) URL() string { return c.base }

// SetToken sets the Bearer token sent with every request ("" sends none).
func (c *Client) SetToken(tok string) {
	c.mu.Lock()
	c.token = strings.TrimSpace(tok)
	c.mu.Unlock()
}

// Token is the current Bearer token.
func (c *Client) Token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// request is the JSON body of a GraphQL POST.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables,omitempty"`
}

// gqlError is one entry of a GraphQL answer's errors.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// answer is a GraphQL answer.
type answer struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// do sends d with vars and decodes its data into out (a pointer to a struct shaped like the
// selection). It retries as the package comment says.
func (c *Client) do(ctx context.Context, d *Document, vars map[string]any, out any) error {
	body, err := json.Marshal(request{Query: d.Text, OperationName: d.Name, Variables: vars})
	if err != nil {
		return fmt.Errorf("encode %s: %w", d.Name, err)
	}
	for attempt := 0; ; attempt++ {
		retryAfter, err := c.attempt(ctx, d, body, out)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var re *retryableError
		if !errors.As(err, &re) {
			return err
		}
		if attempt >= c.opts.MaxRetries {
			return re.err
		}
		if err := sleep(ctx, c.backoff(attempt, retryAfter)); err != nil {
			return err
		}
	}
}

// retryableError wraps an error worth another attempt.
type retryableError struct{ err error }

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

func (c *Client) attempt(ctx context.Context, d *Document, body []byte, out any) (string, error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(context.WithValue(actx, operationKey{}, d.Name), http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("build request %s: %w", d.Name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "bbsetup")
	if tok := c.Token(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.debugf("%s: %s after %s", d.Name, netcause.Kind(err), time.Since(start).Round(time.Millisecond))
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		ue := &UnreachableError{URL: c.base, Timeout: actx.Err() != nil, Reason: netcause.Kind(err), Err: err}
		if d.Idempotent || netcause.NotSent(err) {
			return "", &retryableError{ue}
		}
		return "", ue
	}
	defer resp.Body.Close()
	c.debugf("%s: %d after %s", d.Name, resp.StatusCode, time.Since(start).Round(time.Millisecond))

	cr := &capReader{r: resp.Body, n: MaxBodyBytes}
	data, rerr := io.ReadAll(cr)
	switch {
	case errors.Is(rerr, ErrTooLarge):
		return "", &NotGraphQLError{URL: c.endpoint, Err: ErrTooLarge}
	case rerr != nil:
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		ue := &UnreachableError{URL: c.base, Timeout: actx.Err() != nil, Reason: "the answer broke off: " + netcause.Kind(rerr), Err: rerr}
		if d.Idempotent {
			return "", &retryableError{ue}
		}
		return "", ue
	}
	var ans answer
	jerr := json.Unmarshal(data, &ans)
	graphQL := jerr == nil && (len(ans.Errors) > 0 || (len(ans.Data) > 0 && string(ans.Data) != "null"))
	if !graphQL {
		if resp.StatusCode != http.StatusOK {
			he := &HTTPError{URL: c.endpoint, Status: resp.StatusCode, Body: string(data[:min(len(data), maxErrorBytes)])}
			retry := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable ||
				(resp.StatusCode >= 500 && d.Idempotent)
			if retry {
				return resp.Header.Get("Retry-After"), &retryableError{he}
			}
			return "", he
		}
		if jerr == nil {
			jerr = errors.New("no data and no errors")
		}
		return "", &NotGraphQLError{URL: c.endpoint, Err: jerr}
	}
	if len(ans.Errors) > 0 {
		ge := &GraphQLError{Operation: d.Name}
		for _, e := range ans.Errors {
			if isUnauthorized(e.Message, e.Extensions.Code) {
				return "", &UnauthorizedError{Message: e.Message}
			}
			ge.Messages = append(ge.Messages, e.Message)
			ge.Codes = append(ge.Codes, e.Extensions.Code)
		}
		return "", ge
	}
	if out != nil {
		if err := json.Unmarshal(ans.Data, out); err != nil {
			return "", &NotGraphQLError{URL: c.endpoint, Err: fmt.Errorf("the answer to %s has an unexpected shape: %w", d.Name, err)}
		}
	}
	return "", nil
}

// capReader reads at most n bytes, then fails with ErrTooLarge if more follow.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

func (c *Client) backoff(attempt int, retryAfter string) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, c.opts.MaxBackoff)
	}
	d := c.opts.BaseBackoff
	for i := 0; i < attempt && d < c.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.opts.MaxBackoff)
	half := d / 2
	return half + rand.N(half+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// operationKey is the request context's key for the GraphQL operation's name.
type operationKey struct{}

// OperationName is the name of the GraphQL operation a request of this client carries, or
// "" for any other request: an HTTP transport's log can say which operation each POST to
// /graphql is.
func OperationName(ctx context.Context) string {
	s, _ := ctx.Value(operationKey{}).(string)
	return s
}

func (c *Client) debugf(format string, a ...any) {
	if c.opts.Debug == nil {
		return
	}
	c.debugMu.Lock()
	defer c.debugMu.Unlock()
	fmt.Fprintf(c.opts.Debug, "amplication: "+format+"\n", a...)
}
