package bitbucket

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/bbsetup/bbsetup/setup/oauth"
)

// Sentinels for the advice an error gives, so that a caller can say how its operator carries
// it out (the command line names its flag or command): errors.Is(err, ErrCheckAPIURL).
var (
	// ErrCheckAPIURL is matched by the errors whose advice includes checking the API URL the
	// Client was made with (not reachable, not Bitbucket's answers, a foreign next link...).
	ErrCheckAPIURL = errors.New("check the Bitbucket API URL")
	// ErrNoWorkspace is the error of a call that names no workspace.
	ErrNoWorkspace = errors.New("no workspace given: name a workspace slug")
	// ErrBadWorkspace is matched by the error of a workspace that is not a slug ("..", a
	// slash, a blank).
	ErrBadWorkspace = errors.New("not a workspace slug")
	// ErrUnexpectedAnswer is matched by an *APIError with a status bbsetup has no advice
	// for beyond trying again and reporting it.
	ErrUnexpectedAnswer = errors.New("Bitbucket gave an answer bbsetup does not expect")
)

// checkAPIURL marks err as one whose advice includes checking the API URL.
func checkAPIURL(err error) error { return &advised{err: err, advice: ErrCheckAPIURL} }

// advised is an error with a sentinel for its advice; its message is the error's own.
type advised struct{ err, advice error }

func (a *advised) Error() string   { return a.err.Error() }
func (a *advised) Unwrap() []error { return []error{a.err, a.advice} }

// ScopeError is a 403 from Bitbucket because the OAuth consumer lacks permission scopes
// the call needs. Required and Granted are the scope strings Bitbucket reported
// (terminal-safe, like every Message of the errors below: see types.go).
type ScopeError struct {
	Required, Granted []string
}

// Missing returns the required scopes that are not granted (all of Required when
// Bitbucket reported none granted).
func (e *ScopeError) Missing() []string {
	var out []string
	for _, s := range e.Required {
		if !slices.Contains(e.Granted, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = slices.Clone(e.Required)
	}
	return out
}

func (e *ScopeError) Error() string {
	missing := e.Missing()
	boxes := make([]string, 0, len(missing))
	for _, s := range missing {
		boxes = append(boxes, oauth.ScopeLabel(s))
	}
	return fmt.Sprintf("the Bitbucket OAuth consumer lacks a permission this needs: edit the consumer in Bitbucket "+
		"(Workspace settings > OAuth consumers), tick %s, save, and try again", joinAnd(quoteAll(boxes)))
}

// RemovedError is a 410 Gone: Bitbucket has removed the API bbsetup called.
type RemovedError struct {
	Message string
}

func (e *RemovedError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "the API is gone"
	}
	return fmt.Sprintf("Bitbucket has removed an API bbsetup called (%s): update bbsetup to a newer version", msg)
}

// AuthError is a 401: the access token was rejected. Expired is set when Bitbucket said
// the token has expired.
type AuthError struct {
	Status  int
	Expired bool
	Message string
}

func (e *AuthError) Error() string {
	if e.Expired {
		return "the Bitbucket access token has expired: try again to get a fresh one"
	}
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("Bitbucket rejected the access token (%s): check BITBUCKET_CLIENT_ID and "+
		"BITBUCKET_CLIENT_SECRET, then try again", msg)
}

// ExistsError is a 400 from creating a repository whose slug is already taken.
type ExistsError struct {
	Workspace, Slug string
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("a repository %q already exists in workspace %q: choose another name, or use the existing repository",
		e.Slug, e.Workspace)
}

// APIError is any other error answer from Bitbucket (after retries, for 429 and 5xx).
type APIError struct {
	Status  int
	Message string
	// Op is the request that failed, e.g. "GET /repositories/acme" (path relative to the API URL).
	Op string
}

func (e *APIError) Error() string {
	what := "Bitbucket answered"
	if e.Op != "" {
		what = "Bitbucket answered " + e.Op + " with"
	}
	status := fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	msg := ""
	if e.Message != "" {
		msg = " (" + e.Message + ")"
	}
	hint, _ := e.advice()
	return fmt.Sprintf("%s %s%s: %s", what, status, msg, hint)
}

// Is reports whether target is ErrUnexpectedAnswer and e's status is one bbsetup has no
// advice for beyond trying again and reporting it.
func (e *APIError) Is(target error) bool {
	_, unexpected := e.advice()
	return target == ErrUnexpectedAnswer && unexpected
}

// advice is what to do about e, and whether the status is one bbsetup has no particular
// advice for.
func (e *APIError) advice() (string, bool) {
	switch {
	case e.Status == http.StatusTooManyRequests:
		return "Bitbucket's rate limit (about 1,000 requests an hour per consumer) is used up; wait a few minutes and try again", false
	case e.Status >= 500:
		return "Bitbucket is having trouble; try again in a few minutes (https://bitbucket.status.atlassian.com)", false
	case e.Status == http.StatusNotFound:
		return "check the workspace or repository name, and that the consumer's owner is a member of the workspace", false
	case e.Status == http.StatusForbidden:
		return "the consumer's owner lacks access to it; ask a workspace administrator for access", false
	case e.Status == http.StatusBadRequest:
		return "correct the input and try again", false
	}
	return "try again, or report it", true
}

// errorBody is Bitbucket's error document:
// {"type":"error","error":{"message":...,"detail":{"required":[...],"granted":[...]}}}.
// detail is a string in the OpenAPI document and an object for scope errors.
type errorBody struct {
	Type  string `json:"type"`
	Error struct {
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	} `json:"error"`
	// OAuth-style errors, e.g. {"error":"invalid_token","error_description":"..."}, are
	// tried when the document above does not fit.
}

type scopeDetail struct {
	Required []string `json:"required"`
	Granted  []string `json:"granted"`
}

// parseError turns an error answer into a typed error. op is "METHOD /path".
func parseError(status int, body []byte, op string) error {
	message, detail := errorMessage(body)
	switch {
	case status == http.StatusUnauthorized:
		return &AuthError{Status: status, Message: message, Expired: saysAccessTokenExpired(message)}
	case status == http.StatusForbidden:
		var d scopeDetail
		if len(detail) > 0 && detail[0] == '{' && json.Unmarshal(detail, &d) == nil && len(d.Required) > 0 {
			return &ScopeError{Required: lines(d.Required), Granted: lines(d.Granted)}
		}
	case status == http.StatusGone:
		return &RemovedError{Message: message}
	}
	return &APIError{Status: status, Message: message, Op: op}
}

// errorMessage extracts the human message (and the raw detail) from an error body of
// any of the shapes Bitbucket uses; it returns "" when there is none.
func errorMessage(body []byte) (string, json.RawMessage) {
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil && eb.Error.Message != "" {
		msg := eb.Error.Message
		var ds string
		if len(eb.Error.Detail) > 0 && eb.Error.Detail[0] == '"' && json.Unmarshal(eb.Error.Detail, &ds) == nil && ds != "" {
			msg += " " + ds
		}
		return clip(msg), eb.Error.Detail
	}
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &oe) == nil && (oe.Error != "" || oe.Description != "") {
		if oe.Description != "" {
			return clip(oe.Description), nil
		}
		return clip(oe.Error), nil
	}
	return "", nil
}

// clip keeps a server message to one short, terminal-safe line (safetext.Line): an
// operator reads it, and a hostile server must neither flood nor drive the terminal.
func clip(s string) string {
	s = strings.Join(strings.Fields(line(s)), " ")
	const max = 300
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// lines cleans every value of s (safetext.Line), dropping those left empty.
func lines(s []string) []string {
	var out []string
	for _, v := range s {
		if v = line(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = "\"" + v + "\""
	}
	return out
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return "the missing permission"
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// saysAccessTokenExpired reports whether a 401 message says the access token expired
// (SPEC.md: "Access token expired..."). The generic "Token is invalid, expired, or not
// supported for this endpoint." answer to an unknown token also contains "expired" but is
// not an expiry, so a message that calls the token invalid is not one.
func saysAccessTokenExpired(message string) bool {
	m := strings.ToLower(message)
	return strings.Contains(m, "expired") && !strings.Contains(m, "invalid")
}
