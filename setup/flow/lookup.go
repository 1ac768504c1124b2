package flow

// Look-ups that run beside other work: a connect asks Bitbucket for the repository and for
// bbsetup's own identity while it signs in to Amplication, and stores nothing before all
// have answered.

import (
	"context"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

// Lookup is a look-up running beside other work: Wait gives its answer, Stop ends it with
// the command, not after it.
type Lookup[T any] struct {
	done   chan struct{}
	v      *T
	err    error
	cancel context.CancelFunc
}

// OwnLookup is the look-up of bbsetup's own Bitbucket identity, beside the sign-in.
type OwnLookup = Lookup[bitbucket.User]

// RepoLookup is a look-up of a repository running beside other work.
type RepoLookup = Lookup[bitbucket.Repository]

// LookupOwn starts looking up bbsetup's own identity over bb.
func LookupOwn(ctx context.Context, bb *bitbucket.Client) *OwnLookup {
	return lookupWith(ctx, func(ctx context.Context) (*bitbucket.User, error) { return OwnUser(ctx, bb) })
}

// LookupRepo starts looking up ws/slug ("" looks up nothing: Wait answers nil, nil).
func LookupRepo(ctx context.Context, bb *bitbucket.Client, ws, slug string) *RepoLookup {
	if slug == "" {
		return lookupWith[bitbucket.Repository](ctx, nil)
	}
	return lookupWith(ctx, func(ctx context.Context) (*bitbucket.Repository, error) { return bb.Repository(ctx, ws, slug) })
}

// lookupWith starts get beside other work (nil gets nothing: Wait answers nil, nil).
func lookupWith[T any](ctx context.Context, get func(context.Context) (*T, error)) *Lookup[T] {
	l := &Lookup[T]{done: make(chan struct{})}
	if get == nil {
		close(l.done)
		l.cancel = func() {}
		return l
	}
	lctx, cancel := context.WithCancel(ctx)
	l.cancel = cancel
	go func() {
		defer close(l.done)
		l.v, l.err = get(lctx)
	}()
	return l
}

// Wait waits for the look-up's answer: the value, or nil with why it could not be read.
func (l *Lookup[T]) Wait() (*T, error) {
	<-l.done
	return l.v, l.err
}

// Stop ends the look-up with the command, not after it.
func (l *Lookup[T]) Stop() {
	l.cancel()
	<-l.done
}

// PickPusher chooses the Bitbucket git organization a connect stores (want, else the only
// one, else the one whose account is bbsetup's own) once own has answered, and compares
// its account with bbsetup's identity. An error reading the organizations is the
// server's, worded by w.Amp; a refused choice is an
// *amplication.GitOrgChoiceError; own's failure goes to debug and leaves the account
// uncompared.
func PickPusher(ctx context.Context, c *amplication.Client, own *OwnLookup, want string, w PickWords) (Pusher, error) {
	orgs, err := c.GitOrganizationAccounts(ctx)
	if err != nil {
		return Pusher{}, w.Amp(err)
	}
	user, err := own.Wait()
	if err != nil {
		if ctx.Err() != nil {
			return Pusher{}, ctx.Err()
		}
		w.Debug(err)
	}
	return ChoosePusher(orgs, user, want, "")
}

// PickWords are the surface's parts of PickPusher: its advice for a server error, and its
// debug log.
type PickWords struct {
	Amp   func(error) error
	Debug func(error)
}
