package oauth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Callback serves the flow's redirect URL on loopback until one valid answer arrives.
type Callback struct {
	flow      *Flow
	path      string
	listeners []net.Listener
	servers   []*http.Server

	result chan callbackResult // buffered 1; receives the single accepted answer

	mu         sync.Mutex
	done       bool // an answer was accepted
	wrongState int  // answers ignored for a state mismatch

	stopOnce sync.Once
	stop     chan struct{} // closed to shut the servers down
	wg       sync.WaitGroup
}

type callbackResult struct {
	code string
	err  error
}

// shutdownGrace bounds how long the servers wait for the last page to reach the browser.
const shutdownGrace = 2 * time.Second

// Listen starts serving the flow's redirect URL. For host "localhost" it listens on
// 127.0.0.1 and [::1] (where IPv6 exists) on the URL's port; for a loopback IP literal, on
// that address; for another name, on the loopback addresses it resolves to. It listens on
// loopback only, never on an address reachable from the network: a callback host that is
// not loopback gives a *NotLoopbackError (the paste fallback still works). A taken port gives *PortInUseError; the paste fallback
// (ParsePasted + Exchange) works regardless.
func (f *Flow) Listen(ctx context.Context) (*Callback, error) {
	u := f.redirect
	if u.Scheme != "http" {
		return nil, fmt.Errorf("the callback URL %s is not plain http, so bbsetup cannot receive it on this machine; paste the URL your browser lands on instead", u.Redacted())
	}
	port := 80
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("the callback URL %s has an invalid port; check CLIENT_HOST in the server's env files", u.Redacted())
		}
		port = n
	}
	host := u.Hostname()
	var (
		ls  []net.Listener
		err error
	)
	switch ip := net.ParseIP(host); {
	case strings.EqualFold(host, "localhost"):
		ls, err = listenLocalhost(ctx, port)
	case ip != nil:
		if ip.IsUnspecified() {
			return nil, fmt.Errorf("the callback URL %s names every network interface (%s); bbsetup does not listen there; paste the URL your browser lands on instead", u.Redacted(), host)
		}
		if !ip.IsLoopback() {
			return nil, &NotLoopbackError{Host: host}
		}
		ls, err = listenIP(ctx, ip, port)
	default:
		ls, err = listenResolved(ctx, host, port)
	}
	if err != nil {
		return nil, err
	}
	return f.Serve(ls...), nil
}

// listenLocalhost listens on 127.0.0.1 and, where IPv6 exists, on [::1] on port (0: the
// port 127.0.0.1 got).
func listenLocalhost(ctx context.Context, port int) ([]net.Listener, error) {
	var lc net.ListenConfig
	var ls []net.Listener
	addr4 := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	l4, err4 := lc.Listen(ctx, "tcp4", addr4)
	if err4 != nil && isAddrInUse(err4) {
		return nil, &PortInUseError{Addr: addr4, Port: port, Err: err4}
	}
	port6 := port
	if err4 == nil {
		ls = append(ls, l4)
		port6 = l4.Addr().(*net.TCPAddr).Port
	}
	addr6 := net.JoinHostPort("::1", strconv.Itoa(port6))
	l6, err6 := lc.Listen(ctx, "tcp6", addr6)
	switch {
	case err6 == nil:
		ls = append(ls, l6)
	case isAddrInUse(err6) && port != 0:
		// A browser that resolves localhost to ::1 would reach whoever holds it.
		return nil, inUse(ls, addr6, port, err6)
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("cannot listen on localhost port %d (%v); paste the URL your browser lands on instead", port, err4)
	}
	return ls, nil
}

// listenIP listens on the loopback address ip.
func listenIP(ctx context.Context, ip net.IP, port int) ([]net.Listener, error) {
	var lc net.ListenConfig
	addr := net.JoinHostPort(ip.String(), strconv.Itoa(port))
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		if isAddrInUse(err) {
			return nil, &PortInUseError{Addr: addr, Port: port, Err: err}
		}
		return nil, fmt.Errorf("cannot listen on %s (%v); paste the URL your browser lands on instead", addr, err)
	}
	return []net.Listener{l}, nil
}

// listenResolved listens on the loopback addresses host resolves to.
func listenResolved(ctx context.Context, host string, port int) ([]net.Listener, error) {
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	ips, err := net.DefaultResolver.LookupIPAddr(rctx, host)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("cannot resolve the callback host %s (%v); paste the URL your browser lands on instead", host, err)
	}
	var lc net.ListenConfig
	var ls []net.Listener
	var firstErr error
	loopback := false
	for _, a := range ips {
		if a.IP.IsUnspecified() || !a.IP.IsLoopback() {
			continue
		}
		loopback = true
		addr := net.JoinHostPort(a.IP.String(), strconv.Itoa(port))
		l, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			if isAddrInUse(err) {
				return nil, inUse(ls, addr, port, err)
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		ls = append(ls, l)
	}
	if !loopback {
		return nil, &NotLoopbackError{Host: host}
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("cannot listen on the callback host %s (%v); paste the URL your browser lands on instead", host, firstErr)
	}
	return ls, nil
}

// inUse closes the listeners opened so far and returns the taken port's error.
func inUse(ls []net.Listener, addr string, port int, err error) error {
	for _, l := range ls {
		l.Close()
	}
	return &PortInUseError{Addr: addr, Port: port, Err: err}
}

// NotLoopbackError is a callback host that is not a loopback address: bbsetup does not
// listen there, since anyone on the network could then reach the listener.
type NotLoopbackError struct{ Host string }

func (e *NotLoopbackError) Error() string {
	return fmt.Sprintf("the callback host %s is not a loopback address (127.0.0.1, ::1 or localhost), and bbsetup listens on loopback only so that nothing on the network can reach it; paste the URL your browser lands on instead",
		safetext.Line(e.Host))
}

func isAddrInUse(err error) bool {
	if errors.Is(err, syscall.EADDRINUSE) {
		return true
	}
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "address already in use") || strings.Contains(s, "only one usage of each socket address")
}

// Serve serves the flow's callback path on listeners the caller opened (tests use
// 127.0.0.1:0). The Callback owns them from now on.
func (f *Flow) Serve(ls ...net.Listener) *Callback {
	path := f.redirect.EscapedPath()
	if path == "" {
		path = "/"
	}
	c := &Callback{
		flow:      f,
		path:      path,
		listeners: ls,
		result:    make(chan callbackResult, 1),
		stop:      make(chan struct{}),
	}
	for _, l := range ls {
		srv := &http.Server{
			Handler:           c,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       30 * time.Second,
			ErrorLog:          log.New(io.Discard, "", 0), // never write to the operator's terminal
		}
		c.servers = append(c.servers, srv)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			_ = srv.Serve(l)
		}()
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		<-c.stop
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		for _, srv := range c.servers {
			if err := srv.Shutdown(ctx); err != nil {
				srv.Close()
			}
		}
	}()
	return c
}

// Addrs are the addresses the callback listens on.
func (c *Callback) Addrs() []net.Addr {
	out := make([]net.Addr, 0, len(c.listeners))
	for _, l := range c.listeners {
		out = append(out, l.Addr())
	}
	return out
}

// IgnoredWrongState is how many answers were ignored because their state did not match.
func (c *Callback) IgnoredWrongState() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wrongState
}

// Wait returns the code of the one accepted answer (or the *AuthorizeError it carried),
// then shuts the servers down. When ctx ends first it returns an error that wraps
// ErrTimeout and context.DeadlineExceeded on a deadline, or context.Canceled; the servers
// keep running until Close.
func (c *Callback) Wait(ctx context.Context) (string, error) {
	select {
	case r := <-c.result:
		c.Close()
		return r.code, r.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			note := ""
			if n := c.IgnoredWrongState(); n > 0 {
				note = fmt.Sprintf(" (answers ignored for a wrong state: %d)", n)
			}
			return "", fmt.Errorf("%w%s: %w", ErrTimeout, note, ctx.Err())
		}
		return "", ctx.Err()
	}
}

// Close shuts the servers down and waits for them; it is safe to call more than once.
func (c *Callback) Close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	c.wg.Wait()
	return nil
}

// ServeHTTP answers the browser's redirect.
func (c *Callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.EscapedPath() != c.path && r.URL.Path != c.path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet { // a HEAD (link preview, prefetch) must not use up the answer
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		page(w, http.StatusConflict, "Already done", "bbsetup has already received Bitbucket's answer. You can close this tab and return to the terminal.")
		return
	}
	if !c.flow.stateOK(q.Get("state")) {
		c.wrongState++
		c.mu.Unlock()
		page(w, http.StatusBadRequest, "Not the authorization bbsetup is waiting for",
			"This answer belongs to a different authorization attempt (its state does not match), so bbsetup ignored it. Return to the terminal and open the URL bbsetup printed.")
		return
	}
	var res callbackResult
	// Said before the code is exchanged, and the same page serves Amplication's
	// authorization (the code goes on to the Amplication server): it says what happened,
	// not who is authorized.
	status, title, text := http.StatusOK, "Bitbucket sent its answer to bbsetup", "bbsetup finishes the authorization now: the terminal says when it is done. You can close this tab and return to the terminal."
	switch e, code := q.Get("error"), q.Get("code"); {
	case e != "":
		res.err = &AuthorizeError{Code: e, Description: q.Get("error_description")}
		title, text = "Authorization not granted", res.err.Error()+" You can close this tab and return to the terminal."
	case code == "" || !plausibleCode(code):
		c.mu.Unlock()
		page(w, http.StatusBadRequest, "No authorization code", "This address carries no usable authorization code. Return to the terminal and open the URL bbsetup printed.")
		return
	default:
		res.code = code
	}
	c.done = true
	c.result <- res
	c.mu.Unlock()
	w.Header().Set("Connection", "close")
	page(w, status, title, text)
	c.stopOnce.Do(func() { close(c.stop) })
}

// page writes a small self-contained HTML page.
func page(w http.ResponseWriter, status int, title, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%[1]s · bbsetup</title>
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;line-height:1.5}</style>
</head><body><h1>%[1]s</h1><p>%[2]s</p></body></html>
`, html.EscapeString(title), html.EscapeString(text))
}
