package amplication

// Commits and builds: committing a project (which makes Amplication build every service of
// it) and reading each build's status, git status, steps and logs (SPEC.md, "After the
// connect"; Amplication's packages/amplication-server/src/core/build/build.service.ts and
// core/project/project.service.ts).
//
// Which servers take which documents (checked against the three real schemas by
// TestDocumentsAgainstRealSchemas):
//
//	BuildSupport, BuildsOfResource, BuildLegacy, LatestBuild   v1.10.0, v3.6.2, v3.14.0-29
//	CommitServices, Builds, Build                              v3.6.2, v3.14.0-29 (resourceTypeGroup, gitStatus)
//	Commit                                                     v1.10.0 only (no resourceTypeGroup, which v3 requires)
//
// v1.10.0 has no Build.gitStatus and its BuildWhereInput requires a resource, so there the
// builds of a commit are read one service at a time (BuildsOfResource) and the git status
// is derived from the PUSH_TO_GIT_PROVIDER step (Build.Git). Watching for a commit made
// elsewhere reads a service's newest build (LatestBuild): its commitId is the commit.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Variants of the build documents (see the table above).
const (
	ServicesServer Variant = 2 // needs resourceTypeGroup and Build.gitStatus (v3.6.2 and v3.14.0-29)
	LegacyServer   Variant = 3 // valid only where CommitCreateInput has no resourceTypeGroup (v1.10.0)
)

// Step names, their messages and the log lines of Amplication's build (build.service.ts).
const (
	StepAddToQueue     = "ADD_TO_QUEUE"
	StepPrivatePlugins = "DOWNLOAD_PRIVATE_PLUGINS"
	StepGenerate       = "GENERATE_APPLICATION"
	StepPushToGit      = "PUSH_TO_GIT_PROVIDER"
	// StepPushPrefix starts the push step's name on v1.10.0: PUSH_TO_BITBUCKET (PUSH_TO_
	// and the provider, upper-cased).
	StepPushPrefix      = "PUSH_TO_"
	LogPushStart        = "Pull request creation job added to queue. Waiting for available worker..."
	LogPushStartLegacy  = "Starting to push changes to Bitbucket" // v1.10.0
	LogPluginsStart     = "Downloading private plugins job added to queue. Waiting for available worker..."
	LogPushFinishPrefix = "Successfully pushed changes to "
	LogPushFailedSuffix = " failed" // "Push changes to Bitbucket failed"
	// MetaPullRequestURL is the key of the push step's log meta that carries the pull
	// request's URL (the name is GitHub's for every provider).
	MetaPullRequestURL = "githubUrl"
)

// Build, step and git statuses as the server spells them.
const (
	BuildRunning   = "Running"
	BuildCompleted = "Completed"
	BuildFailed    = "Failed"
	BuildInvalid   = "Invalid"
	BuildCanceled  = "Canceled"

	GitWaiting      = "Waiting"
	GitCompleted    = "Completed"
	GitFailed       = "Failed"
	GitNotConnected = "NotConnected"
	GitCanceled     = "Canceled"
	GitUnknown      = "Unknown"

	StepWaiting = "Waiting"
	StepRunning = "Running"
	StepSuccess = "Success"
	StepFailed  = "Failed"
)

const buildFields = `id resourceId status createdAt
      action { id steps { id name status message createdAt completedAt logs { id message meta level createdAt } } }`

var (
	docBuildSupport = &Document{Name: "BuildSupport", Idempotent: true, Text: `query BuildSupport {
  commitInput: __type(name: "CommitCreateInput") { inputFields { name } }
  build: __type(name: "Build") { fields { name } }
}`}
	docCommitServices = &Document{Name: "CommitServices", Variant: ServicesServer, Text: `mutation CommitServices($projectId: String!, $message: String!) {
  commit(data: {message: $message, project: {connect: {id: $projectId}}, resourceTypeGroup: Services}) { id message createdAt }
}`}
	docCommit = &Document{Name: "Commit", Variant: LegacyServer, Text: `mutation Commit($projectId: String!, $message: String!) {
  commit(data: {message: $message, project: {connect: {id: $projectId}}}) { id message createdAt }
}`}
	docBuilds = &Document{Name: "Builds", Variant: ServicesServer, Idempotent: true, Text: `query Builds($commitId: String!) {
  builds(where: {commit: {id: $commitId}}, orderBy: {createdAt: Asc}) { ` + buildFields + ` gitStatus }
}`}
	docBuildsOfResource = &Document{Name: "BuildsOfResource", Idempotent: true, Text: `query BuildsOfResource($commitId: String!, $resourceId: String!) {
  builds(where: {commit: {id: $commitId}, resource: {id: $resourceId}}, orderBy: {createdAt: Asc}) { ` + buildFields + ` }
}`}
	docBuild = &Document{Name: "Build", Variant: ServicesServer, Idempotent: true, Text: `query Build($id: String!) {
  build(where: {id: $id}) { ` + buildFields + ` gitStatus }
}`}
	docBuildLegacy = &Document{Name: "BuildLegacy", Idempotent: true, Text: `query BuildLegacy($id: String!) {
  build(where: {id: $id}) { ` + buildFields + ` }
}`}
	docLatestBuild = &Document{Name: "LatestBuild", Idempotent: true, Text: `query LatestBuild($resourceId: String!) {
  builds(where: {resource: {id: $resourceId}}, orderBy: {createdAt: Desc}, take: 1) { id commitId message createdAt }
}`}
)

// registered makes the build documents part of Documents(); the package's init parses them
// with the others.
var _ = func() bool {
	documents = append(documents, docBuildSupport, docCommitServices, docCommit, docBuilds, docBuildsOfResource,
		docBuild, docBuildLegacy, docLatestBuild)
	return true
}()

// BuildAPI says which build documents a server takes.
type BuildAPI struct {
	// Services: CommitCreateInput has resourceTypeGroup and Build has gitStatus (v3.x).
	Services bool
}

// BuildSupport asks the server (introspection) whether its commit takes a resource type
// group and its builds have a git status. A server with introspection off answers a
// *GraphQLError; then try the v3 documents and fall back (see Commit).
func (c *Client) BuildSupport(ctx context.Context) (BuildAPI, error) {
	var out struct {
		CommitInput *struct {
			InputFields []struct {
				Name string `json:"name"`
			} `json:"inputFields"`
		} `json:"commitInput"`
		Build *struct {
			Fields []struct {
				Name string `json:"name"`
			} `json:"fields"`
		} `json:"build"`
	}
	if err := c.do(ctx, docBuildSupport, nil, &out); err != nil {
		return BuildAPI{}, err
	}
	if out.CommitInput == nil || out.Build == nil {
		return BuildAPI{}, &NotGraphQLError{URL: c.endpoint, Err: errors.New("the server's schema has no CommitCreateInput or Build")}
	}
	group := slices.ContainsFunc(out.CommitInput.InputFields, func(f struct {
		Name string `json:"name"`
	}) bool {
		return f.Name == "resourceTypeGroup"
	})
	git := slices.ContainsFunc(out.Build.Fields, func(f struct {
		Name string `json:"name"`
	}) bool {
		return f.Name == "gitStatus"
	})
	return BuildAPI{Services: group && git}, nil
}

// Commit is a commit of a project.
type Commit struct {
	ID, Message string
	CreatedAt   time.Time
}

type wireCommit struct {
	ID        string    `json:"id"`
	Message   string    `json:"message"`
	CreatedAt time.Time `json:"createdAt"`
}

func (w *wireCommit) commit() *Commit {
	if w == nil {
		return nil
	}
	return &Commit{ID: w.ID, Message: w.Message, CreatedAt: w.CreatedAt}
}

// Commit commits the project's pending changes with message: Amplication then builds every
// service of the project (commit strategy All, resource type group Services) and pushes each
// build to its repository. Not idempotent: it is retried only when it cannot have reached
// the server.
func (c *Client) Commit(ctx context.Context, api BuildAPI, projectID, message string) (*Commit, error) {
	d := docCommit
	if api.Services {
		d = docCommitServices
	}
	var out struct {
		Commit *wireCommit `json:"commit"`
	}
	if err := c.do(ctx, d, map[string]any{"projectId": projectID, "message": message}, &out); err != nil {
		return nil, err
	}
	if out.Commit == nil || out.Commit.ID == "" {
		return nil, &NotGraphQLError{URL: c.endpoint, Err: errors.New("commit answered no commit")}
	}
	return out.Commit.commit(), nil
}

// LatestBuild is the resource's newest build as a commit (its commitId, and the build's
// message, which is the commit's), or nil when it has none.
func (c *Client) LatestBuild(ctx context.Context, resourceID string) (*Commit, error) {
	var out struct {
		Builds []struct {
			CommitID  string    `json:"commitId"`
			Message   *string   `json:"message"`
			CreatedAt time.Time `json:"createdAt"`
		} `json:"builds"`
	}
	if err := c.do(ctx, docLatestBuild, map[string]any{"resourceId": resourceID}, &out); err != nil {
		return nil, err
	}
	if len(out.Builds) == 0 {
		return nil, nil
	}
	b := out.Builds[0]
	cm := &Commit{ID: b.CommitID, CreatedAt: b.CreatedAt}
	if b.Message != nil {
		cm.Message = *b.Message
	}
	return cm, nil
}

// Log is one entry of a build step's log.
type Log struct {
	ID, Message, Level string
	// Meta is the entry's meta object as sent (for the push step's pull request entry:
	// {"githubUrl": URL, "diffStat": …}).
	Meta      map[string]any
	CreatedAt time.Time
}

// MetaString is meta[key] when it is a string.
func (l Log) MetaString(key string) string {
	s, _ := l.Meta[key].(string)
	return s
}

// Step is one step of a build's action.
type Step struct {
	ID, Name, Status, Message string
	CreatedAt                 time.Time
	CompletedAt               *time.Time
	Logs                      []Log
}

// IsPushStart reports whether msg is the push step's first log line (any generation).
func IsPushStart(msg string) bool { return msg == LogPushStart || msg == LogPushStartLegacy }

// LastLog is the step's newest log entry, or nil.
func (s *Step) LastLog() *Log {
	if s == nil || len(s.Logs) == 0 {
		return nil
	}
	return &s.Logs[len(s.Logs)-1]
}

// Build is one service's build of a commit.
type Build struct {
	ID, ResourceID, Status string
	// GitStatus is the server's on v3; on v1.10.0 (no gitStatus) it is "" and Git derives it.
	GitStatus string
	CreatedAt time.Time
	Steps     []Step
}

// Step returns the build's step named name, or nil.
func (b *Build) Step(name string) *Step {
	for i := range b.Steps {
		if b.Steps[i].Name == name {
			return &b.Steps[i]
		}
	}
	return nil
}

// PushStep is the push step: PUSH_TO_GIT_PROVIDER, or PUSH_TO_BITBUCKET on v1.10.0; nil
// before the push.
func (b *Build) PushStep() *Step {
	if st := b.Step(StepPushToGit); st != nil {
		return st
	}
	for i := range b.Steps {
		if strings.HasPrefix(b.Steps[i].Name, StepPushPrefix) {
			return &b.Steps[i]
		}
	}
	return nil
}

// Git is the build's git status: the server's when it has one, else derived as v3 would
// set it: Completed or Failed with the push step, NotConnected when a completed build has
// no push step, Canceled when generation failed, Waiting otherwise.
func (b *Build) Git() string {
	if b.GitStatus != "" {
		return b.GitStatus
	}
	push := b.PushStep()
	switch {
	case push != nil && push.Status == StepSuccess:
		return GitCompleted
	case push != nil && push.Status == StepFailed:
		return GitFailed
	case push == nil && b.Status == BuildCompleted:
		return GitNotConnected
	case b.Status == BuildFailed || b.Status == BuildCanceled:
		return GitCanceled
	}
	return GitWaiting
}

// PullRequestURL is the URL the push step logged (meta githubUrl), or "".
func (b *Build) PullRequestURL() string {
	push := b.PushStep()
	if push == nil {
		return ""
	}
	for i := len(push.Logs) - 1; i >= 0; i-- {
		if u := strings.TrimSpace(push.Logs[i].MetaString(MetaPullRequestURL)); u != "" {
			return u
		}
	}
	return ""
}

type wireBuild struct {
	ID         string    `json:"id"`
	ResourceID string    `json:"resourceId"`
	Status     *string   `json:"status"`
	GitStatus  *string   `json:"gitStatus"`
	CreatedAt  time.Time `json:"createdAt"`
	Action     *struct {
		Steps []struct {
			ID          string     `json:"id"`
			Name        string     `json:"name"`
			Status      string     `json:"status"`
			Message     string     `json:"message"`
			CreatedAt   time.Time  `json:"createdAt"`
			CompletedAt *time.Time `json:"completedAt"`
			Logs        []struct {
				ID        string         `json:"id"`
				Message   string         `json:"message"`
				Meta      map[string]any `json:"meta"`
				Level     string         `json:"level"`
				CreatedAt time.Time      `json:"createdAt"`
			} `json:"logs"`
		} `json:"steps"`
	} `json:"action"`
}

func (w wireBuild) build() Build {
	b := Build{ID: w.ID, ResourceID: w.ResourceID, CreatedAt: w.CreatedAt}
	if w.Status != nil {
		b.Status = *w.Status
	}
	if w.GitStatus != nil {
		b.GitStatus = *w.GitStatus
	}
	if w.Action != nil {
		for _, s := range w.Action.Steps {
			st := Step{ID: s.ID, Name: s.Name, Status: s.Status, Message: s.Message, CreatedAt: s.CreatedAt, CompletedAt: s.CompletedAt}
			for _, l := range s.Logs {
				st.Logs = append(st.Logs, Log{ID: l.ID, Message: l.Message, Meta: l.Meta, Level: l.Level, CreatedAt: l.CreatedAt})
			}
			b.Steps = append(b.Steps, st)
		}
	}
	return b
}

// Builds reads the builds of the commit with their steps and logs, oldest first: in one
// request on a v3 server; on v1.10.0 (whose builds query needs a resource) one request per
// resource of resourceIDs.
func (c *Client) Builds(ctx context.Context, api BuildAPI, commitID string, resourceIDs []string) ([]Build, error) {
	var ws []wireBuild
	if api.Services {
		var out struct {
			Builds []wireBuild `json:"builds"`
		}
		if err := c.do(ctx, docBuilds, map[string]any{"commitId": commitID}, &out); err != nil {
			return nil, err
		}
		ws = out.Builds
	} else {
		for _, id := range resourceIDs {
			var out struct {
				Builds []wireBuild `json:"builds"`
			}
			if err := c.do(ctx, docBuildsOfResource, map[string]any{"commitId": commitID, "resourceId": id}, &out); err != nil {
				return nil, err
			}
			ws = append(ws, out.Builds...)
		}
	}
	bs := make([]Build, 0, len(ws))
	for _, w := range ws {
		bs = append(bs, w.build())
	}
	return bs, nil
}

// Build reads one build with its steps and logs.
func (c *Client) Build(ctx context.Context, api BuildAPI, id string) (*Build, error) {
	d := docBuildLegacy
	if api.Services {
		d = docBuild
	}
	var out struct {
		Build *wireBuild `json:"build"`
	}
	if err := c.do(ctx, d, map[string]any{"id": id}, &out); err != nil {
		return nil, err
	}
	if out.Build == nil {
		return nil, &GraphQLError{Operation: d.Name, Messages: []string{"no build " + id}, Codes: []string{""}}
	}
	b := out.Build.build()
	return &b, nil
}
