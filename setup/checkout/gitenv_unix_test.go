//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package checkout

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitGetsNoSecrets runs the git check-ignore that bbsetup starts, with a fake git
// first on PATH that writes down its environment, while bbsetup's own environment holds
// the three secret variables: git gets none of them, and gets its two settings.
func TestGitGetsNoSecrets(t *testing.T) {
	bin := t.TempDir()
	seen := filepath.Join(t.TempDir(), "env")
	script := "#!/bin/sh\nenv > '" + seen + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("BBSETUP_CLIENT_SECRET", "client-secret-value")
	t.Setenv("BBSETUP_AMPLICATION_PASSWORD", "password-value")
	t.Setenv("BBSETUP_AMPLICATION_TOKEN", "token-value")

	ignored, ok, err := execGit{}.Ignored(context.Background(), t.TempDir(), []string{".env"})
	if err != nil || !ok || len(ignored) != 0 {
		t.Fatalf("Ignored = %v, %v, %v; want nothing ignored, asked, no error", ignored, ok, err)
	}
	b, err := os.ReadFile(seen)
	if err != nil {
		t.Fatalf("the fake git did not run: %v", err)
	}
	env := string(b)
	for _, v := range []string{"client-secret-value", "password-value", "token-value", "BBSETUP_CLIENT_SECRET", "BBSETUP_AMPLICATION_"} {
		if strings.Contains(env, v) {
			t.Errorf("git's environment holds %q:\n%s", v, env)
		}
	}
	for _, v := range []string{"GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0", "PATH="} {
		if !strings.Contains(env, v) {
			t.Errorf("git's environment lacks %q", v)
		}
	}
}
