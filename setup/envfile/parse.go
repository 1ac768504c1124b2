// Package envfile edits .env files the way a careful person would: it changes only the
// assignments it is asked to change and leaves every other byte alone, quotes values so that
// the npm dotenv parser (what NestJS's ConfigModule and Nx use) reads them back byte-exact,
// writes several files atomically with backups, and previews changes as a masked diff.
package envfile

import "strings"

// Parse returns what the npm dotenv package (v16, lib/main.js) would parse from data: the
// same decoding (UTF-8 with U+FFFD for invalid bytes), the same LINE regular expression with
// its multi-line quirks, the same quote stripping and \n, \r expansion in double quotes, and
// "last assignment wins".
func Parse(data []byte) map[string]string {
	t := decode(data)
	out := map[string]string{}
	for _, a := range t.assignments() {
		if a.key == "__proto__" { // a plain JS object ignores a string assigned to __proto__
			continue
		}
		out[a.key] = a.value
	}
	return out
}

// text is a decoded .env file: the runes dotenv sees (after UTF-8 decoding and the
// \r\n, \r -> \n normalisation) and, for each rune, its byte offset in the original.
type text struct {
	r   []rune
	off []int // len(r)+1 entries; off[len(r)] == len(data)
}

// assignment is one match of dotenv's LINE regex. Indexes are rune indexes into text.r.
type assignment struct {
	key        string
	value      string // the value after dotenv's post-processing
	start      int    // where the match began (a line start)
	keyStart   int    // after leading whitespace: where "export" or the key begins
	v          int    // where the value group may begin (just past the separator)
	groupStart int    // -1 when the optional value group did not take part
	groupEnd   int
	quote      rune // the quote of a quoted value group, 0 otherwise
	end        int  // where the match ended
}

// decode turns bytes into runes the way Node's Buffer.toString("utf8") does (WHATWG UTF-8
// decoder: one U+FFFD per maximal invalid subpart), then applies dotenv's
// lines.replace(/\r\n?/g, "\n"), keeping the byte offset of every rune.
func decode(b []byte) text {
	// One rune and one offset per byte at most: allocate once (a 5 MB file would
	// otherwise spend most of its time regrowing these).
	r := make([]rune, 0, len(b))
	off := make([]int, 0, len(b)+1)
	needed, seen := 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	cp := rune(0)
	start := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if needed == 0 {
			start = i
			switch {
			case c <= 0x7F:
				r, off = append(r, rune(c)), append(off, i)
			case c >= 0xC2 && c <= 0xDF:
				needed, cp = 1, rune(c&0x1F)
			case c >= 0xE0 && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				} else if c == 0xED {
					upper = 0x9F
				}
				needed, cp = 2, rune(c&0x0F)
			case c >= 0xF0 && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				} else if c == 0xF4 {
					upper = 0x8F
				}
				needed, cp = 3, rune(c&0x07)
			default:
				r, off = append(r, 0xFFFD), append(off, i)
			}
			continue
		}
		if c < lower || c > upper {
			r, off = append(r, 0xFFFD), append(off, start)
			needed, seen, cp = 0, 0, 0
			lower, upper = 0x80, 0xBF
			i-- // reprocess this byte
			continue
		}
		lower, upper = 0x80, 0xBF
		cp = cp<<6 | rune(c&0x3F)
		seen++
		if seen == needed {
			r, off = append(r, cp), append(off, start)
			needed, seen, cp = 0, 0, 0
		}
	}
	if needed != 0 {
		r, off = append(r, 0xFFFD), append(off, start)
	}
	// \r\n and lone \r become \n; the \n keeps the offset of the \r so that it covers both bytes.
	nr := make([]rune, 0, len(r))
	noff := make([]int, 0, len(off)+1)
	for i := 0; i < len(r); i++ {
		if r[i] == '\r' {
			nr, noff = append(nr, '\n'), append(noff, off[i])
			if i+1 < len(r) && r[i+1] == '\n' {
				i++
			}
			continue
		}
		nr, noff = append(nr, r[i]), append(noff, off[i])
	}
	noff = append(noff, len(b))
	return text{r: nr, off: noff}
}

// isJSSpace is JavaScript's \s (and what String.prototype.trim removes).
func isJSSpace(c rune) bool {
	switch c {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return c >= 0x2000 && c <= 0x200A
}

// isLT is a JavaScript line terminator: what ^ and $ see in multi-line mode and . never matches.
func isLT(c rune) bool { return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029 }

func isKeyChar(c rune) bool {
	return c == '_' || c == '.' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isQuote(c rune) bool { return c == '\'' || c == '"' || c == '`' }

func (t text) wsRun(i int) int {
	j := i
	for j < len(t.r) && isJSSpace(t.r[j]) {
		j++
	}
	return j - i
}

// assignments runs dotenv's LINE regex over the whole text, like its exec loop:
//
//	/(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/mg
//
// The matcher below follows the backtracking order of that expression; the reasoning for
// each shortcut is in the comments.
func (t text) assignments() []assignment {
	var out []assignment
	n := len(t.r)
	for p := 0; p < n; p++ {
		if p != 0 && !isLT(t.r[p-1]) {
			continue
		}
		if a, ok := t.matchAt(p); ok {
			a.value = postProcess(t.r, a)
			out = append(out, a)
			p = a.end - 1 // the loop's p++ resumes the search at a.end
		}
	}
	return out
}

func (t text) matchAt(p int) (assignment, bool) {
	r := t.r
	// \s* is greedy, and only its longest form can be followed by "export" or a key
	// character (neither is whitespace).
	a := p + t.wsRun(p)
	if hasPrefix(r, a, "export") {
		if w := t.wsRun(a + 6); w > 0 {
			if m, ok := t.fromKey(p, a, a+6+w); ok {
				return m, true
			}
		}
	}
	return t.fromKey(p, a, a)
}

func hasPrefix(r []rune, i int, s string) bool {
	for _, c := range s {
		if i >= len(r) || r[i] != c {
			return false
		}
		i++
	}
	return true
}

func (t text) fromKey(p, a, k int) (assignment, bool) {
	r, n := t.r, len(t.r)
	ke := k
	for ke < n && isKeyChar(r[ke]) {
		ke++
	}
	if ke == k {
		return assignment{}, false
	}
	// Only the longest key can be followed by the separator (a key character is neither
	// whitespace, "=" nor ":").
	m := assignment{key: string(r[k:ke]), start: p, keyStart: a, groupStart: -1}
	// Alternative 1: \s*=\s*? ; "=" can only follow the longest \s*; \s*? is lazy.
	if w := ke + t.wsRun(ke); w < n && r[w] == '=' {
		max := t.wsRun(w + 1)
		for extra := 0; extra <= max; extra++ {
			if t.value(&m, w+1+extra) {
				return m, true
			}
		}
	}
	// Alternative 2: :\s+? (lazy, at least one whitespace).
	if ke < n && r[ke] == ':' {
		max := t.wsRun(ke + 1)
		for l := 1; l <= max; l++ {
			if t.value(&m, ke+1+l) {
				return m, true
			}
		}
	}
	return assignment{}, false
}

// value tries the optional value group at v, then the tail, in the regex's order.
func (t text) value(m *assignment, v int) bool {
	r, n := t.r, len(t.r)
	m.v = v
	x := v + t.wsRun(v)
	if x < n && isQuote(r[x]) {
		q := r[x]
		for _, c := range t.closings(x, q) {
			if end, ok := t.tail(c + 1); ok {
				m.groupStart, m.groupEnd, m.quote, m.end = v, c+1, q, end
				return true
			}
		}
	}
	run := 0
	for v+run < n && r[v+run] != '#' && r[v+run] != '\r' && r[v+run] != '\n' {
		run++
	}
	for l := run; l >= 1; l-- {
		if end, ok := t.tail(v + l); ok {
			m.groupStart, m.groupEnd, m.quote, m.end = v, v+l, 0, end
			return true
		}
	}
	if end, ok := t.tail(v); ok {
		m.groupStart, m.groupEnd, m.quote, m.end = -1, -1, 0, end
		return true
	}
	return false
}

// closings lists, in backtracking order, the positions at which Q(?:\\Q|[^Q])*Q opened at x
// can close: first the first unescaped Q, then the Q of every \Q pair before it, last first
// (giving up a pair lets its backslash match [^Q] and its Q close the string).
func (t text) closings(x int, q rune) []int {
	r, n := t.r, len(t.r)
	var pairs []int
	first := -1
	for j := x + 1; j < n; {
		if r[j] == '\\' && j+1 < n && r[j+1] == q {
			pairs = append(pairs, j+1)
			j += 2
			continue
		}
		if r[j] == q {
			first = j
			break
		}
		j++
	}
	var out []int
	if first >= 0 {
		out = append(out, first)
	}
	for i := len(pairs) - 1; i >= 0; i-- {
		out = append(out, pairs[i])
	}
	return out
}

// tail matches \s*(?:#.*)?(?:$|$) at i and returns where the match ends.
func (t text) tail(i int) (int, bool) {
	r, n := t.r, len(t.r)
	w := i + t.wsRun(i)
	if w == n {
		return n, true
	}
	if r[w] == '#' {
		for w < n && !isLT(r[w]) {
			w++
		}
		return w, true
	}
	// Backtrack \s* to the last line terminator inside it: $ matches just before it.
	for j := w - 1; j >= i; j-- {
		if isLT(r[j]) {
			return j, true
		}
	}
	return 0, false
}

// postProcess is dotenv's handling of match[2]: trim, strip surrounding quotes (a global,
// multi-line replace), and expand \n and \r when the trimmed value began with a double quote.
func postProcess(r []rune, m assignment) string {
	if m.groupStart < 0 {
		return ""
	}
	v := trimJS(r[m.groupStart:m.groupEnd])
	if len(v) == 0 {
		return ""
	}
	maybeQuote := v[0]
	s := string(stripQuotes(v))
	if maybeQuote == '"' {
		s = strings.ReplaceAll(s, `\n`, "\n")
		s = strings.ReplaceAll(s, `\r`, "\r")
	}
	return s
}

func trimJS(v []rune) []rune {
	i, j := 0, len(v)
	for i < j && isJSSpace(v[i]) {
		i++
	}
	for j > i && isJSSpace(v[j-1]) {
		j--
	}
	return v[i:j]
}

// stripQuotes is value.replace(/^(['"`])([\s\S]*)\1$/mg, '$2').
func stripQuotes(v []rune) []rune {
	var out []rune
	pos := 0
	n := len(v)
	for i := pos; i < n; i++ {
		if (i != 0 && !isLT(v[i-1])) || !isQuote(v[i]) {
			continue
		}
		q := v[i]
		// [\s\S]* is greedy: the last Q that is followed by the end or a line terminator.
		j := -1
		for k := n - 1; k > i; k-- {
			if v[k] == q && (k+1 == n || isLT(v[k+1])) {
				j = k
				break
			}
		}
		if j < 0 {
			continue
		}
		out = append(out, v[pos:i]...)
		out = append(out, v[i+1:j]...)
		pos = j + 1
		i = j
	}
	return append(out, v[pos:]...)
}
