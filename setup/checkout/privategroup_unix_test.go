//go:build unix

package checkout

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestPrivateGroupCheckout: a checkout cloned under umask 002 (Ubuntu: directories 775,
// group = the owner's private group) is accepted when that group has the owner as its
// only member (Debian OpenSSH's user-group-modes rule); a shared group, a group another
// account has as primary group, a group that is neither the owner's primary group nor
// named after the owner, an account or group the database does not know, and
// world-writable directories are refused as before.
func TestPrivateGroupCheckout(t *testing.T) {
	matrix.Record(t, "Hostile input", "checkout group-writable (umask 002): private group vs shared group", "private group (owner the only member) accepted; shared group refused naming "+SafeDirectoryEnv)
	uid, gid := os.Geteuid(), os.Getegid()
	other := uid + 1000
	for _, c := range []struct {
		name   string
		db     fakeAccounts
		mode   os.FileMode
		refuse bool
	}{
		{"private group, the owner's primary group", fakeAccounts{
			users:  map[int]fakeUser{uid: {"alice", gid}, other: {"bob", gid + 1}},
			groups: map[int]fakeGroup{gid: {"alice", nil}, gid + 1: {"bob", nil}}}, 0o775, false},
		{"private group listing the owner as its member", fakeAccounts{
			users:  map[int]fakeUser{uid: {"alice", gid}},
			groups: map[int]fakeGroup{gid: {"alice", []string{"alice"}}}}, 0o775, false},
		{"group named after the owner, the owner a listed member", fakeAccounts{
			users:  map[int]fakeUser{uid: {"alice", gid + 7}},
			groups: map[int]fakeGroup{gid: {"alice", []string{"alice"}}}}, 0o775, false},
		{"shared group with another listed member", fakeAccounts{
			users:  map[int]fakeUser{uid: {"alice", gid}, other: {"bob", gid + 1}},
			groups: map[int]fakeGroup{gid: {"alice", []string{"alice", "bob"}}}}, 0o775, true},
		{"another account's primary group too", fakeAccounts{
			users:  map[int]fakeUser{uid: {"alice", gid}, other: {"bob", gid}},
			groups: map[int]fakeGroup{gid: {"alice", nil}}}, 0o775, true},
		{"a team group the owner alone is in, not named after the owner", fakeAccounts{
			users:  map[int]fakeUser{uid: {"alice", gid + 7}},
			groups: map[int]fakeGroup{gid: {"developers", []string{"alice"}}}}, 0o775, true},
		{"named after the owner but with no member at all", fakeAccounts{
			users:  map[int]fakeUser{uid: {"alice", gid + 7}},
			groups: map[int]fakeGroup{gid: {"alice", nil}}}, 0o775, true},
		{"owner unknown to the database", fakeAccounts{
			groups: map[int]fakeGroup{gid: {"alice", nil}}}, 0o775, true},
		{"group unknown to the database", fakeAccounts{
			users: map[int]fakeUser{uid: {"alice", gid}}}, 0o775, true},
		{"private group, but others can write too", fakeAccounts{
			users:  map[int]fakeUser{uid: {"alice", gid}},
			groups: map[int]fakeGroup{gid: {"alice", nil}}}, 0o777, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := bareCheckout(t)
			// As git clones under umask 002: every directory 775, the env file 664.
			for _, d := range []string{root, filepath.Join(root, "packages"), filepath.Join(root, serverDir)} {
				if err := os.Chmod(d, c.mode); err != nil {
					t.Fatal(err)
				}
			}
			env := filepath.Join(root, serverDir, ".env.local")
			if err := os.WriteFile(env, []byte("A=1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(env, 0o664); err != nil {
				t.Fatal(err)
			}
			co, err := Open(root)
			if err != nil {
				t.Fatal(err)
			}
			co.accounts = c.db
			_, err = co.Plan(hostileCreds)
			var ue *UnsafeError
			switch {
			case c.refuse && !errors.As(err, &ue):
				t.Errorf("Plan = %v, want an *UnsafeError", err)
			case !c.refuse && err != nil:
				t.Errorf("Plan = %v, want the private group accepted", err)
			}
		})
	}
}

// TestEtcAccounts: the database read from passwd and group files.
func TestEtcAccounts(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "passwd")
	gr := filepath.Join(dir, "group")
	os.WriteFile(pw, []byte("root:x:0:0:root:/root:/bin/bash\n# comment\n+nisuser\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\nbob:x:1001:100::/home/bob:/bin/sh\ncarol:x:1002:100::/home/carol:/bin/sh\n"), 0o644)
	os.WriteFile(gr, []byte("root:x:0:\nusers:x:100:dave\nalice:x:1000:\nbob:x:1001:bob\ndev:x:2000:alice,bob\n"), 0o644)
	db := EtcAccounts{Passwd: pw, GroupFile: gr}
	if n, g, ok := db.User(1000); !ok || n != "alice" || g != 1000 {
		t.Errorf("User(1000) = %q %d %v", n, g, ok)
	}
	if _, _, ok := db.User(4242); ok {
		t.Error("User(4242) found")
	}
	if n, m, ok := db.Group(2000); !ok || n != "dev" || len(m) != 2 || m[0] != "alice" || m[1] != "bob" {
		t.Errorf("Group(2000) = %q %q %v", n, m, ok)
	}
	if u := db.PrimaryUsers(100); len(u) != 2 {
		t.Errorf("PrimaryUsers(100) = %v, want bob and carol", u)
	}
	for _, c := range []struct {
		uid, gid int
		want     bool
	}{
		{1000, 1000, true},  // alice's private group
		{1001, 1001, true},  // bob's group named after him, bob its only listed member
		{1001, 100, false},  // users: carol's primary group too, and dave's
		{1000, 2000, false}, // dev: shared
		{1002, 100, false},
	} {
		if got := ownerPrivateGroup(db, c.uid, c.gid); got != c.want {
			t.Errorf("ownerPrivateGroup(%d, %d) = %v, want %v", c.uid, c.gid, got, c.want)
		}
	}
}
