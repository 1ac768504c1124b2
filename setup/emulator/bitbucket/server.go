package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is an Emulator listening on a loopback address.
type Server struct {
	*Emulator
	URL    string // http://127.0.0.1:PORT      -> use as --bitbucket-url (serves /site/oauth2/...)
	APIURL string // URL + "/2.0"               -> use as --api-url

	srv       *http.Server
	cancel    context.CancelFunc
	served    chan struct{} // closed when the Serve goroutine has returned
	closeOnce sync.Once

	// Handlers in flight. A counter under a mutex rather than a WaitGroup: net/http may
	// start a handler at any time, also while Close waits, and a WaitGroup forbids an
	// Add from zero concurrent with Wait. Once closed is set no handler starts, and idle
	// is closed when the last one in flight returns.
	mu       sync.Mutex
	inFlight int
	closed   bool
	idle     chan struct{}
}

// closeWait bounds how long Close waits for handlers in flight after cancelling them.
const closeWait = 10 * time.Second

// enter registers a handler; it is false once Close has begun.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inFlight++
	return true
}

// leave unregisters a handler, waking Close when it was the last after Close began.
func (s *Server) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
	if s.closed && s.inFlight == 0 {
		close(s.idle)
	}
}

// Start serves e on 127.0.0.1 on a free port.
func Start(e *Emulator) (*Server, error) { return StartOn(e, "127.0.0.1:0") }

// StartOn serves e on addr, e.g. "127.0.0.1:7990". It refuses any host that is not a
// loopback address: the emulator hands out tokens to anyone who asks.
func StartOn(e *Emulator, addr string) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("emulator address %q is not host:port: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if host == "localhost" {
		ip = net.IPv4(127, 0, 0, 1)
		addr = net.JoinHostPort(ip.String(), addr[len(host)+1:])
	}
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("the emulator only listens on a loopback address such as 127.0.0.1 or [::1], not %q", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (is the port taken? pick another or use port 0)", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Emulator: e, cancel: cancel, served: make(chan struct{}), idle: make(chan struct{})}
	s.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !s.enter() {
				w.Header().Set("Connection", "close")
				http.Error(w, "the emulator is shutting down", http.StatusServiceUnavailable)
				return
			}
			defer s.leave()
			e.ServeHTTP(w, r)
		}),
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
	}
	s.URL = "http://" + ln.Addr().String()
	s.APIURL = s.URL + "/2.0"
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener failed; Close still cleans up
		}
	}()
	return s, nil
}

// Close stops the server: requests in flight (a FaultHang, a latency sleep) are
// cancelled, a request arriving now is answered 503, connections are closed, and Close
// returns once every handler has returned (waiting at most 10 seconds for them).
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		if s.inFlight == 0 {
			close(s.idle)
		}
		s.mu.Unlock()
		s.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			_ = s.srv.Close()
		}
		t := time.NewTimer(closeWait)
		defer t.Stop()
		select {
		case <-s.served:
		case <-t.C:
			return
		}
		select {
		case <-s.idle:
		case <-t.C:
		}
	})
}
