//go:build windows

package checkout

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// foreignOwner reports whether the file or directory at p is owned by a SID other than
// the user bbsetup runs as, naming the owner (DOMAIN\name, else the SID). As Git for
// Windows does for safe.directory, an owner that is the Administrators group counts as
// the user's when the user is a member of it (files an elevated administrator created).
// known is false when the owner cannot be read (a file system without ACLs, such as
// FAT32 or some network shares): such a path is not refused.
func foreignOwner(p string, _ os.FileInfo) (who string, foreign, known bool) {
	sd, err := windows.GetNamedSecurityInfo(p, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return "", false, false
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return "", false, false
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", false, false
	}
	if windows.EqualSid(owner, user.User.Sid) {
		return "", false, true
	}
	if owner.IsWellKnown(windows.WinBuiltinAdministratorsSid) {
		// Token 0: CheckTokenMembership uses the calling thread's (or process's) token.
		if member, err := windows.Token(0).IsMember(owner); err == nil && member {
			return "", false, true
		}
	}
	who = owner.String()
	if account, domain, _, err := owner.LookupAccount(""); err == nil {
		who = domain + `\` + account
	}
	return who, true, true
}

// privateGroupOwned: Windows has no Unix group on a file (and its mode bits mean
// nothing, see envfile.ModeBitsControlAccess), so no private group.
func privateGroupOwned(AccountDB, os.FileInfo) bool { return false }

// ownerFix is the advice for a checkout another user owns, in Windows' words.
func ownerFix(root string) string {
	return "check who prepared this checkout; if it is yours, take ownership: takeown /F " + root + " /R"
}

// platformStateHome is %LOCALAPPDATA% (C:\Users\me\AppData\Local) when neither
// XDG_STATE_HOME nor HOME is set, as in cmd.exe and PowerShell: the backups go to
// %LOCALAPPDATA%\bbsetup\backups, which only the user (and administrators) can read.
func platformStateHome(getenv func(string) string) string {
	if d := getenv("LOCALAPPDATA"); filepath.IsAbs(d) {
		return d
	}
	return ""
}
