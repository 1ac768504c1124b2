package envfile

import (
	"bytes"
	"math/rand"
	"testing"
)

var three = []KV{
	{Key: "BITBUCKET_CLIENT_ID", Value: "newID", Comment: "Bitbucket OAuth consumer key"},
	{Key: "BITBUCKET_CLIENT_SECRET", Value: "s3cr#t $x", Secret: true, Comment: "Bitbucket OAuth consumer secret"},
	{Key: "BILLING_ENABLED", Value: "false"},
}

func TestApplyRules(t *testing.T) {
	id := []KV{{Key: "BITBUCKET_CLIENT_ID", Value: "newID"}}
	idc := []KV{{Key: "BITBUCKET_CLIENT_ID", Value: "newID", Comment: "key"}}
	sec := []KV{{Key: "BITBUCKET_CLIENT_SECRET", Value: "a b#c", Secret: true}}
	cases := []struct {
		name string
		in   string
		set  []KV
		want string
	}{
		{"replace in place", "A=1\nBITBUCKET_CLIENT_ID=[bitbucket-client-id]\nB=2\n", id,
			"A=1\nBITBUCKET_CLIENT_ID=newID\nB=2\n"},
		{"keep export and indent", "  export BITBUCKET_CLIENT_ID=old\n", id,
			"  export BITBUCKET_CLIENT_ID=newID\n"},
		{"keep spacing and comment", "BITBUCKET_CLIENT_ID = old   # the key\n", id,
			"BITBUCKET_CLIENT_ID = newID   # the key\n"},
		{"quoted old value", "BITBUCKET_CLIENT_ID=\"old\" # c\n", id,
			"BITBUCKET_CLIENT_ID=newID # c\n"},
		{"crlf kept", "A=1\r\nBITBUCKET_CLIENT_ID=old\r\nB=2\r\n", id,
			"A=1\r\nBITBUCKET_CLIENT_ID=newID\r\nB=2\r\n"},
		{"crlf append", "A=1\r\nB=2\r\n", idc,
			"A=1\r\nB=2\r\n# key\r\nBITBUCKET_CLIENT_ID=newID\r\n"},
		{"append to empty file", "", idc, "# key\nBITBUCKET_CLIENT_ID=newID\n"},
		{"append without final newline", "A=1", idc, "A=1\n# key\nBITBUCKET_CLIENT_ID=newID\n"},
		{"replace without final newline", "A=1\nBITBUCKET_CLIENT_ID=old", id,
			"A=1\nBITBUCKET_CLIENT_ID=newID"},
		{"later duplicates removed", "BITBUCKET_CLIENT_ID=a\nX=1\nBITBUCKET_CLIENT_ID=b # dup\nY=2\n", id,
			"BITBUCKET_CLIENT_ID=newID\nX=1\nY=2\n"},
		// Only the duplicate's own line goes: the line above keeps its terminator (taking it
		// would take a blank line above the duplicate with it; FuzzApply found that).
		{"last duplicate without final newline", "BITBUCKET_CLIENT_ID=a\nX=1\nBITBUCKET_CLIENT_ID=b", id,
			"BITBUCKET_CLIENT_ID=newID\nX=1\n"},
		{"last duplicate below a blank line", "BITBUCKET_CLIENT_ID=\n\nBITBUCKET_CLIENT_ID=", id,
			"BITBUCKET_CLIENT_ID=newID\n\n"},
		{"duplicates with same value", "BITBUCKET_CLIENT_ID=newID\nBITBUCKET_CLIENT_ID=newID\n", id,
			"BITBUCKET_CLIENT_ID=newID\n"},
		{"already right: untouched", "BITBUCKET_CLIENT_ID='newID' # ok\n", id,
			"BITBUCKET_CLIENT_ID='newID' # ok\n"},
		{"commented out is not an assignment", "# BITBUCKET_CLIENT_ID=x\n", id,
			"# BITBUCKET_CLIENT_ID=x\nBITBUCKET_CLIENT_ID=newID\n"},
		{"secret quoted", "BITBUCKET_CLIENT_SECRET=old\n", sec, "BITBUCKET_CLIENT_SECRET='a b#c'\n"},
		{"empty value", "BITBUCKET_CLIENT_ID=\nB=2\n", id, "BITBUCKET_CLIENT_ID=newID\nB=2\n"},
		{"empty value before comment", "BITBUCKET_CLIENT_ID=# later\n", id, "BITBUCKET_CLIENT_ID=newID # later\n"},
		{"multi-line old value replaced whole", "BITBUCKET_CLIENT_ID='a\nb'\nC=3\n", id,
			"BITBUCKET_CLIENT_ID=newID\nC=3\n"},
		{"colon form", "BITBUCKET_CLIENT_ID: old\n", id, "BITBUCKET_CLIENT_ID: newID\n"},
		{"non-utf8 elsewhere kept", "X=\xff\xfe\nBITBUCKET_CLIENT_ID=old\n# \xc3\n", id,
			"X=\xff\xfe\nBITBUCKET_CLIENT_ID=newID\n# \xc3\n"},
		{"other quoting kept", "A='1'\nB=\"2\"\nC=`3`\nBITBUCKET_CLIENT_ID=old\n", id,
			"A='1'\nB=\"2\"\nC=`3`\nBITBUCKET_CLIENT_ID=newID\n"},
		{"key inside another quoted value is not a key", "Q='\nBITBUCKET_CLIENT_ID=x\n'\n", id,
			"Q='\nBITBUCKET_CLIENT_ID=x\n'\nBITBUCKET_CLIENT_ID=newID\n"},
		{"lone cr file", "A=1\rB=2\r", idc, "A=1\rB=2\r# key\rBITBUCKET_CLIENT_ID=newID\r"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Apply([]byte(c.in), c.set)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if string(got) != c.want {
				t.Errorf("Apply(%q)\n got  %q\n want %q", c.in, got, c.want)
			}
			again, err := Apply(got, c.set)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("second Apply changed the file: %q, %v", again, err)
			}
		})
	}
}

func TestApplyRefusesUnsafeEdits(t *testing.T) {
	cases := []struct {
		name string
		in   string
		set  []KV
	}{
		// A dangling "FOO:" takes the next line as its value: appending an uncommented line
		// would change FOO, and Apply notices.
		{"dangling colon", "FOO:", []KV{{Key: "BITBUCKET_CLIENT_ID", Value: "x"}}},
		{"bad key", "", []KV{{Key: "BAD KEY", Value: "x"}}},
		{"carriage return", "", []KV{{Key: "K", Value: "a\rb"}}},
		{"twice", "", []KV{{Key: "K", Value: "a"}, {Key: "K", Value: "b"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if out, err := Apply([]byte(c.in), c.set); err == nil {
				t.Errorf("Apply(%q) = %q, want an error", c.in, out)
			}
		})
	}
}

func TestApplyFixtures(t *testing.T) {
	for _, f := range fixtureFiles(t) {
		in := readFile(t, f)
		out, err := Apply(in, three)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		checkInvariant(t, in, out, three)
		if bytes.Count(out, []byte("BITBUCKET_CLIENT_ID=")) != 1 {
			t.Errorf("%s: want exactly one BITBUCKET_CLIENT_ID line:\n%s", f, out)
		}
	}
}

func TestApplyRandomAgainstNodeDotenv(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var outs [][]byte
	var sets [][]KV
	values := []string{"plain", "with space", "it's", `"dq"`, "`bt`", "a#b", "$HOME", `back\slash`, "x=y", "'lead", `trail\`, "é ü", "semi;colon", "${A}"}
	for i := 0; i < 3000; i++ {
		in := randomEnv(rng)
		if rng.Intn(2) == 0 {
			in = append(in, []byte("\nBITBUCKET_CLIENT_ID=old\n")...)
		}
		set := []KV{
			{Key: "BITBUCKET_CLIENT_ID", Value: values[rng.Intn(len(values))], Comment: "id"},
			{Key: "BITBUCKET_CLIENT_SECRET", Value: values[rng.Intn(len(values))], Comment: "secret"},
		}
		out, err := Apply(in, set)
		if err != nil {
			continue // Apply refused: it found it could not keep the other keys intact
		}
		outs = append(outs, out)
		sets = append(sets, set)
	}
	if len(outs) < 2000 {
		t.Errorf("Apply refused too often: %d of 3000 accepted", len(outs))
	}
	want := nodeParse(t, outs)
	for i, out := range outs {
		for _, kv := range sets[i] {
			if want[i][kv.Key] != kv.Value {
				t.Errorf("node reads %s=%q from %q, want %q", kv.Key, want[i][kv.Key], out, kv.Value)
			}
		}
		if !sameMap(Parse(out), want[i]) {
			t.Errorf("Parse and node differ on %q", out)
		}
	}
}
