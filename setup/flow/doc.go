// Package flow holds bbsetup's use cases, once, for every surface: the command line
// (cmd/), the wizard (tui/, through Backend) and the line mode. One authorization session
// serves bbsetup's own Bitbucket authorization and Amplication's (URL, callback port,
// wait, paste, complete); one connect resolves the Amplication target, says what it will
// change, creates the repository when asked, stores the connection and reads it back; one
// server check resolves the Amplication server's URL, probes it and checks the key it
// loaded; one advice table turns typed outcomes into what happened and, for each surface,
// what to do.
//
// The surfaces differ only in words and keys: flow says what happened in the product's
// words, and the wizard's remedies (its keys); the command line adds its flags and
// commands in cmd/ (setup/ never names them).
package flow
