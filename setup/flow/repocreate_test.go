package flow

import (
	"errors"
	"slices"
	"testing"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

func TestUnknownProject(t *testing.T) {
	refused := errors.New("refused")
	ps := []bitbucket.Project{{Key: "WEB"}, {Key: "api"}}
	if e := unknownProject(ps, "acme", "WEB", refused); e != nil {
		t.Fatalf("an existing project was called unknown: %+v", e)
	}
	e := unknownProject(ps, "acme", "API", refused)
	if e == nil || !slices.Equal(e.Keys, []string{"WEB", "api"}) || e.Suggest != "api" || !errors.Is(e, refused) || e.Workspace != "acme" {
		t.Fatalf("unknownProject(API) = %+v", e)
	}
	e = unknownProject(nil, "acme", "X", refused)
	if e == nil || len(e.Keys) != 0 || e.Suggest != "" {
		t.Fatalf("unknownProject in a workspace without projects = %+v", e)
	}
	if e := unknownProject(ps, "acme", "NOPE", refused); e == nil || e.Suggest != "" {
		t.Fatalf("unknownProject(NOPE) = %+v", e)
	}
}
