package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// writeJSON is the one encoder of every --json output: v as indented JSON and a newline.
// Strings keep their text (--json is data), but the characters a terminal would act on
// are written as \u escapes: encoding/json escapes C0 controls and U+2028/U+2029 only, so
// DEL, the C1 controls (U+0080–U+009F) and the bidi controls (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069) from a server would otherwise reach a terminal raw.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeJSONControls(buf.Bytes()))
	return err
}

// escapeJSONControls rewrites each control rune in encoded JSON as a \u escape. Outside
// strings JSON is ASCII punctuation, digits and letters, so every such rune is inside a
// string, where the escape means the same rune.
func escapeJSONControls(b []byte) []byte {
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

// jsonControl reports the runes escapeJSONControls escapes (see writeJSON).
func jsonControl(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		r == 0x061c || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
