package envfile

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/bbsetup/bbsetup/setup/mask"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Diff is a unified diff of the change (three lines of context) with every secret masked:
// lines assigning one of SecretKeys show mask.Secret(value), and any other occurrence of a value in
// Secrets is masked too. It is "" when nothing changes. It quotes the files, so it is
// made terminal-safe here (safetext.Block: line breaks kept, controls, ESC sequences and
// bidi characters removed), once, for every printer and screen.
func (f FileChange) Diff() string {
	if !f.Changed() {
		return ""
	}
	a, b := splitLines(f.Before), splitLines(f.After)
	for i := range a {
		a[i].text = f.mask(a[i].text)
	}
	for i := range b {
		b[i].text = f.mask(b[i].text)
	}
	var out strings.Builder
	from := f.Path
	if !f.Exists {
		from = "/dev/null"
	}
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, f.Path)
	ops := diffLines(a, b)
	writeHunks(&out, ops, 3)
	return safetext.Block(out.String())
}

type line struct {
	text  string // without its terminator
	nonl  bool   // the file's last line, without a terminator
	whole string // text and terminator, for comparison
}

func splitLines(data []byte) []line {
	var out []line
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var raw []byte
		if i < 0 {
			raw, data = data, nil
		} else {
			raw, data = data[:i+1], data[i+1:]
		}
		l := line{whole: string(raw)}
		t := strings.TrimSuffix(strings.TrimSuffix(string(raw), "\n"), "\r")
		l.text = t
		l.nonl = i < 0
		out = append(out, l)
	}
	return out
}

func (f FileChange) mask(s string) string {
	for _, k := range f.SecretKeys {
		if vals := Parse([]byte(s)); vals != nil {
			if v, ok := vals[k]; ok {
				if i := valueOffset(s, k); i >= 0 {
					s = s[:i] + mask.Secret(v)
				}
			}
		}
	}
	// Very short values would mask unrelated text (mask.In skips them); their assignment
	// lines are masked above.
	return mask.In(s, f.Secrets...)
}

// valueOffset finds where the value starts in a one-line assignment of key, -1 if it isn't one.
func valueOffset(s, key string) int {
	t := decode([]byte(s))
	for _, a := range t.assignments() {
		if a.key == key {
			return t.off[a.v]
		}
	}
	return -1
}

type op struct {
	kind byte // ' ', '-', '+'
	l    line
	ai   int // line number in a (0-based) for ' ' and '-'
	bi   int // line number in b for ' ' and '+'
}

// diffLines is a longest-common-subsequence diff; .env files are small. Past a size limit it
// degrades to "everything removed, everything added", which is still a correct diff.
func diffLines(a, b []line) []op {
	n, m := len(a), len(b)
	var ops []op
	if n*m > 4_000_000 {
		for i, l := range a {
			ops = append(ops, op{kind: '-', l: l, ai: i})
		}
		for j, l := range b {
			ops = append(ops, op{kind: '+', l: l, bi: j})
		}
		return ops
	}
	dp := make([][]int32, n+1)
	for i := range dp {
		dp[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i].whole == b[j].whole {
				dp[i][j] = dp[i+1][j+1] + 1
			} else if dp[i+1][j] >= dp[i][j+1] {
				dp[i][j] = dp[i+1][j]
			} else {
				dp[i][j] = dp[i][j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i].whole == b[j].whole:
			ops = append(ops, op{kind: ' ', l: a[i], ai: i, bi: j})
			i++
			j++
		case j < m && (i == n || dp[i][j+1] > dp[i+1][j]):
			ops = append(ops, op{kind: '+', l: b[j], ai: i, bi: j})
			j++
		default:
			ops = append(ops, op{kind: '-', l: a[i], ai: i, bi: j})
			i++
		}
	}
	return ops
}

func writeHunks(out *strings.Builder, ops []op, ctx int) {
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		start := k - ctx
		if start < 0 {
			start = 0
		}
		for start < k && ops[start].kind != ' ' {
			start++
		}
		end := k
		for {
			for end < len(ops) && ops[end].kind != ' ' {
				end++
			}
			run := 0
			for end+run < len(ops) && ops[end+run].kind == ' ' {
				run++
			}
			if end+run < len(ops) && run <= 2*ctx {
				end += run
				continue
			}
			if run > ctx {
				run = ctx
			}
			end += run
			break
		}
		h := ops[start:end]
		aStart, bStart, aLen, bLen := -1, -1, 0, 0
		for _, o := range h {
			if o.kind != '+' {
				if aStart < 0 {
					aStart = o.ai
				}
				aLen++
			}
			if o.kind != '-' {
				if bStart < 0 {
					bStart = o.bi
				}
				bLen++
			}
		}
		if aStart < 0 {
			aStart = h[0].ai - 1
		}
		if bStart < 0 {
			bStart = h[0].bi - 1
		}
		fmt.Fprintf(out, "@@ -%s +%s @@\n", rangeStr(aStart, aLen), rangeStr(bStart, bLen))
		for _, o := range h {
			fmt.Fprintf(out, "%c%s\n", o.kind, o.l.text)
			if o.l.nonl {
				out.WriteString("\\ No newline at end of file\n")
			}
		}
		k = end
	}
}

func rangeStr(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start+1)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
