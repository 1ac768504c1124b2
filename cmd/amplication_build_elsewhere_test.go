package cmd

import (
	"strings"
	"testing"

	ampemu "github.com/bbsetup/bbsetup/setup/emulator/amplication"
)

// TestAmplicationBuildListsAnotherProvidersServiceWithoutFollowingIt: with the demo's
// catalog service connected to GitHub (acme-archive/catalog-legacy) beside orders and
// payments on Bitbucket, the build ends on the Bitbucket pull request, exit 0; catalog is
// named as pushing through GitHub, which bbsetup does not set up, and is not counted, although
// Amplication's push of it fails (a local platform has no GitHub App).
func TestAmplicationBuildListsAnotherProvidersServiceWithoutFollowingIt(t *testing.T) {
	t.Parallel()
	w := newBuildWorld(t, ampWorldOptions{seed: func(s *ampemu.Seed) {
		p := &s.Workspaces[0].Projects[0]
		p.Resources = append(p.Resources, ampemu.Resource{ID: ampemu.DemoCatalogID, Name: "catalog", Type: "Service", GitRepositoryOverride: true,
			Repo: &ampemu.GitRepository{Name: "catalog-legacy", GitOrganizationID: ampemu.DemoGitHubOrgID}})
	}})
	w.amp.Services().StartAll()
	code, out, errOut := w.exec(t, "amplication", "build", "--project", "Shop")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if lines := strings.Fields(out); len(lines) != 1 || !strings.HasSuffix(lines[0], buildPRURL) {
		t.Fatalf("stdout %q, want the Bitbucket pull request's URL", out)
	}
	for _, want := range []string{"catalog: pushes to acme-archive/catalog-legacy through GitHub, which bbsetup does not set up: not followed",
		"orders: done: pull request #1", "Done: 2 of 2 connected services"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "catalog: failed") || strings.Contains(errOut, "emulated PR service") {
		t.Errorf("the GitHub service was followed:\n%s", errOut)
	}
}
