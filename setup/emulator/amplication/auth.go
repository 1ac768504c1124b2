package amplication

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Errors as the real server's GraphQL layer (NestJS 9 + @nestjs/apollo 10 + Apollo Server
// 3) turns them into responses.

// appError is an AmplicationError: the filter passes its message to the client as an
// ApolloError (code INTERNAL_SERVER_ERROR), keeping the field's path. With
// NODE_ENV=development, the local default, other errors reach the client the same way.
type appError struct{ msg string }

func (e *appError) Error() string { return e.msg }

func fail(msg string) error { return &appError{msg: msg} }

// httpError is a NestJS HttpException from a guard: @nestjs/apollo turns a 401 into an
// AuthenticationError (UNAUTHENTICATED) and a 403 into a ForbiddenError (FORBIDDEN), with
// the exception's response body under extensions.response and no path or locations.
type httpError struct {
	status   int
	msg      string
	response map[string]any
}

func (e *httpError) Error() string { return e.msg }

// errUnauthorized is what GqlAuthGuard (passport-jwt) answers without a valid token.
var errUnauthorized = &httpError{status: 401, msg: "Unauthorized",
	response: map[string]any{"statusCode": 401, "message": "Unauthorized"}}

// errForbidden is what a guard answers when the token's workspace does not hold the
// resource an argument names (AuthorizeContext).
var errForbidden = &httpError{status: 403, msg: "Forbidden resource",
	response: map[string]any{"statusCode": 403, "message": "Forbidden resource", "error": "Forbidden"}}

// claims is the session token's payload, like the real JwtDto.
type claims struct {
	AccountID   string `json:"accountId"`
	UserID      string `json:"userId"`
	WorkspaceID string `json:"workspaceId"`
	Type        string `json:"type"`
	IssuedAt    int64  `json:"iat"`
}

var b64 = base64.RawURLEncoding

// token signs a session token for a member (an HS256 JWT with the emulator's secret).
func (e *Emulator) token(u *member) string {
	head := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, _ := json.Marshal(claims{AccountID: u.accountID, UserID: u.id, WorkspaceID: u.workspaceID,
		Type: "User", IssuedAt: time.Now().Unix()})
	msg := head + "." + b64.EncodeToString(body)
	return msg + "." + b64.EncodeToString(e.sign(msg))
}

func (e *Emulator) sign(msg string) []byte {
	e.secretMu.RLock()
	key := e.secret
	e.secretMu.RUnlock()
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// verify returns the claims of a token the emulator signed.
func (e *Emulator) verify(tok string) (claims, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return claims{}, false
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, e.sign(parts[0]+"."+parts[1])) {
		return claims{}, false
	}
	body, err := b64.DecodeString(parts[1])
	if err != nil {
		return claims{}, false
	}
	var c claims
	if json.Unmarshal(body, &c) != nil {
		return claims{}, false
	}
	return c, true
}

type ctxKey struct{}

// call is what a resolver knows of the HTTP request.
type call struct{ authorization string }

// bearer extracts the token like passport-jwt's fromAuthHeaderAsBearerToken.
func bearer(h string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// authUser is GqlAuthGuard: the member the request's token belongs to. The caller must
// not hold e.mu.
func (e *Emulator) authUser(ctx context.Context) (member, error) {
	c, _ := ctx.Value(ctxKey{}).(*call)
	if c == nil {
		return member{}, errUnauthorized
	}
	cl, ok := e.verify(bearer(c.authorization))
	if !ok {
		return member{}, errUnauthorized
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.memberByID(cl.UserID)
	if u == nil {
		return member{}, errUnauthorized
	}
	return *u, nil
}

// Token signs a session token for the user with this email in the workspace with this
// id or name ("" for the user's current one), as login or setCurrentWorkspace would: for
// tests that stand for BBSETUP_AMPLICATION_TOKEN (an API token works the same way).
func (e *Emulator) Token(email, workspace string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range e.accounts {
		if a.email != strings.ToLower(email) {
			continue
		}
		for _, u := range e.users {
			if u.accountID != a.id {
				continue
			}
			if workspace == "" && u.id == a.currentUser {
				return e.token(u), true
			}
			if w := e.workspaceByID(u.workspaceID); workspace != "" && w != nil && (w.id == workspace || w.name == workspace) {
				return e.token(u), true
			}
		}
	}
	return "", false
}
