package bitbucket

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen is the longest repository slug Bitbucket accepts.
const MaxSlugLen = 62

// special transliterations that Unicode decomposition does not give.
var translit = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d",
	'ł': "l", 'Ł': "l", 'þ': "th", 'Þ': "th", 'ı': "i", 'ħ': "h", 'Ħ': "h",
}

// Slugify turns a repository name into a slug Bitbucket accepts: lowercase ASCII
// letters, digits, "_", "-" and "."; accented Latin letters lose their accents (é -> e,
// ß -> ss); other letters are dropped; every other run of characters becomes one "-";
// no "--", no leading or trailing "-", at most 62 characters. The result may be "" (a
// name with no usable character); ValidateSlug says so.
func Slugify(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	dash := false // a "-" is pending
	emit := func(s string) {
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteString(s)
	}
	for _, r := range norm.NFD.String(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.':
			emit(string(r))
		case r >= 'A' && r <= 'Z':
			emit(string(unicode.ToLower(r)))
		case unicode.Is(unicode.Mn, r):
			// a combining accent from the decomposition: drop it, keep its letter
		case r < utf8.RuneSelf:
			dash = true // "-", space, punctuation, symbols
		case unicode.IsLetter(r):
			if t, ok := translit[r]; ok {
				emit(t)
			}
			// any other non-ASCII letter is dropped
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > MaxSlugLen {
		s = strings.TrimRight(s[:MaxSlugLen], "-")
	}
	return s
}

// ValidateSlug reports, in the operator's words, why Bitbucket would refuse slug as a
// repository slug, or nil.
func ValidateSlug(slug string) error {
	switch {
	case slug == "":
		return fmt.Errorf("the repository slug is empty: give the repository a name with at least one letter or digit")
	case slug == "." || slug == "..":
		return fmt.Errorf("the repository slug %q is reserved: give the repository a name with a letter or digit", slug)
	case len(slug) > MaxSlugLen:
		return fmt.Errorf("the repository slug is %d characters long; Bitbucket allows at most %d: shorten the name", len(slug), MaxSlugLen)
	}
	for _, r := range slug {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		case r >= 'A' && r <= 'Z':
			return fmt.Errorf("the repository slug %q has an uppercase letter: use lowercase (%q)", slug, strings.ToLower(slug))
		default:
			return fmt.Errorf("the repository slug %q contains %q: use only lowercase letters a-z, digits, \"_\", \"-\" and \".\" (try %q)",
				slug, string(r), Slugify(slug))
		}
	}
	if strings.Contains(slug, "--") {
		return fmt.Errorf("the repository slug %q contains \"--\", which Bitbucket does not allow: use a single \"-\" (%q)", slug, Slugify(slug))
	}
	return nil
}
