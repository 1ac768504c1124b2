//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package checkout

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// foreignOwner reports whether the file fi (at p) belongs to a user other than the one
// bbsetup acts for (ownUID), naming the owner; known is false when the system does not
// say who owns it.
func foreignOwner(_ string, fi os.FileInfo) (who string, foreign, known bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false, false
	}
	if ownUID(int(st.Uid)) {
		return "", false, true
	}
	return fmt.Sprintf("uid %d", st.Uid), true, true
}

// privateGroupOwned reports whether fi's group is its owner's private group
// (ownerPrivateGroup in privategroup.go), so that group-write lets no one else write.
func privateGroupOwned(db AccountDB, fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	return ownerPrivateGroup(db, int(st.Uid), int(st.Gid))
}

// ownerFix is the advice for a checkout another user owns.
func ownerFix(root string) string {
	return "check who prepared this checkout; sudo chown -R $(id -un) " + root + " if it is yours"
}

// ownUID reports whether uid is the user bbsetup acts for: its effective user, or, when
// it runs as root through sudo, the user who ran sudo.
func ownUID(uid int) bool {
	euid := os.Geteuid()
	if uid == euid {
		return true
	}
	if euid == 0 {
		if s, err := strconv.Atoi(os.Getenv("SUDO_UID")); err == nil && s == uid {
			return true
		}
	}
	return false
}

// platformStateHome is the state directory when neither XDG_STATE_HOME nor HOME says:
// none on Unix.
func platformStateHome(func(string) string) string { return "" }
