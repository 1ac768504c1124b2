package netcause

import (
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestDial(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "https://x.test", Err: err} }
	for _, c := range []struct {
		err  error
		want string
		ok   bool
	}{
		{wrap(&net.DNSError{Name: "x.test", Err: "no such host"}), "the name x.test does not resolve", true},
		{wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), "connection refused", true},
		{wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}), "network unreachable", true},
		{wrap(&net.OpError{Op: "dial", Err: timeoutErr{}}), "no answer in time", true},
		{wrap(&net.OpError{Op: "dial", Err: errors.New("other")}), "the connection could not be made", true},
		{wrap(&net.OpError{Op: "dial", Err: &x509.UnknownAuthorityError{}}), "", false},
		{wrap(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), "", false},
	} {
		got, ok := Dial(c.err)
		if got != c.want || ok != c.ok {
			t.Errorf("Dial(%v) = %q, %v; want %q, %v", c.err, got, ok, c.want, c.ok)
		}
	}
}
