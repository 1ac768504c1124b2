package checkout

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// configured is a checkout of layout with bbsetup's files written.
func configuredCheckout(t *testing.T, layout string) *Checkout {
	t.Helper()
	co, err := Open(checkout(t, layout))
	if err != nil {
		t.Fatal(err)
	}
	p, err := co.Plan(Credentials{ClientID: "KeyAbc123", ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	return co
}

// The named checks are what CheckOffline runs, each callable on its own.
func TestOfflineChecksAreCheckOffline(t *testing.T) {
	co := configuredCheckout(t, "current")
	in := co.Inspect(nil)
	var want []Finding
	names := map[string]bool{}
	for _, ch := range OfflineChecks() {
		if names[ch.Name] {
			t.Errorf("two checks named %s", ch.Name)
		}
		names[ch.Name] = true
		want = append(want, ch.Run(in)...)
	}
	got := co.CheckOffline(nil)
	if len(got) != len(want) {
		t.Fatalf("CheckOffline has %d findings, the named checks %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].OK != want[i].OK || got[i].Kind != want[i].Kind {
			t.Errorf("finding %d: %+v, named check gave %+v", i, got[i], want[i])
		}
	}
}

// The findings name the PR service of the detected layout, never "the PR service".
func TestFindingsNameThePRService(t *testing.T) {
	co := configuredCheckout(t, "current")
	pr := co.PRServices[0].EnvLocal
	writeFile(t, pr, "BITBUCKET_CLIENT_ID=KeyAbc123\nBITBUCKET_CLIENT_SECRET=differentSecret1234\n")
	got := findings(co.CheckOffline(nil))
	g := got["keys-identical"]
	if !g.Failed() || !strings.Contains(g.Title, "git-sync-manager") || !strings.Contains(g.Hint, "git-sync-manager") {
		t.Errorf("keys-identical: %+v, want it to name git-sync-manager", g)
	}
	if s := got["services"]; !strings.Contains(s.Title, "git-sync-manager") || !strings.Contains(s.Detail, "npx nx serve git-sync-manager") {
		t.Errorf("services: %+v", s)
	}
	for _, f := range co.CheckOffline(nil) {
		if strings.Contains(f.Title+f.Detail+f.Hint, "the PR service") {
			t.Errorf("%s says \"the PR service\": %+v", f.ID, f)
		}
	}
}

// A temp file a killed write left beside an env file is reported; the next configure
// removes it.
func TestFaultCheckReportsLeftOverTemp(t *testing.T) {
	matrix.Record(t, "check", "temp file left by a killed configure", "a failed check names it; the next write removes it")
	co := configuredCheckout(t, "current")
	left := filepath.Join(co.ServerDir, "..env.local.bbsetup-2718281828")
	if err := os.WriteFile(left, []byte("BITBUCKET_CLIENT_SECRET="+secret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := findings(co.CheckOffline(nil))["no-temp-files"]
	if !g.Failed() || !strings.Contains(g.Detail, filepath.Join("packages", "amplication-server", "..env.local.bbsetup-2718281828")) {
		t.Errorf("left-over temp: %+v", g)
	}
	p, err := co.Plan(Credentials{ClientID: "KeyAbc123", ClientSecret: secret + "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); err == nil {
		t.Errorf("the next write left the temp file")
	}
	if g := findings(co.CheckOffline(nil))["no-temp-files"]; g.Failed() {
		t.Errorf("after the write: %+v", g)
	}
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// A file holding the secret that git would commit is a failed check, asked of git itself:
// an old-style .env.local.bak (Amplication's .gitignore covers only .env.local) and a
// committed .env someone pasted the key into. .env.local itself is ignored.
func TestFaultCheckSecretsVisibleToGit(t *testing.T) {
	matrix.Record(t, "check", "a file with the secret git would commit", "a failed check names exactly those files (git check-ignore); none once they are gone")
	if _, err := exec.LookPath("git"); err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: git is not installed, so whether check asks git which files it would commit was not tested")
	}
	co := configuredCheckout(t, "current")
	if g := findings(co.CheckOffline(nil))["secrets-not-in-git"]; g.Kind != KindNote || !strings.Contains(g.Detail, "no .git") {
		t.Errorf("without .git: %+v, want a note", g)
	}
	gitIn(t, co.Root, "init", "-q")
	writeFile(t, filepath.Join(co.Root, ".gitignore"), ".env.local\nnode_modules\n")
	gitIn(t, co.Root, "add", ".gitignore", "packages", "ee")
	gitIn(t, co.Root, "commit", "-qm", "fixture")
	if g := findings(co.CheckOffline(nil))["secrets-not-in-git"]; g.Kind != KindCheck || !g.OK || !strings.Contains(g.Detail, filepath.Join("packages", "amplication-server", ".env.local")) {
		t.Errorf("only ignored .env.local files: %+v, want a passing check naming them", g)
	}

	bak := filepath.Join(co.ServerDir, ".env.local.bak")
	writeFile(t, bak, "BITBUCKET_CLIENT_SECRET="+secret+"\n")
	prEnv := filepath.Join(co.PRServices[0].Dir, ".env")
	b, err := os.ReadFile(prEnv)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, prEnv, strings.Replace(string(b), "BITBUCKET_CLIENT_ID=[bitbucket-client-id]", "BITBUCKET_CLIENT_ID=KeyAbc123", 1))
	g := findings(co.CheckOffline(nil))["secrets-not-in-git"]
	want := filepath.Join("ee", "packages", "git-sync-manager", ".env") + ", " + filepath.Join("packages", "amplication-server", ".env.local.bak")
	if !g.Failed() || g.Detail != want || g.Hint == "" {
		t.Errorf("visible files: %+v, want a failed check naming exactly %s", g, want)
	}
	// The hint fits each file: the committed .env gets its placeholder back (deleting it
	// would break the service), the stray backup is deleted.
	if !strings.Contains(g.Hint, "delete "+filepath.Join("packages", "amplication-server", ".env.local.bak")) ||
		strings.Contains(g.Hint, "delete "+filepath.Join("ee", "packages", "git-sync-manager", ".env")) ||
		!strings.Contains(g.Hint, "placeholder") {
		t.Errorf("visible files: hint %q, want the backup deleted and the committed .env given its placeholder back", g.Hint)
	}
	if strings.Contains(g.Title+g.Detail+g.Hint, secret) {
		t.Errorf("the finding shows the secret")
	}
	os.Remove(bak)
	gitIn(t, co.Root, "checkout", "-q", "--", filepath.Join("ee", "packages", "git-sync-manager", ".env"))
	if g := findings(co.CheckOffline(nil))["secrets-not-in-git"]; g.Failed() {
		t.Errorf("after removing them: %+v", g)
	}

	// A checkout whose .gitignore does not cover .env.local: the files bbsetup writes are
	// excluded from git, never deleted (they are the configuration).
	writeFile(t, filepath.Join(co.Root, ".gitignore"), "node_modules\n")
	g = findings(co.CheckOffline(nil))["secrets-not-in-git"]
	if !g.Failed() || !strings.Contains(g.Hint, ".git/info/exclude") || strings.Contains(g.Hint, "delete") {
		t.Errorf(".env.local not ignored: %+v, want a failed check whose hint excludes .env.local from git and deletes nothing", g)
	}
}
