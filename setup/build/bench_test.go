package build

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

// timeline is a GraphQL endpoint on loopback whose one build moves on the clock: generating
// from the commit, pushing ("Waiting for available worker...") from pushAt, and the push
// step's log with the pull request's URL from logAt. It answers the real client's
// documents (BuildSupport, CommitServices, Builds).
type timeline struct {
	mu            sync.Mutex
	committed     time.Time
	pushAt, logAt time.Duration
	requests      int
}

func (tl *timeline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		OperationName string `json:"operationName"`
	}
	_ = json.Unmarshal(body, &req)
	tl.mu.Lock()
	tl.requests++
	now := time.Now()
	var data string
	switch req.OperationName {
	case "BuildSupport":
		data = `{"commitInput":{"inputFields":[{"name":"resourceTypeGroup"}]},"build":{"fields":[{"name":"gitStatus"}]}}`
	case "CommitServices":
		tl.committed = now
		data = `{"commit":{"id":"c1","message":"m","createdAt":"2026-01-01T00:00:00Z"}}`
	case "Builds":
		el := now.Sub(tl.committed)
		steps := `{"id":"s1","name":"ADD_TO_QUEUE","status":"Success","message":"","createdAt":"2026-01-01T00:00:00Z","logs":[]},
			{"id":"s2","name":"GENERATE_APPLICATION","status":"%s","message":"Generating Application","createdAt":"2026-01-01T00:00:00Z","logs":[]}`
		status, git := "Running", "Waiting"
		switch {
		case el >= tl.logAt:
			steps = fmt.Sprintf(steps, "Success") + `,{"id":"s3","name":"PUSH_TO_GIT_PROVIDER","status":"Success","message":"Push changes to Bitbucket","createdAt":"2026-01-01T00:00:00Z","logs":[
				{"id":"l1","message":"` + amplication.LogPushStart + `","meta":{},"level":"Info","createdAt":"2026-01-01T00:00:00Z"},
				{"id":"l2","message":"` + benchURL + `","meta":{"githubUrl":"` + benchURL + `"},"level":"Info","createdAt":"2026-01-01T00:00:00Z"}]}`
			status, git = "Completed", "Completed"
		case el >= tl.pushAt:
			steps = fmt.Sprintf(steps, "Success") + `,{"id":"s3","name":"PUSH_TO_GIT_PROVIDER","status":"Running","message":"Push changes to Bitbucket","createdAt":"2026-01-01T00:00:00Z","logs":[
				{"id":"l1","message":"` + amplication.LogPushStart + `","meta":{},"level":"Info","createdAt":"2026-01-01T00:00:00Z"}]}`
		default:
			steps = fmt.Sprintf(steps, "Running")
		}
		data = `{"builds":[{"id":"b1","resourceId":"r1","status":"` + status + `","gitStatus":"` + git + `","createdAt":"2026-01-01T00:00:00Z","action":{"id":"a1","steps":[` + steps + `]}}]}`
	}
	tl.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"data":`+data+`}`)
}

const benchURL = "https://bitbucket.org/acme/shop/pull-requests/1"

// BenchmarkFollowLogToURL measures, through the real client over loopback, the time from
// the moment Amplication's log holds the pull request's URL to the moment the follow shows
// it (target: under 1 s). Figures: ms-log-to-url (mean), ms-log-to-url-max. (The request
// rate is BenchmarkFollowRequestRate's: a follow this short is mostly its first requests.)
func BenchmarkFollowLogToURL(b *testing.B) {
	tl := &timeline{}
	srv := httptest.NewServer(tl)
	defer srv.Close()
	c, err := amplication.New(srv.URL, srv.Client(), amplication.Options{})
	if err != nil {
		b.Fatal(err)
	}
	bb := &prs{pr: &bitbucket.PullRequest{ID: 1, HTMLURL: benchURL}}
	var lat []time.Duration
	for b.Loop() {
		tl.mu.Lock()
		tl.pushAt = 200 * time.Millisecond
		// The URL is logged at a moment unrelated to the poll's phase.
		tl.logAt = tl.pushAt + time.Duration(rand.N(int64(1500*time.Millisecond)))
		tl.mu.Unlock()
		var shown time.Time
		o := Options{Project: oneService(), Progress: func(s Snapshot) {
			if shown.IsZero() && s.Services[0].PR != nil {
				shown = time.Now()
			}
		}}
		res, err := Run(context.Background(), c, bb, o)
		if err != nil || !res.OK() {
			b.Fatalf("follow: %v %+v", err, res)
		}
		tl.mu.Lock()
		logged := tl.committed.Add(tl.logAt)
		tl.mu.Unlock()
		lat = append(lat, shown.Sub(logged))
	}
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	b.ReportMetric(float64(sum.Milliseconds())/float64(len(lat)), "ms-log-to-url")
	b.ReportMetric(float64(slices.Max(lat).Milliseconds()), "ms-log-to-url-max")
}

// BenchmarkFollowRequestRate follows a build that does not move for 10 s (a stall) and
// reports the Amplication requests per minute the follow makes meanwhile: the bound the
// interval sets (60 s / 700 ms ≈ 86, plus the commit and the support check).
func BenchmarkFollowRequestRate(b *testing.B) {
	tl := &timeline{pushAt: time.Hour, logAt: 2 * time.Hour}
	srv := httptest.NewServer(tl)
	defer srv.Close()
	c, err := amplication.New(srv.URL, srv.Client(), amplication.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var perMin float64
	for b.Loop() {
		res, err := Run(context.Background(), c, &prs{}, Options{Project: oneService(), Timeout: 10 * time.Second})
		if err != nil || !res.TimedOut {
			b.Fatalf("follow: %v %+v", err, res)
		}
		perMin = res.Stats.PerMinute()
	}
	b.ReportMetric(perMin, "req/min")
}

// oneService is the Shop project with orders only (the timeline builds one service).
func oneService() amplication.Project {
	p := project()
	p.Resources = p.Resources[:2]
	return p
}
