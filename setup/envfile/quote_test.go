package envfile

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	cases := []struct{ in, want string }{
		{"abc123", "abc123"},
		{"", "''"},
		{"a b", "'a b'"},
		{"a#b", "'a#b'"},
		{"it's", "it's"},
		{"it's me", `"it's me"`},
		{`say "hi"`, `'say "hi"'`},
		{`it's "x"`, "`it's \"x\"`"},
		{`it's \n`, "`it's \\n`"},
		{"$HOME", "$HOME"},
		{"${A} b", "'${A} b'"},
		{`back\slash`, `back\slash`},
		{`trail\`, `trail\`},
		{"x=y", "x=y"},
		{"'lead", `"'lead"`},
		{" lead", "' lead'"},
		{"é", "é"},
		{"x\ny", "'x\ny'"},
	}
	for _, c := range cases {
		got, err := Quote(c.in)
		if err != nil || got != c.want {
			t.Errorf("Quote(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		if err == nil {
			if back := Parse([]byte("K=" + got + "\n"))["K"]; back != c.in {
				t.Errorf("Quote(%q) = %q reads back %q", c.in, got, back)
			}
		}
	}
	for _, bad := range []string{"a\rb", "\xff", "'\"` x", "'a b\\"} {
		if q, err := Quote(bad); err == nil {
			t.Errorf("Quote(%q) = %q, want an error", bad, q)
		}
	}
}

func TestQuoteAgainstNodeDotenv(t *testing.T) {
	values := []string{"abc", "a b", "#x", "it's", `"q"`, "`b`", `\`, `a\`, "$A ${B}", "=", "'\"", "\"`", "'`", "x\ny", `\n\r`, " s ", "é\u00a0ü", "\u2028x", "'x'", "\"x\""}
	var inputs [][]byte
	var want []string
	for _, v := range values {
		q, err := Quote(v)
		if err != nil {
			t.Fatalf("Quote(%q): %v", v, err)
		}
		inputs = append(inputs, []byte("K="+q+"\nNEXT='x'\n"))
		want = append(want, v)
	}
	got := nodeParse(t, inputs)
	for i := range inputs {
		if got[i]["K"] != want[i] || got[i]["NEXT"] != "x" {
			t.Errorf("node reads %q from %q, want %q", got[i], inputs[i], want[i])
		}
	}
}

func TestValidateValue(t *testing.T) {
	secret := "Sup3rSecretValue"
	bad := map[string]string{
		"":                "empty",
		secret + "\n":     "line break",
		"a\u2028b":        "line break",
		"a\x00b":          "control character",
		"a\tb":            "control character",
		"\x1b[31m":        "control character",
		" " + secret:      "whitespace",
		secret + " ":      "whitespace",
		"\xff" + secret:   "UTF-8",
		"\uFEFF" + secret: "control character",
		"'\"` " + secret:  "cannot be written",
	}
	for v, want := range bad {
		err := ValidateValue("client secret", v)
		if err == nil {
			t.Errorf("ValidateValue(%q) = nil, want an error about %s", v, want)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, want) || !strings.Contains(msg, "client secret") {
			t.Errorf("ValidateValue(%q) = %q, want it to name the client secret and say %q", v, msg, want)
		}
		if strings.Contains(msg, secret) {
			t.Errorf("ValidateValue echoed the value: %q", msg)
		}
	}
	for _, ok := range []string{secret, "with space", "it's#$=", "é"} {
		if err := ValidateValue("client ID", ok); err != nil {
			t.Errorf("ValidateValue(%q) = %v", ok, err)
		}
	}
}
