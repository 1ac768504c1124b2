package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
)

// sizer is a screen whose widgets have a size (a viewport, a list, an input): layout sizes
// them to the body and the screen's state. The root calls it after every update of the
// active screen and every resize, so view only reads.
type sizer interface{ layout() }

// step is one screen of the wizard, in order.
type step int

const (
	stepWelcome step = iota
	stepConsumer
	stepPermissions
	stepCredentials
	stepVerify
	stepEnv
	stepAuthorize
	stepWorkspaces
	stepChoice
	stepCreate
	stepConnect
	stepSummary
	numSteps
)

var stepTitles = [numSteps]string{
	"Amplication checkout",
	"Create the consumer",
	"Permissions",
	"Key and secret",
	"Verify",
	"Env files",
	"Authorize",
	"Workspace",
	"Create or connect",
	"Create repository",
	"Connect repository",
	"Summary",
}

// String is the step's title, shown in the header.
func (s step) String() string { return stepTitles[s] }

// screen is what the root needs from every step.
type screen interface {
	// enter is called each time the step becomes active, with a context cancelled when it
	// stops being active.
	enter(ctx context.Context) tea.Cmd
	update(msg tea.Msg) tea.Cmd
	view() string
	keys() bindings
	// typing reports that a text field has focus: q and ? then go to it.
	typing() bool
	// busy reports that something is in flight (the spinner ticks only then).
	busy() bool
}

// back returns the step Esc leads to from the current one, if going back is safe there.
func (w *wizard) back() (step, bool) {
	switch w.cur {
	case stepConsumer:
		return stepWelcome, true
	case stepPermissions:
		return stepConsumer, true
	case stepCredentials:
		return stepPermissions, true
	case stepVerify:
		return stepCredentials, true
	case stepEnv:
		if w.written != nil {
			return 0, false
		}
		return stepCredentials, true
	case stepAuthorize:
		if w.kept {
			return stepWelcome, true
		}
		if w.written == nil {
			return stepEnv, true
		}
	case stepChoice:
		return stepWorkspaces, true
	case stepCreate, stepConnect:
		return stepChoice, true
	}
	return 0, false
}
