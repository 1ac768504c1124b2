// Command bbsetup connects a local Amplication platform to Bitbucket Cloud.
package main

import (
	"os"

	"github.com/bbsetup/bbsetup/cmd"
	"github.com/bbsetup/bbsetup/internal/earlysignal"
)

func main() {
	// The stop signals, caught since initialisation (internal/earlysignal).
	os.Exit(cmd.Main(os.Args[1:], cmd.EarlySignals{C: earlysignal.Caught(), Stop: earlysignal.Stop}))
}
