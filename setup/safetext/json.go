package safetext

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// EscapeJSON rewrites each control rune in encoded JSON as a \u escape, so that JSON
// keeps its text (it is data) and still reaches a terminal safely: encoding/json escapes
// C0 controls and U+2028/U+2029 only, so DEL, the C1 controls (U+0080–U+009F) and the
// bidi controls would otherwise reach it raw. Outside strings JSON is ASCII punctuation,
// digits and letters, so every such rune is inside a string, where the escape means the
// same rune.
func EscapeJSON(b []byte) []byte {
	i := bytes.IndexFunc(b, jsonControl)
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		i := bytes.IndexFunc(b, jsonControl)
		if i < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i]...)
		r, n := utf8.DecodeRune(b[i:])
		out = fmt.Appendf(out, `\u%04x`, r)
		b = b[i+n:]
	}
	return out
}

// jsonControl reports the runes EscapeJSON escapes: those Line removes that encoding/json
// leaves as they are.
func jsonControl(r rune) bool { return r == 0x7f || (r >= 0x80 && r <= 0x9f) || bidi(r) }
