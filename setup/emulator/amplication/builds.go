package amplication

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// builds.go is the server's side of a commit: commit creates a Build per service
// (project.service.ts `commit`), each with an Action whose steps and logs are the real
// server's (build.service.ts, action.service.ts): ADD_TO_QUEUE, then GENERATE_APPLICATION
// (finished by the code generator, services.go), then PUSH_TO_GIT_PROVIDER (finished by the
// PR service) or, for a service without a repository, status Completed / gitStatus
// NotConnected. Read at d533515da (v3.14.0-29); v1.10.0 differs where noted.

// Step names, messages and log lines (build.service.ts).
const (
	StepAddToQueue      = "ADD_TO_QUEUE"
	StepGenerate        = "GENERATE_APPLICATION"
	StepPushToGit       = "PUSH_TO_GIT_PROVIDER"                                                      // v3.x; v1.10.0: "PUSH_TO_" + provider in capitals
	LogPushStart        = "Pull request creation job added to queue. Waiting for available worker..." // v3.x
	LogPushStartV1      = "Starting to push changes to %s"                                            // v1.10.0
	LogWorkerAssigned   = "Worker assigned. Starting pull request creation..."                        // git-sync-manager's CREATE_PR_LOG
	msgAddToQueue       = "Adding task to queue"
	msgGenerate         = "Generating Application"
	logCreateBuildTask  = "Create build generation task"
	logPushFinish       = "Successfully pushed changes to %s"
	logPushFailed       = "Push changes to %s failed"
	msgPushStep         = "Push changes to %s"
	errNoResourcesFound = "Invalid userId or resourceId"
)

// providerDisplayName is PROVIDERS_DISPLAY_NAME.
func providerDisplayName(p string) string {
	switch p {
	case "Github":
		return "GitHub"
	case "AwsCodeCommit":
		return "AWS CodeCommit"
	}
	return p
}

// dsgLogs are the code generator's own log lines for a build (data-service-generator's
// create-data-service.ts), reported into GENERATE_APPLICATION.
var dsgLogs = []string{
	"Running DSG data-service-generator version: v3.14.0 <d533515>",
	"Creating application...",
	"Creating DTOs...",
	"Normalizing modules path to use Unix path separator",
	"Creating application process finished successfully",
}

type commitRec struct {
	id, message, projectID, userID string
	createdAt                      time.Time
}

type build struct {
	id, resourceID, commitID, userID, message, version string
	createdAt                                          time.Time
	status, gitStatus                                  string
	action                                             *action
}

type action struct {
	id        string
	createdAt time.Time
	steps     []*step
}

type step struct {
	id, name, message, status string
	createdAt                 time.Time
	completedAt               *time.Time
	logs                      []*logEntry
}

type logEntry struct {
	id, level, message string
	meta               map[string]any
	createdAt          time.Time
}

// addStep opens a step (status Running), as ActionService.createStep. The caller holds e.mu.
func (e *Emulator) addStep(a *action, name, message string) *step {
	s := &step{id: newID(), name: name, message: message, status: "Running", createdAt: e.now()}
	a.steps = append(a.steps, s)
	return s
}

func (e *Emulator) logStep(s *step, level, message string, meta map[string]any) {
	if meta == nil {
		meta = map[string]any{}
	}
	s.logs = append(s.logs, &logEntry{id: newID(), level: level, message: message, meta: meta, createdAt: e.now()})
}

func (e *Emulator) completeStep(s *step, status string) {
	t := e.now()
	s.status, s.completedAt = status, &t
}

func (b *build) step(name string) *step {
	for _, s := range b.action.steps {
		if s.name == name {
			return s
		}
	}
	return nil
}

// pushStepName is the push step's name in this generation.
func (e *Emulator) pushStepName(provider string) string {
	if e.gen == SchemaV1 {
		return "PUSH_TO_" + strings.ToUpper(provider)
	}
	return StepPushToGit
}

type commitArgs struct {
	Data struct {
		Message string
		Project struct {
			Connect struct{ ID string }
		}
		ResourceTypeGroup string // required from v3.x on
	}
}

// commitArgsV1 is v1.10.0's CommitCreateInput: no resource type group.
type commitArgsV1 struct {
	Data struct {
		Message string
		Project struct {
			Connect struct{ ID string }
		}
	}
}

// rootV1 resolves the fields whose arguments differ in v1.10.0 (graph-gophers matches an
// argument's Go type to its nullability).
type rootV1 struct{ *root }

// Commit is v1.10.0's commit: every service of the project.
func (r *rootV1) Commit(ctx context.Context, args commitArgsV1) (*commitR, error) {
	var a commitArgs
	a.Data.Message, a.Data.Project.Connect.ID, a.Data.ResourceTypeGroup = args.Data.Message, args.Data.Project.Connect.ID, "Services"
	return r.root.Commit(ctx, a)
}

// buildsArgsV1 is v1.10.0's builds arguments: where.resource is required.
type buildsArgsV1 struct {
	OrderBy *struct {
		CreatedAt *string
		ID        *string
	}
	Skip, Take *int32
	Where      *struct {
		Commit   *struct{ ID string }
		Resource struct{ ID string }
	}
}

// Builds is v1.10.0's builds.
func (r *rootV1) Builds(ctx context.Context, args buildsArgsV1) ([]*buildRV1, error) {
	a := buildsArgs{OrderBy: args.OrderBy, Skip: args.Skip, Take: args.Take}
	if args.Where != nil {
		res := args.Where.Resource
		a.Where = &buildWhere{Commit: args.Where.Commit, Resource: &res}
	}
	list, err := r.root.Builds(ctx, a)
	out := make([]*buildRV1, len(list))
	for i, b := range list {
		out[i] = &buildRV1{b}
	}
	return out, err
}

// Build is v1.10.0's build.
func (r *rootV1) Build(ctx context.Context, args buildArgs) (*buildRV1, error) {
	b, err := r.root.Build(ctx, args)
	if err != nil {
		return nil, err
	}
	return &buildRV1{b}, nil
}

// buildRV1 is a build as v1.10.0 types it: message String!, status nullable.
type buildRV1 struct{ *buildR }

func (b *buildRV1) Message() string   { return b.get().message }
func (b *buildRV1) Status() *string   { s := b.get().status; return &s }
func (b *buildRV1) GitStatus() string { return b.get().gitStatus }

// Commit is ProjectService.commit: a commit of the project, and a build for every service
// of the project (resource type group Services; v1.10.0 has no groups). The builds start
// at once: GENERATE_APPLICATION waits for the code generator (services.go).
func (r *root) Commit(ctx context.Context, args commitArgs) (*commitR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.projectByID(args.Data.Project.Connect.ID)
	group := args.Data.ResourceTypeGroup
	var services []*resource
	found := false
	if p != nil && p.workspaceID == me.workspaceID {
		for _, rs := range e.resources {
			if rs.projectID != p.id {
				continue
			}
			// RESOURCE_TYPE_GROUP_TO_RESOURCE_TYPE: Services holds services, message
			// brokers and the project's settings; Platform none the emulator has.
			if group == "Services" {
				found = true
				if rs.typ == "Service" {
					services = append(services, rs)
				}
			}
		}
	}
	if !found {
		return nil, fail(errNoResourcesFound)
	}
	now := e.now()
	c := &commitRec{id: newID(), message: args.Data.Message, projectID: p.id, userID: me.id, createdAt: now}
	e.commits = append(e.commits, c)
	for _, rs := range services {
		version := c.id[len(c.id)-8:]
		b := &build{id: newID(), resourceID: rs.id, commitID: c.id, userID: me.id, message: c.message,
			version: version, createdAt: now, status: "Running", gitStatus: "Waiting",
			action: &action{id: newID(), createdAt: now}}
		q := e.addStep(b.action, StepAddToQueue, msgAddToQueue)
		e.logStep(q, "Info", logCreateBuildTask, nil)
		e.logStep(q, "Info", "Build version: "+version, nil)
		e.logStep(q, "Info", "Build message: "+c.message, nil)
		e.completeStep(q, "Success")
		e.addStep(b.action, StepGenerate, msgGenerate)
		e.builds = append(e.builds, b)
		e.genQueue = append(e.genQueue, b.id)
	}
	e.kick()
	return &commitR{e: e, c: *c}, nil
}

type buildWhere struct {
	Commit   *struct{ ID string }
	Resource *struct{ ID string }
}

type buildsArgs struct {
	OrderBy *struct {
		CreatedAt *string
		ID        *string
	}
	Skip, Take *int32
	Where      *buildWhere
}

// Builds lists the builds of the token's workspace matching where (commit, resource),
// oldest first unless orderBy says otherwise.
func (r *root) Builds(ctx context.Context, args buildsArgs) ([]*buildR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.findBuilds(me.workspaceID, "", args), nil
}

// findBuilds filters builds; commitID (when not "") restricts them to one commit. The
// caller holds e.mu.
func (e *Emulator) findBuilds(workspaceID, commitID string, args buildsArgs) []*buildR {
	var out []*buildR
	for _, b := range e.builds {
		rs := e.resourceByID(b.resourceID)
		if rs == nil {
			continue
		}
		if p := e.projectByID(rs.projectID); p == nil || p.workspaceID != workspaceID {
			continue
		}
		if commitID != "" && b.commitID != commitID {
			continue
		}
		if w := args.Where; w != nil {
			if w.Commit != nil && w.Commit.ID != b.commitID {
				continue
			}
			if w.Resource != nil && w.Resource.ID != b.resourceID {
				continue
			}
		}
		out = append(out, &buildR{e: e, id: b.id})
	}
	if o := args.OrderBy; o != nil && ((o.CreatedAt != nil && *o.CreatedAt == "Desc") || (o.ID != nil && *o.ID == "Desc")) {
		slices.Reverse(out)
	}
	return window(out, i32(args.Skip), i32(args.Take))
}

type buildArgs struct {
	Where struct{ ID string }
}

// Build is one build of the token's workspace; an unknown id is the Prisma error of a
// null findUnique the real resolver returns as non-null.
func (r *root) Build(ctx context.Context, args buildArgs) (*buildR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, b := range e.builds {
		if b.id != args.Where.ID {
			continue
		}
		if rs := e.resourceByID(b.resourceID); rs != nil {
			if p := e.projectByID(rs.projectID); p != nil && p.workspaceID == me.workspaceID {
				return &buildR{e: e, id: b.id}, nil
			}
		}
		break
	}
	return nil, errForbidden
}

// ---- scalars ----

// dateTime is the DateTime scalar: ISO 8601 in UTC with milliseconds, as JSON.stringify.
type dateTime struct{ time.Time }

func (dateTime) ImplementsGraphQLType(name string) bool { return name == "DateTime" }
func (d *dateTime) UnmarshalGraphQL(input any) error {
	s, ok := input.(string)
	if !ok {
		return fmt.Errorf("DateTime: want a string, got %T", input)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	d.Time = t
	return err
}
func (d dateTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// jsonObject is the JSONObject scalar.
type jsonObject map[string]any

func (jsonObject) ImplementsGraphQLType(name string) bool { return name == "JSONObject" }
func (j *jsonObject) UnmarshalGraphQL(input any) error {
	m, ok := input.(map[string]any)
	if !ok {
		return fmt.Errorf("JSONObject: want an object, got %T", input)
	}
	*j = m
	return nil
}
func (j jsonObject) MarshalJSON() ([]byte, error) { return json.Marshal(map[string]any(j)) }

// ---- resolvers (read under e.mu when resolved) ----

type commitR struct {
	e *Emulator
	c commitRec
}

func (c *commitR) ID() string          { return c.c.id }
func (c *commitR) Message() string     { return c.c.message }
func (c *commitR) UserID() string      { return c.c.userID }
func (c *commitR) CreatedAt() dateTime { return dateTime{c.c.createdAt} }

// buildR resolves a build by id, reading its current state field by field (a follower
// polling build(where) sees progress).
type buildR struct {
	e  *Emulator
	id string
}

func (b *buildR) get() build {
	b.e.mu.Lock()
	defer b.e.mu.Unlock()
	if x := b.e.buildByID(b.id); x != nil {
		return *x
	}
	return build{}
}

func (b *buildR) ID() string          { return b.id }
func (b *buildR) ActionID() string    { return b.get().action.id }
func (b *buildR) CommitID() string    { return b.get().commitID }
func (b *buildR) ResourceID() string  { return b.get().resourceID }
func (b *buildR) UserID() string      { return b.get().userID }
func (b *buildR) Version() string     { return b.get().version }
func (b *buildR) CreatedAt() dateTime { return dateTime{b.get().createdAt} }
func (b *buildR) GitStatus() string   { return b.get().gitStatus }

// Message is String (v3.x; buildRV1 serves v1.10.0's String!).
func (b *buildR) Message() *string { m := b.get().message; return &m }

// Status is EnumBuildStatus! (v3.x; v1.10.0's is nullable).
func (b *buildR) Status() string { return b.get().status }

func (b *buildR) Commit() *commitR {
	b.e.mu.Lock()
	defer b.e.mu.Unlock()
	if x := b.e.buildByID(b.id); x != nil {
		if c := byID(b.e.commits, x.commitID, func(c *commitRec) string { return c.id }); c != nil {
			return &commitR{e: b.e, c: *c}
		}
	}
	return nil
}

func (b *buildR) Resource() *resourceR {
	b.e.mu.Lock()
	defer b.e.mu.Unlock()
	if x := b.e.buildByID(b.id); x != nil {
		if rs := b.e.resourceByID(x.resourceID); rs != nil {
			return &resourceR{e: b.e, r: *rs}
		}
	}
	return nil
}

func (b *buildR) Action() *actionR {
	b.e.mu.Lock()
	defer b.e.mu.Unlock()
	if x := b.e.buildByID(b.id); x != nil {
		return &actionR{a: copyAction(x.action)}
	}
	return nil
}

// copyAction copies an action deeply, so a resolver reads a consistent snapshot.
func copyAction(a *action) action {
	out := action{id: a.id, createdAt: a.createdAt}
	for _, s := range a.steps {
		c := *s
		c.logs = nil
		for _, l := range s.logs {
			lc := *l
			c.logs = append(c.logs, &lc)
		}
		out.steps = append(out.steps, &c)
	}
	return out
}

type actionR struct{ a action }

func (a *actionR) ID() string          { return a.a.id }
func (a *actionR) CreatedAt() dateTime { return dateTime{a.a.createdAt} }
func (a *actionR) Steps() *[]*stepR {
	out := []*stepR{}
	for _, s := range a.a.steps {
		out = append(out, &stepR{s: s})
	}
	return &out
}

type stepR struct{ s *step }

func (s *stepR) ID() string          { return s.s.id }
func (s *stepR) Name() string        { return s.s.name }
func (s *stepR) Message() string     { return s.s.message }
func (s *stepR) Status() string      { return s.s.status }
func (s *stepR) CreatedAt() dateTime { return dateTime{s.s.createdAt} }
func (s *stepR) CompletedAt() *dateTime {
	if s.s.completedAt == nil {
		return nil
	}
	return &dateTime{*s.s.completedAt}
}
func (s *stepR) Logs() *[]*logR {
	out := []*logR{}
	for _, l := range s.s.logs {
		out = append(out, &logR{l: l})
	}
	return &out
}

type logR struct{ l *logEntry }

func (l *logR) ID() string          { return l.l.id }
func (l *logR) Level() string       { return l.l.level }
func (l *logR) Message() string     { return l.l.message }
func (l *logR) Meta() jsonObject    { return jsonObject(l.l.meta) }
func (l *logR) CreatedAt() dateTime { return dateTime{l.l.createdAt} }
