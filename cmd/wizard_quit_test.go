package cmd

import (
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/tui"
)

// A wizard stopped by a signal says what was done outside this machine too (issue 16
// item 1).
func TestQuitMessageListsWhatWasDoneOutside(t *testing.T) {
	msg := quitMessage(tui.Summary{DoneOutside: []string{"Created the repository acme/shop on Bitbucket (https://bitbucket.org/acme/shop)."}})
	if !strings.Contains(msg, "nothing was written") || !strings.Contains(msg, "Created the repository acme/shop") {
		t.Fatalf("quit message:\n%s", msg)
	}
}
