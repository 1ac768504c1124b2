package build

import (
	"reflect"
	"testing"

	"github.com/bbsetup/bbsetup/setup/amplication"
)

func trackLine(sv Service) string { return sv.Name + ": " + string(sv.Stage) }

func TestTrackerSaysOnlyWhatChanged(t *testing.T) {
	var tr Tracker
	c := &amplication.Commit{ID: "c1", Message: "m"}

	ch := tr.Track(Snapshot{Phase: PhaseCommitting}, trackLine)
	if ch.Phase != PhaseCommitting || ch.Commit != nil || ch.ServerChanged || len(ch.Services) != 0 {
		t.Fatalf("first snapshot: %+v", ch)
	}
	// Services before the commit are not said.
	ch = tr.Track(Snapshot{Phase: PhaseCommitting, Services: []Service{{ResourceID: "a", Name: "a", Stage: StageQueued}}}, trackLine)
	if ch.Phase != "" || len(ch.Services) != 0 {
		t.Fatalf("before the commit: %+v", ch)
	}
	s := Snapshot{Phase: PhaseFollowing, Commit: c, Services: []Service{{ResourceID: "a", Name: "a", Stage: StageQueued}}}
	ch = tr.Track(s, trackLine)
	if ch.Phase != PhaseFollowing || ch.Commit != c || len(ch.Services) != 1 || !ch.Services[0].ShowLine || ch.Services[0].Line != "a: queued" {
		t.Fatalf("the commit: %+v", ch)
	}
	// The same snapshot again says nothing.
	if ch = tr.Track(s, trackLine); !reflect.DeepEqual(ch, Changes{}) {
		t.Fatalf("unchanged: %+v", ch)
	}
	// The server stops answering, then answers again.
	s.ServerError = "refused"
	if ch = tr.Track(s, trackLine); !ch.ServerChanged || ch.ServerError != "refused" {
		t.Fatalf("server down: %+v", ch)
	}
	s.ServerError = ""
	if ch = tr.Track(s, trackLine); !ch.ServerChanged || ch.ServerError != "" {
		t.Fatalf("server back: %+v", ch)
	}
	if ch = tr.Track(s, trackLine); ch.ServerChanged {
		t.Fatalf("server still answers: %+v", ch)
	}
}

func TestTrackerAdvisesEachStallOnce(t *testing.T) {
	var tr Tracker
	c := &amplication.Commit{ID: "c1"}
	gen := &Stall{Stage: StageGenerating, What: "code generation has not moved for 20s"}
	snap := func(a, b Service) Snapshot { return Snapshot{Commit: c, Services: []Service{a, b}} }
	a := Service{ResourceID: "a", Name: "a", Stage: StageGenerating}
	b := Service{ResourceID: "b", Name: "b", Stage: StageGenerating}
	tr.Track(snap(a, b), trackLine)

	a.Stall, b.Stall = gen, gen
	ch := tr.Track(snap(a, b), trackLine)
	if len(ch.Services) != 2 {
		t.Fatalf("stalls: %+v", ch)
	}
	first, second := ch.Services[0], ch.Services[1]
	if first.ShowLine || first.Stall != gen || first.AdvisedBy != "" {
		t.Errorf("the first stalled service carries the advice, its line unchanged: %+v", first)
	}
	if second.ShowLine || second.AdvisedBy != "a" {
		t.Errorf("the second points to the first: %+v", second)
	}
	if ch = tr.Track(snap(a, b), trackLine); len(ch.Services) != 0 {
		t.Fatalf("the same stalls again: %+v", ch)
	}
	// b moves on and stalls in the push: its line first, then the push's own advice.
	b.Stage, b.Stall = StagePushing, &Stall{Stage: StagePushing, What: "the push has not moved"}
	ch = tr.Track(snap(a, b), trackLine)
	if len(ch.Services) != 1 || !ch.Services[0].ShowLine || ch.Services[0].Line != "b: pushing" || ch.Services[0].AdvisedBy != "" {
		t.Fatalf("a new stage's stall: %+v", ch)
	}
}

func TestResultReached(t *testing.T) {
	r := &Result{Services: []Service{
		{Repository: "acme/a", Stage: StageDone},
		{Repository: "acme/b", Stage: StagePushing},
		{Stage: StageNotConnected},
	}}
	if done, connected := r.Reached(); done != 1 || connected != 2 {
		t.Fatalf("Reached = %d of %d, want 1 of 2", done, connected)
	}
}
