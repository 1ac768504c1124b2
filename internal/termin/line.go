//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows

package termin

import (
	"bytes"
	"context"
	"errors"
	"io"
)

// awaitLine runs read on a goroutine and waits for its line or for ctx, then calls
// restore (echo back on) either way. The read itself cannot be interrupted: on a signal
// it is left to the goroutine, which the process's exit ends.
func awaitLine(ctx context.Context, read func() (string, error), restore func()) (string, error) {
	type result struct {
		line string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		line, err := read()
		got <- result{line, err}
	}()
	select {
	case r := <-got:
		restore()
		return r.line, r.err
	case <-ctx.Done():
		restore()
		return "", ctx.Err()
	}
}

// readLine reads with read up to the end of the line (or end of input: io.EOF, or
// nothing read without an error), at most 64 KiB, and returns it without its line ending.
func readLine(read func([]byte) (int, error)) (string, error) {
	var line []byte
	buf := make([]byte, 1024)
	for len(line) < 64<<10 {
		n, err := read(buf)
		if n > 0 {
			line = append(line, buf[:n]...)
			if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
				return string(line[:i]), nil
			}
		}
		if errors.Is(err, io.EOF) || (err == nil && n == 0) {
			return string(line), nil // end of input (Ctrl+D on an empty line)
		}
		if err != nil {
			return string(line), err
		}
	}
	return string(line), nil
}
