package httpc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.v, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffIsBounded(t *testing.T) {
	o := Options{BaseBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}.WithDefaults(Options{})
	for retry := range 20 {
		d := o.Backoff(retry, "")
		if d < 0 || d > time.Second {
			t.Fatalf("Backoff(%d) = %v, outside [0, 1s]", retry, d)
		}
		if retry == 0 && (d < 50*time.Millisecond || d > 100*time.Millisecond) {
			t.Fatalf("Backoff(0) = %v, want 50..100ms", d)
		}
	}
	if d := o.Backoff(0, "3600"); d != time.Second {
		t.Errorf("Retry-After 3600 with MaxBackoff 1s: %v, want 1s", d)
	}
	if d := o.Backoff(0, "0"); d != 0 {
		t.Errorf("Retry-After 0: %v", d)
	}
}

func TestWithDefaults(t *testing.T) {
	d := Options{RequestTimeout: 30 * time.Second, MaxRetries: 3, BaseBackoff: time.Second, MaxBackoff: 4 * time.Second, Deadline: time.Minute}
	if got := (Options{}).WithDefaults(d); got != d {
		t.Errorf("zero options: %+v, want %+v", got, d)
	}
	got := Options{MaxRetries: -1, BaseBackoff: 10 * time.Second}.WithDefaults(d)
	if got.MaxRetries != 0 || got.MaxBackoff != 10*time.Second {
		t.Errorf("MaxRetries -1 and BaseBackoff above the default MaxBackoff: %+v", got)
	}
}

func TestCapReaderExactSize(t *testing.T) {
	body := `{"a":1}`
	cr := &CapReader{R: strings.NewReader(body), N: int64(len(body))}
	var v map[string]int
	if err := json.NewDecoder(cr).Decode(&v); err != nil || v["a"] != 1 {
		t.Fatalf("a body of exactly the cap: %v %v", v, err)
	}
	cr = &CapReader{R: strings.NewReader(body + "    x"), N: int64(len(body))}
	buf := make([]byte, 64)
	n, _ := cr.Read(buf)
	if _, err := cr.Read(buf); n != len(body) || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("past the cap: n=%d err=%v", n, err)
	}
	if cr.Broke != nil {
		t.Errorf("a body past the cap is not a broken connection: %v", cr.Broke)
	}
}

// TestRetry: a retryable failure is tried again up to the limit, each try with its own
// timeout and number; the last failure is returned unwrapped; a failure that is not
// retryable ends the loop at once.
func TestRetry(t *testing.T) {
	o := Options{RequestTimeout: 50 * time.Millisecond, BaseBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}
	errBusy := errors.New("busy")
	var tries []Try
	err := o.Retry(context.Background(), 2, func(ctx context.Context, tr Try) error {
		tries = append(tries, tr)
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > 50*time.Millisecond {
			t.Errorf("try %d has no deadline of its own (%v, %v)", tr.N, dl, ok)
		}
		return &Retryable{Err: errBusy}
	})
	if err != errBusy {
		t.Errorf("err = %v, want the last failure itself", err)
	}
	if len(tries) != 3 || tries[2].N != 3 || tries[2].Of != 3 || tries[0].Timeout != 50*time.Millisecond {
		t.Errorf("tries = %+v, want 3 numbered 1..3 of 3", tries)
	}
	n := 0
	errFinal := errors.New("final")
	if err := o.Retry(context.Background(), 5, func(context.Context, Try) error { n++; return errFinal }); err != errFinal || n != 1 {
		t.Errorf("not retryable: %v after %d tries", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Retry(ctx, 5, func(context.Context, Try) error { return &Retryable{Err: errBusy} }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestBound(t *testing.T) {
	ctx, passed := Bound(context.Background(), 10*time.Millisecond)
	<-ctx.Done()
	if !passed(ctx.Err()) {
		t.Error("the deadline passed but Bound's done says it did not")
	}
	parent, cancel := context.WithCancel(context.Background())
	ctx, passed = Bound(parent, time.Hour)
	cancel()
	if passed(ctx.Err()) {
		t.Error("the caller cancelled, yet Bound's done blames the deadline")
	}
	_, passed = Bound(context.Background(), time.Hour)
	if passed(nil) {
		t.Error("no error, yet the deadline passed")
	}
}
