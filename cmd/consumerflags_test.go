package cmd

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startEmulatorCmd runs `bbsetup emulator args...` in-process until the test ends and
// returns its URLs and the demo consumer's key and secret, read from what it printed.
func startEmulatorCmd(t *testing.T, args ...string) (base, api, key, secret, printed string) {
	t.Helper()
	var out, errOut lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, append([]string{"emulator", "--repos", "20"}, args...), emulatorEnv(&out, &errOut))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-code:
		case <-time.After(10 * time.Second):
			t.Error("the emulator did not stop")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := exportLine.FindStringSubmatch(out.String()); m != nil {
			printed = out.String()
			k := regexp.MustCompile(`Demo consumer key\s+(\S+)`).FindStringSubmatch(printed)
			s := regexp.MustCompile(`Demo consumer secret\s+(\S+)`).FindStringSubmatch(printed)
			if k == nil || s == nil {
				t.Fatalf("no demo credentials printed:\n%s", printed)
			}
			return m[1], m[2], k[1], s[1], printed
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator printed no URLs:\n%s%s", out.String(), errOut.String())
		}
		select {
		case c := <-code:
			t.Fatalf("the emulator exited with %d: %s", c, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Each consumer mistake the emulator can rehearse is named by bbsetup check, and
// configure refuses to write the key and secret of such a consumer.
func TestEmulatorConsumerMistakes(t *testing.T) {
	for _, c := range []struct {
		flags               []string
		printed, title, fix string
	}{
		{[]string{"--public-consumer"}, "public (client_credentials refused)",
			"the consumer is not private", `tick "This is a private consumer"`},
		{[]string{"--scopes", "account,repository"}, "only the permissions account, repository",
			"the consumer lacks 9 of the permissions Amplication needs", "tick these boxes"},
		{[]string{"--no-callback"}, "no callback URL",
			"the consumer has no callback URL", "set its Callback URL to http://localhost:3001/bitbucket-auth-app/callback"},
	} {
		t.Run(c.flags[0], func(t *testing.T) {
			base, api, key, secret, printed := startEmulatorCmd(t, c.flags...)
			if !strings.Contains(printed, "Consumer mistakes                "+c.printed+"\n") {
				t.Errorf("the emulator does not say which mistake its consumer has:\n%s", printed)
			}
			dir := demoCheckout(t)
			env := map[string]string{"BBSETUP_BITBUCKET_URL": base, "BBSETUP_API_URL": api}
			r := envcmdExec(t, dir, secret+"\n", env, "configure", "--client-id", key, "--client-secret-stdin")
			if r.code != 1 || !strings.Contains(r.stderr, "Nothing was written.") {
				t.Errorf("configure: exit %d: %s", r.code, r.stderr)
			}
			if r := envcmdExec(t, dir, secret+"\n", env, "configure", "--client-id", key, "--client-secret-stdin", "--no-verify"); r.code != 0 {
				t.Fatalf("configure --no-verify: exit %d: %s", r.code, r.stderr)
			}
			r = envcmdExec(t, dir, "", env, "check", "--json")
			var res checkResult
			if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 1 || err != nil {
				t.Fatalf("check: exit %d, %v: %s%s", r.code, err, r.stdout, r.stderr)
			}
			var got checkFinding
			for _, f := range res.Findings {
				if f.ID == "credentials" {
					got = f
				} else if !f.OK {
					t.Errorf("finding %s failed too: %+v", f.ID, f)
				}
			}
			if got.OK || got.Title != c.title || !strings.Contains(got.Hint, c.fix) {
				t.Errorf("credentials finding: %+v", got)
			}
			if got.Detail != "" && strings.Contains(strings.ToLower(got.Detail), strings.ToLower(got.Title)) {
				t.Errorf("the detail repeats the title: %+v", got)
			}
		})
	}
}

func TestConsumerMistakeFlagsUsage(t *testing.T) {
	for _, args := range [][]string{{"emulator", "--scopes", "account,bogus"}, {"demo", "--scopes", "bogus"}} {
		r := envcmdExec(t, t.TempDir(), "", nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, `"bogus" is not a Bitbucket permission scope`) {
			t.Errorf("bbsetup %v: exit %d: %s", args, r.code, r.stderr)
		}
	}
}
