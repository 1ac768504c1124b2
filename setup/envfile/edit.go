package envfile

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// KV is one assignment to make: Key=Value. Secret values are masked in diffs. Comment, when
// set, is written as a "# Comment" line above the assignment if it has to be appended
// (once for consecutive appended keys with the same comment).
type KV struct {
	Key, Value string
	Secret     bool
	Comment    string
}

// edit replaces the bytes [from, to) of the original file.
type edit struct {
	from, to int
	with     []byte
}

// Apply sets every key of set in data and returns the new content. The first assignment of a
// key (as dotenv sees it) gets the new value in place, keeping its "export " prefix,
// indentation, spacing, trailing comment and line ending; later assignments of the same key
// are removed, because dotenv lets the last one win. A key that is not assigned is appended at
// the end, after its comment, with the file's line endings. An assignment that already reads
// back as the wanted value is left byte for byte. Every other byte stays as it was. Apply
// checks its own work: the result must give the wanted values and every other key unchanged,
// or it returns an error and nothing.
func Apply(data []byte, set []KV) ([]byte, error) {
	seen := map[string]bool{}
	for _, kv := range set {
		if !validKey(kv.Key) {
			return nil, fmt.Errorf("%q is not a valid variable name", kv.Key)
		}
		if seen[kv.Key] {
			return nil, fmt.Errorf("%s is set twice in one edit", kv.Key)
		}
		seen[kv.Key] = true
		if _, err := Quote(kv.Value); err != nil {
			return nil, fmt.Errorf("%s: %w", kv.Key, err)
		}
	}
	t := decode(data)
	all := t.assignments()
	var edits []edit
	var missing []KV
	for _, kv := range set {
		var ms []assignment
		for _, a := range all {
			if a.key == kv.Key {
				ms = append(ms, a)
			}
		}
		if len(ms) == 0 {
			missing = append(missing, kv)
			continue
		}
		lit, _ := Quote(kv.Value)
		if ms[0].value != kv.Value {
			edits = append(edits, t.replaceValue(data, ms[0], lit))
		}
		for _, d := range ms[1:] {
			edits = append(edits, t.removeLines(d))
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].from < edits[j].from })
	var out bytes.Buffer
	pos := 0
	for _, e := range edits {
		if e.from < pos {
			return nil, fmt.Errorf("overlapping edits; edit the file by hand")
		}
		out.Write(data[pos:e.from])
		out.Write(e.with)
		pos = e.to
	}
	out.Write(data[pos:])
	result := out.Bytes()
	if len(missing) > 0 {
		result = appendBlock(result, missing, lineEnding(data))
	}
	if err := verify(data, result, set); err != nil {
		return nil, err
	}
	return result, nil
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !isKeyChar(c) {
			return false
		}
	}
	return true
}

// replaceValue swaps the value group of a for lit, keeping the whitespace before the value on
// the same line and the whitespace after an unquoted value (before a "# comment").
func (t text) replaceValue(data []byte, a assignment, lit string) edit {
	if a.groupStart < 0 {
		at := t.off[a.v]
		with := lit
		if at < len(data) && data[at] == '#' {
			with += " "
		}
		return edit{from: at, to: at, with: []byte(with)}
	}
	gs, ge := a.groupStart, a.groupEnd
	lead := gs
	for lead < ge && isJSSpace(t.r[lead]) && !isLT(t.r[lead]) {
		lead++
	}
	trail := ge
	if a.quote == 0 {
		for trail > lead && isJSSpace(t.r[trail-1]) {
			trail--
		}
		if trail == lead { // the group was whitespace only
			trail = ge
		}
	}
	var b bytes.Buffer
	b.Write(data[t.off[gs]:t.off[lead]])
	b.WriteString(lit)
	if a.quote == 0 && trail < ge {
		b.Write(data[t.off[trail]:t.off[ge]])
	} else if t.off[ge] < len(data) && data[t.off[ge]] == '#' {
		b.WriteByte(' ')
	}
	return edit{from: t.off[gs], to: t.off[ge], with: b.Bytes()}
}

// removeLines deletes the physical lines of assignment a, from the start of the line holding
// its key to the end of the line where its value ends, line terminator included. When a is
// on the last line and that line has no terminator, the terminator before it goes instead,
// so a file without a final newline keeps having none.
func (t text) removeLines(a assignment) edit {
	n := len(t.r)
	ls := a.keyStart
	for ls > 0 && !isLT(t.r[ls-1]) {
		ls--
	}
	e := a.v
	if a.groupStart >= 0 {
		e = a.groupEnd
	}
	for e < n && !isLT(t.r[e]) {
		e++
	}
	if e < n {
		return edit{from: t.off[ls], to: t.off[e+1]}
	}
	// The last line, with no terminator: only it goes. Taking the terminator before it
	// too would take a blank line above it with it ("A=\n\nA=" lost its blank line).
	return edit{from: t.off[ls], to: t.off[n]}
}

// lineEnding is the file's line terminator: that of its first line, "\n" when it has none.
func lineEnding(data []byte) string {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i < 0:
		return "\n"
	case data[i] == '\n':
		return "\n"
	case i+1 < len(data) && data[i+1] == '\n':
		return "\r\n"
	default:
		return "\r"
	}
}

func appendBlock(data []byte, kvs []KV, eol string) []byte {
	var b bytes.Buffer
	b.Write(data)
	if len(data) > 0 && data[len(data)-1] != '\n' && data[len(data)-1] != '\r' {
		b.WriteString(eol)
	}
	last := ""
	for _, kv := range kvs {
		if kv.Comment != "" && kv.Comment != last { // one comment line heads a run of keys sharing it
			c := strings.NewReplacer("\r", " ", "\n", " ").Replace(kv.Comment)
			b.WriteString("# " + c + eol)
		}
		last = kv.Comment
		lit, _ := Quote(kv.Value)
		b.WriteString(kv.Key + "=" + lit + eol)
	}
	return b.Bytes()
}

// verify checks that after gives the wanted values and leaves every other key as before.
func verify(before, after []byte, set []KV) error {
	pb, pa := Parse(before), Parse(after)
	want := map[string]bool{}
	for _, kv := range set {
		want[kv.Key] = true
		if got, ok := pa[kv.Key]; !ok || got != kv.Value {
			return fmt.Errorf("could not update %s safely: the file's quoting around it is unusual (an unclosed quote?); edit it by hand", kv.Key)
		}
	}
	for k, v := range pb {
		if want[k] {
			continue
		}
		if got, ok := pa[k]; !ok || got != v {
			return fmt.Errorf("updating the file would change how %s is read (an unclosed quote nearby?); edit it by hand", k)
		}
	}
	for k := range pa {
		if _, ok := pb[k]; !ok && !want[k] {
			return fmt.Errorf("updating the file would add a variable %s (an unclosed quote nearby?); edit it by hand", k)
		}
	}
	return nil
}
