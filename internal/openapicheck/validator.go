package openapicheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Failure is one disagreement with the document.
type Failure struct {
	Op   string // "GET /user" (document template), or the raw "METHOD /path" when unrouted
	What string
}

func (f Failure) String() string { return f.Op + ": " + f.What }

// Call is one validated exchange.
type Call struct {
	Op     string // "METHOD /template"
	URL    string // as sent, e.g. http://127.0.0.1:PORT/2.0/user
	Status int    // 0 when the transport failed
}

// Validator is an http.RoundTripper that validates every exchange with the API against the
// document: the request before it is sent (path, query, security, body) and the response
// (status, headers, body). Requests outside the API base (the OAuth token endpoint, say) pass
// through unchecked. It is safe for concurrent use (the client fetches pages concurrently).
type Validator struct {
	sp   *Spec
	base *url.URL // the emulator's API base, e.g. http://127.0.0.1:PORT/2.0
	doc  *url.URL // the document's server, https://api.bitbucket.org/2.0
	next http.RoundTripper
	opts *openapi3filter.Options

	mu       sync.Mutex
	calls    []Call
	failures []Failure
	tokens   map[string][]string // access token -> scopes its grant reported
}

// NewValidator wraps next (nil: http.DefaultTransport) for the API at apiURL. It reports
// nothing by itself: see AttachValidator, Failures and Calls.
func NewValidator(sp *Spec, apiURL string, next http.RoundTripper) (*Validator, error) {
	base, err := url.Parse(strings.TrimSuffix(apiURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("api url: %w", err)
	}
	doc, err := url.Parse(DocServer)
	if err != nil {
		return nil, err
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &Validator{sp: sp, base: base, doc: doc, next: next, opts: sp.filterOptions(), tokens: map[string][]string{}}, nil
}

// AttachValidator returns a validator whose failures fail t when the test ends, each listed
// as "operation: what is wrong".
func AttachValidator(t *testing.T, sp *Spec, apiURL string, next http.RoundTripper) *Validator {
	t.Helper()
	v, err := NewValidator(sp, apiURL, next)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.report(t) })
	return v
}

func (v *Validator) report(t *testing.T) {
	t.Helper()
	fs := v.Failures()
	if len(fs) == 0 {
		return
	}
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = "  - " + f.String()
	}
	t.Errorf("%d disagreement(s) with Bitbucket's OpenAPI document (%s):\n%s", len(fs), v.sp.Path, strings.Join(lines, "\n"))
}

// Grant records the scopes a token was issued with, so the validator can hold the emulator's
// 2xx and 403 answers against the document's security requirement for the operation.
func (v *Validator) Grant(token string, scopes []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.tokens[token] = scopes
}

func (v *Validator) Failures() []Failure {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.failures)
}

func (v *Validator) Calls() []Call {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.calls)
}

// Operations returns the distinct operations called, sorted.
func (v *Validator) Operations() []string {
	seen := map[string]bool{}
	for _, c := range v.Calls() {
		seen[c.Op] = true
	}
	out := make([]string, 0, len(seen))
	for op := range seen {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

func (v *Validator) fail(op, format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.failures = append(v.failures, Failure{Op: op, What: fmt.Sprintf(format, args...)})
}

// inAPI reports whether u is under the API base.
func (v *Validator) inAPI(u *url.URL) bool {
	if u.Scheme != v.base.Scheme || u.Host != v.base.Host {
		return false
	}
	return u.Path == v.base.Path || strings.HasPrefix(u.Path, v.base.Path+"/")
}

// rebase maps a request URL under the emulator's API base onto the document's server.
func (v *Validator) rebase(u *url.URL) *url.URL {
	r := *u
	r.Scheme, r.Host = v.doc.Scheme, v.doc.Host
	r.Path = v.doc.Path + strings.TrimPrefix(u.Path, v.base.Path)
	if u.RawPath != "" {
		r.RawPath = v.doc.Path + strings.TrimPrefix(u.RawPath, v.base.Path)
	}
	return &r
}

// maxBody bounds how much of a body is read for validation.
const maxBody = 32 << 20

// RoundTrip implements http.RoundTripper.
func (v *Validator) RoundTrip(req *http.Request) (*http.Response, error) {
	if !v.inAPI(req.URL) {
		return v.next.RoundTrip(req)
	}
	raw := req.Method + " " + req.URL.Path
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxBody))
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		// The real request is a shallow copy with a fresh body (a RoundTripper must not
		// modify the caller's request).
		r2 := req.Clone(req.Context())
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r2.ContentLength = int64(len(body))
		req = r2
	}

	vreq := req.Clone(context.Background())
	vreq.URL = v.rebase(req.URL)
	vreq.Host = vreq.URL.Host
	vreq.RequestURI = ""
	vreq.Body, vreq.GetBody = http.NoBody, nil
	if body != nil {
		vreq.Body = io.NopCloser(bytes.NewReader(body))
		vreq.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		vreq.ContentLength = int64(len(body))
	}

	route, params, err := v.sp.Router.FindRoute(vreq)
	if err != nil {
		v.fail(raw, "no operation in the document matches %s %s: %v", req.Method, vreq.URL.Path, err)
		resp, rerr := v.next.RoundTrip(req)
		v.record(Call{Op: raw, URL: req.URL.String(), Status: status(resp)})
		return resp, rerr
	}
	op := route.Method + " " + route.Path
	v.checkQuery(op, route.Operation.Parameters, route.PathItem.Parameters, req.URL.Query())

	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: v.opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		v.fail(op, "request %s: %s", req.URL.RequestURI(), Flat(err))
	}

	resp, err := v.next.RoundTrip(req)
	if err != nil {
		v.record(Call{Op: op, URL: req.URL.String()})
		return nil, err
	}
	rbody, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(rbody))
	v.record(Call{Op: op, URL: req.URL.String(), Status: resp.StatusCode})
	if err != nil {
		v.fail(op, "reading the %d response: %v", resp.StatusCode, err)
		return resp, nil
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(rbody)),
		Options:                v.opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.fail(op, "response %d to %s: %s", resp.StatusCode, req.URL.RequestURI(), Flat(err))
	}
	v.checkScopes(op, req, resp.StatusCode, rbody)
	return resp, nil
}

func status(r *http.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

func (v *Validator) record(c Call) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls = append(v.calls, c)
}

// checkQuery fails query parameters the operation does not declare, except pagination's
// page and pagelen (kin-openapi itself ignores undeclared query parameters).
func (v *Validator) checkQuery(op string, opParams, itemParams openapi3.Parameters, q url.Values) {
	for name := range q {
		if slices.Contains(paginationParams, name) {
			// SPEC.md: page is 1-based, pagelen at most 100.
			n, err := strconv.Atoi(q.Get(name))
			if err != nil || n < 1 || (name == "pagelen" && n > 100) {
				v.fail(op, "query parameter %s=%q: want an integer, page >= 1, 1 <= pagelen <= 100", name, q.Get(name))
			}
			continue
		}
		if opParams.GetByInAndName(openapi3.ParameterInQuery, name) == nil &&
			itemParams.GetByInAndName(openapi3.ParameterInQuery, name) == nil {
			v.fail(op, "query parameter %q is not declared by the document's operation", name)
		}
	}
}

// Flat renders a (multi) validation error on one line.
func Flat(err error) string {
	s := err.Error()
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 2000 {
		s = s[:2000] + "..."
	}
	return s
}

// scopeDetail is the detail of a 403 for missing scopes (SPEC.md).
type scopeDetail struct {
	Error struct {
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	} `json:"error"`
}

// checkScopes holds the emulator's answer against the document's security requirement for
// the operation when the token's scopes are known: a 2xx needs every scope the document
// requires; a 403 must name exactly the document's scopes as required and must not happen
// when the token holds them.
func (v *Validator) checkScopes(op string, req *http.Request, code int, body []byte) {
	need, ok := v.sp.DocScopes(op)
	if !ok {
		return
	}
	var granted []string
	known := false
	if tok, found := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); found {
		v.mu.Lock()
		granted, known = v.tokens[tok]
		v.mu.Unlock()
	}
	if code == http.StatusForbidden {
		var d scopeDetail
		if json.Unmarshal(body, &d) == nil && len(d.Error.Detail) > 0 && d.Error.Detail[0] == '{' {
			var det struct{ Required, Granted []string }
			if err := json.Unmarshal(d.Error.Detail, &det); err == nil && !SameSet(det.Required, need) {
				v.fail(op, "403 names required scopes %q; the document's security requirement is oauth2 %q", det.Required, need)
			}
		}
	}
	if !known {
		return
	}
	eff := EffectiveScopes(granted)
	var lacking []string
	for _, s := range need {
		if !eff[s] {
			lacking = append(lacking, s)
		}
	}
	switch {
	case code >= 200 && code < 300 && len(lacking) > 0:
		v.fail(op, "answered %d to a token without %q, which the document requires (token scopes %q)", code, lacking, granted)
	case code == http.StatusForbidden && len(lacking) == 0:
		v.fail(op, "answered 403 to a token holding every scope the document requires (%q; token scopes %q)", need, granted)
	}
}

func SameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
