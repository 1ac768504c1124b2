package envfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// StaleTemps lists the temporary files an interrupted write of target left beside it:
// hidden files named after target (or its old-style .bak) with bbsetup's temp suffix, such
// as "..env.local.bbsetup-123". They may hold a secret. While no bbsetup is writing there,
// every one of them is a left-over.
func StaleTemps(target string) []string {
	dir, base := filepath.Dir(target), filepath.Base(target)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && isTempOf(e.Name(), base) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// isTempOf reports whether name is "."+base+".bbsetup-" or "."+base+".bak.bbsetup-"
// followed by digits (os.CreateTemp's suffix). Names are compared as bytes: they need not
// be UTF-8.
func isTempOf(name, base string) bool {
	rest, ok := strings.CutPrefix(name, "."+base)
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, ".bak")
	digits, ok := strings.CutPrefix(rest, ".bbsetup-")
	if !ok || digits == "" {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// removeStaleTemps removes StaleTemps(target) and returns those it removed. Apply calls it
// with the directory locked, so no live write's temp file is among them.
func removeStaleTemps(target string) []string {
	var out []string
	for _, p := range StaleTemps(target) {
		if os.Remove(p) == nil {
			out = append(out, p)
		}
	}
	return out
}

// lockDirs takes an exclusive lock on each directory (lockDir: flock on the directory
// on Unix, a named kernel object on Windows), so that two bbsetup runs never write in the
// same directory at once and one never takes the other's temp files for left-overs. It
// does not wait: a directory another bbsetup holds is an error. A directory that cannot be
// locked (a file system without flock) is used unlocked.
func lockDirs(dirs []string) (unlock func(), err error) {
	sort.Strings(dirs)
	var held []func()
	unlock = func() {
		for _, release := range held {
			release()
		}
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			continue
		}
		seen[d] = true
		release, err := lockDir(d)
		if errors.Is(err, errLockHeld) {
			unlock()
			return func() {}, fmt.Errorf("another bbsetup is writing in %s; wait for it to finish and run again", d)
		}
		if err != nil {
			continue // stage reports a missing or unusable directory; no lock, no refusal
		}
		held = append(held, release)
	}
	return unlock, nil
}

// errLockHeld is lockDir's answer when another process holds the directory's lock.
var errLockHeld = errors.New("the directory is locked by another process")
