package build

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

// script is a scripted Amplication: each Builds call answers the next frame (the last one
// repeats). It stands in for the server only in these unit tests of the state machine; the
// user paths run against the emulators (cmd/amplication_build_test.go).
type script struct {
	mu       sync.Mutex
	api      amplication.BuildAPI
	frames   [][]amplication.Build
	calls    int
	commits  []string
	latest   []*amplication.Commit // LatestCommit answers, in order (last repeats)
	latestN  int
	buildErr error
	asked    [][]string // the resource ids of each Builds call
}

func (s *script) BuildSupport(context.Context) (amplication.BuildAPI, error) { return s.api, nil }
func (s *script) Commit(_ context.Context, _ amplication.BuildAPI, _, msg string) (*amplication.Commit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commits = append(s.commits, msg)
	return &amplication.Commit{ID: "c1", Message: msg}, nil
}
func (s *script) LatestBuild(context.Context, string) (*amplication.Commit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.latest[min(s.latestN, len(s.latest)-1)]
	s.latestN++
	return c, nil
}
func (s *script) Builds(_ context.Context, _ amplication.BuildAPI, _ string, ids []string) ([]amplication.Build, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, ids)
	if s.buildErr != nil {
		return nil, s.buildErr
	}
	f := s.frames[min(s.calls, len(s.frames)-1)]
	s.calls++
	return f, nil
}

type prs struct {
	pr  *bitbucket.PullRequest
	err error
	n   int
}

func (p *prs) OpenPullRequest(_ context.Context, ws, slug, branch string) (*bitbucket.PullRequest, error) {
	p.n++
	if branch != bitbucket.AmplicationBranch || ws != "acme" || slug != "shop" {
		return nil, errors.New("wrong repository " + ws + "/" + slug + " " + branch)
	}
	return p.pr, p.err
}

func project() amplication.Project {
	repo := &amplication.GitRepository{Name: "shop", GroupName: "acme"}
	return amplication.Project{ID: "p1", Name: "Shop", Resources: []amplication.Resource{
		{ID: "set", Name: "Shop settings", Type: amplication.TypeProjectConfiguration, Repo: repo},
		{ID: "r1", Name: "orders", Type: amplication.TypeService, Repo: repo},
		{ID: "r2", Name: "notes", Type: amplication.TypeService},
	}}
}

func step(name, status string, logs ...amplication.Log) amplication.Step {
	return amplication.Step{Name: name, Status: status, Logs: logs}
}

func lg(msg string) amplication.Log { return amplication.Log{Message: msg, Level: "Info"} }

func build(res, status, git string, steps ...amplication.Step) amplication.Build {
	return amplication.Build{ID: "b-" + res, ResourceID: res, Status: status, GitStatus: git,
		Steps: append([]amplication.Step{step(amplication.StepAddToQueue, amplication.StepSuccess)}, steps...)}
}

const prURL = "https://bitbucket.org/acme/shop/pull-requests/1"

func notConnected() amplication.Build {
	return build("r2", amplication.BuildCompleted, amplication.GitNotConnected, step(amplication.StepGenerate, amplication.StepSuccess))
}

func fastOpts() Options {
	return Options{Project: project(), Interval: time.Millisecond, WatchInterval: time.Millisecond, StallAfter: 40 * time.Millisecond, Timeout: 5 * time.Second}
}

func TestHappyPathEndsOnConfirmedPullRequest(t *testing.T) {
	pushed := amplication.Log{Message: prURL, Level: "Info", Meta: map[string]any{"githubUrl": prURL}}
	sc := &script{api: amplication.BuildAPI{Services: true}, frames: [][]amplication.Build{
		{build("r1", "Running", "Waiting", step(amplication.StepGenerate, amplication.StepRunning)), notConnected()},
		{build("r1", "Running", "Waiting", step(amplication.StepGenerate, amplication.StepSuccess),
			step(amplication.StepPushToGit, amplication.StepRunning, lg(amplication.LogPushStart))), notConnected()},
		{build("r1", "Completed", "Completed", step(amplication.StepGenerate, amplication.StepSuccess),
			step(amplication.StepPushToGit, amplication.StepSuccess, lg(amplication.LogPushStart), pushed, lg("Successfully pushed changes to Bitbucket"))), notConnected()},
	}}
	bb := &prs{pr: &bitbucket.PullRequest{ID: 1, HTMLURL: prURL, SourceBranch: "amplication", State: "OPEN"}}
	var stages []string
	o := fastOpts()
	o.Progress = func(s Snapshot) {
		for _, sv := range s.Services {
			if sv.Name == "orders" && (len(stages) == 0 || stages[len(stages)-1] != string(sv.Stage)) {
				stages = append(stages, string(sv.Stage))
			}
		}
	}
	res, err := Run(context.Background(), sc, bb, o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || len(res.URLs()) != 1 || res.URLs()[0] != prURL {
		t.Fatalf("result %+v", res)
	}
	if got := strings.Join(stages, ","); got != "queued,generating,pushing,confirming,done" {
		t.Errorf("stages %s", got)
	}
	if sc.commits[0] != DefaultMessage {
		t.Errorf("commit message %q", sc.commits[0])
	}
	if res.Services[1].Stage != StageNotConnected || res.Services[1].Connected() {
		t.Errorf("notes: %+v", res.Services[1])
	}
}

func TestGenerationStallNamesTheBuildServices(t *testing.T) {
	sc := &script{api: amplication.BuildAPI{Services: true}, frames: [][]amplication.Build{
		{build("r1", "Running", "Waiting", step(amplication.StepGenerate, amplication.StepRunning)), notConnected()},
	}}
	o := fastOpts()
	o.Timeout = 300 * time.Millisecond
	var stalled *Stall
	o.Progress = func(s Snapshot) {
		if st := s.Services[0].Stall; st != nil && stalled == nil {
			stalled = st
		}
	}
	res, err := Run(context.Background(), sc, &prs{}, o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.OK() {
		t.Fatalf("want a timed-out result, got %+v", res)
	}
	if stalled == nil {
		t.Fatal("no stall reported before the timeout")
	}
	var names []string
	for _, n := range stalled.Start {
		names = append(names, n.Name+"="+n.Command)
	}
	want := "amplication-build-manager=npx nx serve amplication-build-manager,local-data-service-generator-controller=npx nx serve local-data-service-generator-controller,Kafka=npm run docker:dev -- -d"
	if strings.Join(names, ",") != want {
		t.Errorf("stall names %v", names)
	}
}

func TestPushStallNamesTheLayoutsPRService(t *testing.T) {
	sc := &script{api: amplication.BuildAPI{Services: true}, frames: [][]amplication.Build{
		{build("r1", "Running", "Waiting", step(amplication.StepGenerate, amplication.StepSuccess),
			step(amplication.StepPushToGit, amplication.StepRunning, lg(amplication.LogPushStart))), notConnected()},
	}}
	o := fastOpts()
	o.Timeout = 300 * time.Millisecond
	o.Layout = Layout{PRServices: []string{"amplication-git-pull-request-service"}, PushNotes: func() []string { return []string{"keys differ"} }}
	res, err := Run(context.Background(), sc, &prs{}, o)
	if err != nil {
		t.Fatal(err)
	}
	st := res.Services[0].Stall
	if st == nil || st.Start[0].Command != "npx nx serve amplication-git-pull-request-service" || st.Notes[0] != "keys differ" {
		t.Fatalf("stall %+v", st)
	}
	if !strings.Contains(st.What, amplication.LogPushStart) {
		t.Errorf("stall words %q", st.What)
	}
}

func TestFailedPushCarriesAmplicationsLogSanitised(t *testing.T) {
	sc := &script{api: amplication.BuildAPI{Services: false}, frames: [][]amplication.Build{
		{build("r1", "Failed", "", step(amplication.StepGenerate, amplication.StepSuccess),
			step(amplication.StepPushToGit, amplication.StepFailed, lg(amplication.LogPushStart), lg("Push changes to Bitbucket failed"),
				amplication.Log{Level: "Error", Message: "Bitbucket request failed.\x1b[2J\u202e"})), notConnected()},
	}}
	res, err := Run(context.Background(), sc, &prs{}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	s := res.Services[0]
	if s.Stage != StageFailed || s.GitStatus != amplication.GitFailed || len(s.Log) != 3 || s.Log[0] != "Push changes to Bitbucket failed" || !strings.HasPrefix(s.Log[2], "bbsetup: ") {
		t.Fatalf("service %+v", s)
	}
	if strings.ContainsAny(s.Log[1], "\x1b\u202e") {
		t.Errorf("log line not sanitised: %q", s.Log[1])
	}
	if res.OK() {
		t.Error("a failed push is OK")
	}
}

// A service that pushes through GitHub (the demo's catalog) is listed but not followed:
// its failed push (no GitHub App on a local platform) neither fails the follow nor counts,
// and its build is not asked for.
func TestAnotherProvidersServiceIsNotFollowed(t *testing.T) {
	o := fastOpts()
	gh := &amplication.GitRepository{Name: "catalog-legacy", GroupName: "acme-archive", Organization: amplication.GitOrganization{Provider: "Github"}}
	o.Project.Resources = append(o.Project.Resources, amplication.Resource{ID: "r3", Name: "catalog", Type: amplication.TypeService, Repo: gh})
	pushed := amplication.Log{Message: prURL, Level: "Info", Meta: map[string]any{"githubUrl": prURL}}
	ghFailed := build("r3", "Failed", "", step(amplication.StepGenerate, amplication.StepSuccess),
		step(amplication.StepPushToGit, amplication.StepFailed, lg("Missing Github configuration")))
	sc := &script{api: amplication.BuildAPI{Services: true}, frames: [][]amplication.Build{
		{build("r1", "Running", "Waiting", step(amplication.StepGenerate, amplication.StepRunning)), notConnected(), ghFailed},
		{build("r1", "Completed", "Completed", step(amplication.StepGenerate, amplication.StepSuccess),
			step(amplication.StepPushToGit, amplication.StepSuccess, lg(amplication.LogPushStart), pushed)), notConnected(), ghFailed},
	}}
	bb := &prs{pr: &bitbucket.PullRequest{ID: 1, HTMLURL: prURL, SourceBranch: "amplication", State: "OPEN"}}
	res, err := Run(context.Background(), sc, bb, o)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Services[2]
	if c.Name != "catalog" || c.Stage != StageElsewhere || c.Followed() || c.Failure != "" || c.Provider != "Github" {
		t.Fatalf("catalog %+v", c)
	}
	if !res.OK() {
		t.Errorf("the GitHub service's failed push failed the follow: %+v", res.Services)
	}
	if done, connected := res.Reached(); done != 1 || connected != 1 || res.Elsewhere() != 1 {
		t.Errorf("Reached = %d of %d, Elsewhere = %d; want 1 of 1, 1", done, connected, res.Elsewhere())
	}
	for _, ids := range sc.asked {
		if slices.Contains(ids, "r3") {
			t.Errorf("asked for the GitHub service's build: %v", sc.asked)
		}
	}
}

func TestUnconfirmedPullRequestIsNotDone(t *testing.T) {
	pushed := amplication.Log{Message: prURL, Meta: map[string]any{"githubUrl": prURL}}
	sc := &script{api: amplication.BuildAPI{Services: true}, frames: [][]amplication.Build{
		{build("r1", "Completed", "Completed", step(amplication.StepPushToGit, amplication.StepSuccess, pushed)), notConnected()},
	}}
	bb := &prs{} // Bitbucket has no open pull request
	res, err := Run(context.Background(), sc, bb, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Services[0].Stage != StageFailed || !strings.Contains(res.Services[0].Failure, "no open pull request") {
		t.Fatalf("service %+v", res.Services[0])
	}
	if bb.n != confirmTries {
		t.Errorf("asked Bitbucket %d times, want %d", bb.n, confirmTries)
	}
}

func TestWatchFollowsTheNextCommit(t *testing.T) {
	pushed := amplication.Log{Message: prURL, Meta: map[string]any{"githubUrl": prURL}}
	sc := &script{api: amplication.BuildAPI{Services: true},
		latest: []*amplication.Commit{{ID: "old"}, {ID: "old"}, {ID: "new", Message: "from the UI"}},
		frames: [][]amplication.Build{{build("r1", "Completed", "Completed", step(amplication.StepPushToGit, amplication.StepSuccess, pushed)), notConnected()}}}
	o := fastOpts()
	o.Watch = true
	res, err := Run(context.Background(), sc, &prs{pr: &bitbucket.PullRequest{ID: 1, HTMLURL: prURL}}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.commits) != 0 {
		t.Errorf("watch committed: %v", sc.commits)
	}
	if res.Commit == nil || res.Commit.ID != "new" || !res.OK() {
		t.Fatalf("result %+v", res)
	}
}

func TestUnauthorizedEndsTheFollow(t *testing.T) {
	sc := &script{api: amplication.BuildAPI{Services: true}, buildErr: &amplication.UnauthorizedError{Message: "Unauthorized"}}
	_, err := Run(context.Background(), sc, &prs{}, fastOpts())
	var ua *amplication.UnauthorizedError
	if !errors.As(err, &ua) {
		t.Fatalf("err %v", err)
	}
}

// Watching with no commit until the timeout: a timed-out result with no commit and no
// stall (nothing was built, so nothing stalled).
func TestWatchWithoutACommitTimesOutWithoutStalls(t *testing.T) {
	sc := &script{api: amplication.BuildAPI{Services: true}, latest: []*amplication.Commit{{ID: "old"}}}
	o := fastOpts()
	o.Watch, o.Timeout = true, 200*time.Millisecond
	res, err := Run(context.Background(), sc, &prs{}, o)
	if err != nil || !res.TimedOut || res.Commit != nil || res.OK() {
		t.Fatalf("result %+v, %v", res, err)
	}
	for _, s := range res.Services {
		if s.Stall != nil {
			t.Errorf("%s stalled without a commit: %+v", s.Name, s.Stall)
		}
	}
}
