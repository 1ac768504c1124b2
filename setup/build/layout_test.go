package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
	"github.com/bbsetup/bbsetup/setup/checkout"
)

// fixture copies a real checkout's env files (../shared/fixtures/amplication/<layout>) into
// a temporary directory and opens it.
func fixture(t *testing.T, layout string, envLocal map[string]string) *checkout.Checkout {
	t.Helper()
	src := testkit.RequireShared(t, "fixtures", "amplication", layout)
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	for rel, body := range envLocal {
		if err := os.WriteFile(filepath.Join(dst, filepath.FromSlash(rel)), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	co, err := checkout.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	return co
}

const (
	keysA = "BITBUCKET_CLIENT_ID=keyA1234567890\nBITBUCKET_CLIENT_SECRET=secretA1234567890abcdefghijklmnop\n"
	keysB = "BITBUCKET_CLIENT_ID=keyB1234567890\nBITBUCKET_CLIENT_SECRET=secretB1234567890abcdefghijklmnop\n"
)

// The PR service a push stall names is the checkout's: git-sync-manager in the current
// layout, amplication-git-pull-request-service in the older one; the push notes name a PR
// service whose key differs from the server's, or that has only the placeholders.
func TestLayoutForRealCheckouts(t *testing.T) {
	older := fixture(t, "older", map[string]string{
		"packages/amplication-server/.env.local":                   keysA,
		"packages/amplication-git-pull-request-service/.env.local": keysA,
	})
	if l := LayoutFor(older, nil); strings.Join(l.PRServices, ",") != "amplication-git-pull-request-service" || len(l.PushNotes()) != 0 {
		t.Errorf("older: %v, notes %q", l.PRServices, l.PushNotes())
	}
	differ := fixture(t, "current", map[string]string{
		"packages/amplication-server/.env.local":  keysA,
		"ee/packages/git-sync-manager/.env.local": keysB,
	})
	l := LayoutFor(differ, nil)
	if strings.Join(l.PRServices, ",") != "git-sync-manager" {
		t.Errorf("current: %v", l.PRServices)
	}
	notes := strings.Join(l.PushNotes(), "\n")
	if !strings.Contains(notes, "differ") || !strings.Contains(notes, "restart it") || strings.Contains(notes, "secretB1234567890abcdefghijklmnop") {
		t.Errorf("keys differ: notes %q", notes)
	}
	placeholders := fixture(t, "current", map[string]string{"packages/amplication-server/.env.local": keysA})
	notes = strings.Join(LayoutFor(placeholders, nil).PushNotes(), "\n")
	if !strings.Contains(notes, "git-sync-manager") || !strings.Contains(notes, "placeholder") {
		t.Errorf("placeholders: notes %q", notes)
	}
	if l := LayoutFor(nil, nil); l.PushNotes != nil || len(l.PRServices) != 0 {
		t.Errorf("no checkout: %+v", l)
	}
}
