//go:build windows

package cmd

import (
	"context"
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
	return awaitLine(ctx, func() (string, error) {
		defer f.Close()
		return readLine(f.Read)
	}, restore)
}
