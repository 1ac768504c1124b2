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
	ws := hs.m.w.s.workspace.Slug
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
	if hs.m.w.s.repo == nil || hs.m.w.s.repo.Slug != "brand-new" {
		t.Fatalf("connected %+v, want brand-new", hs.m.w.s.repo)
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
	ws := hs.m.w.s.workspace.Slug
	fb.repos[ws] = append(fb.repos[ws], Repo{Slug: "zz-new", Name: "zz-new", FullName: ws + "/zz-new"})
	fb.mu.Unlock()
	hs.wantText("ctrl+r reload")
	hs.press("ctrl+r")
	hs.untilText("31 repositories")
}
