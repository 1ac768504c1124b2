package cmd

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// listing is how the list commands (workspaces, projects, repos list) print rows, as gh
// does: at a terminal, an aligned table with a header, then the count, all on stdout;
// piped, one tab-separated line per row and nothing else on stdout, the count and any
// "none" sentence on stderr.
type listing struct {
	out   io.Writer // the rows
	notes io.Writer // the count and the "none" sentence
	tw    *tabwriter.Writer
}

// newListing starts a listing on a's stdout; header is the tab-separated column names,
// printed only at a terminal.
func (a *Factory) newListing(header string) *listing {
	l := &listing{out: a.env.Stdout, notes: a.env.Stdout}
	if !writerIsTerminal(a.env.Stdout) {
		l.notes = a.env.Stderr
		return l
	}
	l.tw = tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	l.out = l.tw
	fmt.Fprintln(l.tw, header)
	return l
}

// row prints one row; the cells are tab-separated and already clean.
func (l *listing) row(format string, args ...any) { fmt.Fprintf(l.out, format+"\n", args...) }

// done aligns the table (at a terminal) and prints the count sentence.
func (l *listing) done(count string) error {
	if l.tw != nil {
		if err := l.tw.Flush(); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(l.notes, count)
	return err
}

// noteNone prints the "none" sentence where the count would go.
func (a *Factory) noteNone(format string, args ...any) {
	w := a.env.Stdout
	if !writerIsTerminal(w) {
		w = a.env.Stderr
	}
	fmt.Fprintf(w, format+"\n", args...)
}

// plural is n and the noun, singular for one.
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
