package cmd

import (
	"io"
	"regexp"
	"strings"
	"testing"
)

// debugRequestLine is a --debug line for one HTTP exchange, by whichever logger wrote it.
var debugRequestLine = regexp.MustCompile(`: (\d{3}|failed) after \d`)

// --debug logs each request exactly once, with the one "debug: " prefix, for every
// command that talks to Bitbucket or Amplication: the emulators' request logs say how
// many requests bbsetup made.
func TestDebugLogsEachRequestOnceEveryCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"authorize", []string{"--debug", "authorize", "--no-browser", "--timeout", "1m"}},
		{"workspaces", []string{"--debug", "workspaces"}},
		{"repos list", []string{"--debug", "repos", "list", "-w", "acme"}},
		{"projects", []string{"--debug", "projects", "-w", "acme"}},
		{"amplication status", []string{"--debug", "amplication", "status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := ampStart(t, ampWorldOptions{})
			bbFrom, ampFrom := len(w.bb.Controls().Log()), len(w.amp.Log())
			var errOut string
			if tc.name == "authorize" {
				ss := w.start(t, tc.args...)
				loc := ss.land(t, ss.authorizeURL(t))
				if _, err := io.WriteString(ss.stdinW, loc+"\n"); err != nil {
					t.Fatal(err)
				}
				if code := ss.wait(t); code != ExitOK {
					t.Fatalf("exit %d:\n%s", code, ss.errText())
				}
				errOut = ss.errText()
				w.noSecrets(t, ss.outText()+errOut)
			} else {
				code, out, e := w.run(t, "", tc.args...)
				if code != ExitOK {
					t.Fatalf("exit %d:\n%s%s", code, out, e)
				}
				errOut = e
			}
			served := 0
			for _, r := range w.bb.Controls().Log()[bbFrom:] {
				if r.Path != "/site/oauth2/authorize" { // the browser's visit, not bbsetup's
					served++
				}
			}
			served += len(w.amp.Log()) - ampFrom
			if served == 0 {
				t.Fatal("the emulators served no request")
			}
			logged := 0
			for _, l := range strings.Split(errOut, "\n") {
				if strings.HasPrefix(l, "debug: debug: ") {
					t.Errorf("a doubled prefix: %q", l)
				}
				if debugRequestLine.MatchString(l) {
					logged++
					if !strings.HasPrefix(l, "debug: http: ") {
						t.Errorf("a request logged by a second logger: %q", l)
					}
				}
			}
			if logged != served {
				t.Errorf("the emulators served %d requests; the debug log has %d lines for them:\n%s", served, logged, errOut)
			}
		})
	}
}
