package envfile

import (
	"strings"
	"testing"
)

// TestDiffIsTerminalSafe: a diff quotes the env file, so a line holding ESC sequences, C1
// controls or bidi characters reaches the caller cleaned, its printable text and the
// diff's line structure kept.
func TestDiffIsTerminalSafe(t *testing.T) {
	hostile := "NOTE=\"x\x1b[2J\x1b]0;pwned\x07y\u0085\u009b2Jz\u202e\u2066w\u2069\""
	fc := FileChange{
		Path:   "/r/pkg/.env.local",
		Exists: true,
		Before: []byte(hostile + "\nA=1\n"),
		After:  []byte(hostile + "\nA=2\n"),
	}
	d := fc.Diff()
	for _, r := range d {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("the diff holds %U:\n%q", r, d)
		}
	}
	for _, want := range []string{` NOTE="xyzw"` + "\n", "-A=1\n", "+A=2\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("the diff lacks %q:\n%s", want, d)
		}
	}
}
