package flow

// What a connect's result says, for every surface: whom Amplication pushes as, whether
// the main branch was made, the write check, the notes beside the result.

import (
	"fmt"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Full is "workspace/slug" of the repository connected.
func (c *Connected) Full() string { return c.Group + "/" + c.Slug }

// OwnAccount is whether Amplication pushes as bbsetup's own account; nil when the
// accounts could not be compared.
func (c *Connected) OwnAccount() *bool {
	if !c.Pusher.Compared {
		return nil
	}
	own := c.Pusher.Mismatch == nil
	return &own
}

// MainBranchCreated is whether Run committed README.md on the main branch of the
// repository it created.
func (c *Connected) MainBranchCreated() bool {
	return c.MainBranch != nil && c.MainBranch.Committed
}

// WriteChecked is whether the pusher's write permission was checked; nil when no check
// was needed (Amplication pushes as bbsetup's own account).
func (c *Connected) WriteChecked() *bool {
	if c.Write == nil {
		return nil
	}
	checked := c.Write.Why == nil
	return &checked
}

// PushNote is one line a connect says beside its result: a step it took or a warning.
type PushNote struct {
	Warning bool
	Text    string // safe text, without "Warning: " and the full stop
}

// PushNotes are what the push checks found: the main branch made, an account that is not
// bbsetup's own, a write permission that could not be checked or that was.
func (c *Connected) PushNotes() []PushNote {
	var out []PushNote
	if c.MainBranchCreated() {
		out = append(out, PushNote{Text: fmt.Sprintf("Added README.md on %s so the repository has a default branch (Amplication needs one before its first push)", safetext.Line(c.MainBranch.Branch))})
	}
	if mm := c.Pusher.Mismatch; mm != nil {
		out = append(out, PushNote{Warning: true, Text: mm.Error()})
	}
	if w := c.Write; w != nil {
		switch {
		case w.Why != nil:
			out = append(out, PushNote{Warning: true, Text: WriteUnchecked(*w)})
		case w.CanWrite():
			out = append(out, PushNote{Text: fmt.Sprintf("%s can write %s (%s)", c.Pusher.Account(), safetext.Line(c.Full()), safetext.Line(w.Permission))})
		}
	}
	return out
}

// Inherits is what the result says about the resource's place in its project: for the
// project's settings, the services that inherit the repository (safe names); for a
// service, whether it overrides the project's settings.
func (c *Connected) Inherits() (settings bool, inheriting []string, overrides bool) {
	if c.Resource.Type == amplication.TypeProjectConfiguration {
		inheriting = []string{}
		for _, r := range c.Inheriting {
			inheriting = append(inheriting, safetext.Line(r.Name))
		}
		return true, inheriting, false
	}
	return false, nil, c.Resource.Override
}

// TakenNotes say what a connect of the project's settings changed beyond it: services
// that lost a repository of their own (moved with replace). Safe text.
func (p ConnectPlan) TakenNotes() []string {
	var out []string
	for _, r := range p.Taken {
		out = append(out, fmt.Sprintf("%s had %s of its own and now uses the project's: Amplication connects every service that does not override the project's settings",
			safetext.Line(r.Name), safetext.Line(r.Repo.FullName())))
	}
	return out
}
