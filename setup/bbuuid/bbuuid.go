// Package bbuuid compares Bitbucket account uuids, as both the Bitbucket client and the
// Amplication client (whose git organizations name the authorizing user by uuid) need to,
// without either importing the other.
package bbuuid

import "strings"

// Norm is uuid s in one form: no surrounding space or braces, lower case ("" for none).
func Norm(s string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}"))
}

// Same reports whether two Bitbucket uuids name the same account: braces and letter case
// do not matter; an empty uuid matches nothing.
func Same(a, b string) bool {
	na, nb := Norm(a), Norm(b)
	return na != "" && na == nb
}
