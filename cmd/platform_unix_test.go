//go:build unix

package cmd

import "syscall"

// mkfifo makes a named pipe at p.
func mkfifo(p string) error { return syscall.Mkfifo(p, 0o600) }

// killPID sends sig to the process pid.
func killPID(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }
