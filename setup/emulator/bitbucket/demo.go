package bitbucket

import (
	"time"
)

// DemoCallbackURL is the demo consumer's callback: Amplication's default CLIENT_HOST
// plus /bitbucket-auth-app/callback.
const DemoCallbackURL = "http://localhost:3001/bitbucket-auth-app/callback"

// DemoUserAccountID is the account_id of the demo world's only user.
const DemoUserAccountID = "5f0c1d2e3a4b5c6d7e8f9a0b"

// DemoScopes returns the scopes of the demo consumer: every box bbsetup asks for.
func DemoScopes() []string {
	return []string{"account", "team", "team:write", "project", "project:admin",
		"repository", "repository:write", "repository:admin", "pullrequest", "pullrequest:write", "webhook"}
}

// NewDemo builds the demo world: user "Demo Operator" (nickname "demo"), three workspaces
// ("acme" admin, "acme-labs", "playground") with projects, nRepos repositories spread over them,
// and one private consumer with every required scope and callback
// http://localhost:3001/bitbucket-auth-app/callback, whose Key/Secret are random per call.
func NewDemo(opts Options, nRepos int) (*Emulator, Consumer) {
	e := New(opts)
	e.AddUser(User{AccountID: DemoUserAccountID, DisplayName: "Demo Operator", Nickname: "demo"})
	me := DemoUserAccountID
	e.AddWorkspace(Workspace{Slug: "acme", Name: "Acme Corporation"}, map[string]bool{me: true})
	e.AddWorkspace(Workspace{Slug: "acme-labs", Name: "Acme Labs"}, map[string]bool{me: false})
	e.AddWorkspace(Workspace{Slug: "playground", Name: "Playground"}, map[string]bool{me: false})

	base := time.Date(2020, 3, 2, 10, 0, 0, 0, time.UTC)
	projects := map[string][]Project{
		"acme": {
			{Key: "PLAT", Name: "Platform", IsPrivate: true, CreatedOn: base},
			{Key: "WEB", Name: "Web", IsPrivate: true, CreatedOn: base.AddDate(0, 2, 0)},
			{Key: "OSS", Name: "Open Source", IsPrivate: false, CreatedOn: base.AddDate(0, 5, 0)},
		},
		"acme-labs": {
			{Key: "LAB", Name: "Experiments", IsPrivate: true, CreatedOn: base.AddDate(1, 0, 0)},
			{Key: "AI", Name: "Machine Learning", IsPrivate: true, CreatedOn: base.AddDate(1, 1, 0)},
		},
		"playground": {
			{Key: "PLAY", Name: "Sandbox", IsPrivate: false, CreatedOn: base.AddDate(2, 0, 0)},
		},
	}
	for _, ws := range []string{"acme", "acme-labs", "playground"} {
		for _, p := range projects[ws] {
			e.AddProject(ws, p)
		}
	}
	if nRepos > 0 {
		// Spread 60/30/10 over the three workspaces.
		a := nRepos * 6 / 10
		b := nRepos * 3 / 10
		c := nRepos - a - b
		e.GenerateRepos("acme", a)
		e.GenerateRepos("acme-labs", b)
		e.GenerateRepos("playground", c)
	}
	cons := Consumer{
		Key:         randomToken(18),
		Secret:      randomToken(32),
		Name:        "Amplication (demo)",
		CallbackURL: DemoCallbackURL,
		Private:     true,
		Scopes:      DemoScopes(),
		Owner:       me,
	}
	e.AddConsumer(cons)
	return e, cons
}
