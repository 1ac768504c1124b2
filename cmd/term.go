package cmd

import (
	"io"
	"os"
)

// terminalWriter is a stream that says whether it is a terminal; tests use it to stand
// for one.
type terminalWriter interface{ IsTerminal() bool }

// writerIsTerminal reports whether w is an interactive terminal: a character device, or
// a stream that says it is one.
func writerIsTerminal(w io.Writer) bool {
	switch v := w.(type) {
	case terminalWriter:
		return v.IsTerminal()
	case *os.File:
		return isTerminal(v)
	}
	return false
}
