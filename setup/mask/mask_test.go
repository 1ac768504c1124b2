package mask

import (
	"strings"
	"testing"
)

func TestSecret(t *testing.T) {
	cases := map[string]string{
		"": "", "a": "••••", "abc": "••••", "short": "••••", "1234567": "••••",
		"12345678": "••••5678", "abcdefghijklmnop": "••••mnop",
		"ééééééééé": "••••éééé", // runes, not bytes
	}
	for in, want := range cases {
		if got := Secret(in); got != want {
			t.Errorf("Secret(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestShortSecrets: a short secret shows neither itself nor its length, on screen or in text.
func TestShortSecrets(t *testing.T) {
	for _, s := range []string{"x", "ab", "abcd", "abcdefg"} {
		if got := Secret(s); got != "••••" {
			t.Errorf("Secret(%q) = %q, want only bullets, the same for every short secret", s, got)
		}
	}
	if got := In("key abcd rejected, abcd again", "abcd"); strings.Contains(got, "abcd") || got != "key •••• rejected, •••• again" {
		t.Errorf("In with a 4-byte secret = %q", got)
	}
	if got := In("a cat sat", "at"); got != "a cat sat" {
		t.Errorf("In with a secret shorter than MinInText = %q, want the text untouched", got)
	}
	if got := In("no secrets", ""); got != "no secrets" {
		t.Errorf("In with an empty secret = %q", got)
	}
}

func TestIn(t *testing.T) {
	const sec = "SeCrEt0123456789abcdefghijklmnop"
	got := In("Bitbucket said: bad secret "+sec+" for key K; "+sec, sec, "K")
	if strings.Contains(got, sec) || got != "Bitbucket said: bad secret ••••mnop for key K; ••••mnop" {
		t.Errorf("In = %q", got)
	}
}
