package flow

// Look-ups that run beside other work: a connect asks Bitbucket for the repository and for
// bbsetup's own identity while it signs in to Amplication, and stores nothing before all
// have answered.

import (
	"context"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

// OwnLookup is the look-up of bbsetup's own Bitbucket identity, beside the sign-in.
type OwnLookup struct {
	done   chan struct{}
	user   *bitbucket.User
	err    error
	cancel context.CancelFunc
}

// LookupOwn starts looking up bbsetup's own identity over bb.
func LookupOwn(ctx context.Context, bb *bitbucket.Client) *OwnLookup {
	return lookupOwnWith(ctx, func(ctx context.Context) (*bitbucket.User, error) { return OwnUser(ctx, bb) })
}

func lookupOwnWith(ctx context.Context, get func(context.Context) (*bitbucket.User, error)) *OwnLookup {
	lctx, cancel := context.WithCancel(ctx)
	l := &OwnLookup{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(l.done)
		l.user, l.err = get(lctx)
	}()
	return l
}

// Wait waits for the answer: the identity, or nil with why it could not be read.
func (l *OwnLookup) Wait() (*bitbucket.User, error) {
	<-l.done
	return l.user, l.err
}

// Stop ends the look-up with the command, not after it.
func (l *OwnLookup) Stop() {
	l.cancel()
	<-l.done
}

// RepoLookup is a look-up of a repository running beside other work.
type RepoLookup struct {
	done   chan struct{}
	repo   *bitbucket.Repository
	err    error
	cancel context.CancelFunc
}

// LookupRepo starts looking up ws/slug ("" looks up nothing: Wait answers nil, nil).
func LookupRepo(ctx context.Context, bb *bitbucket.Client, ws, slug string) *RepoLookup {
	if slug == "" {
		return lookupRepoWith(ctx, nil)
	}
	return lookupRepoWith(ctx, func(ctx context.Context) (*bitbucket.Repository, error) { return bb.Repository(ctx, ws, slug) })
}

func lookupRepoWith(ctx context.Context, get func(context.Context) (*bitbucket.Repository, error)) *RepoLookup {
	l := &RepoLookup{done: make(chan struct{})}
	if get == nil {
		close(l.done)
		l.cancel = func() {}
		return l
	}
	lctx, cancel := context.WithCancel(ctx)
	l.cancel = cancel
	go func() {
		defer close(l.done)
		l.repo, l.err = get(lctx)
	}()
	return l
}

// Wait waits for the look-up's answer.
func (l *RepoLookup) Wait() (*bitbucket.Repository, error) {
	<-l.done
	return l.repo, l.err
}

// Stop ends the look-up with the command, not after it.
func (l *RepoLookup) Stop() {
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
