// Package safetext makes text that bbsetup did not write itself (anything from a server, a
// file, the environment or a pasted URL) safe to put on a terminal.
//
// It removes C0 and C1 control characters, whole ESC sequences (CSI, OSC, DCS, APC, PM, SOS,
// and two-character escapes), DEL, and the Unicode bidirectional controls that can reverse or
// hide text (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), as well as invalid UTF-8.
// Printable Unicode, including wide and combining characters, is kept.
//
// Text is cleaned once, where it enters bbsetup's types: the Bitbucket and Amplication
// clients clean every string they decode from an answer (and the server's words in their
// errors), setup/checkout the findings that quote files and the environment, setup/envfile
// the diffs that quote files. Paths stay as they are (they are used to open files), so
// whatever prints a path cleans it.
package safetext

import (
	"strings"
	"unicode/utf8"
)

// Line returns s safe for one line of a terminal: controls and ESC sequences removed, and
// every run of line breaks and tabs folded into one space.
func Line(s string) string { return clean(s, false) }

// Block returns s safe for a terminal, keeping its line breaks ("\n"; "\r\n" becomes "\n")
// and turning tabs into spaces; everything else Line removes is removed.
func Block(s string) string { return clean(s, true) }

// Untrusted is a string that came from outside bbsetup. Its String method is the sanitised
// single-line form, so printing it with the fmt verbs is safe by default; Raw is the explicit,
// greppable way to get the bytes (for comparisons, requests and files, never the terminal).
type Untrusted string

// String returns Line(u).
func (u Untrusted) String() string { return Line(string(u)) }

// Raw returns the original bytes.
func (u Untrusted) Raw() string { return string(u) }

// IsClean reports whether Line(s) == s: s holds nothing that Line would remove.
func IsClean(s string) bool { return Line(s) == s }

func bidi(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F ||
		(r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func clean(s string, keepNewlines bool) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a folded run of whitespace is pending
	flush := func() {
		if space {
			b.WriteByte(' ')
			space = false
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			i++
			continue
		case r == 0x1b: // ESC: skip the whole sequence
			i = skipEscape(s, i+1)
			continue
		case r == 0x9b: // C1 CSI
			i = skipCSI(s, i+size)
			continue
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // C1 OSC, DCS, SOS, PM, APC
			i = skipString(s, i+size)
			continue
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f':
			if keepNewlines && r == '\n' {
				space = false
				b.WriteByte('\n')
			} else if keepNewlines && r == '\r' {
				// "\r\n" becomes "\n"; a lone "\r" (overwrite the line) is dropped.
			} else if b.Len() > 0 {
				space = true
			}
			i += size
			continue
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || bidi(r):
			i += size
			continue
		}
		flush()
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// skipEscape returns the index after the ESC sequence whose ESC was just before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// Two-character escape (ESC c, ESC 7 ...), or with intermediates (ESC ( B).
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI skips parameter and intermediate bytes and the final byte of a CSI sequence.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		i++
		if c >= 0x40 && c <= 0x7e {
			return i
		}
		if c < 0x20 { // a control interrupts the sequence
			return i
		}
	}
	return i
}

// skipString skips an OSC/DCS/SOS/PM/APC string up to its terminator: BEL, ESC \ or C1 ST.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		}
		i++
	}
	return i
}
