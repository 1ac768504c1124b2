package bitbucket

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// bbql.go implements the part of Bitbucket's query language (BBQL, the q parameter)
// that applies to repositories: comparisons (=, !=, ~, !~, >, >=, <, <=, IN, NOT IN)
// on string, boolean and date-time fields, combined with AND, OR and parentheses.

type fieldType int

const (
	typeString fieldType = iota
	typeBool
	typeTime
)

// repoFields are the repository fields q and sort accept, with their getters.
var repoFields = map[string]struct {
	typ fieldType
	str func(ws *workspace, r *Repo) string
	b   func(r *Repo) bool
	t   func(r *Repo) time.Time
}{
	"name":        {typ: typeString, str: func(_ *workspace, r *Repo) string { return r.Name }},
	"slug":        {typ: typeString, str: func(_ *workspace, r *Repo) string { return r.Slug }},
	"full_name":   {typ: typeString, str: func(ws *workspace, r *Repo) string { return ws.Slug + "/" + r.Slug }},
	"description": {typ: typeString, str: func(_ *workspace, r *Repo) string { return r.Description }},
	"uuid":        {typ: typeString, str: func(_ *workspace, r *Repo) string { return r.UUID }},
	"scm":         {typ: typeString, str: func(*workspace, *Repo) string { return "git" }},
	"language":    {typ: typeString, str: func(*workspace, *Repo) string { return "" }},
	"fork_policy": {typ: typeString, str: func(_ *workspace, r *Repo) string { return forkPolicy(r) }},
	"mainbranch.name": {typ: typeString, str: func(_ *workspace, r *Repo) string {
		if b := mainbranchJSON(r); b != nil {
			return b.Name
		}
		return ""
	}},
	"project.key": {typ: typeString, str: func(_ *workspace, r *Repo) string { return r.ProjectKey }},
	"project.name": {typ: typeString, str: func(ws *workspace, r *Repo) string {
		return projectField(ws, r, func(p *Project) string { return p.Name })
	}},
	"project.uuid": {typ: typeString, str: func(ws *workspace, r *Repo) string {
		return projectField(ws, r, func(p *Project) string { return p.UUID })
	}},
	"owner.uuid":         {typ: typeString, str: func(ws *workspace, _ *Repo) string { return ws.UUID }},
	"owner.username":     {typ: typeString, str: func(ws *workspace, _ *Repo) string { return ws.Slug }},
	"workspace.slug":     {typ: typeString, str: func(ws *workspace, _ *Repo) string { return ws.Slug }},
	"workspace.uuid":     {typ: typeString, str: func(ws *workspace, _ *Repo) string { return ws.UUID }},
	"workspace.name":     {typ: typeString, str: func(ws *workspace, _ *Repo) string { return ws.Name }},
	"is_private":         {typ: typeBool, b: func(r *Repo) bool { return r.IsPrivate }},
	"has_issues":         {typ: typeBool, b: func(*Repo) bool { return false }},
	"has_wiki":           {typ: typeBool, b: func(*Repo) bool { return false }},
	"created_on":         {typ: typeTime, t: func(r *Repo) time.Time { return r.CreatedOn }},
	"updated_on":         {typ: typeTime, t: func(r *Repo) time.Time { return r.UpdatedOn }},
	"project.is_private": {typ: typeBool, b: nil}, // resolved in match (needs the workspace)
}

func projectField(ws *workspace, r *Repo, f func(*Project) string) string {
	if p := ws.project(r.ProjectKey); p != nil {
		return f(p)
	}
	return ""
}

// bbqlExpr is a parsed query: either a combination (and/or of kids) or a comparison.
type bbqlExpr struct {
	and, or []*bbqlExpr

	field  string
	op     string // "=", "!=", "~", "!~", ">", ">=", "<", "<=", "in", "not in"
	values []bbqlValue
}

type bbqlValue struct {
	null bool
	b    *bool
	s    *string
	t    *time.Time
}

// match evaluates x against repository r of ws.
func (x *bbqlExpr) match(ws *workspace, r *Repo) bool {
	return x.matchFields(
		func(field string) string { return repoFields[field].str(ws, r) },
		func(field string) bool {
			if field == "project.is_private" {
				p := ws.project(r.ProjectKey)
				return p != nil && p.IsPrivate
			}
			return repoFields[field].b(r)
		},
		func(field string) time.Time { return repoFields[field].t(r) },
		repoFieldType)
}

// cmpAny applies the comparison operator; cmp returns <0, 0, >0, or 2 for
// "incomparable" (only != holds).
func (x *bbqlExpr) cmpAny(cmp func(bbqlValue) int, contains func(bbqlValue) bool) bool {
	switch x.op {
	case "in", "not in":
		found := false
		for _, v := range x.values {
			if cmp(v) == 0 {
				found = true
				break
			}
		}
		return found == (x.op == "in")
	case "~":
		return contains(x.values[0])
	case "!~":
		return !contains(x.values[0])
	}
	c := cmp(x.values[0])
	switch x.op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	}
	if c == 2 {
		return false
	}
	switch x.op {
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "<":
		return c < 0
	default: // "<="
		return c <= 0
	}
}

// parseBBQL parses q. The error text is shown to the API caller.
func parseBBQL(q string) (*bbqlExpr, error) {
	return parseBBQLFields(q, repoFieldType, "repository")
}

type tokKind int

const (
	tokWord tokKind = iota
	tokString
	tokOp
	tokLParen
	tokRParen
	tokComma
)

type bbqlTok struct {
	kind tokKind
	text string
	at   int
}

func lexBBQL(q string) ([]bbqlTok, error) {
	var toks []bbqlTok
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, bbqlTok{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, bbqlTok{tokRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, bbqlTok{tokComma, ",", i})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(q) {
				if q[j] == '\\' && j+1 < len(q) {
					b.WriteByte(q[j+1])
					j += 2
					continue
				}
				if q[j] == '"' {
					closed = true
					j++
					break
				}
				b.WriteByte(q[j])
				j++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated string starting at position %d", i+1)
			}
			toks = append(toks, bbqlTok{tokString, b.String(), i})
			i = j
		case c == '=' || c == '~':
			toks = append(toks, bbqlTok{tokOp, string(c), i})
			i++
		case c == '!' || c == '<' || c == '>':
			if i+1 < len(q) && (q[i+1] == '=' || (c == '!' && q[i+1] == '~')) {
				toks = append(toks, bbqlTok{tokOp, q[i : i+2], i})
				i += 2
			} else if c == '!' {
				return nil, fmt.Errorf("unexpected '!' at position %d", i+1)
			} else {
				toks = append(toks, bbqlTok{tokOp, string(c), i})
				i++
			}
		default:
			j := i
			for j < len(q) && !strings.ContainsRune(" \t\r\n(),\"=~!<>", rune(q[j])) {
				j++
			}
			toks = append(toks, bbqlTok{tokWord, q[i:j], i})
			i = j
		}
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty query")
	}
	return toks, nil
}

type bbqlParser struct {
	toks  []bbqlTok
	pos   int
	kinds func(field string) (fieldType, bool) // the fields q accepts on this resource
	what  string                               // the resource's name in errors ("repository")
}

// repoFieldType is the repository fields' kinds, for the parser.
func repoFieldType(field string) (fieldType, bool) {
	f, ok := repoFields[field]
	return f.typ, ok
}

// parseBBQLFields parses q for a resource: kinds names its fields, what is the
// resource's name in the error text.
func parseBBQLFields(q string, kinds func(string) (fieldType, bool), what string) (*bbqlExpr, error) {
	toks, err := lexBBQL(q)
	if err != nil {
		return nil, err
	}
	p := &bbqlParser{toks: toks, kinds: kinds, what: what}
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.toks[p.pos].text, p.toks[p.pos].at+1)
	}
	return x, nil
}

// matchFields evaluates x against one resource: str, b and t read a field of that
// resource (only the kind the field has is called); kinds gives each field's kind.
func (x *bbqlExpr) matchFields(str func(string) string, b func(string) bool, t func(string) time.Time, kinds func(string) (fieldType, bool)) bool {
	switch {
	case x.and != nil:
		for _, k := range x.and {
			if !k.matchFields(str, b, t, kinds) {
				return false
			}
		}
		return true
	case x.or != nil:
		for _, k := range x.or {
			if k.matchFields(str, b, t, kinds) {
				return true
			}
		}
		return false
	}
	typ, _ := kinds(x.field)
	switch typ {
	case typeBool:
		v := b(x.field)
		return x.cmpAny(func(val bbqlValue) int {
			if val.null || val.b == nil {
				return 2 // never equal
			}
			if *val.b == v {
				return 0
			}
			return 1
		}, nil)
	case typeTime:
		v := t(x.field)
		return x.cmpAny(func(val bbqlValue) int {
			if val.null || val.t == nil {
				return 2
			}
			return v.Compare(*val.t)
		}, nil)
	default:
		v := str(x.field)
		return x.cmpAny(func(val bbqlValue) int {
			if val.null || val.s == nil {
				return 2
			}
			return strings.Compare(v, *val.s)
		}, func(val bbqlValue) bool {
			return val.s != nil && strings.Contains(strings.ToLower(v), strings.ToLower(*val.s))
		})
	}
}

func (p *bbqlParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == tokWord && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *bbqlParser) parseOr() (*bbqlExpr, error) {
	return p.parseJoined("or", p.parseAnd, func(kids []*bbqlExpr) *bbqlExpr { return &bbqlExpr{or: kids} })
}

func (p *bbqlParser) parseAnd() (*bbqlExpr, error) {
	return p.parseJoined("and", p.parsePrimary, func(kids []*bbqlExpr) *bbqlExpr { return &bbqlExpr{and: kids} })
}

// parseJoined parses one sub, then one more after each keyword word; two or more are
// joined by join.
func (p *bbqlParser) parseJoined(word string, sub func() (*bbqlExpr, error), join func([]*bbqlExpr) *bbqlExpr) (*bbqlExpr, error) {
	x, err := sub()
	if err != nil {
		return nil, err
	}
	kids := []*bbqlExpr{x}
	for p.peekWord(word) {
		p.pos++
		y, err := sub()
		if err != nil {
			return nil, err
		}
		kids = append(kids, y)
	}
	if len(kids) == 1 {
		return x, nil
	}
	return join(kids), nil
}

func (p *bbqlParser) next() (bbqlTok, error) {
	if p.pos >= len(p.toks) {
		return bbqlTok{}, fmt.Errorf("unexpected end of query")
	}
	t := p.toks[p.pos]
	p.pos++
	return t, nil
}

func (p *bbqlParser) parsePrimary() (*bbqlExpr, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	if t.kind == tokLParen {
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if t, err := p.next(); err != nil || t.kind != tokRParen {
			return nil, fmt.Errorf("missing ')'")
		}
		return x, nil
	}
	if t.kind != tokWord {
		return nil, fmt.Errorf("expected a field name at position %d, found %q", t.at+1, t.text)
	}
	field := t.text
	typ, ok := p.kinds(field)
	if !ok {
		return nil, fmt.Errorf("%q is not a %s field", field, p.what)
	}
	x := &bbqlExpr{field: field}
	op, err := p.next()
	if err != nil {
		return nil, err
	}
	switch {
	case op.kind == tokOp:
		x.op = op.text
	case op.kind == tokWord && strings.EqualFold(op.text, "in"):
		x.op = "in"
	case op.kind == tokWord && strings.EqualFold(op.text, "not") && p.peekWord("in"):
		p.pos++
		x.op = "not in"
	default:
		return nil, fmt.Errorf("expected an operator after %s, found %q", field, op.text)
	}
	if x.op == "in" || x.op == "not in" {
		if t, err := p.next(); err != nil || t.kind != tokLParen {
			return nil, fmt.Errorf("expected '(' after %s", strings.ToUpper(x.op))
		}
		for {
			v, err := p.parseValue(typ)
			if err != nil {
				return nil, err
			}
			x.values = append(x.values, v)
			t, err := p.next()
			if err != nil {
				return nil, err
			}
			if t.kind == tokRParen {
				break
			}
			if t.kind != tokComma {
				return nil, fmt.Errorf("expected ',' or ')' in list, found %q", t.text)
			}
		}
		return x, nil
	}
	v, err := p.parseValue(typ)
	if err != nil {
		return nil, err
	}
	if (x.op == "~" || x.op == "!~") && typ != typeString {
		return nil, fmt.Errorf("operator %s needs a text field, and %s is not one", x.op, field)
	}
	if typ == typeBool && x.op != "=" && x.op != "!=" {
		return nil, fmt.Errorf("operator %s does not apply to the boolean field %s", x.op, field)
	}
	x.values = []bbqlValue{v}
	return x, nil
}

var bbqlTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"}

func parseBBQLTime(s string) (time.Time, bool) {
	for _, l := range bbqlTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (p *bbqlParser) parseValue(typ fieldType) (bbqlValue, error) {
	t, err := p.next()
	if err != nil {
		return bbqlValue{}, err
	}
	if t.kind == tokWord && t.text == "null" {
		return bbqlValue{null: true}, nil
	}
	switch typ {
	case typeBool:
		if t.kind == tokWord && (t.text == "true" || t.text == "false") {
			b := t.text == "true"
			return bbqlValue{b: &b}, nil
		}
		return bbqlValue{}, fmt.Errorf("expected true or false, found %q", t.text)
	case typeTime:
		if t.kind == tokWord || t.kind == tokString {
			if tm, ok := parseBBQLTime(t.text); ok {
				return bbqlValue{t: &tm}, nil
			}
		}
		return bbqlValue{}, fmt.Errorf("expected a date-time such as 2015-03-04T14:08:59+02:00, found %q", t.text)
	default:
		if t.kind == tokString {
			s := t.text
			return bbqlValue{s: &s}, nil
		}
		if t.kind == tokWord {
			if _, err := strconv.ParseFloat(t.text, 64); err == nil {
				s := t.text
				return bbqlValue{s: &s}, nil
			}
		}
		return bbqlValue{}, fmt.Errorf("expected a quoted string, found %q", t.text)
	}
}

// repoLess returns the comparison for ?sort=FIELD or ?sort=-FIELD, or an error for a
// field that cannot be sorted on.
func repoLess(ws *workspace, sortParam string) (func(a, b *Repo) int, error) {
	if sortParam == "" {
		return nil, nil
	}
	desc := strings.HasPrefix(sortParam, "-")
	name := strings.TrimPrefix(sortParam, "-")
	f, ok := repoFields[name]
	if !ok || name == "project.is_private" {
		return nil, fmt.Errorf("%q is not a repository field that can be sorted on", name)
	}
	var cmp func(a, b *Repo) int
	switch f.typ {
	case typeBool:
		cmp = func(a, b *Repo) int { return boolCmp(f.b(a), f.b(b)) }
	case typeTime:
		cmp = func(a, b *Repo) int { return f.t(a).Compare(f.t(b)) }
	default:
		cmp = func(a, b *Repo) int {
			x, y := f.str(ws, a), f.str(ws, b)
			if c := strings.Compare(strings.ToLower(x), strings.ToLower(y)); c != 0 {
				return c
			}
			return strings.Compare(x, y)
		}
	}
	if desc {
		return func(a, b *Repo) int { return -cmp(a, b) }, nil
	}
	return cmp, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	default:
		return 1
	}
}
