package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
)

// request is one kind of request a screen makes, with at most one in flight: starting one
// cancels the one before and makes its answer stale, so it is dropped; the request's
// context derives from the one it is started under (the step's), so leaving the step
// cancels it; drop forgets it. Answers carry the id they were started with (their seq
// field) and the screen takes them only when current(seq).
//
// A screen holds one request per kind of answer it waits for (a listing and a search
// are two), made with newRequest so ids are unique across the wizard.
type request struct {
	c      *common
	id     uint64
	cancel context.CancelFunc
}

func newRequest(c *common) request { return request{c: c} }

// start begins a request under parent: the one in flight is cancelled and its answer will
// be stale. It returns the request's context and the id its answer must carry.
func (r *request) start(parent context.Context) (context.Context, uint64) {
	id := r.next()
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	return ctx, id
}

// next begins a request that needs no context (a timer): the one in flight is cancelled
// and its answer will be stale. It returns the id the answer must carry.
func (r *request) next() uint64 {
	r.stop()
	r.id = r.c.nextSeq()
	return r.id
}

// run starts a request under parent (see start) and returns the command that does it: f
// gets the request's context and id and returns the answer. f runs in the command's
// goroutine, so it may use only values captured before, never the screen's fields.
func (r *request) run(parent context.Context, f func(ctx context.Context, id uint64) tea.Msg) tea.Cmd {
	ctx, id := r.start(parent)
	return func() tea.Msg { return f(ctx, id) }
}

// current reports whether an answer carrying id answers the request in flight (or the
// last one, when it is done): anything else is stale.
func (r *request) current(id uint64) bool { return id != 0 && id == r.id }

// answered is current(id) for a screen that shows a wait while the request is in flight:
// when the answer is current, *waiting is cleared (the wait is over); a stale answer leaves
// it as it is.
func (r *request) answered(id uint64, waiting *bool) bool {
	if !r.current(id) {
		return false
	}
	*waiting = false
	return true
}

// stop cancels the request in flight; its answer (the cancellation, usually) still counts.
func (r *request) stop() {
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
}

// drop cancels the request in flight and makes its answer stale.
func (r *request) drop() {
	r.stop()
	r.id = 0
}
