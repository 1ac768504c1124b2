package cmd

import (
	"strings"
	"testing"
)

// The amplication commands' errors say their cause once, in one "bbsetup: …" line that
// ends with a full stop (issue 16 item 12): the wrapped client error is not repeated
// after the advice.
func TestAmplicationErrorsSayTheCauseOnce(t *testing.T) {
	w := ampStart(t, ampWorldOptions{bitbucketOrg: true})
	connect := []string{"amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop"}
	for _, tc := range []struct {
		name, cause string
		env         map[string]string
	}{
		{"unreachable", "connection refused", map[string]string{"BBSETUP_AMPLICATION_URL": "http://127.0.0.1:1"}},
		{"not Amplication", "404 Not Found", map[string]string{"BBSETUP_AMPLICATION_URL": w.bb.URL}},
		{"wrong password", "Invalid password", map[string]string{"BBSETUP_AMPLICATION_PASSWORD": "not-the-password"}},
		{"unknown email", "No account found for email", map[string]string{"BBSETUP_AMPLICATION_EMAIL": "nobody@example.com"}},
		{"bad token", "Unauthorized", map[string]string{"BBSETUP_AMPLICATION_TOKEN": "not-a-token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := map[string]string{}
			for k, v := range tc.env {
				saved[k] = w.env[k]
				w.env[k] = v
			}
			defer func() {
				for k, v := range saved {
					if v == "" {
						delete(w.env, k)
					} else {
						w.env[k] = v
					}
				}
			}()
			code, _, errOut := w.run(t, "", connect...)
			line := strings.TrimRight(errOut, "\n")
			if code == ExitOK || strings.Count(line, "\n") != 0 || !strings.HasPrefix(line, "bbsetup: ") || !strings.HasSuffix(line, ".") {
				t.Fatalf("exit %d, want one error line ending with a full stop:\n%s", code, errOut)
			}
			if n := strings.Count(line, tc.cause); n != 1 {
				t.Errorf("the cause %q is said %d times:\n%s", tc.cause, n, line)
			}
		})
	}
}
