package cmd

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestStopWhileReadingAPipe: a secret or password read from a pipe that never delivers a
// line does not make bbsetup deaf to a stop signal (the context's cancel): it ends with
// 130 and the interrupted message.
func TestStopWhileReadingAPipe(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{}) // the sign-in reaches the password read
	for _, c := range []struct {
		dir  string
		args []string
	}{
		{demoCheckout(t), []string{"configure", "--client-id", "k0123456789", "--client-secret-stdin", "--no-verify"}},
		{w.dir, []string{"amplication", "status", "--email", "ops@example.com", "--password-stdin", "--amplication-url", w.amp.URL}},
	} {
		dir, args := c.dir, c.args
		t.Run(args[0], func(t *testing.T) {
			pr, pw := io.Pipe() // written by no one
			defer pw.Close()
			var out, errOut strings.Builder
			ctx, cancel := context.WithCancel(context.Background())
			code := make(chan int, 1)
			go func() {
				code <- Run(ctx, args, Env{
					Stdin: pr, Stdout: &out, Stderr: &errOut,
					Getenv:    func(string) string { return "" },
					LookupEnv: func(string) (string, bool) { return "", false },
					Getwd:     func() (string, error) { return dir, nil },
				})
			}()
			time.Sleep(200 * time.Millisecond)
			cancel() // what Main does on SIGTERM
			select {
			case c := <-code:
				if c != ExitInterrupted || !strings.Contains(errOut.String(), "interrupted") {
					t.Errorf("exit %d, want 130 and the interrupted message: %q", c, errOut.String())
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("bbsetup %s still waits for standard input 5 s after the stop", args[0])
			}
		})
	}
}
