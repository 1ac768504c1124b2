//go:build windows

package checkout

import "errors"

// mkfifo: Windows has no named pipes in the file system; the tests that need one skip.
func mkfifo(string) error { return errors.New("no FIFOs on Windows") }
