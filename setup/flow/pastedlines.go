package flow

import (
	"bufio"
	"io"
)

// PastedLines is the lines Await takes from r, where the operator pastes the address the
// browser lands on: r line by line (each at most 64 KiB) until its end, a longer line or
// a read error (then the channel is closed: the input ended), or until stop is closed.
// It is nil when r is nil: there is nothing to paste into.
func PastedLines(r io.Reader, stop <-chan struct{}) <-chan string {
	if r == nil {
		return nil
	}
	out := make(chan string)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), 64<<10)
		for sc.Scan() {
			select {
			case out <- sc.Text():
			case <-stop:
				return
			}
		}
	}()
	return out
}
