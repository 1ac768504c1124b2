package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

// The user paths of `bbsetup amplication build`: the built binary against both emulators on
// loopback (the Amplication emulator's build manager, code generator and PR service are
// started and stopped as an operator starts them in other terminals; its PR service makes
// Amplication's own Bitbucket calls against the Bitbucket emulator).

const buildNotesID = "cltestnotes0000000000001" // a service with no repository (NotConnected)

// buildWorld is ampWorld with Amplication authorized with Bitbucket (as `bbsetup amplication
// authorize` leaves it), project Shop connected to acme/checkout-service by the built
// binary, and that binary.
type buildWorld struct {
	*ampWorld
	bin string
}

func newBuildWorld(t *testing.T, o ampWorldOptions) *buildWorld {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds the binary")
	}
	seed := o.seed
	o.seed = func(s *ampemu.Seed) {
		// catalog (connected to a GitHub repository) gives way to notes, which has none.
		p := &s.Workspaces[0].Projects[0]
		p.Resources = append(p.Resources[:3:3], ampemu.Resource{ID: buildNotesID, Name: "notes", Type: "Service", GitRepositoryOverride: true})
		if seed != nil {
			seed(s)
		}
	}
	w := &buildWorld{ampWorld: ampStart(t, o), bin: buildBinary(t)}
	w.authorize(t)
	if code, out, errOut := w.exec(t, "amplication", "connect", "--workspace", "acme", "--repository", "checkout-service", "--project", "Shop"); code != 0 {
		t.Fatalf("connect: exit %d\n%s%s", code, out, errOut)
	}
	return w
}

// authorize completes Amplication's Bitbucket authorization through the server's API, as
// bbsetup amplication authorize does (the browser's visit made by an HTTP client).
func (w *buildWorld) authorize(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := w.client(t)
	state, err := c.StateSupport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.InstallationURL(ctx, "bbsetup-test", state)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := c.CompleteOAuth(ctx, loc.Query().Get("code"), "bbsetup-test", state); err != nil {
		t.Fatal(err)
	}
}

// client is a signed-in Amplication client: "another client" of the server (the UI).
func (w *buildWorld) client(t *testing.T) *amplication.Client {
	t.Helper()
	c, err := amplication.New(w.amp.URL, &http.Client{Transport: &http.Transport{}}, amplication.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(context.Background(), ampemu.DemoEmail, ampemu.DemoPassword); err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *buildWorld) environ() []string {
	env := os.Environ()
	for k, v := range w.env {
		env = append(env, k+"="+v)
	}
	return env
}

// exec runs the built binary to its end (bounded).
func (w *buildWorld) exec(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	p := w.startBin(t, args...)
	return p.wait(t, 2*time.Minute)
}

// binRun is the built binary running: its stderr read line by line as it comes.
type binRun struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr strings.Builder
	stdout strings.Builder
	more   chan struct{} // a line arrived
	done   chan struct{}
	code   int
}

func (w *buildWorld) startBin(t *testing.T, args ...string) *binRun {
	t.Helper()
	cmd := exec.Command(w.bin, append([]string{"--repo", w.dir}, args...)...)
	cmd.Env = w.environ()
	cmd.Stdin = strings.NewReader("")
	p := &binRun{cmd: cmd, more: make(chan struct{}, 1), done: make(chan struct{})}
	errR, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = &lockedW{mu: &p.mu, b: &p.stdout}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(errR)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
		_ = cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

type lockedW struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (l *lockedW) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (p *binRun) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// waitErr waits until stderr holds every string (bounded).
func (p *binRun) waitErr(t *testing.T, subs ...string) string {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		s := p.errText()
		ok := true
		for _, sub := range subs {
			ok = ok && strings.Contains(s, sub)
		}
		if ok {
			return s
		}
		select {
		case <-p.more:
		case <-p.done:
			if s := p.errText(); !containsAll(s, subs) {
				t.Fatalf("bbsetup ended (exit %d) without %q:\n%s", p.code, subs, s)
			}
		case <-deadline:
			t.Fatalf("never saw %q on stderr:\n%s", subs, p.errText())
		}
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func (p *binRun) wait(t *testing.T, d time.Duration) (int, string, string) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("bbsetup did not end within %s:\n%s", d, p.errText())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.code, p.stdout.String(), p.stderr.String()
}

// pullRequests are the open pull requests from branch amplication in acme/checkout-service.
func (w *buildWorld) pullRequests(t *testing.T) []string {
	t.Helper()
	st, ok := w.bb.Repo("acme", "checkout-service")
	if !ok {
		t.Fatal("the Bitbucket emulator has no acme/checkout-service")
	}
	var out []string
	for _, pr := range st.PullRequests {
		if pr.Source == "amplication" && pr.State == "OPEN" {
			out = append(out, pr.Title)
		}
	}
	return out
}

const buildPRURL = "/acme/checkout-service/pull-requests/1"

func TestAmplicationBuildHappyPath(t *testing.T) {
	t.Parallel()
	w := newBuildWorld(t, ampWorldOptions{})
	w.amp.Services().StartAll()
	code, out, errOut := w.exec(t, "amplication", "build", "--project", "Shop")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// stdout: the URL, once (orders and payments share the project's repository and its
	// one pull request from branch amplication).
	lines := strings.Fields(out)
	if len(lines) != 1 || !strings.HasSuffix(lines[0], buildPRURL) {
		t.Fatalf("stdout %q, want the pull request's URL", out)
	}
	// The stages between (generating, pushing) show only when a poll lands in them: with
	// every service running the emulator may finish the push between two polls. The
	// stall test holds each stage until its service starts, and sees them.
	for _, want := range []string{"Committing project Shop",
		"orders: done: pull request #1", "notes: not connected to a repository", "(NotConnected)", "Done: 2 of 2 connected services"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if prs := w.pullRequests(t); len(prs) != 1 || !strings.Contains(prs[0], "Connect to Bitbucket (bbsetup)") {
		t.Errorf("Bitbucket's open pull requests from amplication: %q", prs)
	}
	w.noSecrets(t, out+errOut)
}

func TestAmplicationBuildStallsNameTheServiceThenGoOn(t *testing.T) {
	t.Parallel()
	w := newBuildWorld(t, ampWorldOptions{})
	p := w.startBin(t, "amplication", "build", "--project", "Shop", "--message", "stall test", "--stall-after", "500ms", "--timeout", "90s")
	s := p.waitErr(t, "code generation has not moved", "npx nx serve amplication-build-manager",
		"npx nx serve local-data-service-generator-controller", "npm run docker:dev -- -d", "bbsetup keeps following")
	if strings.Contains(s, "git-sync-manager") {
		t.Errorf("the generation stall names the PR service:\n%s", s)
	}
	// The operator starts the build manager and the generator in other terminals.
	for _, svc := range []ampemu.Service{ampemu.BuildManager, ampemu.CodeGenerator} {
		if err := w.amp.Services().Start(svc); err != nil {
			t.Fatal(err)
		}
	}
	p.waitErr(t, "orders: pushing to Bitbucket", "Waiting for available worker...", "no pull-request service has taken the job",
		"npx nx serve git-sync-manager")
	if err := w.amp.Services().Start(ampemu.PRService); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := p.wait(t, 60*time.Second)
	t.Logf("stderr:\n%s", errOut)
	if code != 0 || !strings.Contains(out, buildPRURL) {
		t.Fatalf("after starting the services: exit %d, stdout %q\n%s", code, out, errOut)
	}
	if prs := w.pullRequests(t); len(prs) != 1 {
		t.Errorf("pull requests %q", prs)
	}
}

func TestAmplicationBuildFailedPushShowsAmplicationsLog(t *testing.T) {
	t.Parallel()
	w := newBuildWorld(t, ampWorldOptions{})
	svc := w.amp.Services()
	svc.StartAll()
	// A PR service started before .env.local was written, two hours after the
	// authorization: its refresh with the placeholders fails (SPEC.md).
	svc.MarkPRServiceStale()
	svc.ExpireGitTokens()
	code, out, errOut := w.exec(t, "amplication", "build", "--project", "Shop")
	t.Logf("stderr:\n%s", errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"the push to Bitbucket failed; Amplication's log of the push:", "Push changes to Bitbucket failed",
		"Bitbucket request failed.", "if it was started before the key and secret were written", "restart it (npx nx serve git-sync-manager)",
		"0 of 2 connected services reached their pull request"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.TrimSpace(out) != "" {
		t.Errorf("stdout %q, want no URL", out)
	}
	if prs := w.pullRequests(t); len(prs) != 0 {
		t.Errorf("pull requests %q after a failed push", prs)
	}
}

func TestAmplicationBuildWatchFollowsAnotherClientsCommit(t *testing.T) {
	t.Parallel()
	w := newBuildWorld(t, ampWorldOptions{})
	w.amp.Services().StartAll()
	p := w.startBin(t, "amplication", "build", "--project", "Shop", "--watch", "--json")
	p.waitErr(t, "Waiting for the next commit of project Shop")
	time.Sleep(300 * time.Millisecond) // the baseline read is made
	c := w.client(t)
	cm, err := c.Commit(context.Background(), amplication.BuildAPI{Services: true}, ampemu.DemoShopID, "from the UI")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := p.wait(t, 60*time.Second)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var res struct {
		Commit *struct{ ID, Message string } `json:"commit"`
		Watch  bool                          `json:"watch"`
		URLs   []string                      `json:"urls"`
		OK     bool                          `json:"ok"`
		Builds []struct {
			Name        string `json:"name"`
			Stage       string `json:"stage"`
			BuildID     string `json:"build_id"`
			PullRequest *struct {
				URL       string `json:"url"`
				ID        int    `json:"id"`
				Confirmed bool   `json:"confirmed"`
			} `json:"pull_request"`
		} `json:"builds"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if res.Commit == nil || res.Commit.ID != cm.ID || res.Commit.Message != "from the UI" || !res.Watch || !res.OK {
		t.Errorf("commit %+v, watch %v, ok %v", res.Commit, res.Watch, res.OK)
	}
	if len(res.URLs) != 1 || !strings.HasSuffix(res.URLs[0], buildPRURL) {
		t.Errorf("urls %q", res.URLs)
	}
	stages := map[string]string{}
	for _, b := range res.Builds {
		stages[b.Name] = b.Stage
		if b.Name == "orders" && (b.PullRequest == nil || !b.PullRequest.Confirmed || b.PullRequest.ID != 1 || b.BuildID == "") {
			t.Errorf("orders: %+v", b)
		}
	}
	if stages["orders"] != "done" || stages["payments"] != "done" || stages["notes"] != "not-connected" {
		t.Errorf("stages %v", stages)
	}
}

// The same happy path on the older server generations: v3.6.2 (the same documents as
// today's) and v1.10.0 (no resourceTypeGroup, no gitStatus, builds read one service at a
// time, the push step PUSH_TO_BITBUCKET; Bitbucket authorization needs the billing
// entitlement there).
func TestAmplicationBuildOlderServers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		schema  string
		billing bool
		commit  string
	}{{ampemu.SchemaV36, false, "CommitServices"}, {ampemu.SchemaV1, true, "Commit"}} {
		t.Run(tc.schema, func(t *testing.T) {
			w := newBuildWorld(t, ampWorldOptions{schema: tc.schema, billing: tc.billing})
			w.amp.Services().StartAll()
			from := len(w.amp.Log())
			code, out, errOut := w.exec(t, "amplication", "build", "--project", "Shop")
			if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), buildPRURL) {
				t.Fatalf("exit %d, stdout %q\n%s", code, out, errOut)
			}
			if !strings.Contains(errOut, "notes: not connected to a repository") {
				t.Errorf("stderr:\n%s", errOut)
			}
			ops := strings.Join(w.ampOps(from), ",")
			if !strings.Contains(ops, ","+tc.commit+",") {
				t.Errorf("Amplication requests %s, want %s", ops, tc.commit)
			}
			if prs := w.pullRequests(t); len(prs) != 1 {
				t.Errorf("pull requests %q", prs)
			}
		})
	}
}

// A project none of whose services has a repository: each is named NotConnected and the
// command says nothing was to be pushed (in-process: no binary needed for this one).
func TestAmplicationBuildNothingConnected(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	w.amp.Services().StartAll()
	code, out, errOut := w.run(t, "", "amplication", "build", "--project", "Internal", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "admin: not connected to a repository") || !strings.Contains(errOut, "No service of project Internal is connected") {
		t.Errorf("stderr:\n%s", errOut)
	}
	var res struct {
		URLs   []string `json:"urls"`
		OK     bool     `json:"ok"`
		Builds []struct {
			Stage     string `json:"stage"`
			GitStatus string `json:"git_status"`
		} `json:"builds"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || !res.OK || len(res.URLs) != 0 || len(res.Builds) != 1 ||
		res.Builds[0].Stage != "not-connected" || res.Builds[0].GitStatus != "NotConnected" {
		t.Errorf("--json %s (%v)", out, err)
	}
}

// Usage mistakes are refused before anything is sent.
func TestAmplicationBuildUsage(t *testing.T) {
	t.Parallel()
	w := ampStart(t, ampWorldOptions{})
	from := len(w.amp.Log())
	for _, args := range [][]string{
		{"amplication", "build"},
		{"amplication", "build", "--project", "Shop", "--timeout", "0s"},
		{"amplication", "build", "--project", "Shop", "--watch", "--message", "x"},
	} {
		if code, _, errOut := w.run(t, "", args...); code != ExitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	if n := len(w.amp.Log()) - from; n != 0 {
		t.Errorf("%d requests to Amplication for usage mistakes", n)
	}
	code, _, errOut := w.run(t, "", "amplication", "build", "--project", "Nope")
	if code != ExitUsage || !strings.Contains(errOut, `--project "Nope"`) || !strings.Contains(errOut, "Shop") {
		t.Errorf("unknown project: exit %d, %s", code, errOut)
	}
}
