// Command bbsetup connects a local Amplication platform to Bitbucket Cloud.
package main

import (
	"os"

	"github.com/bbsetup/bbsetup/cmd"
)

func main() {
	os.Exit(cmd.Main(os.Args[1:]))
}
