// Package mask is bbsetup's one way of hiding a secret it shows: on screens, in diffs, in
// `check` findings and in messages built from a server's words.
package mask

import "strings"

// Secret hides a secret for display: "••••" followed by its last four characters, or only
// "••••" when it is shorter than eight characters (so neither a short secret nor its length
// shows). The empty string stays empty.
func Secret(secret string) string {
	if secret == "" {
		return ""
	}
	rs := []rune(secret)
	if len(rs) < 8 {
		return "••••"
	}
	return "••••" + string(rs[len(rs)-4:])
}

// MinInText is the shortest secret In looks for: a shorter one would mask unrelated text
// (a Bitbucket consumer secret is 32 characters; where a short value must be hidden, its
// whole assignment is masked with Secret instead).
const MinInText = 4

// In replaces every occurrence in text of each secret at least MinInText bytes long with
// Secret(secret).
func In(text string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= MinInText {
			text = strings.ReplaceAll(text, s, Secret(s))
		}
	}
	return text
}
