//go:build windows

package termin

import (
	"context"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/windows"
)

// quiet is the console mode m with the echo off; line input and Ctrl+C processing stay on.
func quiet(m uint32) uint32 {
	return m&^windows.ENABLE_ECHO_INPUT | windows.ENABLE_LINE_INPUT | windows.ENABLE_PROCESSED_INPUT
}

// ReadHidden turns the console's echo off (line input and Ctrl+C processing stay on),
// then writes prompt to w, then reads one line (returned as typed, without its line
// ending), as the Unix version does: nothing typed after the prompt appears is echoed. This
// is what golang.org/x/term's ReadPassword does on Windows, with the order changed so that
// echo is off before the prompt invites typing. A signal (ctx cancelled) ends the wait at
// once, echo back on; the read itself cannot be interrupted, so it is left to a goroutine
// that the process's exit ends.
func ReadHidden(ctx context.Context, fd uintptr, w io.Writer, prompt string) (string, error) {
	h := windows.Handle(fd)
	var old uint32
	if err := windows.GetConsoleMode(h, &old); err != nil {
		return "", err
	}
	if err := windows.SetConsoleMode(h, quiet(old)); err != nil {
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
	return awaitLine(ctx, func() (string, error) {
		defer f.Close()
		return readLine(f.Read)
	}, restore)
}

// EchoControl returns the function that turns the console's echo off and on again, or
// nil when fd is not a console.
func EchoControl(fd uintptr) func(on bool) error {
	h := windows.Handle(fd)
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return nil
	}
	return func(on bool) error {
		var m uint32
		if err := windows.GetConsoleMode(h, &m); err != nil {
			return err
		}
		if on {
			m |= windows.ENABLE_ECHO_INPUT
		} else {
			m = quiet(m)
		}
		return windows.SetConsoleMode(h, m)
	}
}
