//go:build windows

package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/windows"
)

// readHidden turns the console's echo off (line input and Ctrl+C processing stay on),
// then writes prompt to w, then reads one line (returned as typed, without its line
// ending), as the Unix version does: nothing typed after the prompt appears is echoed. This
// is what golang.org/x/term's ReadPassword does on Windows, with the order changed so that
// echo is off before the prompt invites typing. A signal (ctx cancelled) ends the wait at
// once, echo back on; the read itself cannot be interrupted, so it is left to a goroutine
// that the process's exit ends.
func readHidden(ctx context.Context, fd uintptr, w io.Writer, prompt string) (string, error) {
	h := windows.Handle(fd)
	var old uint32
	if err := windows.GetConsoleMode(h, &old); err != nil {
		return "", err
	}
	quiet := old&^windows.ENABLE_ECHO_INPUT | windows.ENABLE_LINE_INPUT | windows.ENABLE_PROCESSED_INPUT
	if err := windows.SetConsoleMode(h, quiet); err != nil {
		return "", err
	}
	restore := func() { _ = windows.SetConsoleMode(h, old) }
	// A duplicate handle, so that closing the reader never closes stdin; os.NewFile sees
	// a console and reads it as UTF-16, giving UTF-8.
	proc := windows.CurrentProcess()
	var dup windows.Handle
	if err := windows.DuplicateHandle(proc, h, proc, &dup, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		restore()
		return "", err
	}
	f := os.NewFile(uintptr(dup), "console input")
	fmt.Fprint(w, prompt)
	type read struct {
		line string
		err  error
	}
	got := make(chan read, 1)
	go func() {
		defer f.Close()
		line, err := readConsoleLine(f)
		got <- read{line, err}
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

// readConsoleLine reads up to the end of the line (or end of input), at most 64 KiB.
func readConsoleLine(r io.Reader) (string, error) {
	var line []byte
	buf := make([]byte, 1024)
	for len(line) < 64<<10 {
		n, err := r.Read(buf)
		if n > 0 {
			line = append(line, buf[:n]...)
			if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
				return string(line[:i]), nil
			}
		}
		if errors.Is(err, io.EOF) || (err == nil && n == 0) {
			return string(line), nil
		}
		if err != nil {
			return string(line), err
		}
	}
	return string(line), nil
}
