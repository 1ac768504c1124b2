package amplication

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bbsetup/bbsetup/setup/envfile"
)

// services.go emulates the processes beside amplication-server that a build needs: the
// build manager and the code generator (which finish GENERATE_APPLICATION) and the PR
// service (git-sync-manager, which finishes PUSH_TO_GIT_PROVIDER by calling Bitbucket, pr.go).
// Kafka is implied: requests wait in order while the service that consumes them is down and
// are processed when it starts, as Kafka keeps them for a consumer group.

// Service names a process of the Amplication checkout (its `npx nx serve` project).
type Service string

// The emulated services.
const (
	BuildManager  Service = "amplication-build-manager"
	CodeGenerator Service = "local-data-service-generator-controller"
	PRService     Service = "git-sync-manager"
)

// AllServices lists the emulated services.
var AllServices = []Service{BuildManager, CodeGenerator, PRService}

// PRServiceDir is the PR service's package directory in a current checkout; its env is read
// like the server's (Nx order, then the checkout root).
const PRServiceDir = "ee/packages/git-sync-manager"

// Placeholders of the committed .env files: what a PR service started before .env.local was
// written holds.
const (
	PlaceholderClientID     = "[bitbucket-client-id]"
	PlaceholderClientSecret = "[bitbucket-client-secret]"
)

// RefreshMargin is how close to its expiry a stored token is refreshed
// (BitBucketService.shouldRefreshToken: under 5 minutes left).
const RefreshMargin = 5 * time.Minute

// Services controls the emulated services of one Emulator. It is safe for concurrent use;
// tests, `bbsetup demo` and its wizard's Build screen use it (starting a service is what an
// operator does in another terminal).
type Services struct{ e *Emulator }

// Services returns the controls of e's emulated services.
func (e *Emulator) Services() *Services { return &Services{e: e} }

// prEnv is the Bitbucket key and secret a PR service process holds.
type prEnv struct{ id, secret string }

type serviceState struct {
	running map[Service]bool
	// PR service env: explicit (SetPRServiceEnv / MarkPRServiceStale) wins; else what it read
	// when it started; with follow, what the checkout holds when a push starts.
	explicit *prEnv
	loaded   prEnv
	follow   bool

	genPumping, prPumping bool
	wg                    sync.WaitGroup
	ctx                   context.Context
	cancel                context.CancelFunc
}

func (e *Emulator) initServices() {
	ctx, cancel := context.WithCancel(context.Background())
	e.svc = serviceState{running: map[Service]bool{}, ctx: ctx, cancel: cancel, follow: e.opts.PRServiceFollowsCheckout}
}

func known(name Service) error {
	if !slices.Contains(AllServices, name) {
		return fmt.Errorf("no emulated service %q; the services are %s, %s and %s", name, BuildManager, CodeGenerator, PRService)
	}
	return nil
}

// Start starts a service. The PR service reads its env (BITBUCKET_CLIENT_ID,
// BITBUCKET_CLIENT_SECRET) from the checkout now, as a process reads it once at start,
// unless SetPRServiceEnv or MarkPRServiceStale set what it holds. Waiting requests are then
// processed.
func (s *Services) Start(name Service) error {
	if err := known(name); err != nil {
		return err
	}
	e := s.e
	var env prEnv
	if name == PRService {
		env = e.readPREnv()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.svc.running[name] = true
	if name == PRService {
		e.svc.loaded = env
	}
	e.kick()
	return nil
}

// StartAll starts every service.
func (s *Services) StartAll() {
	for _, n := range AllServices {
		_ = s.Start(n)
	}
}

// Stop stops a service: requests for it wait (a request in progress finishes first).
func (s *Services) Stop(name Service) error {
	if err := known(name); err != nil {
		return err
	}
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.e.svc.running[name] = false
	return nil
}

// Running reports whether a service runs.
func (s *Services) Running(name Service) bool {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	return s.e.svc.running[name]
}

// SetPRServiceEnv sets the key and secret the PR service holds from now on (as if it had
// been started with them), whatever the checkout's files say.
func (s *Services) SetPRServiceEnv(clientID, secret string) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.e.svc.explicit = &prEnv{id: clientID, secret: secret}
}

// MarkPRServiceStale makes the PR service hold the committed .env's placeholders, as one
// started before bbsetup wrote .env.local does: pushes work while the stored token has more
// than 5 minutes left, then every push fails at the token refresh.
func (s *Services) MarkPRServiceStale() {
	s.SetPRServiceEnv(PlaceholderClientID, PlaceholderClientSecret)
}

// FollowCheckout makes the PR service read the checkout's env at every push (on: as if it
// had been restarted after every write), dropping what SetPRServiceEnv set.
func (s *Services) FollowCheckout(on bool) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.e.svc.follow = on
	s.e.svc.explicit = nil
}

// PRServiceClientID is the BITBUCKET_CLIENT_ID the PR service holds now ("" when none).
func (s *Services) PRServiceClientID() string {
	return s.e.prEnvNow().id
}

// ExpireGitTokens makes every git organization's stored token due for a refresh (its
// expiresAt is now): the next push refreshes it with the PR service's key and secret.
func (s *Services) ExpireGitTokens() {
	e := s.e
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, g := range e.orgs {
		g.expiresAt = e.now()
	}
}

// Wait blocks until no build is waiting for a running service, or ctx ends; it reports
// whether the queues drained. Requests for a stopped service do not count.
func (s *Services) Wait(ctx context.Context) bool {
	e := s.e
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		e.mu.Lock()
		busy := e.svc.genPumping || e.svc.prPumping ||
			(len(e.genQueue) > 0 && e.generatorRunning()) || (len(e.prQueue) > 0 && e.svc.running[PRService])
		e.mu.Unlock()
		if !busy {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}

// Close stops the services' work in flight (a push's requests are cancelled) and waits for
// it. Server.Close calls it.
func (e *Emulator) Close() {
	// Under e.mu: kick adds to the wait group under it, after checking the context.
	e.mu.Lock()
	e.svc.cancel()
	e.mu.Unlock()
	e.svc.wg.Wait()
}

func (e *Emulator) readPREnv() prEnv {
	return prEnv{id: serviceEnv(e.opts.CheckoutDir, PRServiceDir, e.opts.Getenv, EnvClientID),
		secret: serviceEnv(e.opts.CheckoutDir, PRServiceDir, e.opts.Getenv, EnvClientSecret)}
}

// prEnvNow is what the PR service holds now.
func (e *Emulator) prEnvNow() prEnv {
	e.mu.Lock()
	explicit, follow, loaded := e.svc.explicit, e.svc.follow, e.svc.loaded
	e.mu.Unlock()
	switch {
	case explicit != nil:
		return *explicit
	case follow:
		return e.readPREnv()
	}
	return loaded
}

// serviceEnv is what a service served by `npx nx serve` from checkoutDir sees for key:
// the shell's value, else the first of the project's then the root's env files (Nx order).
func serviceEnv(checkoutDir, projectDir string, getenv func(string) string, key string) string {
	if getenv != nil {
		if v := getenv(key); v != "" {
			return v
		}
	}
	if checkoutDir == "" {
		return ""
	}
	for _, dir := range []string{filepath.Join(checkoutDir, filepath.FromSlash(projectDir)), checkoutDir} {
		for _, name := range nxEnvFiles {
			data, err := envfile.ReadRegular(filepath.Join(dir, name))
			if err != nil {
				continue
			}
			if v, ok := envfile.Parse(data)[key]; ok {
				return v
			}
		}
	}
	return ""
}

func (e *Emulator) generatorRunning() bool {
	return e.svc.running[BuildManager] && e.svc.running[CodeGenerator]
}

// kick starts the workers that have work and a running service. The caller holds e.mu.
func (e *Emulator) kick() {
	if e.svc.ctx.Err() != nil {
		return
	}
	if !e.svc.genPumping && len(e.genQueue) > 0 && e.generatorRunning() {
		e.svc.genPumping = true
		e.svc.wg.Add(1)
		go e.pumpGenerate()
	}
	if !e.svc.prPumping && len(e.prQueue) > 0 && e.svc.running[PRService] {
		e.svc.prPumping = true
		e.svc.wg.Add(1)
		go e.pumpPR()
	}
}

// sleep waits d or until the emulator closes; false when it closed.
func (e *Emulator) sleep(d time.Duration) bool {
	if d <= 0 {
		return e.svc.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-e.svc.ctx.Done():
		return false
	}
}

// pumpGenerate runs code generation for waiting builds, one at a time, while the build
// manager and the code generator run: the DSG's log lines into GENERATE_APPLICATION, then the
// server's saveToGitProvider and onCodeGenerationSuccess.
func (e *Emulator) pumpGenerate() {
	defer e.svc.wg.Done()
	for {
		e.mu.Lock()
		if len(e.genQueue) == 0 || !e.generatorRunning() || e.svc.ctx.Err() != nil {
			e.svc.genPumping = false
			e.mu.Unlock()
			return
		}
		id := e.genQueue[0]
		e.mu.Unlock()

		for i := range dsgLogs {
			if !e.sleep(e.opts.StepDelay) {
				e.mu.Lock()
				e.svc.genPumping = false
				e.mu.Unlock()
				return
			}
			e.mu.Lock()
			if !e.generatorRunning() { // stopped mid-generation: the build waits again
				e.svc.genPumping = false
				e.mu.Unlock()
				return
			}
			if b := e.buildByID(id); b != nil {
				if s := b.step(StepGenerate); s != nil && len(s.logs) <= i {
					e.logStep(s, "Info", dsgLogs[i], nil)
				}
			}
			e.mu.Unlock()
		}
		e.mu.Lock()
		e.genQueue = e.genQueue[1:]
		if b := e.buildByID(id); b != nil {
			e.saveToGitProvider(b)
			e.completeStep(b.step(StepGenerate), "Success")
		}
		e.kick()
		e.mu.Unlock()
	}
}

func (e *Emulator) buildByID(id string) *build {
	return byID(e.builds, id, func(b *build) string { return b.id })
}

// prRequest is the create-PR request (git.internal.create-pr.request.2) as the PR service
// receives it: the repository, and the git organization's stored tokens at the time.
type prRequest struct {
	buildID, resourceName, provider string
	groupName, repoName             string
	accessToken, refreshToken       string
	expiresAt                       time.Time
	title, body                     string
	demoRepo                        bool
}

// saveToGitProvider is BuildService.saveToGitProvider: a service without a repository ends
// Completed / NotConnected; otherwise the push step opens with its first log line and the
// request waits for the PR service. The caller holds e.mu.
func (e *Emulator) saveToGitProvider(b *build) {
	rs := e.resourceByID(b.resourceID)
	if rs == nil {
		return
	}
	p := e.projectByID(rs.projectID)
	req := prRequest{buildID: b.id, resourceName: kebab(rs.name)}
	var c *commitRec
	for _, x := range e.commits {
		if x.id == b.commitID {
			c = x
		}
	}
	short := b.id[len(b.id)-8:]
	req.title = "Amplication build " + short
	if c != nil && c.message != "" {
		req.title = c.message + " (Amplication build " + short + ")"
	}
	if p != nil && p.useDemoRepo {
		req.provider, req.demoRepo = "Github", true
	} else {
		rp := e.repos[rs.repoID]
		if rp == nil {
			b.status, b.gitStatus = "Completed", "NotConnected"
			return
		}
		org := e.orgByID(rp.orgID)
		if org == nil {
			return
		}
		req.provider, req.groupName, req.repoName = org.provider, rp.groupName, rp.name
		req.accessToken, req.refreshToken, req.expiresAt = org.accessToken, org.refreshToken, org.expiresAt
		url := e.opts.ClientHost + "/" + p.workspaceID + "/" + p.id + "/" + rs.id + "/builds/" + b.id
		msg := ""
		if c != nil && c.message != "" {
			msg = "Commit message: " + c.message + "."
		}
		req.body = "Amplication build # " + b.id + "\n\n" + msg + "\n\nBuild URL: [" + url + "](" + url + ")"
	}
	s := e.addStep(b.action, e.pushStepName(req.provider), fmt.Sprintf(msgPushStep, providerDisplayName(req.provider)))
	if e.gen == SchemaV1 {
		e.logStep(s, "Info", fmt.Sprintf(LogPushStartV1, providerDisplayName(req.provider)), nil)
	} else {
		e.logStep(s, "Info", LogPushStart, nil)
	}
	e.prQueue = append(e.prQueue, req)
}

// kebab is lodash's kebabCase for the simple names services have: words split at
// non-alphanumerics and at a lower-to-upper case change, lower-cased, joined by "-".
func kebab(s string) string {
	var words []string
	var cur []rune
	prevLower := false
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			if prevLower {
				flush()
			}
			cur = append(cur, r)
			prevLower = false
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			cur = append(cur, r)
			prevLower = true
		default:
			flush()
			prevLower = false
		}
	}
	flush()
	return strings.Join(words, "-")
}

// pumpPR runs the PR service on waiting requests, one at a time, while it runs.
func (e *Emulator) pumpPR() {
	defer e.svc.wg.Done()
	for {
		e.mu.Lock()
		if len(e.prQueue) == 0 || !e.svc.running[PRService] || e.svc.ctx.Err() != nil {
			e.svc.prPumping = false
			e.mu.Unlock()
			return
		}
		req := e.prQueue[0]
		e.prQueue = e.prQueue[1:]
		if e.gen != SchemaV1 {
			if b := e.buildByID(req.buildID); b != nil {
				if s := b.step(e.pushStepName(req.provider)); s != nil {
					e.logStep(s, "Info", LogWorkerAssigned, nil)
				}
			}
		}
		e.mu.Unlock()

		if !e.sleep(e.opts.StepDelay) {
			e.mu.Lock()
			e.prQueue = append([]prRequest{req}, e.prQueue...)
			e.svc.prPumping = false
			e.mu.Unlock()
			return
		}
		url, stat, err := e.createPullRequest(e.svc.ctx, req, e.prEnvNow())
		e.mu.Lock()
		if e.svc.ctx.Err() != nil {
			e.svc.prPumping = false
			e.mu.Unlock()
			return
		}
		if b := e.buildByID(req.buildID); b != nil {
			s := b.step(e.pushStepName(req.provider))
			name := providerDisplayName(req.provider)
			if err != nil {
				// onCreatePRFailure
				e.logStep(s, "Info", fmt.Sprintf(logPushFailed, name), nil)
				e.logStep(s, "Error", err.Error(), nil)
				e.completeStep(s, "Failed")
				b.status, b.gitStatus = "Failed", "Failed"
			} else {
				// onCreatePRSuccess
				e.logStep(s, "Info", url, map[string]any{"githubUrl": url, "diffStat": stat})
				e.logStep(s, "Info", fmt.Sprintf(logPushFinish, name), nil)
				e.completeStep(s, "Success")
				b.status, b.gitStatus = "Completed", "Completed"
			}
		}
		e.mu.Unlock()
	}
}
