// Package terminit keeps bbsetup's start-up from waiting on the terminal.
//
// Bubble Tea v1's package init asks the terminal for its background colour
// (lipgloss.HasDarkBackground) and waits up to five seconds for an answer that a pty with no
// terminal emulator behind it (script, expect, some relays) never gives, so every command,
// even `bbsetup version`, would stall, and keys typed meanwhile would be lost. Go
// initialises a program's packages in import-path order once their imports are ready; this
// package imports only lipgloss and its path sorts before github.com/charmbracelet/bubbletea,
// so its init runs first and marks the background as known. The wizard then asks the
// terminal itself, once, before it takes the terminal over (see tui.Run).
package terminit

import "github.com/charmbracelet/lipgloss"

func init() {
	// Dark is lipgloss's own default when a terminal does not answer.
	lipgloss.SetHasDarkBackground(true)
}
