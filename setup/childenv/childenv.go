// Package childenv is the one rule for the environment of the processes bbsetup starts
// (the browser opener, git, ps and lsof): they get bbsetup's environment without the
// variables that may hold a secret bbsetup was given.
package childenv

import (
	"os"
	"strings"
)

// Secret names the environment variables that may hold a secret bbsetup was given; no
// child process gets them.
var Secret = []string{"BBSETUP_AMPLICATION_PASSWORD", "BBSETUP_AMPLICATION_TOKEN", "BBSETUP_CLIENT_SECRET"}

// Without is environ without the variables in Secret (names compared as Windows does,
// ignoring case), then extra appended.
func Without(environ []string, extra ...string) []string {
	out := make([]string, 0, len(environ)+len(extra))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !isSecret(name) {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// Environ is the process's environment without the secret variables, then extra.
func Environ(extra ...string) []string { return Without(os.Environ(), extra...) }

func isSecret(name string) bool {
	for _, s := range Secret {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}
