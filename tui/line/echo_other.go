//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package line

// echoControl: no way to turn the echo off is known here; hidden prompts then refuse to
// read a secret from a terminal (see term.hidden).
func echoControl(uintptr) func(on bool) error { return nil }
