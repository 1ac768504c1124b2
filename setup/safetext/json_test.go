package safetext

import (
	"encoding/json"
	"strings"
	"testing"
)

// EscapeJSON escapes exactly the runes Line would remove that encoding/json leaves raw:
// every such rune of the Basic Multilingual Plane comes out as a \u escape that decodes
// to the same rune, and every rune Line keeps comes out as encoding/json wrote it.
func TestEscapeJSON(t *testing.T) {
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue // surrogates are no runes of their own
		}
		s := string(r)
		enc, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got := EscapeJSON(enc)
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != s {
			t.Fatalf("U+%04X: %s decodes to %q (%v)", r, got, back, err)
		}
		removed := Line(s) == "" && r != '\n' && r != '\r' && r != '\t' && r != '\v' && r != '\f'
		raw := strings.ContainsRune(string(got), r) && r >= 0x20
		switch {
		case removed && raw:
			t.Errorf("U+%04X: Line removes it, but the JSON has it raw: %s", r, got)
		case !removed && string(got) != string(enc):
			t.Errorf("U+%04X: Line keeps it, but it was escaped: %s, encoding/json wrote %s", r, got, enc)
		}
	}
}
