package tui

import (
	"errors"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

func toConnect(t *testing.T, fb *fakeBackend, w, h int) *harness {
	t.Helper()
	hs := newHarness(t, fb, Options{NoBrowser: true}, w, h)
	hs.toChoice()
	hs.press("enter") // "Connect an existing repository" is the default
	hs.wantStep(stepConnect)
	return hs
}

func TestConnectStreamsBatches(t *testing.T) {
	fb := newFake()
	fb.batchGate = make(chan struct{})
	hs := toConnect(t, fb, 80, 24)
	hs.untilText("10 of 30 loaded", "api-gateway-00000", "service-00001")
	fb.batchGate <- struct{}{}
	hs.untilText("20 of 30 loaded")
	close(fb.batchGate)
	hs.untilText("30 repositories")
	hs.wantNoText("loaded")
	// Selecting moves through the whole list; the window follows the cursor.
	for range 29 {
		hs.press("down")
	}
	hs.wantText("› service-00029")
	hs.press("enter")
	hs.wantStep(stepSummary)
	hs.wantText("acme/service-00029 (chosen)", "https://bitbucket.org/acme/service-00029",
		"git@bitbucket.org:acme/service-00029.git", "npx nx serve amplication-client", "Amplication was skipped", "bbsetup amplication connect --workspace acme --repository service-00029")
}

func TestConnectFilterAndServerSearch(t *testing.T) {
	fb := newFake()
	fb.batchGate = make(chan struct{})  // only the first batch of 10 ever arrives
	fb.searchGate = make(chan struct{}) // server searches wait until the test says
	hs := toConnect(t, fb, 80, 24)
	hs.untilText("10 of 30 loaded")
	hs.typeText("api")
	hs.wantText("2 match", "searching Bitbucket…", "api-gateway-00000", "api-gateway-00007")
	// The test's debounce is 1 ms and every keystroke settles, so "ap" (two letters, the
	// minimum) may be searched on the way; a single letter never is.
	hs.until(`a server search for "api"`, func(string) bool { return slices.Contains(fb.listFilters(), "api") })
	if slices.Contains(fb.listFilters(), "a") {
		t.Fatalf("server searches %q: none may be for a single letter", fb.listFilters())
	}
	hs.wantNoText("service-00001")
	hs.press("backspace", "backspace", "backspace")
	hs.wantText("service-00001")
	hs.wantNoText("match")
	// Not loaded yet: after the pause, Bitbucket is searched for it.
	hs.typeText("00029")
	hs.untilText("Nothing loaded matches; searching Bitbucket…")
	close(fb.searchGate)
	hs.untilText("service-00029", "1 match", "Bitbucket searched")
	if !slices.Contains(fb.listFilters(), "00029") {
		t.Fatalf("no server-side search: ListRepos filters %q", fb.listFilters())
	}
	// Esc clears the filter first, then goes back.
	hs.press("esc")
	hs.wantStep(stepConnect)
	hs.wantNoText("match")
	hs.wantText("service-00029") // the search result stays in the list
	hs.press("esc")
	hs.wantStep(stepChoice)
}

func TestConnectEmptyAndError(t *testing.T) {
	fb := newFake()
	fb.repos["acme"] = nil
	hs := toConnect(t, fb, 80, 24)
	hs.untilText("no repositories yet", "choose Create")
	hs.press("esc")
	hs.wantStep(stepChoice)

	fb2 := newFake()
	fb2.batchSize = 100
	fb2.listErr = errors.New("Bitbucket answered 429 too many times: wait a minute and try again")
	hs2 := toConnect(t, fb2, 80, 24)
	hs2.untilText("listing stopped", "wait a minute", "ctrl+r retries")
	hs2.wantText("service-00001") // what arrived is still usable
	fb2.mu.Lock()
	fb2.listErr = nil
	fb2.mu.Unlock()
	hs2.press("ctrl+r")
	hs2.untilText("30 repositories")
	hs2.wantNoText("listing stopped")
}

// TestConnectFilterMatchesBruteForce checks the incremental narrowing against a full scan
// over random typing and deleting.
func TestConnectFilterMatchesBruteForce(t *testing.T) {
	c := &common{browser: newFake(), st: newStyles(newRenderer(nil, true), true), km: defaultKeyMap(), width: 80, height: 20}
	s := newConnect(c)
	s.ws = "acme"
	s.reset()
	s.add(genRepos("acme", 2000))
	rng := rand.New(rand.NewSource(1))
	alphabet := "aeips0123-9 "
	value := ""
	for i := range 3000 {
		if len(value) > 0 && rng.Intn(3) == 0 {
			value = value[:len(value)-1]
		} else {
			value += string(alphabet[rng.Intn(len(alphabet))])
		}
		s.input.SetValue(value)
		s.refilter()
		f := strings.ToLower(strings.TrimSpace(value))
		var want []int
		for j, k := range s.lower {
			if strings.Contains(k, f) {
				want = append(want, j)
			}
		}
		if !slices.Equal(want, s.matches) && !(len(want) == 0 && len(s.matches) == 0) {
			t.Fatalf("step %d filter %q: %d matches, want %d", i, f, len(s.matches), len(want))
		}
		if i%500 == 0 {
			s.add(genRepos("acme", 2000+i)[2000:]) // batches arriving while filtering
		}
	}
}

// The listing starts when the workspace is chosen, so the Connect screen has the first
// page at once (issue 6); choosing Create cancels it, Connect starts it again.
func TestConnectListingStartsWhenWorkspaceChosen(t *testing.T) {
	fb := newFake()
	fb.batchGate = make(chan struct{}) // only the first batch arrives until the test says
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toChoice()
	if got := fb.listFilters(); len(got) != 1 || got[0] != "" {
		t.Fatalf("on the choice screen: ListRepos calls %q, want the main listing already started", got)
	}
	hs.press("down", "enter") // Create
	hs.wantStep(stepCreate)
	if connectOf(hs.m).loading {
		t.Fatal("choosing Create left the listing running")
	}
	hs.press("esc")
	hs.wantStep(stepChoice)
	hs.press("up", "enter") // Connect
	hs.wantStep(stepConnect)
	hs.untilText("10 of 30 loaded", "api-gateway-00000")
	if got := fb.listFilters(); len(got) != 2 {
		t.Fatalf("ListRepos calls %q: want the listing started again once", got)
	}
	// Back to the choice and in again: the listing goes on, no third call.
	hs.press("esc")
	hs.wantStep(stepChoice)
	fb.batchGate <- struct{}{}
	hs.press("enter")
	hs.wantStep(stepConnect)
	hs.untilText("20 of 30 loaded")
	if got := fb.listFilters(); len(got) != 2 {
		t.Fatalf("ListRepos calls %q: re-entering Connect restarted the listing", got)
	}
}
