package cmd

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/bbsetup/bbsetup/setup/safetext"
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
	_, err := w.Write(safetext.EscapeJSON(buf.Bytes()))
	return err
}
