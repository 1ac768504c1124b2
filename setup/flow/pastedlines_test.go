package flow

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// collect reads c until it is closed (bounded in time).
func collect(t *testing.T, c <-chan string) []string {
	t.Helper()
	var got []string
	timeout := time.After(5 * time.Second)
	for {
		select {
		case l, ok := <-c:
			if !ok {
				return got
			}
			got = append(got, l)
		case <-timeout:
			t.Fatalf("the lines did not end within 5 s (so far %q)", got)
		}
	}
}

// PastedLines: each line without its ending (CRLF too), then the end; no reader, no
// lines; a line over 64 KiB ends the input; stop ends the delivery.
func TestPastedLines(t *testing.T) {
	if PastedLines(nil, nil) != nil {
		t.Fatal("no reader gave lines")
	}
	stop := make(chan struct{})
	defer close(stop)
	got := collect(t, PastedLines(strings.NewReader("one\r\n\nhttp://x/?code=1\nlast"), stop))
	if want := []string{"one", "", "http://x/?code=1", "last"}; !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
	got = collect(t, PastedLines(strings.NewReader("a\n"+strings.Repeat("x", 65<<10)+"\nb\n"), stop))
	if want := []string{"a"}; !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q (the long line ends the input)", got, want)
	}
	// Stopped before anything is read: the delivery ends long before the thousandth line
	// (each line then has an even chance against the stop).
	ownStop := make(chan struct{})
	lines := PastedLines(strings.NewReader(strings.Repeat("line\n", 1000)), ownStop)
	close(ownStop)
	if got := collect(t, lines); len(got) >= 1000 {
		t.Fatalf("after stop, all %d lines were delivered", len(got))
	}
}
