package envfile

import (
	"math/rand"
	"os"
	"testing"
)

// parseCases are hand-written inputs with what npm dotenv 16 returns for them (checked
// against node by TestParseMatchesNodeDotenv).
var parseCases = []struct {
	name string
	in   string
	want map[string]string
}{
	{"plain", "A=1\nB=two\n", map[string]string{"A": "1", "B": "two"}},
	{"spaces around equals", "A = 1 \n", map[string]string{"A": "1"}},
	{"export", "export A=1\n  export\tB=2", map[string]string{"A": "1", "B": "2"}},
	{"export as key", "export=1\n", map[string]string{"export": "1"}},
	{"single quotes keep hash", "A='x # y'\n", map[string]string{"A": "x # y"}},
	{"double quotes expand newline", `A="x\ny"` + "\n", map[string]string{"A": "x\ny"}},
	{"single quotes keep backslash n", `A='x\ny'` + "\n", map[string]string{"A": `x\ny`}},
	{"backticks", "A=`it's \"q\"`\n", map[string]string{"A": `it's "q"`}},
	{"comment after bare", "A=x # c\n", map[string]string{"A": "x"}},
	{"hash without space", "A=x#c\n", map[string]string{"A": "x"}},
	{"empty", "A=\nB=2\n", map[string]string{"A": "", "B": "2"}},
	{"empty then quoted next line", "A=\n'b'\n", map[string]string{"A": "b"}},
	{"colon form", "A: b\n", map[string]string{"A": "b"}},
	{"colon needs space", "A:b\n", map[string]string{}},
	{"last wins", "A=1\nA=2\n", map[string]string{"A": "2"}},
	{"crlf", "A=1\r\nB='2'\r\n", map[string]string{"A": "1", "B": "2"}},
	{"lone cr", "A=1\rB=2", map[string]string{"A": "1", "B": "2"}},
	{"multiline single", "A='x\ny'\nB=2\n", map[string]string{"A": "x\ny", "B": "2"}},
	{"unclosed quote is bare", "A='x\nB=2\n", map[string]string{"A": "'x", "B": "2"}},
	{"inner quote falls back to bare", "A='it's'\n", map[string]string{"A": "it's"}},
	{"escaped quote", `A='a\'b'` + "\n", map[string]string{"A": `a\'b`}},
	{"dollar untouched", "A=$HOME\nB='${X}'\n", map[string]string{"A": "$HOME", "B": "${X}"}},
	{"equals in value", "A=b=c\n", map[string]string{"A": "b=c"}},
	{"dots and dashes in key", "a.b-c=1\n", map[string]string{"a.b-c": "1"}},
	{"comment lines", "# A=1\n  # B=2\n", map[string]string{}},
	{"no newline at end", "A=1", map[string]string{"A": "1"}},
	{"bom", "\uFEFFA=1\n", map[string]string{"A": "1"}},
	{"invalid utf8", "A=\xff\xfe\n", map[string]string{"A": "\uFFFD\uFFFD"}},
	{"double quoted unclosed expands", `A="x\n`, map[string]string{"A": "\"x\n"}},
	{"proto ignored", "__proto__=1\nB=2\n", map[string]string{"B": "2"}},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			got := Parse([]byte(c.in))
			if !sameMap(got, c.want) {
				t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// TestParseMatchesNodeDotenv compares Parse with the real npm dotenv on the hand-written
// cases, the Amplication fixtures, and a few thousand random inputs built from the
// characters that matter to dotenv's grammar.
func TestParseMatchesNodeDotenv(t *testing.T) {
	var inputs [][]byte
	for _, c := range parseCases {
		inputs = append(inputs, []byte(c.in))
	}
	fixtures := fixtureFiles(t)
	for _, f := range fixtures {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, b)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 4000; i++ {
		inputs = append(inputs, randomEnv(rng))
	}
	want := nodeParse(t, inputs)
	fails := 0
	for i, in := range inputs {
		got := Parse(in)
		if !sameMap(got, want[i]) {
			fails++
			if fails <= 10 {
				t.Errorf("input %q:\n go   %q\n node %q", in, got, want[i])
			}
		}
	}
	if fails > 0 {
		t.Errorf("%d of %d inputs differ", fails, len(inputs))
	}
}

var atoms = []string{
	"A", "B", "K", "_", ".", "-", "1", "export", "export ", "=", " = ", ":", ": ", " ", "\t", "\n", "\r\n", "\r",
	"'", "\"", "`", "\\", "\\'", "\\\"", "\\n", "\\r", "#", " #", "$", "x", "\u2028", "\u00a0", "\uFEFF",
	"\xff", "\xe2\x82", "é", "A=", "B=", "\nA=", "\nB=", "__proto__=",
}

func randomEnv(rng *rand.Rand) []byte {
	n := rng.Intn(14)
	var b []byte
	for i := 0; i < n; i++ {
		b = append(b, atoms[rng.Intn(len(atoms))]...)
	}
	return b
}
