package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// buildScript is what the fake Amplication's BuildAmp plays: the updates in order (each
// sent when the test releases it on step), then the end.
type buildScript struct {
	updates []AmpBuildProgress
	end     AmpBuildProgress
	err     error
	step    chan struct{} // nil: play everything at once
	reqs    []AmpBuildRequest
	parked  *atomic.Int64 // the harness's count of commands parked on a gate
}

var (
	buildScriptsMu sync.Mutex
	buildScripts   = map[*fakeAmp]*buildScript{}
)

func scriptBuild(t *testing.T, f *fakeAmp, s *buildScript) {
	buildScriptsMu.Lock()
	buildScripts[f] = s
	buildScriptsMu.Unlock()
	t.Cleanup(func() { buildScriptsMu.Lock(); delete(buildScripts, f); buildScriptsMu.Unlock() })
}

// BuildAmp implements AmpBuilder for the fake signed-in session.
func (a *fakeAmp) BuildAmp(ctx context.Context, req AmpBuildRequest, updates chan<- AmpBuildProgress) (AmpBuildProgress, error) {
	buildScriptsMu.Lock()
	s := buildScripts[a]
	if s != nil {
		s.reqs = append(s.reqs, req)
	}
	buildScriptsMu.Unlock()
	if s == nil {
		return AmpBuildProgress{}, errors.New("no build scripted")
	}
	// park waits for the test's step (nil: none); parked are this run and the screen's
	// reader of the updates.
	park := func() error {
		if s.step == nil {
			return nil
		}
		s.parked.Add(2)
		defer s.parked.Add(-2)
		select {
		case <-s.step:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, u := range s.updates {
		if err := park(); err != nil {
			return u, err
		}
		select {
		case updates <- u:
		case <-ctx.Done():
			return u, ctx.Err()
		}
	}
	if err := park(); err != nil {
		return s.end, err
	}
	return s.end, s.err
}

const testPR = "https://bitbucket.org/acme/api-gateway-00000/pull-requests/1"

func TestBuildScreenFromSummaryToThePullRequest(t *testing.T) {
	fb := newFake()
	stalled := AmpBuildProgress{Project: "Shop", Commit: "c1", Message: "Connect to Bitbucket (bbsetup)", Services: []AmpBuildService{
		{Name: "orders", Repository: "acme/api-gateway-00000", Stage: "pushing to Bitbucket", Stall: &AmpStall{
			What:  `the push has waited 20s at "Pull request creation job added to queue. Waiting for available worker..."`,
			Start: []AmpStart{{Name: "git-sync-manager", Command: "npx nx serve git-sync-manager"}}}},
	}}
	done := AmpBuildProgress{Project: "Shop", Commit: "c1", Message: "Connect to Bitbucket (bbsetup)", Ended: true, OK: true, Services: []AmpBuildService{
		{Name: "orders", Repository: "acme/api-gateway-00000", Stage: "done", Final: true, Done: true, URL: testPR, PRID: 1},
	}}
	sc := &buildScript{updates: []AmpBuildProgress{stalled}, end: done, step: make(chan struct{}), parked: &fb.blocked}
	scriptBuild(t, fb.amp, sc)
	hs := newHarness(t, fb, Options{NoBrowser: true}, 100, 40)
	hs.toAmpSummary()
	hs.wantText("Or press b to build now", "a commit records the pending changes", "Nothing is committed until then",
		"bbsetup amplication build --project Shop")
	if len(sc.reqs) != 0 {
		t.Fatal("committed before b")
	}

	hs.press("b")
	sc.step <- struct{}{}
	hs.untilText("Building project Shop", "orders", "pushing to Bitbucket", "npx nx serve git-sync-manager", "(git-sync-manager)",
		"bbsetup keeps following")
	if len(sc.reqs) != 1 || sc.reqs[0].ProjectID != "p1" {
		t.Fatalf("build requests %+v", sc.reqs)
	}
	sc.step <- struct{}{} // the operator started git-sync-manager: the build ends in its pull request
	hs.untilText(testPR, "pull request #1", "Every connected service reached its pull request", "o open pull request", "c copy its URL")
	hs.press("o")
	if got := fb.openedURLs(); len(got) == 0 || got[len(got)-1] != testPR {
		t.Errorf("o opened %v", got)
	}
	hs.press("enter")
	hs.wantStep(stepSummary)
	hs.wantText("built from commit c1 of project Shop", "✓ orders: pull request #1 "+testPR)
	hs.press("enter")
	if !hs.quit {
		t.Fatal("enter on the summary did not finish")
	}
	out := flat(hs.m.View())
	if !strings.Contains(out, testPR) {
		t.Errorf("the quit message lacks the URL:\n%s", out)
	}
	sum := hs.m.Summary()
	if sum.Amplication == nil || sum.Amplication.Build == nil || len(sum.Amplication.Build.URLs()) != 1 {
		t.Errorf("Summary().Amplication.Build = %+v", sum.Amplication)
	}
}

func TestBuildSkippedLeavesTheSummaryWithTheCommand(t *testing.T) {
	fb := newFake()
	sc := &buildScript{}
	scriptBuild(t, fb.amp, sc)
	hs := newHarness(t, fb, Options{NoBrowser: true}, 100, 40)
	hs.toAmpSummary()
	hs.press("enter")
	if !hs.quit || len(sc.reqs) != 0 {
		t.Fatalf("quit %v, builds %d", hs.quit, len(sc.reqs))
	}
	out := flat(hs.m.View())
	if !strings.Contains(out, "bbsetup amplication build --project Shop") || strings.Contains(out, "press b") {
		t.Errorf("the quit message after skipping:\n%s", out)
	}
}

func (f *fakeBackend) openedURLs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.opened...)
}

var (
	demoStartsMu sync.Mutex
	demoStarts   = map[*fakeAmp][]string{}
)

// StartAmpDemoService implements AmpDemoServiceStarter for the fake session.
func (a *fakeAmp) StartAmpDemoService(_ context.Context, name string) error {
	demoStartsMu.Lock()
	defer demoStartsMu.Unlock()
	demoStarts[a] = append(demoStarts[a], name)
	return nil
}

// In the demo, s on a stalled stage starts its services (not Kafka) and says so; outside
// the demo the key is neither offered nor active.
func TestBuildScreenDemoStartsTheStalledService(t *testing.T) {
	for _, demo := range []bool{true, false} {
		fb := newFake()
		stalled := AmpBuildProgress{Project: "Shop", Commit: "c1", Services: []AmpBuildService{
			{Name: "orders", Stage: "generating code", Stall: &AmpStall{What: "code generation has not moved for 20s",
				Start: []AmpStart{{Name: "amplication-build-manager", Command: "npx nx serve amplication-build-manager"},
					{Name: "local-data-service-generator-controller", Command: "npx nx serve local-data-service-generator-controller"},
					{Name: "Kafka", Command: "npm run docker:dev -- -d"}}}}}}
		sc := &buildScript{updates: []AmpBuildProgress{stalled}, end: stalled, step: make(chan struct{}), parked: &fb.blocked}
		scriptBuild(t, fb.amp, sc)
		hs := newHarness(t, fb, Options{NoBrowser: true, Demo: demo}, 100, 40)
		hs.toAmpConnected()
		hs.press("enter", "b")
		sc.step <- struct{}{}
		hs.untilText("code generation has not moved")
		hs.press("s")
		demoStartsMu.Lock()
		got := demoStarts[fb.amp]
		demoStartsMu.Unlock()
		if demo {
			hs.wantText("s demo: start it", "demo: started amplication-build-manager and local-data-service-generator-controller for you")
			if strings.Join(got, ",") != "amplication-build-manager,local-data-service-generator-controller" {
				t.Errorf("demo started %v", got)
			}
		} else {
			hs.wantNoText("demo: start it")
			if len(got) != 0 {
				t.Errorf("outside the demo, s started %v", got)
			}
		}
		sc.step <- struct{}{}
		hs.untilText("r build again")
	}
}
