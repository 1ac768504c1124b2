package amplication

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// gqlRequest is a GraphQL-over-HTTP request body.
type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// outError is one entry of "errors", shaped like Apollo Server 3's.
type outError struct {
	Message    string               `json:"message"`
	Locations  []gqlerrors.Location `json:"locations,omitempty"`
	Path       []any                `json:"path,omitempty"`
	Extensions map[string]any       `json:"extensions,omitempty"`
}

type outBody struct {
	Errors []outError       `json:"errors,omitempty"`
	Data   *json.RawMessage `json:"data,omitempty"`
}

// ServeHTTP answers POST /graphql (and GET /graphql for queries), like Apollo Server 3:
// a document that does not parse or validate is a 400 with GRAPHQL_PARSE_FAILED or
// GRAPHQL_VALIDATION_FAILED; resolver errors are a 200 with "errors" beside "data".
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	entry := Request{Authorization: r.Header.Get("Authorization") != "", Start: start}
	status, body := e.serve(r, &entry)
	if d := e.opts.Latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			status = 499
		}
	}
	entry.Status = status
	for _, er := range body.Errors {
		entry.Errors = append(entry.Errors, er.Message)
	}
	entry.End = time.Now()
	e.record(entry)
	if status == 499 {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func badRequest(msg, code string) (int, outBody) {
	return http.StatusBadRequest, outBody{Errors: []outError{{Message: msg, Extensions: map[string]any{"code": code}}}}
}

func (e *Emulator) serve(r *http.Request, entry *Request) (int, outBody) {
	if r.URL.Path != "/graphql" {
		return http.StatusNotFound, outBody{Errors: []outError{{Message: "Cannot " + r.Method + " " + r.URL.Path}}}
	}
	var q gqlRequest
	switch r.Method {
	case http.MethodPost:
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "application/json" {
			return badRequest("POST body missing, invalid Content-Type, or JSON object has no keys.", "BAD_REQUEST")
		}
		dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
		if err := dec.Decode(&q); err != nil {
			return badRequest("POST body missing, invalid Content-Type, or JSON object has no keys.", "BAD_REQUEST")
		}
	case http.MethodGet:
		v := r.URL.Query()
		q.Query, q.OperationName = v.Get("query"), v.Get("operationName")
		if s := v.Get("variables"); s != "" {
			if err := json.Unmarshal([]byte(s), &q.Variables); err != nil {
				return badRequest("Variables are invalid JSON.", "BAD_REQUEST")
			}
		}
	default:
		return http.StatusMethodNotAllowed, outBody{Errors: []outError{{Message: "Apollo Server supports only GET/POST requests."}}}
	}
	if strings.TrimSpace(q.Query) == "" {
		return badRequest("GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.", "BAD_REQUEST")
	}
	op := describe(q, entry)
	if r.Method == http.MethodGet && op == ast.Mutation {
		return http.StatusMethodNotAllowed, outBody{Errors: []outError{{Message: "GET requests only support query operations, not mutation operations"}}}
	}
	ctx := context.WithValue(r.Context(), ctxKey{}, &call{authorization: r.Header.Get("Authorization")})
	res := e.schema.Exec(ctx, q.Query, q.OperationName, q.Variables)
	if res.Data == nil {
		// Nothing ran: a syntax or validation error.
		out := outBody{}
		code := "GRAPHQL_VALIDATION_FAILED"
		for _, qe := range res.Errors {
			if errors.Is(qe.Err, gqlerrors.ErrSyntax) {
				code = "GRAPHQL_PARSE_FAILED"
			}
		}
		for _, qe := range res.Errors {
			out.Errors = append(out.Errors, outError{Message: qe.Message, Locations: qe.Locations,
				Extensions: map[string]any{"code": code}})
		}
		return http.StatusBadRequest, out
	}
	out := outBody{Data: &res.Data}
	for _, qe := range res.Errors {
		out.Errors = append(out.Errors, formatError(qe))
	}
	return http.StatusOK, out
}

// formatError shapes a resolver error like the real server's answer.
func formatError(qe *gqlerrors.QueryError) outError {
	var he *httpError
	if errors.As(qe.ResolverError, &he) {
		code := "UNAUTHENTICATED"
		if he.status == http.StatusForbidden {
			code = "FORBIDDEN"
		}
		return outError{Message: he.msg, Extensions: map[string]any{"code": code, "response": he.response}}
	}
	msg := qe.Message
	var ae *appError
	if errors.As(qe.ResolverError, &ae) {
		msg = ae.msg
	}
	return outError{Message: msg, Locations: qe.Locations, Path: qe.Path,
		Extensions: map[string]any{"code": "INTERNAL_SERVER_ERROR"}}
}

// describe fills the log entry's operation and root fields and returns the operation's
// kind ("" when the document does not parse or names no such operation).
func describe(q gqlRequest, entry *Request) ast.Operation {
	doc, err := parser.ParseQuery(&ast.Source{Input: q.Query})
	if err != nil {
		return ""
	}
	var op *ast.OperationDefinition
	for _, o := range doc.Operations {
		if q.OperationName == "" || o.Name == q.OperationName {
			op = o
			break
		}
	}
	if op == nil {
		return ""
	}
	for _, s := range op.SelectionSet {
		if f, ok := s.(*ast.Field); ok {
			entry.Fields = append(entry.Fields, f.Name)
		}
	}
	entry.Operation = op.Name
	if entry.Operation == "" && len(entry.Fields) > 0 {
		entry.Operation = entry.Fields[0]
	}
	return op.Operation
}

// Server is an Emulator listening on a loopback address.
type Server struct {
	*Emulator
	URL string // http://127.0.0.1:PORT; GraphQL at URL + "/graphql"

	srv    *http.Server
	cancel context.CancelFunc
	served chan struct{}
}

// GraphQLURL is the server's GraphQL endpoint.
func (s *Server) GraphQLURL() string { return s.URL + "/graphql" }

// Start serves e on 127.0.0.1 on a free port.
func Start(e *Emulator) (*Server, error) { return StartOn(e, "127.0.0.1:0") }

// StartOn serves e on addr, e.g. "127.0.0.1:3000". It refuses any host that is not a
// loopback address: the emulator signs anyone in who knows the demo password.
func StartOn(e *Emulator, addr string) (*Server, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("emulator address %q is not host:port: %w", addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
		addr = net.JoinHostPort(host, port)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("the Amplication emulator only listens on a loopback address such as 127.0.0.1 or [::1], not %q", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (is the port taken? pick another or use port 0)", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Emulator: e, URL: "http://" + ln.Addr().String(), cancel: cancel, served: make(chan struct{})}
	s.srv = &http.Server{
		Handler:           e,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln) // http.ErrServerClosed after Close
	}()
	return s, nil
}

// Close stops the server: requests in flight are cancelled (a latency sleep, a code
// exchange) and Close returns when they have returned, waiting at most a few seconds.
func (s *Server) Close() {
	s.cancel()
	s.Emulator.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	<-s.served
	if s.ownClient {
		s.hc.CloseIdleConnections()
	}
}
