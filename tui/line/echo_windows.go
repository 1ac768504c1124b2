package line

import "golang.org/x/sys/windows"

// echoControl returns the function that turns the console's echo off and on again, or
// nil when fd is not a console.
func echoControl(fd uintptr) func(on bool) error {
	h := windows.Handle(fd)
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return nil
	}
	return func(on bool) error {
		var m uint32
		if err := windows.GetConsoleMode(h, &m); err != nil {
			return err
		}
		if on {
			m |= windows.ENABLE_ECHO_INPUT
		} else {
			m &^= windows.ENABLE_ECHO_INPUT
			m |= windows.ENABLE_LINE_INPUT | windows.ENABLE_PROCESSED_INPUT
		}
		return windows.SetConsoleMode(h, m)
	}
}
