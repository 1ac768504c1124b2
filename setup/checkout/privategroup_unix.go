//go:build unix

package checkout

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
)

// defaultAccounts is the system's account database.
func defaultAccounts() AccountDB { return EtcAccounts{} }

// EtcAccounts reads the account database from /etc/passwd and /etc/group (accounts known
// only to NSS, such as LDAP, are unknown here: their groups are not taken as private).
// The paths can be set for tests; "" is the system file.
type EtcAccounts struct{ Passwd, GroupFile string }

func (e EtcAccounts) passwd() string { return cmpOr(e.Passwd, "/etc/passwd") }
func (e EtcAccounts) group() string  { return cmpOr(e.GroupFile, "/etc/group") }

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// records calls f with the colon-separated fields of each entry of the file p.
func records(p string, f func(fields []string)) {
	file, err := os.Open(p)
	if err != nil {
		return
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue // NIS compat entries are not resolved here
		}
		f(strings.Split(line, ":"))
	}
}

// User implements AccountDB.
func (e EtcAccounts) User(uid int) (name string, gid int, ok bool) {
	records(e.passwd(), func(f []string) {
		if ok || len(f) < 4 {
			return
		}
		u, err1 := strconv.Atoi(f[2])
		g, err2 := strconv.Atoi(f[3])
		if err1 == nil && err2 == nil && u == uid {
			name, gid, ok = f[0], g, true
		}
	})
	return name, gid, ok
}

// Group implements AccountDB.
func (e EtcAccounts) Group(gid int) (name string, members []string, ok bool) {
	records(e.group(), func(f []string) {
		if ok || len(f) < 4 {
			return
		}
		if g, err := strconv.Atoi(f[2]); err == nil && g == gid {
			name, ok = f[0], true
			for _, m := range strings.Split(f[3], ",") {
				if m = strings.TrimSpace(m); m != "" && !slices.Contains(members, m) {
					members = append(members, m)
				}
			}
		}
	})
	return name, members, ok
}

// PrimaryUsers implements AccountDB.
func (e EtcAccounts) PrimaryUsers(gid int) []int {
	var uids []int
	records(e.passwd(), func(f []string) {
		if len(f) < 4 {
			return
		}
		u, err1 := strconv.Atoi(f[2])
		g, err2 := strconv.Atoi(f[3])
		if err1 == nil && err2 == nil && g == gid {
			uids = append(uids, u)
		}
	})
	return uids
}
