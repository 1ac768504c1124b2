package bitbucket

import (
	"testing"
	"time"
)

func TestBBQL(t *testing.T) {
	ws := newWorkspace(Workspace{Slug: "w", Name: "W", UUID: "{w}"}, nil, t0)
	ws.addProject(Project{Key: "P", Name: "Platform", IsPrivate: true})
	r := &Repo{Slug: "billing-api", Name: "Billing API", Description: `say "hi"`, ProjectKey: "P",
		IsPrivate: true, CreatedOn: t0, UpdatedOn: t0.Add(time.Hour)}
	cases := []struct {
		q    string
		want bool
	}{
		{`name ~ "bill"`, true},
		{`name~"BILL"`, true},
		{`name !~ "bill"`, false},
		{`name = "Billing API"`, true},
		{`name = "billing api"`, false},
		{`name != "x"`, true},
		{`description = "say \"hi\""`, true},
		{`name > "A" AND name < "C"`, true},
		{`name >= "Billing API" and name <= "Billing API"`, true},
		{`is_private = true`, true},
		{`is_private != true`, false},
		{`is_private = false OR slug = "billing-api"`, true},
		{`(is_private = false OR slug = "x") AND name ~ "b"`, false},
		{`is_private = false OR slug = "x" AND name ~ "b"`, false},
		{`slug = "billing-api" OR is_private = false AND name ~ "zzz"`, true}, // AND binds tighter
		{`project.key = "P" AND project.name ~ "plat" AND project.is_private = true`, true},
		{`full_name = "w/billing-api" AND workspace.slug = "w" AND owner.uuid = "{w}"`, true},
		{`created_on = 2024-05-01T12:00:00+00:00`, true},
		{`created_on = 2024-05-01T14:00:00+02:00`, true},
		{`updated_on > 2024-05-01T12:30:00Z`, true},
		{`updated_on > 2024-05-02`, false},
		{`updated_on >= "2024-05-01T13:00:00.000000+00:00"`, true},
		{`slug IN ("a", "billing-api")`, true},
		{`slug in ("a")`, false},
		{`slug NOT IN ("a")`, true},
		{`description = null`, false},
		{`description != null`, true},
		{`name = 42`, false},
	}
	for _, c := range cases {
		x, err := parseBBQL(c.q)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if got := x.match(ws, r); got != c.want {
			t.Errorf("%s: %v, want %v", c.q, got, c.want)
		}
	}
	for _, bad := range []string{``, `   `, `name`, `name ~`, `name ~ bill`, `name = "x" AND`, `(name = "x"`,
		`name = "x")`, `nope = "x"`, `is_private ~ "x"`, `is_private > true`, `is_private = "yes"`,
		`created_on > "yesterday"`, `name ! "x"`, `name IN "x"`, `name IN ("x" "y")`, `name = "x`,
		`name NOT = "x"`, `= "x"`} {
		if _, err := parseBBQL(bad); err == nil {
			t.Errorf("%q parsed; want an error", bad)
		}
	}
}

func TestRepoSort(t *testing.T) {
	ws := newWorkspace(Workspace{Slug: "w"}, nil, t0)
	if _, err := repoLess(ws, "-nope"); err == nil {
		t.Error("unknown sort field accepted")
	}
	less, err := repoLess(ws, "-is_private")
	if err != nil || less(&Repo{IsPrivate: true}, &Repo{}) >= 0 {
		t.Errorf("-is_private: %v", err)
	}
	less, _ = repoLess(ws, "name")
	if less(&Repo{Name: "apple"}, &Repo{Name: "Banana"}) >= 0 {
		t.Error("name sorts case-insensitively")
	}
}

func FuzzParseBBQL(f *testing.F) {
	for _, s := range []string{`name ~ "x"`, `(a = "b" OR c IN ("d")) AND is_private = true`,
		`updated_on > 2015-10-04T14:00:00-07:00`, `name = "\"`, `!~<>=(),`} {
		f.Add(s)
	}
	ws := newWorkspace(Workspace{Slug: "w"}, nil, t0)
	r := &Repo{Slug: "s", Name: "n"}
	f.Fuzz(func(t *testing.T, q string) {
		x, err := parseBBQL(q)
		if err == nil {
			x.match(ws, r) // must not panic
		}
	})
}
