package line

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// newTestTerm is a term reading the given input (no terminal) and writing to a buffer.
func newTestTerm(t *testing.T, input string) (*term, *strings.Builder) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	out := &strings.Builder{}
	return newTerm(ctx, strings.NewReader(input), out), out
}

func TestChooseAsksAgainUntilANumberInRange(t *testing.T) {
	tm, out := newTestTerm(t, "0\nthree\n4\n2\n")
	i, err := tm.choose("Which?", []string{"one", "two", "three"}, 0)
	if err != nil || i != 1 {
		t.Fatalf("choose = %d, %v; want 1", i, err)
	}
	want := "Which?\n  1. one\n  2. two\n  3. three\nChoose 1-3 [1]: Type a number from 1 to 3, or press enter for 1.\n"
	if !strings.HasPrefix(out.String(), want) || strings.Count(out.String(), "Type a number") != 3 {
		t.Fatalf("output:\n%s", out)
	}
}

func TestChooseTakesTheDefaultOnEnter(t *testing.T) {
	tm, _ := newTestTerm(t, "\n")
	if i, err := tm.choose("", []string{"a", "b"}, 1); err != nil || i != 1 {
		t.Fatalf("choose = %d, %v; want the default 1", i, err)
	}
}

func TestYesNo(t *testing.T) {
	tm, out := newTestTerm(t, "maybe\nYES\n\nn\n")
	for _, want := range []bool{true, false, false} {
		got, err := tm.yesNo("Go?", false)
		if err != nil || got != want {
			t.Fatalf("yesNo = %v, %v; want %v", got, err, want)
		}
	}
	if !strings.Contains(out.String(), "Go? [y/N]: Type y or n.\n") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestEndOfInputEndsEveryPrompt(t *testing.T) {
	tm, _ := newTestTerm(t, "last")
	if s, err := tm.ask("> "); err != nil || s != "last" {
		t.Fatalf("ask = %q, %v; want the unterminated last line", s, err)
	}
	for range 3 {
		if _, err := tm.ask("> "); !errors.Is(err, errEnd) {
			t.Fatalf("ask after the end = %v, want errEnd", err)
		}
	}
	if _, _, err := tm.nextWithin(time.Second); !errors.Is(err, errEnd) {
		t.Fatalf("nextWithin after the end = %v, want errEnd", err)
	}
}

func TestCancelEndsAPrompt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	defer pw.Close()
	tm := newTerm(ctx, pr, io.Discard)
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := tm.ask("> "); !errors.Is(err, context.Canceled) {
		t.Fatalf("ask = %v, want context.Canceled", err)
	}
}

// A server's or a file's text can hold escape sequences and control characters: the
// line mode writes none of them, whatever it shows.
func TestNothingButLinesReachesTheTerminal(t *testing.T) {
	tm, out := newTestTerm(t, "\n")
	hostile := "Shop\x1b[2J\x1b[H\x1b]0;pwned\x07\r\u202eevil\x1b[?1049h"
	tm.say("Project %s", hostile)
	tm.fail("The check failed", errors.New(hostile+"\nsecond line"), "Try again.")
	if _, err := tm.ask("Name of " + hostile + ": "); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, bad := range []string{"\x1b", "\r", "\a", "\u202e"} {
		if strings.Contains(s, bad) {
			t.Fatalf("%q reached the terminal:\n%q", bad, s)
		}
	}
	if !strings.Contains(s, "Project Shop") || !strings.Contains(s, "second line") {
		t.Fatalf("the text itself went missing:\n%q", s)
	}
}

func TestHiddenWithoutATerminalReadsTheLine(t *testing.T) {
	tm, out := newTestTerm(t, "s3cret\n")
	got, err := tm.hidden("Secret (hidden): ")
	if err != nil || got != "s3cret" {
		t.Fatalf("hidden = %q, %v", got, err)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatal("the secret was written")
	}
}

// writerFunc is an io.Writer that calls itself.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// The echo goes off before the hidden prompt is written (what is typed as soon as the
// prompt shows is never echoed) and on again after the line, then the line ends.
func TestHiddenTurnsTheEchoOffBeforeThePrompt(t *testing.T) {
	var events []string
	out := writerFunc(func(p []byte) (int, error) { events = append(events, "write "+string(p)); return len(p), nil })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tm := newTerm(ctx, strings.NewReader("typed\n"), out)
	tm.echo = func(on bool) error {
		events = append(events, "echo "+map[bool]string{true: "on", false: "off"}[on])
		return nil
	}
	if got, err := tm.hidden("Secret (hidden): "); err != nil || got != "typed" {
		t.Fatalf("hidden = %q, %v", got, err)
	}
	want := []string{"echo off", "write Secret (hidden): ", "echo on", "write \n"}
	if strings.Join(events, "|") != strings.Join(want, "|") {
		t.Fatalf("events %q, want %q", events, want)
	}
}

// A terminal whose echo cannot be turned off gets no hidden prompt: the secret would show.
func TestHiddenRefusesATerminalWithoutEchoControl(t *testing.T) {
	tm, out := newTestTerm(t, "typed\n")
	tm.tty, tm.echo = true, nil
	if _, err := tm.hidden("Secret (hidden): "); err == nil || !strings.Contains(err.Error(), "--client-secret-stdin") {
		t.Fatalf("hidden = %v, want a refusal naming the way out", err)
	}
	if out.Len() != 0 {
		t.Fatalf("the prompt was written: %q", out)
	}
}
