package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/build"
)

// A stopped follow is worded once for both surfaces: the project (made safe) and what to
// do; the operator's stop stays ctx's error; anything else goes to the surface's advice.
func TestBuildFailedWords(t *testing.T) {
	live, stopped := context.Background(), func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}()
	advised := errors.New("advised")
	amp := func(error) error { return advised }
	for _, tc := range []struct {
		ctx  context.Context
		err  error
		want []string // the words; nil: want is the error itself
		is   error
	}{
		{live, fmt.Errorf("run: %w", build.ErrNoServices), []string{"project Shop has no services", "add a service in Amplication first"}, nil},
		{live, build.ErrNoBuilds, []string{"no build for the commit of project Shop within 3s", "check the server's log (" + AmpStartCommand + ")"}, nil},
		{stopped, errors.New("poll: context canceled"), nil, context.Canceled},
		{live, errors.New("server said no"), nil, advised},
		{live, nil, nil, nil},
	} {
		got := BuildFailed(tc.ctx, tc.err, "Shop\x1b[2J", 3*time.Second, amp)
		switch {
		case tc.want != nil:
			for _, w := range tc.want {
				if got == nil || !strings.Contains(got.Error(), w) || strings.Contains(got.Error(), "\x1b") {
					t.Errorf("BuildFailed(%v) = %v, want %q", tc.err, got, w)
				}
			}
		case tc.is != nil && !errors.Is(got, tc.is), tc.is == nil && got != nil:
			t.Errorf("BuildFailed(%v) = %v, want %v", tc.err, got, tc.is)
		}
	}
}

// The project alone is found as connect finds it: by id, else by its name
// (case-insensitive); an unknown or ambiguous name is refused with what there is.
func TestResolveProject(t *testing.T) {
	ps := []amplication.Project{{ID: "p1", Name: "Shop"}, {ID: "p2", Name: "Twin"}, {ID: "p3", Name: "twin"}}
	if p, err := ResolveProject(ps, " shop "); err != nil || p.ID != "p1" {
		t.Errorf("by name: %+v %v", p, err)
	}
	if p, err := ResolveProject(ps, "p3"); err != nil || p.Name != "twin" {
		t.Errorf("by id: %+v %v", p, err)
	}
	var ns *NoSuchError
	if _, err := ResolveProject(ps, "Nope"); !errors.As(err, &ns) || ns.What != "project" || len(ns.Have) != 3 {
		t.Errorf("unknown: %v", err)
	}
	var am *AmbiguousError
	if _, err := ResolveProject(ps, "TWIN"); !errors.As(err, &am) || len(am.IDs) != 2 {
		t.Errorf("ambiguous: %v", err)
	}
}

// A service that pushes through another git provider is shown as not followed, naming the
// provider as its vendor writes it, final but not done; a service without a repository
// keeps its own words.
func TestBuildProgressNamesServicesNotFollowed(t *testing.T) {
	p := buildProgress(AmpBuildProgress{}, nil, []build.Service{
		{Name: "catalog", Repository: "acme-archive/catalog-legacy", Provider: "Github", Stage: build.StageElsewhere},
		{Name: "notes", Stage: build.StageNotConnected},
	}, false, "")
	c := p.Services[0]
	if c.Stage != "not followed (GitHub, which bbsetup does not set up)" || !c.Final || c.Done || c.Repository != "acme-archive/catalog-legacy" {
		t.Errorf("catalog %+v", c)
	}
	if n := p.Services[1]; n.Stage != "not connected to a repository (NotConnected): nothing to push" {
		t.Errorf("notes %+v", n)
	}
}
