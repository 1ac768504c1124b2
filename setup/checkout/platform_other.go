//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package checkout

import "os"

// foreignOwner does not know owners on the remaining systems: nothing is refused for it.
func foreignOwner(string, os.FileInfo) (string, bool, bool) { return "", false, false }

// privateGroupOwned: no owner or group known here, so no private group.
func privateGroupOwned(AccountDB, os.FileInfo) bool { return false }

func ownerFix(root string) string { return "check who prepared the checkout " + root }

func platformStateHome(func(string) string) string { return "" }
