package envfile

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quote returns the simplest dotenv literal that npm dotenv parses back to exactly value when
// written as KEY=<literal> at the end of a line: the value itself when that is safe, otherwise
// the value in single quotes, double quotes or backticks, whichever reads back unchanged.
// dotenv has no escape for a quote inside the same quotes, so a few values (for example one
// holding all three quote characters and a space) cannot be written; Quote says so.
func Quote(value string) (string, error) {
	if !utf8.ValidString(value) {
		return "", errors.New("the value is not valid UTF-8; dotenv would replace the bad bytes")
	}
	if strings.ContainsRune(value, '\r') {
		return "", errors.New("the value contains a carriage return; dotenv turns it into a line feed")
	}
	if value == "" {
		return "''", nil
	}
	if bareSafe(value, false) {
		return value, nil
	}
	// A quoted value must not contain its own quote and must not end with a backslash
	// (dotenv would read "\'" as an escaped quote and look for another closing quote).
	endsBackslash := strings.HasSuffix(value, `\`)
	if !endsBackslash {
		if !strings.ContainsRune(value, '\'') {
			return "'" + value + "'", nil
		}
		// Double quotes turn the two-character sequences \n and \r into line breaks.
		if !strings.ContainsRune(value, '"') && !strings.Contains(value, `\n`) && !strings.Contains(value, `\r`) {
			return `"` + value + `"`, nil
		}
		if !strings.ContainsRune(value, '`') {
			return "`" + value + "`", nil
		}
	}
	if bareSafe(value, true) {
		return value, nil
	}
	return "", errors.New("the value cannot be written so that dotenv reads it back unchanged (it needs quotes but holds every kind of quote or ends with a backslash)")
}

// bareSafe reports whether value can be written unquoted: dotenv's unquoted form stops at #
// and line breaks, trims whitespace, strips a leading quote pair, and a value that begins with
// a quote may be taken for an opening quote closed on a later line.
func bareSafe(value string, allowInnerSpace bool) bool {
	rs := []rune(value)
	if len(rs) == 0 || isQuote(rs[0]) || isJSSpace(rs[0]) || isJSSpace(rs[len(rs)-1]) {
		return false
	}
	for _, c := range rs {
		switch {
		case c == '#', isLT(c):
			return false
		case isJSSpace(c) && !allowInnerSpace:
			return false
		}
	}
	return true
}

// ValidateValue checks a value before it is written: not empty, valid UTF-8, no line breaks
// or other control characters, no leading or trailing whitespace. role names the value in
// the operator's words ("client secret"); the message never repeats the value.
func ValidateValue(role, value string) error {
	if value == "" {
		return fmt.Errorf("the %s is empty; copy it again from the OAuth consumer's page", role)
	}
	if !utf8.ValidString(value) {
		return fmt.Errorf("the %s is not valid UTF-8 text; copy it again from the OAuth consumer's page", role)
	}
	for i, c := range []rune(value) {
		if c == '\n' || c == '\r' || isLT(c) {
			return fmt.Errorf("the %s contains a line break (character %d); it must be a single line: copy it again from the OAuth consumer's page", role, i+1)
		}
		if unicode.IsControl(c) || c == 0xFEFF {
			return fmt.Errorf("the %s contains a control character (character %d); copy it again from the OAuth consumer's page", role, i+1)
		}
	}
	if rs := []rune(value); isJSSpace(rs[0]) || isJSSpace(rs[len(rs)-1]) {
		return fmt.Errorf("the %s starts or ends with whitespace; copy it again without the surrounding spaces", role)
	}
	if _, err := Quote(value); err != nil {
		return fmt.Errorf("the %s cannot be written to a .env file: %v", role, err)
	}
	return nil
}
