package checkout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/childenv"
	"github.com/bbsetup/bbsetup/setup/envfile"
)

// GitIgnoreChecker tells which of a work tree's files git would not commit.
type GitIgnoreChecker interface {
	// Ignored returns the subset of rel (paths relative to root) that git ignores. A
	// tracked file is never ignored. ok is false when git could not be asked.
	Ignored(ctx context.Context, root string, rel []string) (ignored map[string]bool, ok bool, err error)
}

// execGit asks the git on PATH (git check-ignore), with the repository's hooks and
// fsmonitor turned off: a checkout someone else prepared must not run commands through us.
type execGit struct{}

func (execGit) Ignored(ctx context.Context, root string, rel []string) (map[string]bool, bool, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, git, "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
		"-C", root, "check-ignore", "--stdin", "-z")
	cmd.Stdin = strings.NewReader(strings.Join(rel, "\x00") + "\x00")
	cmd.Env = childenv.Environ("GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 1: // none of them is ignored
	default:
		return nil, true, fmt.Errorf("git check-ignore failed: %v %s", err, strings.TrimSpace(stderr.String()))
	}
	ignored := map[string]bool{}
	for _, p := range strings.Split(out.String(), "\x00") {
		if p != "" {
			ignored[p] = true
		}
	}
	return ignored, true, nil
}

// secretFiles lists the regular files in the checkout's root and package directories (not
// below them) whose content holds one of values, as paths relative to the root.
func (in *Inspection) secretFiles(values []string) []string {
	dirs := []string{in.c.Root}
	for _, p := range in.pkgs {
		dirs = append(dirs, p.dir)
	}
	seen := map[string]bool{}
	var out []string
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			p := filepath.Join(d, e.Name())
			if fi, err := e.Info(); err != nil || fi.Size() > 8<<20 {
				continue
			}
			data, err := envfile.ReadRegular(p)
			if err != nil {
				continue
			}
			for _, v := range values {
				if bytes.Contains(data, []byte(v)) {
					if r := in.c.rel(p); !seen[r] {
						seen[r] = true
						out = append(out, r)
					}
					break
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// CheckGitVisible looks for files in the checkout holding the configured key or secret
// that git would commit (not ignored, or already tracked). It asks git itself, and only
// when the checkout is a git work tree and git is installed; otherwise it is a note.
func (in *Inspection) CheckGitVisible() []Finding {
	var values []string
	for _, p := range in.pkgs {
		if !p.configured() {
			continue
		}
		for _, v := range []string{p.id0.value, p.sec.value} {
			if len(v) >= 6 { // a shorter value would match unrelated text
				values = append(values, v)
			}
		}
	}
	if len(values) == 0 {
		return nil // nothing to look for: CheckConfigured says so
	}
	if _, err := os.Lstat(filepath.Join(in.c.Root, ".git")); err != nil {
		return []Finding{note("secrets-not-in-git", "not checked whether git would commit a file with the key or secret", "the checkout has no .git")}
	}
	files := in.secretFiles(values)
	if len(files) == 0 {
		return nil
	}
	ignored, ok, err := in.git.Ignored(context.Background(), in.c.Root, files)
	switch {
	case !ok:
		return []Finding{note("secrets-not-in-git", "not checked whether git would commit a file with the key or secret", "git is not installed")}
	case err != nil:
		return []Finding{note("secrets-not-in-git", "not checked whether git would commit a file with the key or secret", err.Error())}
	}
	var visible []string
	for _, f := range files {
		if !ignored[filepath.ToSlash(f)] && !ignored[f] {
			visible = append(visible, f)
		}
	}
	f := Finding{ID: "secrets-not-in-git", Kind: KindCheck, OK: true,
		Title:  "git ignores every file that holds the key or secret",
		Detail: strings.Join(files, ", ")}
	if len(visible) > 0 {
		f.OK = false
		f.Title = "git would commit a file that holds the Bitbucket key or secret"
		f.Detail = strings.Join(visible, ", ")
		f.Hint = gitVisibleHint(visible)
	}
	return []Finding{f}
}

// gitVisibleHint says what to do with each file git would commit: a .env.local (the
// configuration itself) is excluded from git, a committed .env (the service's defaults,
// which it needs) gets its placeholder back, anything else (a copy, an old backup) is
// deleted.
func gitVisibleHint(visible []string) string {
	var local, env, other []string
	for _, v := range visible {
		switch filepath.Base(v) {
		case ".env.local":
			local = append(local, v)
		case ".env":
			env = append(env, v)
		default:
			other = append(other, v)
		}
	}
	var do []string
	if len(local) > 0 {
		do = append(do, "add "+strings.Join(local, " and ")+" to .git/info/exclude (Amplication's own .gitignore covers .env.local)")
	}
	if len(env) > 0 {
		do = append(do, "put the placeholder back in "+strings.Join(env, " and ")+" (the key and secret belong in .env.local)")
	}
	if len(other) > 0 {
		do = append(do, "delete "+strings.Join(other, " and ")+" once the new values work (copies or old backups)")
	}
	return strings.Join(do, "; ") + "; if git already has the secret in a commit, rotate the secret"
}
