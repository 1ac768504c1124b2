package netcause

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestRefusedIsNotSent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
	_, err = http.DefaultClient.Do(req)
	if err == nil {
		t.Fatal("a request to a closed port succeeded")
	}
	if !NotSent(err) {
		t.Errorf("NotSent(%v) = false", err)
	}
	if k := Kind(err); k != "dial: connect: connection refused" {
		t.Errorf("Kind = %q", k)
	}
}

func TestKind(t *testing.T) {
	if k := Kind(fmt.Errorf("wrapped: %w", context.DeadlineExceeded)); k != "timed out" {
		t.Errorf("deadline: %q", k)
	}
	if k := Kind(errors.New("unexpected EOF")); k != "unexpected EOF" {
		t.Errorf("plain: %q", k)
	}
	if NotSent(errors.New("unexpected EOF")) {
		t.Error("a broken answer counts as not sent")
	}
}
