package amplication

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// UnreachableError means the server did not answer: nothing listens at the URL, the
// connection broke, or no answer came within the request timeout.
type UnreachableError struct {
	URL     string // the server URL (without /graphql)
	Timeout bool   // no answer within the request timeout
	Reason  string // e.g. "connect: connection refused"
	Err     error

	// Tries is how many tries were made, the last one this error's; Waited is the time
	// from the first try's start to this error; TryTimeout is each try's own limit.
	Tries      int
	Waited     time.Duration
	TryTimeout time.Duration
}

func (e *UnreachableError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("the Amplication server at %s did not answer %s", e.URL, e.Within())
	}
	return fmt.Sprintf("the Amplication server at %s cannot be reached (%s)", e.URL, e.Reason)
}

// Within says how long bbsetup waited for an answer, in total, for a message that goes
// on from "did not answer ": "within 30s", or after several tries "in 2m2s (4 tries of up
// to 30s each)".
func (e *UnreachableError) Within() string {
	if e.Tries <= 1 {
		if e.TryTimeout <= 0 {
			return "in time"
		}
		return "within " + e.TryTimeout.String()
	}
	return fmt.Sprintf("in %s (%d tries of up to %s each)", e.Waited.Round(waitedRound(e.Waited)), e.Tries, e.TryTimeout)
}

// waitedRound is the precision a total wait is shown with: whole seconds from a second on.
func waitedRound(d time.Duration) time.Duration {
	if d >= time.Second {
		return time.Second
	}
	return time.Millisecond
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// UnauthorizedError means the server refused the sign-in or the token: a wrong email or
// password, or a token that is unknown, expired or for another server.
type UnauthorizedError struct {
	Message string // the server's words, terminal-safe (safetext.Line)
	Login   bool   // the login itself failed (email or password), not a token
}

func (e *UnauthorizedError) Error() string {
	if e.Login {
		return fmt.Sprintf("the Amplication server refused the sign-in: %s", e.Message)
	}
	return fmt.Sprintf("the Amplication server refused the token (%s)", e.Message)
}

// GraphQLError is an error answer to an operation: the server ran it, or refused the
// document, and said why. Messages (and Codes) are the server's words, terminal-safe
// (safetext.Line), as the client decoded them.
type GraphQLError struct {
	Operation string
	Messages  []string
	Codes     []string // extensions.code of each error, "" when absent
}

func (e *GraphQLError) Error() string {
	return fmt.Sprintf("the Amplication server answered %s with an error: %s", e.Operation, strings.Join(e.Messages, "; "))
}

// Message is the first message, "" when none.
func (e *GraphQLError) Message() string {
	if len(e.Messages) == 0 {
		return ""
	}
	return e.Messages[0]
}

// Has reports whether any message contains s.
func (e *GraphQLError) Has(s string) bool {
	for _, m := range e.Messages {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// Validation reports whether the server refused the document itself (it does not have a
// field or argument bbsetup sent), as opposed to running it and failing.
func (e *GraphQLError) Validation() bool {
	for _, c := range e.Codes {
		if c == "GRAPHQL_VALIDATION_FAILED" || c == "BAD_USER_INPUT" {
			return true
		}
	}
	for _, m := range e.Messages {
		if strings.HasPrefix(m, "Unknown argument") || strings.Contains(m, "is not defined by type") ||
			strings.HasPrefix(m, "Cannot query field") || strings.HasPrefix(m, "Field \"") {
			return true
		}
	}
	return false
}

// HTTPError is an answer that is not GraphQL: a status other than 200 without a GraphQL
// body (a proxy, another program on the port, a server error page).
type HTTPError struct {
	URL    string
	Status int
	Body   string // the first bytes, terminal-safe (safetext.Block)
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s answered %d %s instead of a GraphQL answer", e.URL, e.Status, http.StatusText(e.Status))
}

// NotGraphQLError is a 200 answer whose body is not a GraphQL answer: probably not the
// Amplication server (for example the Amplication client's dev server on port 3001).
type NotGraphQLError struct {
	URL string
	Err error
}

func (e *NotGraphQLError) Error() string {
	return fmt.Sprintf("%s did not answer like a GraphQL server (%v)", e.URL, e.Err)
}

func (e *NotGraphQLError) Unwrap() error { return e.Err }

// ErrTooLarge is returned when an answer exceeds MaxBodyBytes.
var ErrTooLarge = errors.New("the answer is larger than any Amplication answer")

// unauthorizedCodes are the extensions.code values meaning the token was refused.
var unauthorizedCodes = map[string]bool{"UNAUTHENTICATED": true}

// isUnauthorized reports whether an error entry is the server's refusal of the token (Nest's
// UnauthorizedException: "Unauthorized", code UNAUTHENTICATED). "Forbidden resource" (a
// role the user lacks) is not: it stays a GraphQLError.
func isUnauthorized(message, code string) bool {
	if unauthorizedCodes[code] {
		return true
	}
	m := strings.ToLower(strings.TrimSpace(message))
	return m == "unauthorized" || strings.HasPrefix(m, "unauthorized:")
}
