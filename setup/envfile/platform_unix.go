//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package envfile

import (
	"errors"
	"os"
	"syscall"
)

// ModeBitsControlAccess is true where a file's permission bits decide who can read and
// write it (Unix): bbsetup then tightens a file that gets a secret to 0600.
const ModeBitsControlAccess = true

// lockDir takes an exclusive, non-blocking flock on the directory d itself; the lock ends
// with the process at the latest.
func lockDir(d string) (release func(), err error) {
	f, err := os.Open(d)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLockHeld
		}
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// owner is the owner and group of fi, or -1, -1 when the system does not say.
func owner(fi os.FileInfo) (int, int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return -1, -1
}

// linkCount is the number of hard links of the file at path (fi is its Stat); 1 when the
// system does not say.
func linkCount(_ string, fi os.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Nlink)
	}
	return 1
}
