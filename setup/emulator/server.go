package emulator

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
	wg        sync.WaitGroup // the Serve goroutine and every handler
	closeOnce sync.Once
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
	s := &Server{Emulator: e, cancel: cancel}
	s.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.wg.Add(1)
			defer s.wg.Done()
			e.ServeHTTP(w, r)
		}),
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
	}
	s.URL = "http://" + ln.Addr().String()
	s.APIURL = s.URL + "/2.0"
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener failed; Close still cleans up
		}
	}()
	return s, nil
}

// Close stops the server: requests in flight (a FaultHang, a latency sleep) are
// cancelled, connections are closed, and Close returns once every handler has returned.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			_ = s.srv.Close()
		}
		s.wg.Wait()
	})
}
