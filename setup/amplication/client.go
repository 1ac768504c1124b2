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
// NotGraphQLError. The retry loop, backoff, cap and redirect policy are setup/httpc's,
// shared with the Bitbucket client. Every string the client returns from the server is
// terminal-safe (operations.go).
package amplication

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bbsetup/bbsetup/setup/httpc"
	"github.com/bbsetup/bbsetup/setup/netcause"
	"github.com/bbsetup/bbsetup/setup/safetext"
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
	call     httpc.Options // opts' timeout, retries and backoff
	log      *httpc.Log

	mu    sync.Mutex
	token string
}

// defaults are the default option values the plumbing fills in.
var defaults = httpc.Options{RequestTimeout: DefaultRequestTimeout, MaxRetries: DefaultMaxRetries,
	BaseBackoff: DefaultBaseBackoff, MaxBackoff: DefaultMaxBackoff}

// New returns a client for the server at serverURL (e.g. http://localhost:3000; a URL
// ending in /graphql is accepted too). hc nil means http.DefaultClient.
func New(serverURL string, hc *http.Client, opts Options) (*Client, error) {
	s := strings.TrimRight(strings.TrimSpace(serverURL), "/")
	s = strings.TrimSuffix(s, "/graphql")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not an Amplication server URL like %s", serverURL, DefaultServerURL)
	}
	// A GraphQL endpoint answers where it is asked: a redirect is not followed (a 307 or
	// 308 would send the body, a password or a code, to wherever it points), and its 3xx
	// is an HTTPError.
	hc = httpc.NoRedirects(hc)
	call := httpc.Options{RequestTimeout: opts.RequestTimeout, MaxRetries: opts.MaxRetries,
		BaseBackoff: opts.BaseBackoff, MaxBackoff: opts.MaxBackoff}.WithDefaults(defaults)
	opts.RequestTimeout, opts.MaxRetries = call.RequestTimeout, call.MaxRetries
	opts.BaseBackoff, opts.MaxBackoff = call.BaseBackoff, call.MaxBackoff
	return &Client{base: s, endpoint: s + "/graphql", hc: hc, opts: opts, call: call,
		log: &httpc.Log{W: opts.Debug, Prefix: "amplication: "}}, nil
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
	return c.call.Retry(ctx, c.opts.MaxRetries, func(actx context.Context, t httpc.Try) error {
		return c.attempt(actx, t, d, body, out)
	})
}

// attempt sends d once; actx ends after the try's timeout. An error worth another try is
// an *httpc.Retryable.
func (c *Client) attempt(actx context.Context, t httpc.Try, d *Document, body []byte, out any) error {
	req, err := http.NewRequestWithContext(context.WithValue(actx, operationKey{}, d.Name), http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request %s: %w", d.Name, err)
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
		ue := unreachable(c.base, actx, t, netcause.Kind(err), err)
		if d.Idempotent || netcause.NotSent(err) {
			return &httpc.Retryable{Err: ue}
		}
		return ue
	}
	defer resp.Body.Close()
	c.debugf("%s: %d after %s", d.Name, resp.StatusCode, time.Since(start).Round(time.Millisecond))

	data, rerr := io.ReadAll(&httpc.CapReader{R: resp.Body, N: MaxBodyBytes})
	switch {
	case errors.Is(rerr, httpc.ErrTooLarge):
		return &NotGraphQLError{URL: c.endpoint, Err: ErrTooLarge}
	case rerr != nil:
		ue := unreachable(c.base, actx, t, "the answer broke off: "+netcause.Kind(rerr), rerr)
		if d.Idempotent {
			return &httpc.Retryable{Err: ue}
		}
		return ue
	}
	var ans answer
	jerr := json.Unmarshal(data, &ans)
	graphQL := jerr == nil && (len(ans.Errors) > 0 || (len(ans.Data) > 0 && string(ans.Data) != "null"))
	if !graphQL {
		if resp.StatusCode != http.StatusOK {
			he := &HTTPError{URL: c.endpoint, Status: resp.StatusCode, Body: safetext.Block(string(data[:min(len(data), maxErrorBytes)]))}
			retry := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable ||
				(resp.StatusCode >= 500 && d.Idempotent)
			if retry {
				return &httpc.Retryable{Err: he, RetryAfter: resp.Header.Get("Retry-After")}
			}
			return he
		}
		if jerr == nil {
			jerr = errors.New("no data and no errors")
		}
		return &NotGraphQLError{URL: c.endpoint, Err: jerr}
	}
	if len(ans.Errors) > 0 {
		ge := &GraphQLError{Operation: d.Name}
		for _, e := range ans.Errors {
			// The server's words are made terminal-safe here, once (errors.go).
			msg, code := safetext.Line(e.Message), safetext.Line(e.Extensions.Code)
			if isUnauthorized(msg, code) {
				return &UnauthorizedError{Message: msg}
			}
			ge.Messages = append(ge.Messages, msg)
			ge.Codes = append(ge.Codes, code)
		}
		return ge
	}
	if out != nil {
		if err := json.Unmarshal(ans.Data, out); err != nil {
			return &NotGraphQLError{URL: c.endpoint, Err: fmt.Errorf("the answer to %s has an unexpected shape: %w", d.Name, err)}
		}
	}
	return nil
}

// unreachable is the error of try t that got no (whole) answer: reason says why.
func unreachable(base string, actx context.Context, t httpc.Try, reason string, err error) *UnreachableError {
	return &UnreachableError{URL: base, Timeout: actx.Err() != nil, Reason: reason, Err: err,
		Tries: t.N, Waited: t.Waited(), TryTimeout: t.Timeout}
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

func (c *Client) debugf(format string, a ...any) { c.log.Printf(format, a...) }
