package bitbucket

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// FaultKind says how a Fault breaks a response.
type FaultKind int

// The kinds of fault.
const (
	// FaultStatus answers with Fault.Status (and Retry-After when set), the body in
	// Bitbucket's error shape unless Fault.Body overrides it.
	FaultStatus FaultKind = iota
	// FaultMalformedJSON answers 200 with a body that is not valid JSON.
	FaultMalformedJSON
	// FaultRepeatNext serves the page normally but its next link points to the same page.
	FaultRepeatNext
	// FaultLieSize serves the page normally but its size claims more objects than exist.
	FaultLieSize
	// FaultHang never answers; it returns only when the client gives up or the server closes.
	FaultHang
	// FaultReset sends the headers and part of the body, then closes the connection.
	FaultReset
	// FaultHugeBody streams a 50 MB (valid JSON) body.
	FaultHugeBody
)

// String names the kind, e.g. "FaultStatus".
func (k FaultKind) String() string {
	names := []string{"FaultStatus", "FaultMalformedJSON", "FaultRepeatNext", "FaultLieSize",
		"FaultHang", "FaultReset", "FaultHugeBody"}
	if int(k) >= 0 && int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is one rule of the fault plan: the matching requests it hits and how.
type Fault struct {
	Method     string // "" = any
	PathPrefix string // e.g. "/2.0/repositories/acme"
	Times      int    // how many matching requests it hits; 0 = all
	Kind       FaultKind
	Status     int    // for FaultStatus (429, 500, 502, 503, 400, 401, 403, 404, 410 ...)
	RetryAfter string // Retry-After header value, "" = none
	Body       string // overrides the default body for that status
}

// HugeBodySize is the size of a FaultHugeBody response.
const HugeBodySize = 50 << 20

type faultRule struct {
	Fault
	left int // remaining hits when Times > 0
}

func (e *Emulator) matchFault(r *http.Request) *Fault {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	for _, f := range e.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		if f.Times > 0 {
			if f.left <= 0 {
				continue
			}
			f.left--
		}
		hit := f.Fault
		return &hit
	}
	return nil
}

type faultCtxKey struct{}

func withFault(ctx context.Context, k FaultKind) context.Context {
	return context.WithValue(ctx, faultCtxKey{}, k)
}

// pageFault reports the fault kind the paginated handler must apply, if any.
func pageFault(ctx context.Context) (FaultKind, bool) {
	k, ok := ctx.Value(faultCtxKey{}).(FaultKind)
	return k, ok
}

// defaultFaultMessage is the error message Bitbucket gives for a status.
func defaultFaultMessage(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "Rate limit for this resource has been exceeded"
	case http.StatusUnauthorized:
		return msgTokenExpired
	case http.StatusForbidden:
		return msgLackScopes
	case http.StatusNotFound:
		return "Resource not found"
	case http.StatusGone:
		return msgChange2770
	case http.StatusBadRequest:
		return "Bad request"
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return "Service unavailable"
	default:
		if t := http.StatusText(status); t != "" {
			return t
		}
		return "Something went wrong"
	}
}

// applyFault writes the faulty response. It returns false for the kinds the endpoint
// itself applies (FaultRepeatNext, FaultLieSize).
func (e *Emulator) applyFault(w *recorder, r *http.Request, f *Fault) bool {
	switch f.Kind {
	case FaultRepeatNext, FaultLieSize:
		return false
	case FaultStatus:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body != "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(f.Body))
			return true
		}
		switch status {
		case http.StatusGone:
			writeJSON(w, status, change2770Body())
		case http.StatusForbidden:
			writeScopeError(w, []string{"repository"}, nil)
		default:
			writeError(w, status, defaultFaultMessage(status), "")
		}
	case FaultMalformedJSON:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"pagelen": 10, "values": [{"type": "repository", "name": "half` + "\x00" + `", ]`))
	case FaultHang:
		<-r.Context().Done()
		w.status = 499
	case FaultReset:
		w.status = http.StatusOK
		hj, ok := w.ResponseWriter.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
		}
		conn, buf, err := hj.Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		writeTruncated(conn, buf)
	case FaultHugeBody:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", fmt.Sprint(HugeBodySize))
		w.WriteHeader(http.StatusOK)
		streamHuge(w, r.Context())
	default:
		return false
	}
	return true
}

// writeTruncated sends a response that promises more body than it delivers and closes
// the connection, like a proxy that drops mid-transfer.
func writeTruncated(conn net.Conn, buf *bufio.ReadWriter) {
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Content-Length: 65536\r\n\r\n" +
		`{"pagelen": 10, "size": 10000, "page": 1, "values": [{"type": "repository", "full_name": "`)
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // send RST, not FIN
	}
}

// streamHuge writes HugeBodySize bytes of valid JSON, stopping early when the client
// goes away.
func streamHuge(w http.ResponseWriter, ctx context.Context) {
	head := `{"pagelen": 10, "page": 1, "values": [], "padding": "`
	tail := `"}`
	_, err := w.Write([]byte(head))
	if err != nil {
		return
	}
	chunk := []byte(strings.Repeat("x", 64<<10))
	left := HugeBodySize - len(head) - len(tail)
	for left > 0 {
		if ctx.Err() != nil {
			return
		}
		n := min(left, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			return
		}
		left -= n
	}
	_, _ = w.Write([]byte(tail))
}

// recorder remembers the status written, for the request log, and passes Flush and
// Hijack through.
type recorder struct {
	http.ResponseWriter
	status int
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recorder) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
