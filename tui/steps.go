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
	stepAuthorize
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
}

// steps is the step table: every screen, in order. The transitions between them are in
// wizard.go.
//
// Adding a screen: a step constant above (in flow order), a row here (title, constructor,
// back rule), a file with the screen (it implements screen, and sizer or quitHolder if it
// needs to; it takes what it needs from its entry and reports with its own "done" message),
// and, for I/O, one role interface in backend.go that the constructor takes (added to
// Backend), or a value returned by an earlier role (as Authorized.API). Then one case in
// wizard.go's update records the done message in the session and goes to the next step.
var steps = [numSteps]stepDef{
	stepWelcome: {title: "Amplication checkout",
		new: func(c *common, b Backend) screen { return newWelcome(c, b) }},
	stepConsumer: {title: "Create the consumer",
		new:  func(c *common, b Backend) screen { return newConsumer(c, b) },
		back: to(stepWelcome)},
	stepPermissions: {title: "Permissions",
		new:  func(c *common, b Backend) screen { return newPermissions(c, b) },
		back: to(stepConsumer)},
	stepCredentials: {title: "Key and secret",
		new:  func(c *common, b Backend) screen { return newCredentials(c) },
		back: to(stepPermissions)},
	stepVerify: {title: "Verify",
		new:  func(c *common, b Backend) screen { return newVerify(c, b) },
		back: to(stepCredentials)},
	stepEnv: {title: "Env files",
		new: func(c *common, b Backend) screen { return newEnv(c, b) },
		back: func(s *session) (step, bool) {
			return stepCredentials, s.written == nil // written: nothing to go back to
		}},
	stepAmpServer: {title: "Amplication server",
		new: func(c *common, b Backend) screen { return newAmpServer(c, b) },
		back: func(s *session) (step, bool) {
			if s.kept {
				return stepWelcome, true
			}
			return stepEnv, s.written == nil // nothing written: back to the diff is safe
		}},
	stepAmpSignIn: {title: "Sign in to Amplication",
		new:  func(c *common, b Backend) screen { return newAmpSignIn(c, b) },
		back: to(stepAmpServer)},
	stepAuthorize: {title: "Authorize",
		new: func(c *common, b Backend) screen { return newAuthorize(c, b) },
		back: func(s *session) (step, bool) {
			if s.ampPath() {
				return stepAmpSignIn, true
			}
			return stepAmpServer, true // skipped: the operator may change their mind
		}},
	stepWorkspaces: {title: "Workspace",
		new: func(c *common, b Backend) screen { return newWorkspaces(c) }},
	stepChoice: {title: "Create or connect",
		new:  func(c *common, b Backend) screen { return newChoice(c) },
		back: to(stepWorkspaces)},
	stepCreate: {title: "Create repository",
		new:  func(c *common, b Backend) screen { return newCreate(c) },
		back: to(stepChoice)},
	stepConnect: {title: "Connect repository",
		new:  func(c *common, b Backend) screen { return newConnect(c) },
		back: to(stepChoice)},
	stepAmpTarget: {title: "Amplication target",
		new:  func(c *common, b Backend) screen { return newAmpTarget(c) },
		back: to(stepChoice)},
	stepAmpConnect: {title: "Connect in Amplication",
		new:  func(c *common, b Backend) screen { return newAmpConnect(c) },
		back: to(stepAmpTarget)},
	stepSummary: {title: "Summary",
		new: func(c *common, b Backend) screen { return newSummary(c) }},
}

// to is a back rule that always leads to s.
func to(s step) func(*session) (step, bool) {
	return func(*session) (step, bool) { return s, true }
}

// String is the step's title, shown in the header.
func (s step) String() string { return steps[s].title }
