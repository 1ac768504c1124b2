package bbuuid

import "testing"

func TestSame(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"{0A0A-1}", "0a0a-1", true},
		{" {0a0a-1} ", "{0A0A-1}", true},
		{"{0a0a-1}", "{0a0a-2}", false},
		{"", "", false},
		{"{}", "{}", false},
		{"{0a0a-1}", "", false},
	} {
		if got := Same(tc.a, tc.b); got != tc.want {
			t.Errorf("Same(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
