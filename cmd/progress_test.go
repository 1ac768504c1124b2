package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// configure says what it is waiting for while it checks the key and secret: piped, one
// line on stderr; at a terminal, a spinner that is erased when the answer is in.
func TestConfigureShowsProgress(t *testing.T) {
	w := bbapiStart(t, 0, nil)
	env := map[string]string{"BBSETUP_BITBUCKET_URL": w.srv.URL, "BBSETUP_API_URL": w.srv.APIURL, "XDG_STATE_HOME": t.TempDir()}
	const line = "Checking the key and secret with Bitbucket…"

	r := envcmdExec(t, w.dir, w.consumer.Secret+"\n", env, "configure", "--client-id", w.consumer.Key, "--client-secret-stdin", "--dry-run")
	if r.code != 0 || r.stderr != line+"\n" {
		t.Errorf("piped: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := envcmdExec(t, w.dir, "", env, "configure", "--client-id", w.consumer.Key, "--client-secret-stdin", "--no-verify"); strings.Contains(r.stderr, line) {
		t.Errorf("--no-verify still says it checks: %q", r.stderr)
	}

	var out, errb ttyBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := Run(ctx, []string{"configure", "--client-id", w.consumer.Key, "--client-secret-stdin", "--dry-run"}, Env{
		Stdin: strings.NewReader(w.consumer.Secret + "\n"), Stdout: &out, Stderr: &errb,
		Getenv:    func(k string) string { return env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Getwd:     func() (string, error) { return w.dir, nil },
	})
	got := errb.String()
	if code != 0 || !strings.HasPrefix(got, "\r⠋ "+line) || !strings.HasSuffix(got, "\r\x1b[K") || strings.Contains(got, "\n") {
		t.Errorf("at a terminal: exit %d, stderr %q", code, got)
	}
	if !strings.Contains(out.String(), "they work") {
		t.Errorf("stdout: %s", out.String())
	}

	// TERM=dumb cannot redraw a line: at a terminal too, the one line and no spinner.
	// NO_COLOR with no terminal: the one line.
	for _, tc := range []struct {
		name  string
		extra map[string]string
		tty   bool
	}{
		{"TERM=dumb at a terminal", map[string]string{"TERM": "dumb"}, true},
		{"NO_COLOR, piped", map[string]string{"NO_COLOR": "1"}, false},
	} {
		env2 := map[string]string{}
		for k, v := range env {
			env2[k] = v
		}
		for k, v := range tc.extra {
			env2[k] = v
		}
		var out bytes.Buffer
		var errb io.Writer = &bytes.Buffer{}
		if tc.tty {
			errb = &ttyBuffer{}
		}
		code := Run(ctx, []string{"configure", "--client-id", w.consumer.Key, "--client-secret-stdin", "--dry-run"}, Env{
			Stdin: strings.NewReader(w.consumer.Secret + "\n"), Stdout: &out, Stderr: errb,
			Getenv:    func(k string) string { return env2[k] },
			LookupEnv: func(k string) (string, bool) { v, ok := env2[k]; return v, ok },
			Getwd:     func() (string, error) { return w.dir, nil },
		})
		got := errb.(fmt.Stringer).String()
		if code != 0 || got != line+"\n" {
			t.Errorf("%s: exit %d, stderr %q, want the one line %q", tc.name, code, got, line+"\n")
		}
	}
}

// --debug logs each HTTP request once, every line with the one "debug: " prefix.
func TestDebugLogsEachRequestOnce(t *testing.T) {
	w := bbapiStart(t, 500, nil) // acme: 300 repositories, 3 pages
	code, _, errOut := w.run(t, "repos", "list", "-w", "acme", "--debug")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
	for _, l := range lines[:len(lines)-1] { // the last line is the count
		if !strings.HasPrefix(l, "debug: ") {
			t.Errorf("a debug line without the prefix: %q", l)
		}
	}
	served := map[string]int{}
	for _, r := range w.srv.Controls().Log() {
		served[r.Method+" "+r.Path]++
	}
	logged := map[string]int{}
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "debug: http: "); ok {
			method, u, _ := strings.Cut(rest, " ")
			u = strings.TrimPrefix(u, w.srv.URL)
			u, _, _ = strings.Cut(u, ":")
			u, _, _ = strings.Cut(u, "?")
			logged[method+" "+u]++
		}
	}
	if served["GET /2.0/repositories/acme"] != 3 || served["POST /site/oauth2/access_token"] != 1 {
		t.Fatalf("the emulator served %v", served)
	}
	for k, n := range served {
		if logged[k] != n {
			t.Errorf("%s: served %d times, logged %d times\n%s", k, n, logged[k], errOut)
		}
	}
}
