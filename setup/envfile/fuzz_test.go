package envfile

import (
	"bytes"
	"strings"
	"testing"
)

// checkInvariant is the editor's contract: every line that does not belong to an assignment
// of one of the keys set is byte-identical and in the same order (the last line may gain a
// line break, and an appended block adds its comment lines at the end), and the keys read
// back as written.
func checkInvariant(t *testing.T, in, out []byte, set []KV) {
	t.Helper()
	got := Parse(out)
	for _, kv := range set {
		if v, ok := got[kv.Key]; !ok || v != kv.Value {
			t.Fatalf("%s reads back %q, want %q\nin:  %q\nout: %q", kv.Key, v, kv.Value, in, out)
		}
	}
	a, b := untouched(in, set), untouched(out, set)
	comments := map[string]bool{}
	for _, kv := range set {
		if kv.Comment != "" {
			comments["# "+kv.Comment] = true
		}
	}
	for len(b) > len(a) && comments[strings.TrimRight(b[len(b)-1], "\r\n")] {
		b = b[:len(b)-1]
	}
	if len(a) != len(b) {
		t.Fatalf("untouched lines differ:\n in  %q\n out %q\nin:  %q\nout: %q", a, b, in, out)
	}
	for i := range a {
		if a[i] != b[i] && !(i == len(a)-1 && strings.HasPrefix(b[i], a[i]) && strings.Trim(b[i][len(a[i]):], "\r\n") == "") {
			t.Fatalf("line %d changed: %q -> %q\nin:  %q\nout: %q", i, a[i], b[i], in, out)
		}
	}
}

// untouched lists the physical lines (split after \n) that no assignment of the keys in set
// overlaps, as dotenv sees the assignments.
func untouched(data []byte, set []KV) []string {
	keys := map[string]bool{}
	for _, kv := range set {
		keys[kv.Key] = true
	}
	tx := decode(data)
	type span struct{ from, to int }
	var spans []span
	for _, a := range tx.assignments() {
		if !keys[a.key] {
			continue
		}
		e := a.v
		if a.groupStart >= 0 {
			e = a.groupEnd
		}
		spans = append(spans, span{tx.off[a.keyStart], tx.off[e]})
	}
	var out []string
	pos := 0
	for _, l := range physicalLines(string(data)) {
		from, to := pos, pos+len(l)
		pos = to
		touch := false
		for _, s := range spans {
			if s.from < to && from <= s.to {
				touch = true
			}
		}
		if !touch {
			out = append(out, l)
		}
	}
	return out
}

func FuzzApply(f *testing.F) {
	f.Add([]byte("A=1\nBITBUCKET_CLIENT_ID=[bitbucket-client-id]\nB='x'\n"), "id", "secret")
	f.Add([]byte("export BITBUCKET_CLIENT_SECRET = \"old\" # c\r\nBILLING_ENABLED=true\r\n"), "a b", "it's #1")
	f.Add([]byte("BITBUCKET_CLIENT_ID=a\nBITBUCKET_CLIENT_ID=b"), "$X", `back\`)
	f.Fuzz(func(t *testing.T, data []byte, id, secret string) {
		set := []KV{
			{Key: "BITBUCKET_CLIENT_ID", Value: id, Comment: "Bitbucket key"},
			{Key: "BITBUCKET_CLIENT_SECRET", Value: secret, Secret: true, Comment: "Bitbucket secret"},
			{Key: "BILLING_ENABLED", Value: "false"},
		}
		out, err := Apply(data, set)
		if err != nil {
			return // refusing is allowed; Apply's own check found it unsafe
		}
		checkInvariant(t, data, out, set)
		again, err := Apply(out, set)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %q -> %q (%v)", out, again, err)
		}
	})
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"plain", "a b", "#", "it's", `"`, "`", `\`, "$HOME", "=", "'\"`", "x\ny", `a\nb`, " lead", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		q, err := Quote(v)
		if err != nil {
			return
		}
		// The literal must read back exactly, whatever follows it in the file.
		for _, tail := range []string{"", "\n", "\r\n", " # comment\n", "\nB='\n", "\nB=\"x\"\n'\n", "\n`\n\"\n'"} {
			in := "K=" + q + tail
			if got := Parse([]byte(in))["K"]; got != v {
				t.Fatalf("Quote(%q) = %s; %q reads back %q", v, q, in, got)
			}
		}
	})
}

// physicalLines splits after \n, \r\n and a lone \r.
func physicalLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\n', s[i] == '\r' && (i+1 == len(s) || s[i+1] != '\n'):
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
