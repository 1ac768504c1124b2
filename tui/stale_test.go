package tui

import "testing"

// Issue 23 §2: the repository list is not loaded once for good.

func TestConnectInsteadFindsARepositoryCreatedSinceTheListing(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toChoice()
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.untilText("30 repositories")
	hs.press("esc")
	hs.wantStep(stepChoice)
	// Someone creates it in Bitbucket meanwhile.
	fb.mu.Lock()
	ws := hs.m.w.s.Workspace.Slug
	fb.repos[ws] = append(fb.repos[ws], Repo{Slug: "brand-new", Name: "brand-new", FullName: ws + "/brand-new"})
	fb.mu.Unlock()
	hs.press("down", "enter")
	hs.wantStep(stepCreate)
	hs.typeText("brand-new")
	hs.press("enter")
	hs.untilText("already exists", "connect to it instead")
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.untilText("1 match", "brand-new")
	hs.press("enter")
	if hs.m.w.s.Repo == nil || hs.m.w.s.Repo.Slug != "brand-new" {
		t.Fatalf("connected %+v, want brand-new", hs.m.w.s.Repo)
	}
}

func TestConnectCtrlRReloadsAtAnyTime(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toChoice()
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.untilText("30 repositories")
	fb.mu.Lock()
	ws := hs.m.w.s.Workspace.Slug
	fb.repos[ws] = append(fb.repos[ws], Repo{Slug: "zz-new", Name: "zz-new", FullName: ws + "/zz-new"})
	fb.mu.Unlock()
	hs.wantText("ctrl+r reload")
	hs.press("ctrl+r")
	hs.untilText("31 repositories")
}

// Issue 23 §2: the Connect step in Amplication checks first that the repository still
// exists in Bitbucket (as the command line does), and stores nothing when it does not.
func TestAmpConnectChecksTheRepositoryStillExists(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 30)
	hs.toAmpTarget()
	hs.untilText("› orders")
	hs.press("enter")
	hs.wantStep(stepAmpConnect)
	repo := hs.m.w.s.Repo
	fb.mu.Lock()
	ws := hs.m.w.s.Workspace.Slug
	kept := fb.repos[ws][:0]
	for _, r := range fb.repos[ws] {
		if r.Slug != repo.Slug {
			kept = append(kept, r)
		}
	}
	fb.repos[ws] = kept
	fb.mu.Unlock()
	hs.press("enter")
	hs.untilText("is no longer in Bitbucket", "nothing was stored in Amplication", "Press esc to go back to the target")
	fb.amp.mu.Lock()
	n := len(fb.amp.connects)
	fb.amp.mu.Unlock()
	if n != 0 {
		t.Fatalf("ConnectAmp called %d times for a repository that is gone", n)
	}
	hs.press("esc")
	hs.wantStep(stepAmpTarget)
}
