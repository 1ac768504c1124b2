package cmd

import (
	"fmt"
	"sync"
	"time"
)

// progress says on stderr that something slow is under way. At a terminal (and without
// --debug, whose lines would tear it, and not under TERM=dumb, which cannot redraw a
// line) it is a spinner redrawn in place and erased when stop is called; anywhere else
// (a pipe, a log, NO_COLOR with no terminal) the message is written once, as a line of
// its own, so a log shows what bbsetup was doing. stop waits until nothing more will be
// written.
func (a *Factory) progress(msg string) (stop func()) {
	w := a.env.Stderr
	if w == nil {
		return func() {}
	}
	dumb := a.env.Getenv != nil && a.env.Getenv("TERM") == "dumb"
	if !writerIsTerminal(w) || a.g.Debug || dumb {
		fmt.Fprintln(w, msg)
		return func() {}
	}
	frames := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
	draw := func(i int) { fmt.Fprintf(w, "\r%s %s", frames[i%len(frames)], msg) }
	draw(0)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 1; ; i++ {
			select {
			case <-done:
				fmt.Fprint(w, "\r\x1b[K") // erase the line: the result replaces it
				return
			case <-t.C:
				draw(i)
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
		})
	}
}
