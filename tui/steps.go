package tui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// screen is what the root needs from every step.
type screen interface {
	// enter is called each time the step becomes active, with what the screen needs: the
	// step's context (cancelled when it stops being active), the session so far and why
	// it is entered.
	enter(e entry) tea.Cmd
	update(msg tea.Msg) tea.Cmd
	// view renders the screen; it changes no state.
	view() string
	keys() bindings
	// typing reports that a text field has focus: q and ? then go to it.
	typing() bool
	// busy reports that something is in flight (the spinner ticks only then).
	busy() bool
}

// sizer is a screen whose widgets have a size (a viewport, a list, an input): layout sizes
// them to the body and the screen's state. The root calls it after every update of the
// active screen and every resize, so view only reads.
type sizer interface{ layout() }

// quitHolder is a screen with work in flight that a quit must not interrupt (the env
// write): holdsQuit reports it. The root then tells the screen with quitPendingMsg and
// quits once the work's result is in.
type quitHolder interface{ holdsQuit() bool }

// printer is a screen that printed text above the frame, where the terminal wraps it (the
// frame's own lines are cut at the width, so a long URL there could not be copied whole):
// printed returns that text while the screen shows it, and the frame leaves its rows free
// so it stays on screen. Print it with printAbove.
type printer interface{ printed() string }

// targeted is a message for one step's screen whatever step is active (a listing that
// outlives its step, a load cancelled by leaving it): the root delivers it there.
type targeted interface{ target() step }

// step is one screen of the wizard, in order.
type step int

const (
	stepWelcome step = iota
	stepConsumer
	stepPermissions
	stepCredentials
	stepVerify
	stepEnv
	stepAmpServer
	stepAmpSignIn
	stepAuthorize    // bbsetup's own access (Amplication skipped)
	stepAmpAuthorize // Amplication's (signed in): the one of the two on the operator's path
	stepWorkspaces
	stepChoice
	stepCreate
	stepConnect
	stepAmpTarget
	stepAmpConnect
	stepSummary
	numSteps
)

// stepDef is one row of the step table.
type stepDef struct {
	title string // shown in the header
	// new builds the screen once, with the backend roles it uses.
	new func(c *common, b Backend) screen
	// back is where Esc leads from this step, if going back is safe there (nil: nowhere).
	back func(s *session) (step, bool)
	// skipped reports that the step is not on the operator's path (nil: it always is), so
	// the header's counter ("3/11") does not count it.
	skipped func(s *session) bool
	// alternative: the step is an alternative to the one before it (Connect to Create):
	// the operator goes through one of them, and both count as one place.
	alternative bool
}

// steps is the step table: every screen, in order. The transitions between them are in
// transitions.go. Adding a screen: docs/tui.md (a step constant above, a row here, a file
// with the screen, a done message and its row in the transition table).
var steps = [numSteps]stepDef{
	stepWelcome: {title: "Amplication checkout",
		new: func(c *common, b Backend) screen { return newWelcome(c, b) }},
	stepConsumer: {title: "Create the consumer",
		new:     func(c *common, b Backend) screen { return newConsumer(c, b) },
		back:    to(stepWelcome),
		skipped: kept},
	stepPermissions: {title: "Permissions",
		new:     func(c *common, b Backend) screen { return newPermissions(c, b) },
		back:    to(stepConsumer),
		skipped: kept},
	stepCredentials: {title: "Key and secret",
		new:     func(c *common, b Backend) screen { return newCredentials(c) },
		back:    to(stepPermissions),
		skipped: kept},
	stepVerify: {title: "Verify",
		new: func(c *common, b Backend) screen { return newVerify(c, b) },
		back: func(s *session) (step, bool) {
			if s.Kept {
				return stepWelcome, true
			}
			return stepCredentials, true
		}},
	stepEnv: {title: "Env files",
		new:     func(c *common, b Backend) screen { return newEnv(c, b) },
		skipped: kept,
		back: func(s *session) (step, bool) {
			return stepCredentials, s.Written == nil // written: nothing to go back to
		}},
	stepAmpServer: {title: "Amplication server",
		new: func(c *common, b Backend) screen { return newAmpServer(c, b) },
		back: func(s *session) (step, bool) {
			if s.Kept {
				return stepWelcome, true
			}
			return stepEnv, s.Written == nil // nothing written: back to the diff is safe
		}},
	stepAmpSignIn: {title: "Sign in to Amplication",
		new:     func(c *common, b Backend) screen { return newAmpSignIn(c, b) },
		skipped: ampSkipped,
		back:    to(stepAmpServer)},
	stepAuthorize: {title: "Authorize",
		new:     func(c *common, b Backend) screen { return newAuthorize(c, b) },
		skipped: (*session).AmpPath,
		back:    to(stepAmpServer)}, // Amplication skipped: the operator may change their mind
	stepAmpAuthorize: {title: "Authorize",
		new:     func(c *common, b Backend) screen { return newAmpAuthorize(c) },
		skipped: func(s *session) bool { return !s.AmpPath() },
		back:    to(stepAmpSignIn)},
	stepWorkspaces: {title: "Workspace",
		new: func(c *common, b Backend) screen { return newWorkspaces(c) },
		// Back to the authorization on the path: Amplication's offers its connection again;
		// bbsetup's own leads on back to the server screen (Amplication skipped: the
		// operator may change their mind).
		back: func(s *session) (step, bool) { return authorizeStep(s), true }},
	stepChoice: {title: "Create or connect",
		new:  func(c *common, b Backend) screen { return newChoice(c) },
		back: to(stepWorkspaces)},
	stepCreate: {title: "Create repository",
		new:  func(c *common, b Backend) screen { return newCreate(c) },
		back: to(stepChoice)},
	stepConnect: {title: "Connect repository",
		new:         func(c *common, b Backend) screen { return newConnect(c) },
		back:        to(stepChoice),
		alternative: true},
	stepAmpTarget: {title: "Amplication target",
		new:     func(c *common, b Backend) screen { return newAmpTarget(c) },
		skipped: ampSkipped,
		back:    to(stepChoice)},
	stepAmpConnect: {title: "Connect in Amplication",
		new:     func(c *common, b Backend) screen { return newAmpConnect(c) },
		skipped: ampSkipped,
		back:    to(stepAmpTarget)},
	stepSummary: {title: "Summary",
		new: func(c *common, b Backend) screen { return newSummary(c) }},
}

// authorizeStep is the Authorize step on the session's path: Amplication's when signed in
// to it, bbsetup's own when Amplication is skipped.
func authorizeStep(s *session) step {
	if s.AmpPath() {
		return stepAmpAuthorize
	}
	return stepAuthorize
}

// kept is a skipped rule: the step is only for a new key and secret.
func kept(s *session) bool { return s.Kept }

// position is cur's place on the operator's path and the path's length, for the header:
// skipped steps are not counted, and an alternative shares its place with the step before.
func position(cur step, s *session) (n, total int) {
	for i := range numSteps {
		def := steps[i]
		if def.alternative || (def.skipped != nil && def.skipped(s)) {
			if i == cur {
				n = total
			}
			continue
		}
		total++
		if i == cur {
			n = total
		}
	}
	return max(n, 1), total
}

// ampSkipped: the operator skipped Amplication (its later screens are off the path).
func ampSkipped(s *session) bool { return s.AmpSkipped }

// to is a back rule that always leads to s.
func to(s step) func(*session) (step, bool) {
	return func(*session) (step, bool) { return s, true }
}

// String is the step's title, shown in the header.
func (s step) String() string { return steps[s].title }
