package checkout

import "os"

// fakeAccounts is an account database in memory.
type fakeAccounts struct {
	users  map[int]fakeUser
	groups map[int]fakeGroup
}

type fakeUser struct {
	name string
	gid  int
}

type fakeGroup struct {
	name    string
	members []string
}

func (f fakeAccounts) User(uid int) (string, int, bool) {
	u, ok := f.users[uid]
	return u.name, u.gid, ok
}

func (f fakeAccounts) Group(gid int) (string, []string, bool) {
	g, ok := f.groups[gid]
	return g.name, g.members, ok
}

func (f fakeAccounts) PrimaryUsers(gid int) []int {
	var uids []int
	for uid, u := range f.users {
		if u.gid == gid {
			uids = append(uids, uid)
		}
	}
	return uids
}

// sharedGroupAccounts is a database in which the running user's group is shared with
// another account: group-write on it lets someone else write.
func sharedGroupAccounts() AccountDB {
	uid, gid := os.Geteuid(), os.Getegid()
	return fakeAccounts{
		users:  map[int]fakeUser{uid: {"alice", gid}, uid + 1000: {"bob", gid + 1}},
		groups: map[int]fakeGroup{gid: {"staff", []string{"alice", "bob"}}},
	}
}
