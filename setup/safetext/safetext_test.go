package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Acme Corporation", "Acme Corporation"},
		{"unicode kept", "Zoë 日本 🚀 e\u0301", "Zoë 日本 🚀 e\u0301"},
		{"title OSC BEL", "a\x1b]0;pwned\x07b", "ab"},
		{"title OSC ST", "a\x1b]2;pwned\x1b\\b", "ab"},
		{"OSC 8 link", "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"clear screen", "x\x1b[2J\x1b[Hy", "xy"},
		{"colour", "\x1b[31mred\x1b[0m", "red"},
		{"C1 CSI", "a\u009b2Jb", "ab"},
		{"C1 OSC", "a\u009d0;t\u009cb", "ab"},
		{"DCS", "a\x1bPqdata\x1b\\b", "ab"},
		{"two-char escape", "a\x1bcb", "ab"},
		{"charset escape", "a\x1b(Bb", "ab"},
		{"bidi override", "abc\u202Efed\u202C", "abcfed"},
		{"bidi isolates", "\u2066x\u2069\u200F", "x"},
		{"C0 and DEL", "a\x00b\x07c\x08d\x7f", "abcd"},
		{"newlines folded", "one\r\ntwo\n\n\tthree", "one two three"},
		{"leading newline", "\nx", "x"},
		{"invalid utf8", "a\xffb", "ab"},
		{"unterminated OSC", "a\x1b]0;forever", "a"},
		{"lone ESC at end", "a\x1b", "a"},
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.want {
			t.Errorf("%s: Line(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestBlock(t *testing.T) {
	in := "line one\r\nline\x1b[2K two\n\x1b]0;x\x07three\rover\tx"
	want := "line one\nline two\nthreeover x"
	if got := Block(in); got != want {
		t.Errorf("Block = %q, want %q", got, want)
	}
}

func TestUntrusted(t *testing.T) {
	u := Untrusted("evil\x1b]0;t\x07name")
	if u.String() != "evilname" || u.Raw() != "evil\x1b]0;t\x07name" {
		t.Errorf("String %q Raw %q", u.String(), u.Raw())
	}
	if IsClean(u.Raw()) || !IsClean("fine name") {
		t.Error("IsClean is wrong")
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"a\x1b[31mb", "\x1b]8;;u\x1b\\x", "\u202e", "\u009b1m", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Line(s), Block(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 out of %q", s)
			}
			for _, r := range out {
				if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) || bidi(r) {
					t.Fatalf("control %U left in %q (from %q)", r, out, s)
				}
			}
		}
		if strings.ContainsRune(Line(s), '\n') {
			t.Fatalf("Line kept a newline: %q", s)
		}
		if Line(Line(s)) != Line(s) {
			t.Fatalf("Line is not idempotent on %q", s)
		}
	})
}
