package amplication

import (
	"context"
	"strings"
)

// root resolves Query and Mutation (graph-gophers/graphql-go: one method per field,
// arguments as structs; the Go structs may carry fields a generation lacks).
type root struct{ e *Emulator }

// ---- sign-in and workspaces ----

type loginArgs struct {
	Data struct{ Email, Password string }
}

// Login is the real AuthService.login: email lower-cased, no guard.
func (r *root) Login(args loginArgs) (*authR, error) {
	e := r.e
	email := strings.ToLower(args.Data.Email)
	e.mu.Lock()
	defer e.mu.Unlock()
	var a *account
	for _, x := range e.accounts {
		if x.email == email {
			a = x
		}
	}
	if a == nil {
		return nil, fail("No account found for email: " + email)
	}
	if a.password != args.Data.Password {
		return nil, fail("Invalid password")
	}
	u := e.memberByID(a.currentUser)
	if u == nil {
		return nil, fail("Cannot read properties of null (reading 'id')")
	}
	return &authR{token: e.token(u)}, nil
}

type whereUniqueArgs struct {
	Data struct{ ID string }
}

// SetCurrentWorkspace returns a token for the account's membership of another workspace
// and makes it the account's current one (the next login signs in there).
func (r *root) SetCurrentWorkspace(ctx context.Context, args whereUniqueArgs) (*authR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, u := range e.users {
		if u.accountID == me.accountID && u.workspaceID == args.Data.ID {
			if a := e.accountByID(me.accountID); a != nil {
				a.currentUser = u.id
			}
			return &authR{token: e.token(u)}, nil
		}
	}
	return nil, fail("This account does not have an active user records in the selected workspace or workspace not found " + args.Data.ID)
}

func (r *root) Me(ctx context.Context) (*userR, error) {
	me, err := r.e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	return &userR{e: r.e, u: me}, nil
}

// Workspaces are the workspaces the token's account is a member of.
func (r *root) Workspaces(ctx context.Context) ([]*workspaceR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*workspaceR
	for _, u := range e.users {
		if u.accountID == me.accountID {
			if w := e.workspaceByID(u.workspaceID); w != nil {
				out = append(out, &workspaceR{e: e, w: *w})
			}
		}
	}
	return out, nil
}

func (r *root) CurrentWorkspace(ctx context.Context) (*workspaceR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	w := e.workspaceByID(me.workspaceID)
	if w == nil {
		return nil, nil
	}
	return &workspaceR{e: e, w: *w}, nil
}

type projectsArgs struct {
	Skip, Take *int32
	Where      *struct{ ID *string }
}

// Projects are the projects of the token's workspace.
func (r *root) Projects(ctx context.Context, args projectsArgs) ([]*projectR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*projectR
	for _, p := range e.projects {
		if listed(me, p.workspaceID, p.id, args.Where) {
			out = append(out, &projectR{e: e, p: *p})
		}
	}
	return window(out, i32(args.Skip), i32(args.Take)), nil
}

type gitOrgsArgs struct {
	Skip, Take *float64
	Where      *struct{ ID *string }
}

// GitOrganizations are the git organizations of the token's workspace.
func (r *root) GitOrganizations(ctx context.Context, args gitOrgsArgs) ([]*orgR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*orgR
	for _, g := range e.orgs {
		if listed(me, g.workspaceID, g.id, args.Where) {
			out = append(out, &orgR{o: *g})
		}
	}
	return window(out, f64(args.Skip), f64(args.Take)), nil
}

// listed reports whether a list of the token's workspace (projects, gitOrganizations)
// holds the item of workspace ws with this id: only its own workspace's items and, when
// where gives an id, only that one.
func listed(me member, ws, id string, where *struct{ ID *string }) bool {
	return ws == me.workspaceID && (where == nil || where.ID == nil || *where.ID == id)
}

func i32(p *int32) int {
	if p == nil {
		return -1
	}
	return int(*p)
}

func f64(p *float64) int {
	if p == nil {
		return -1
	}
	return int(*p)
}

// window applies skip and take (-1: absent).
func window[T any](in []T, skip, take int) []T {
	if skip > 0 {
		in = in[min(skip, len(in)):]
	}
	if take >= 0 && take < len(in) {
		in = in[:take]
	}
	return in
}

// ---- connect and disconnect ----

type connectArgs struct {
	Data struct {
		GitOrganizationID       string
		GroupName               *string
		IsOverrideGitRepository *bool // accepted and, like the real server, ignored
		Name                    string
		ResourceID              string
	}
}

// guardResource is AuthorizeContext(ResourceId): the resource must be in the token's
// workspace. The caller holds e.mu.
func (e *Emulator) guardResource(me member, id string) (*resource, error) {
	if id == "" {
		return nil, errForbidden
	}
	rs := e.resourceByID(id)
	if rs == nil {
		return nil, errForbidden
	}
	p := e.projectByID(rs.projectID)
	if p == nil || p.workspaceID != me.workspaceID {
		return nil, errForbidden
	}
	return rs, nil
}

// inherited is getInheritProjectResources: for the project's ProjectConfiguration, every
// resource of the project that does not override the repository, and itself; otherwise
// the resource alone. The caller holds e.mu.
func (e *Emulator) inherited(rs *resource) []*resource {
	if rs.typ != "ProjectConfiguration" {
		return []*resource{rs}
	}
	var out []*resource
	for _, x := range e.resources {
		if x.projectID == rs.projectID && (!x.override || x == rs) {
			out = append(out, x)
		}
	}
	return out
}

// ConnectResourceGitRepository stores the repository (name, group) for the resource and,
// for a ProjectConfiguration, for every resource that inherits it. It checks nothing on
// the provider's side.
func (r *root) ConnectResourceGitRepository(ctx context.Context, args connectArgs) (*resourceR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	d := args.Data
	rs, err := e.guardResource(me, d.ResourceID)
	if err != nil {
		return nil, err
	}
	if rs.repoID != "" && e.repos[rs.repoID] != nil {
		return nil, fail("The resource is already connected to a Git Repository")
	}
	org := e.orgByID(d.GitOrganizationID)
	if org == nil || org.workspaceID != me.workspaceID {
		if e.gen == SchemaV1 {
			return nil, fail("An operation failed because it depends on one or more records that were required but not found. No 'GitOrganization' record(s) (needed to inline the relation on 'GitRepository' record(s)) was found for a nested connect on one-to-many relation 'GitOrganizationToGitRepository'.")
		}
		// validateGitOrganization reads gitOrg.workspace of a null findUnique.
		return nil, fail("Cannot read properties of null (reading 'workspace')")
	}
	before := *rs
	rp := &repo{id: newID(), name: d.Name, orgID: org.id}
	if d.GroupName != nil {
		rp.groupName = *d.GroupName
	}
	e.repos[rp.id] = rp
	for _, x := range e.inherited(rs) {
		x.repoID = rp.id
	}
	return &resourceR{e: e, r: before}, nil
}

type disconnectArgs struct {
	ResourceID              string
	OverrideProjectSettings *bool // v3 only
}

// DisconnectResourceGitRepository removes the repository from the resource (and, for a
// ProjectConfiguration, from every resource that inherits it); the repository record goes
// when nothing uses it any more. With overrideProjectSettings (v3) a service stops
// inheriting the project's repository.
func (r *root) DisconnectResourceGitRepository(ctx context.Context, args disconnectArgs) (*resourceR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rs, err := e.guardResource(me, args.ResourceID)
	if err != nil {
		return nil, err
	}
	before := *rs
	if e.gen != SchemaV1 && rs.typ != "ProjectConfiguration" && args.OverrideProjectSettings != nil && *args.OverrideProjectSettings {
		rs.override = true
		rs.repoID = ""
		e.dropUnused()
		return &resourceR{e: e, r: before}, nil
	}
	if rs.repoID == "" {
		if e.gen != SchemaV3 {
			return nil, fail("Argument where of type GitRepositoryWhereUniqueInput needs at least one argument.")
		}
		return &resourceR{e: e, r: before}, nil
	}
	old := rs.repoID
	for _, x := range e.inherited(rs) {
		if x.repoID == old {
			x.repoID = ""
		}
	}
	e.dropUnused()
	return &resourceR{e: e, r: before}, nil
}

type updateResourceArgs struct {
	Data struct {
		Description           *string
		GitRepositoryOverride *bool // v1.10.0 and v3.6.2 only
		Name                  *string
	}
	Where struct{ ID string }
}

// UpdateResource is ResourceService.updateResource: the data goes to the record as given
// (before v3.7.0 that includes gitRepositoryOverride, which is how Amplication's UI marked a
// service as overriding its project's repository); the updated resource is returned.
func (r *root) UpdateResource(ctx context.Context, args updateResourceArgs) (*resourceR, error) {
	e := r.e
	me, err := e.authUser(ctx)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rs, err := e.guardResource(me, args.Where.ID)
	if err != nil {
		return nil, err
	}
	d := args.Data
	if d.Name != nil {
		rs.name = *d.Name
		if rs.typ == "ProjectConfiguration" {
			if p := e.projectByID(rs.projectID); p != nil {
				p.name = *d.Name
			}
		}
	}
	if d.GitRepositoryOverride != nil {
		rs.override = *d.GitRepositoryOverride
	}
	return &resourceR{e: e, r: *rs}, nil
}

// dropUnused deletes repository records no resource uses. The caller holds e.mu.
func (e *Emulator) dropUnused() {
	used := map[string]bool{}
	for _, x := range e.resources {
		used[x.repoID] = true
	}
	for id := range e.repos {
		if !used[id] {
			delete(e.repos, id)
		}
	}
}

// ---- object resolvers (values copied when resolved) ----

type authR struct{ token string }

func (a *authR) Token() string { return a.token }

type urlR struct{ url string }

func (u *urlR) URL() string { return u.url }

type userR struct {
	e *Emulator
	u member
}

func (u *userR) ID() string    { return u.u.id }
func (u *userR) IsOwner() bool { return u.u.owner }
func (u *userR) Account() *accountR {
	u.e.mu.Lock()
	defer u.e.mu.Unlock()
	a := u.e.accountByID(u.u.accountID)
	if a == nil {
		return nil
	}
	return &accountR{a: *a}
}
func (u *userR) Workspace() *workspaceR {
	u.e.mu.Lock()
	defer u.e.mu.Unlock()
	w := u.e.workspaceByID(u.u.workspaceID)
	if w == nil {
		return nil
	}
	return &workspaceR{e: u.e, w: *w}
}

type accountR struct{ a account }

func (a *accountR) ID() string        { return a.a.id }
func (a *accountR) Email() string     { return a.a.email }
func (a *accountR) FirstName() string { return a.a.first }
func (a *accountR) LastName() string  { return a.a.last }

type workspaceR struct {
	e *Emulator
	w workspace
}

func (w *workspaceR) ID() string   { return w.w.id }
func (w *workspaceR) Name() string { return w.w.name }
func (w *workspaceR) Projects() []*projectR {
	w.e.mu.Lock()
	defer w.e.mu.Unlock()
	out := []*projectR{}
	for _, p := range w.e.projects {
		if p.workspaceID == w.w.id {
			out = append(out, &projectR{e: w.e, p: *p})
		}
	}
	return out
}
func (w *workspaceR) GitOrganizations() *[]*orgR {
	w.e.mu.Lock()
	defer w.e.mu.Unlock()
	out := []*orgR{}
	for _, g := range w.e.orgs {
		if g.workspaceID == w.w.id {
			out = append(out, &orgR{o: *g})
		}
	}
	return &out
}

type projectR struct {
	e *Emulator
	p project
}

func (p *projectR) ID() string           { return p.p.id }
func (p *projectR) Name() string         { return p.p.name }
func (p *projectR) Description() *string { return nil }
func (p *projectR) UseDemoRepo() bool {
	p.e.mu.Lock()
	defer p.e.mu.Unlock()
	if cur := p.e.projectByID(p.p.id); cur != nil {
		return cur.useDemoRepo
	}
	return p.p.useDemoRepo
}
func (p *projectR) Resources() *[]*resourceR {
	p.e.mu.Lock()
	defer p.e.mu.Unlock()
	out := []*resourceR{}
	for _, r := range p.e.resources {
		if r.projectID == p.p.id {
			out = append(out, &resourceR{e: p.e, r: *r})
		}
	}
	return &out
}

// resourceR is a resource as read when its parent resolved (like the real server, which
// returns the record it read before a connect or disconnect); gitRepository is resolved
// anew, as the real field resolver does.
type resourceR struct {
	e *Emulator
	r resource
}

func (r *resourceR) ID() string                  { return r.r.id }
func (r *resourceR) Name() string                { return r.r.name }
func (r *resourceR) Description() string         { return "" }
func (r *resourceR) ResourceType() string        { return r.r.typ }
func (r *resourceR) GitRepositoryOverride() bool { return r.r.override }
func (r *resourceR) ProjectID() *string          { return &r.r.projectID }
func (r *resourceR) GitRepositoryID() *string {
	if r.r.repoID == "" {
		return nil
	}
	return &r.r.repoID
}
func (r *resourceR) Project() *projectR {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	p := r.e.projectByID(r.r.projectID)
	if p == nil {
		return nil
	}
	return &projectR{e: r.e, p: *p}
}
func (r *resourceR) GitRepository() *repoR {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	cur := r.e.resourceByID(r.r.id)
	if cur == nil {
		return nil
	}
	rp := r.e.repos[cur.repoID]
	if rp == nil {
		return nil
	}
	var org *gitOrg
	if g := r.e.orgByID(rp.orgID); g != nil {
		c := *g
		org = &c
	}
	return &repoR{r: *rp, org: org}
}

type repoR struct {
	r   repo
	org *gitOrg
}

func (r *repoR) ID() string                { return r.r.id }
func (r *repoR) Name() string              { return r.r.name }
func (r *repoR) GitOrganizationID() string { return r.r.orgID }
func (r *repoR) GroupName() *string {
	if r.r.groupName == "" {
		return nil
	}
	return &r.r.groupName
}
func (r *repoR) GitOrganization() (*orgR, error) {
	if r.org == nil {
		return nil, fail("Git Organization not found")
	}
	return &orgR{o: *r.org}, nil
}

type orgR struct{ o gitOrg }

func (o *orgR) ID() string                       { return o.o.id }
func (o *orgR) Name() string                     { return o.o.name }
func (o *orgR) Provider() string                 { return o.o.provider }
func (o *orgR) Type() string                     { return o.o.typ }
func (o *orgR) InstallationID() string           { return o.o.installationID }
func (o *orgR) UseGroupingForRepositories() bool { return o.o.grouping }
