package line

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	xterm "github.com/charmbracelet/x/term"

	"github.com/bbsetup/bbsetup/internal/termin"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// errEnd is what a prompt returns when the input ended (ctrl+d, or the pipe closed): the
// operator left, as q does in the wizard.
var errEnd = errors.New("the input ended")

// term is the line surface: it writes whole lines and reads whole lines, nothing else.
// Every prompt ends its own line once answered, so a screen reader reads each line once.
type term struct {
	ctx   context.Context
	out   io.Writer
	lines chan read
	// echo turns the terminal's echo off and on (nil: the input is not a terminal, or one
	// whose echo cannot be turned off: then tty says which).
	echo func(on bool) error
	tty  bool // the input is a terminal
}

// read is one line of input, without its line ending.
type read struct {
	text string
	err  error
}

// newTerm starts reading in, one line at a time, on a goroutine of its own: a prompt
// then waits for a line or ctx, whichever comes first, and the Authorize step can wait
// for the browser and a pasted URL at once. The goroutine ends with the input (the
// process's exit ends a read from a terminal).
func newTerm(ctx context.Context, in io.Reader, out io.Writer) *term {
	t := &term{ctx: ctx, out: out, lines: make(chan read)}
	if f, ok := in.(interface{ Fd() uintptr }); ok && xterm.IsTerminal(f.Fd()) {
		t.tty = true
		t.echo = termin.EchoControl(f.Fd())
	}
	go func() {
		br := bufio.NewReader(in)
		for {
			s, err := br.ReadString('\n')
			if err != nil && s == "" {
				if err == io.EOF {
					err = errEnd
				}
				select {
				case t.lines <- read{err: err}:
				case <-ctx.Done():
				}
				return
			}
			s = strings.TrimRight(s, "\r\n")
			select {
			case t.lines <- read{text: s}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return t
}

// say writes one or more whole lines. Everything the line mode writes goes through say
// or write, which let no control character through but the line ending: a server's or a
// file's text cannot move the cursor, colour, retitle or clear the terminal, so the
// surface stays lines whatever it shows.
func (t *term) say(format string, a ...any) {
	s := fmt.Sprintf(format, a...)
	t.write(strings.TrimRight(s, "\n") + "\n")
}

// write writes s (a prompt: no line ending of its own), made safe for the terminal.
func (t *term) write(s string) { fmt.Fprint(t.out, safetext.Block(s)) }

// blank writes an empty line (between steps).
func (t *term) blank() { t.write("\n") }

// heading starts a step: an empty line, then its title.
func (t *term) heading(title string) {
	t.blank()
	t.say("== %s ==", title)
}

// progress says that work started (instead of a spinner): one line, then the result
// says how it went.
func (t *term) progress(text string) { t.say("… %s", text) }

// fail says what went wrong (the title), the error's words, and what to do next.
func (t *term) fail(title string, err error, next string) {
	t.say("✗ %s: %s", title, err.Error())
	if next != "" {
		t.say("  → %s", next)
	}
}

// next waits for the next line of input, or ctx.
func (t *term) next() (string, error) {
	select {
	case r, ok := <-t.lines:
		return t.got(r, ok)
	case <-t.ctx.Done():
		return "", t.ctx.Err()
	}
}

// ask writes prompt (no line ending: the answer follows on the same line) and returns the
// line typed, trimmed.
func (t *term) ask(prompt string) (string, error) {
	t.write(prompt)
	s, err := t.next()
	return strings.TrimSpace(s), err
}

// askDefault is ask with a value taken when the operator just presses enter; the value
// is shown in brackets.
func (t *term) askDefault(prompt, def string) (string, error) {
	p := prompt + ": "
	if def != "" {
		p = prompt + " [" + def + "]: "
	}
	s, err := t.ask(p)
	if err == nil && s == "" {
		s = def
	}
	return s, err
}

// hidden reads a secret: the echo goes off before the prompt is written (so nothing typed
// after the prompt shows), and on again after the line. A terminal whose echo cannot be
// turned off is refused: the secret would show.
func (t *term) hidden(prompt string) (string, error) {
	if t.tty && t.echo == nil {
		return "", errors.New("bbsetup cannot turn this terminal's echo off, so it does not ask for a secret here: use bbsetup configure --client-secret-stdin and the amplication commands' --password-stdin instead")
	}
	if t.echo != nil {
		if err := t.echo(false); err != nil {
			return "", fmt.Errorf("cannot turn the terminal's echo off (%v), so the secret is not asked for", err)
		}
		defer func() {
			_ = t.echo(true)
			t.write("\n") // the enter that ended the line was not echoed
		}()
	}
	t.write(prompt)
	s, err := t.next()
	return strings.TrimSpace(s), err
}

// choose lists the options numbered from 1 and returns the index of the one chosen
// (def when the operator just presses enter). Anything else asks again.
func (t *term) choose(question string, options []string, def int) (int, error) {
	if question != "" {
		t.say("%s", question)
	}
	for i, o := range options {
		t.say("  %d. %s", i+1, o)
	}
	for {
		s, err := t.ask(fmt.Sprintf("Choose 1-%d [%d]: ", len(options), def+1))
		if err != nil {
			return 0, err
		}
		if s == "" {
			return def, nil
		}
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(options) {
			return n - 1, nil
		}
		t.say("Type a number from 1 to %d, or press enter for %d.", len(options), def+1)
	}
}

// yesNo asks a yes-or-no question; enter takes def.
func (t *term) yesNo(question string, def bool) (bool, error) {
	hint := " [y/N]: "
	if def {
		hint = " [Y/n]: "
	}
	for {
		s, err := t.ask(question + hint)
		if err != nil {
			return false, err
		}
		switch strings.ToLower(s) {
		case "":
			return def, nil
		case "y", "yes":
			return true, nil
		case "n", "no":
			return false, nil
		}
		t.say("Type y or n.")
	}
}

// nextWithin waits up to d for a line: got is false when d passed first (the caller
// checks again, as the wizard's screens poll).
func (t *term) nextWithin(d time.Duration) (text string, got bool, err error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r, ok := <-t.lines:
		s, err := t.got(r, ok)
		return strings.TrimSpace(s), true, err
	case <-timer.C:
		return "", false, nil
	case <-t.ctx.Done():
		return "", true, t.ctx.Err()
	}
}

// got is a line received from t.lines (ok false: closed).
func (t *term) got(r read, ok bool) (string, error) {
	if !ok {
		return "", errEnd
	}
	if r.err != nil {
		// The reader has stopped: every later prompt ends the same way.
		close(t.lines)
		return "", r.err
	}
	return r.text, nil
}
