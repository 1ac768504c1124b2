//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package envfile

import "os"

// ModeBitsControlAccess: on the remaining systems bbsetup treats the permission bits as
// Unix does.
const ModeBitsControlAccess = true

// lockDir does not lock here: no portable lock is known for these systems.
func lockDir(string) (func(), error) { return nil, errNoLock }

var errNoLock = os.ErrInvalid

func owner(os.FileInfo) (int, int) { return -1, -1 }

func linkCount(string, os.FileInfo) int { return 1 }
