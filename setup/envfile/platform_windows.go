//go:build windows

package envfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// ModeBitsControlAccess is false on Windows: Go reports 0666 or 0444 there (the
// read-only attribute) and access is decided by the file's ACL, so bbsetup does not
// "tighten" a mode that means nothing. A new file inherits its directory's ACL.
const ModeBitsControlAccess = false

// lockDir makes a named mutex in the session's namespace (Local\) whose name is a hash of
// the directory's absolute path (case-folded, as NTFS compares names). Existence is the
// lock: a second bbsetup that creates the same name gets ERROR_ALREADY_EXISTS. Closing
// the handle (or the process ending) removes it. No file is made in the checkout.
func lockDir(d string) (release func(), err error) {
	abs, err := filepath.Abs(d)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(strings.ToLower(filepath.Clean(abs))))
	name, err := windows.UTF16PtrFromString(`Local\bbsetup-dir-` + hex.EncodeToString(sum[:16]))
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateMutex(nil, false, name)
	if errors.Is(err, windows.ERROR_ALREADY_EXISTS) || errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		if h != 0 {
			windows.CloseHandle(h)
		}
		return nil, errLockHeld
	}
	if err != nil {
		return nil, err
	}
	return func() { windows.CloseHandle(h) }, nil
}

// owner is -1, -1 on Windows: files have an owner SID, not a uid and gid, and bbsetup
// never changes it.
func owner(os.FileInfo) (int, int) { return -1, -1 }

// linkCount is the file's number of hard links (NTFS has them too), from
// GetFileInformationByHandle; 1 when it cannot be read.
func linkCount(path string, _ os.FileInfo) int {
	f, err := os.Open(path)
	if err != nil {
		return 1
	}
	defer f.Close()
	var d windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &d); err != nil || d.NumberOfLinks == 0 {
		return 1
	}
	return int(d.NumberOfLinks)
}
