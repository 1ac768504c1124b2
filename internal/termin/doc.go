// Package termin reads the operator's input at a terminal or from a pipe, for the
// command line (cmd) and the line mode (tui/line): a line read with the echo off
// (ReadHidden: the echo goes off before the prompt appears), the echo turned off and on
// (EchoControl), and a blocking read that a signal (the context) ends (UntilDone).
// What "echo off" means on each system is here once: termios on Linux and the BSDs
// (macOS too), the console mode on Windows, x/term's ReadPassword elsewhere.
package termin
