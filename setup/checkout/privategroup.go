package checkout

// AccountDB is the user and group database the private-group rule reads: /etc/passwd and
// /etc/group (EtcAccounts), or a stand-in in tests.
type AccountDB interface {
	// User is the account with uid: its name and primary group; ok false when unknown.
	User(uid int) (name string, gid int, ok bool)
	// Group is the group with gid: its name and listed (supplementary) members.
	Group(gid int) (name string, members []string, ok bool)
	// PrimaryUsers are the uids of every account whose primary group is gid.
	PrimaryUsers(gid int) []int
}

// ownerPrivateGroup reports whether the group gid of a file owned by uid is the owner's
// private group, so that group-write gives no one else write access: Ubuntu's umask 002
// makes a clone's directories 775 with that group. It is Debian OpenSSH's rule for
// group-writable files (user-group-modes): the group must have exactly one member, the
// owner — no other account has it as primary group, and its member list is empty or names
// the owner alone — and, stricter, it must be the owner's primary group or carry the
// owner's name. Anything unknown (an account or group not in the database) is not private.
func ownerPrivateGroup(db AccountDB, uid, gid int) bool {
	if db == nil {
		if db = defaultAccounts(); db == nil {
			return false
		}
	}
	user, primary, ok := db.User(uid)
	if !ok {
		return false
	}
	group, members, ok := db.Group(gid)
	if !ok || (gid != primary && group != user) {
		return false
	}
	count := 0
	for _, u := range db.PrimaryUsers(gid) {
		if u != uid {
			return false
		}
		count++
	}
	for _, m := range members {
		if m != user {
			return false
		}
		count++
	}
	return count > 0 // a group with no member at all is no one's private group
}
