package checkout

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
)

// ErrNoBackupDir means bbsetup has nowhere outside the work tree to keep the backup of a
// file it would replace: neither XDG_STATE_HOME nor HOME is set.
var ErrNoBackupDir = errors.New("no directory for backups: neither XDG_STATE_HOME nor HOME is set")

// StateHome is the user's state directory: $XDG_STATE_HOME when it is an absolute path,
// else $HOME/.local/state (the XDG Base Directory default), else (Windows) %LOCALAPPDATA%;
// "" when none is set.
func StateHome(getenv func(string) string) string {
	if getenv == nil {
		return ""
	}
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return d
	}
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".local", "state")
	}
	return platformStateHome(getenv) // Windows: %LOCALAPPDATA%
}

// BackupDirFor is where bbsetup keeps the backups of the checkout at root, outside its work
// tree so that git never sees a copy of a secret: stateHome/bbsetup/backups/<the checkout's
// directory name>-<the first 12 hex digits of the SHA-256 of its absolute path>. Each write
// adds a directory named after its time (UTC) there. "" when stateHome is "".
func BackupDirFor(stateHome, root string) string {
	if stateHome == "" {
		return ""
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	sum := sha256.Sum256([]byte(abs))
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == 0 || r < ' ' {
			return '_'
		}
		return r
	}, filepath.Base(abs))
	return filepath.Join(stateHome, "bbsetup", "backups", name+"-"+hex.EncodeToString(sum[:6]))
}
