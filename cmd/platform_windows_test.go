//go:build windows

package cmd

import (
	"errors"
	"os"
	"syscall"
)

// mkfifo: Windows has no named pipes in the file system; the tests that need one skip.
func mkfifo(string) error { return errors.New("SKIPPED: no FIFOs on Windows") }

// killPID ends the process pid: Windows cannot send it a Unix signal.
func killPID(pid int, _ syscall.Signal) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
