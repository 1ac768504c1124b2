package envfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testSecret = "S3cretValueAbcdWXYZ"

func kvs() []KV {
	return []KV{
		{Key: "BITBUCKET_CLIENT_ID", Value: "theClientID", Comment: "Bitbucket key"},
		{Key: "BITBUCKET_CLIENT_SECRET", Value: testSecret, Secret: true, Comment: "Bitbucket secret"},
	}
}

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestPlanApplyWritesBothFiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "server", ".env.local")
	b := filepath.Join(dir, "pr", ".env.local")
	write(t, a, "# mine\nBITBUCKET_CLIENT_SECRET=oldSecretValue9876\nX=1\n", 0o640)
	if err := os.MkdirAll(filepath.Dir(b), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := PlanFiles(map[string][]KV{a: kvs(), b: kvs()})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Changed() || len(p.Files) != 2 {
		t.Fatalf("plan: changed=%v files=%d", p.Changed(), len(p.Files))
	}
	for _, f := range p.Files {
		d := f.Diff()
		if strings.Contains(d, testSecret) || strings.Contains(d, "oldSecretValue9876") {
			t.Errorf("diff shows a secret:\n%s", d)
		}
		if !strings.Contains(d, "+BITBUCKET_CLIENT_SECRET=••••WXYZ") {
			t.Errorf("diff does not show the masked secret:\n%s", d)
		}
	}
	res, err := p.Apply()
	if err != nil {
		t.Fatal(err)
	}
	got := readFile(t, a)
	want := "# mine\nBITBUCKET_CLIENT_SECRET=" + testSecret + "\nX=1\n# Bitbucket key\nBITBUCKET_CLIENT_ID=theClientID\n"
	if string(got) != want {
		t.Errorf("server file:\n%q\nwant\n%q", got, want)
	}
	if fi, _ := os.Stat(a); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode of the existing 0640 file = %v, want 0600: it holds the secret, the group must not read it", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(b); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode of the new file = %v, want 0600", fi.Mode().Perm())
	}
	bak := a + ".bak"
	if res[0].Backup != bak && res[1].Backup != bak {
		t.Errorf("results %+v do not name the backup %s", res, bak)
	}
	if string(readFile(t, bak)) != "# mine\nBITBUCKET_CLIENT_SECRET=oldSecretValue9876\nX=1\n" {
		t.Errorf("backup content wrong")
	}
	if fi, _ := os.Stat(bak); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v, want 0600", fi.Mode().Perm())
	}
	if _, err := os.Stat(b + ".bak"); err == nil {
		t.Errorf("a backup was made of a file that did not exist")
	}
	entries, _ := os.ReadDir(filepath.Dir(a))
	if len(entries) != 2 {
		t.Errorf("stray files left in %s: %v", filepath.Dir(a), entries)
	}

	// The same values again: nothing is written, not even a new mtime.
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, f := range []string{a, b} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	p2, err := PlanFiles(map[string][]KV{a: kvs(), b: kvs()})
	if err != nil {
		t.Fatal(err)
	}
	if p2.Changed() {
		t.Fatalf("second plan wants changes:\n%s", p2.Files[0].Diff()+p2.Files[1].Diff())
	}
	res2, err := p2.Apply()
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range []string{a, b} {
		if fi, _ := os.Stat(f); !fi.ModTime().Equal(old) {
			t.Errorf("%s was rewritten (mtime %v)", f, fi.ModTime())
		}
		if res2[i].Changed || res2[i].Backup != "" {
			t.Errorf("result %+v, want unchanged", res2[i])
		}
	}
}

func TestPlanFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "secrets", "amplication.env")
	write(t, real, "X=1\n", 0o600)
	link := filepath.Join(dir, "pkg", ".env.local")
	os.MkdirAll(filepath.Dir(link), 0o755)
	if err := os.Symlink("../secrets/amplication.env", link); err != nil {
		t.Fatal(err)
	}
	p, err := PlanFiles(map[string][]KV{link: kvs()})
	if err != nil {
		t.Fatal(err)
	}
	if p.Files[0].Target != real {
		t.Errorf("Target = %s, want %s", p.Files[0].Target, real)
	}
	if _, err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf(".env.local is no longer a symlink")
	}
	if got := Parse(readFile(t, link)); got["BITBUCKET_CLIENT_SECRET"] != testSecret || got["X"] != "1" {
		t.Errorf("through the link: %q", got)
	}
	if _, err := os.Stat(real + ".bak"); err != nil {
		t.Errorf("no backup next to the target: %v", err)
	}
}

func TestPlanRefusesAndChangesNothing(t *testing.T) {
	setup := map[string]func(t *testing.T, good, bad string){
		"missing directory": func(t *testing.T, good, bad string) {},
		"directory in place": func(t *testing.T, good, bad string) {
			os.MkdirAll(bad, 0o755)
		},
		"read-only file": func(t *testing.T, good, bad string) {
			write(t, bad, "X=1\n", 0o444)
		},
		"read-only directory": func(t *testing.T, good, bad string) {
			os.MkdirAll(filepath.Dir(bad), 0o755)
			os.Chmod(filepath.Dir(bad), 0o555)
			t.Cleanup(func() { os.Chmod(filepath.Dir(bad), 0o755) })
		},
	}
	wantMsg := map[string]string{
		"missing directory":   "does not exist",
		"directory in place":  "is a directory",
		"read-only file":      "read-only",
		"read-only directory": "read-only",
	}
	for name, prep := range setup {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			good := filepath.Join(dir, "a", ".env.local")
			bad := filepath.Join(dir, "b", ".env.local")
			write(t, good, "X=1\n", 0o600)
			prep(t, good, bad)
			_, err := PlanFiles(map[string][]KV{good: kvs(), bad: kvs()})
			if err == nil || !strings.Contains(err.Error(), wantMsg[name]) {
				t.Fatalf("PlanFiles error = %v, want one saying %q", err, wantMsg[name])
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error shows the secret")
			}
			if string(readFile(t, good)) != "X=1\n" {
				t.Errorf("the good file was changed")
			}
		})
	}
}

// TestApplyRevalidates: a plan made while everything was fine must still write nothing when
// one file turns read-only before Apply.
func TestApplyRevalidates(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a", ".env.local")
	bad := filepath.Join(dir, "b", ".env.local")
	write(t, good, "X=1\n", 0o600)
	write(t, bad, "Y=2\n", 0o600)
	p, err := PlanFiles(map[string][]KV{good: kvs(), bad: kvs()})
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(bad, 0o400)
	if _, err := p.Apply(); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Apply error = %v, want read-only", err)
	}
	if string(readFile(t, good)) != "X=1\n" {
		t.Errorf("the good file was changed")
	}
	for _, d := range []string{filepath.Dir(good), filepath.Dir(bad)} {
		entries, _ := os.ReadDir(d)
		if len(entries) != 1 {
			t.Errorf("stray files in %s: %v", d, entries)
		}
	}
	// A file edited by someone else between plan and apply is not overwritten either.
	os.Chmod(bad, 0o600)
	write(t, good, "X=changed\n", 0o600)
	if _, err := p.Apply(); err == nil || !strings.Contains(err.Error(), "changed while") {
		t.Fatalf("Apply error = %v, want a concurrent-change error", err)
	}
}

func TestDiffFormat(t *testing.T) {
	fc := FileChange{
		Path:       "/r/pkg/.env.local",
		Exists:     true,
		Before:     []byte("A=1\nB=2\nC=3\nD=4\nE=5\nBITBUCKET_CLIENT_SECRET=\"oldOldOld1234\"\nF=6"),
		After:      []byte("A=1\nB=2\nC=3\nD=4\nE=5\nBITBUCKET_CLIENT_SECRET=newNewNew5678\nF=6"),
		SecretKeys: []string{"BITBUCKET_CLIENT_SECRET"},
	}
	want := `--- /r/pkg/.env.local
+++ /r/pkg/.env.local
@@ -3,5 +3,5 @@
 C=3
 D=4
 E=5
-BITBUCKET_CLIENT_SECRET=••••1234
+BITBUCKET_CLIENT_SECRET=••••5678
 F=6
\ No newline at end of file
`
	if got := fc.Diff(); got != want {
		t.Errorf("Diff:\n%s\nwant\n%s", got, want)
	}
	fc.Exists, fc.Before = false, nil
	if got := fc.Diff(); !strings.HasPrefix(got, "--- /dev/null\n+++ /r/pkg/.env.local\n@@ -0,0 +1,7 @@\n+A=1\n") {
		t.Errorf("new-file diff:\n%s", got)
	}
}

// TestWrittenFilesReadByNodeDotenv writes the Amplication fixtures' .env files as .env.local
// with awkward values and reads every key back with the real npm dotenv.
func TestWrittenFilesReadByNodeDotenv(t *testing.T) {
	dir := t.TempDir()
	secrets := []string{testSecret, `a b#c'd`, `$HOME "x" \y`, "`tick` 'q'", "é=ü"}
	edits := map[string][]KV{}
	var paths []string
	for i, f := range fixtureFiles(t) {
		for j, s := range secrets {
			p := filepath.Join(dir, filepath.Base(filepath.Dir(f))+"-"+string(rune('a'+i))+string(rune('a'+j)), ".env.local")
			write(t, p, string(readFile(t, f)), 0o600)
			edits[p] = []KV{
				{Key: "BITBUCKET_CLIENT_ID", Value: "id" + s},
				{Key: "BITBUCKET_CLIENT_SECRET", Value: s, Secret: true},
				{Key: "BILLING_ENABLED", Value: "false"},
			}
			paths = append(paths, p)
		}
	}
	p, err := PlanFiles(edits)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	var inputs [][]byte
	for _, path := range paths {
		inputs = append(inputs, readFile(t, path))
	}
	got := nodeParse(t, inputs)
	for i, path := range paths {
		if !sameMap(got[i], Parse(inputs[i])) {
			t.Errorf("%s: node and Parse differ", path)
		}
		for _, kv := range edits[path] {
			if got[i][kv.Key] != kv.Value {
				t.Errorf("%s: node reads %s=%q, want %q", path, kv.Key, got[i][kv.Key], kv.Value)
			}
		}
		before := Parse(readFile(t, path+".bak"))
		for k, v := range before {
			if k != "BITBUCKET_CLIENT_ID" && k != "BITBUCKET_CLIENT_SECRET" && got[i][k] != v {
				t.Errorf("%s: %s changed from %q to %q", path, k, v, got[i][k])
			}
		}
	}
}

// Two paths that are the same file (a symlinked .env.local, or a symlinked directory)
// are one change with the union of their keys: writing the second must not drop what the
// first set, and the result names both paths.
func TestPlanMergesPathsToTheSameFile(t *testing.T) {
	billing := KV{Key: "BILLING_ENABLED", Value: "false"}
	check := func(t *testing.T, server, pr string) {
		t.Helper()
		p, err := PlanFiles(map[string][]KV{server: append(kvs(), billing), pr: kvs()})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Files) != 1 {
			t.Fatalf("%d file changes, want 1 for one real file", len(p.Files))
		}
		f := p.Files[0]
		if f.Path != server || len(f.Aliases) != 1 || f.Aliases[0] != pr {
			t.Errorf("Path %s, Aliases %v; want %s with alias %s", f.Path, f.Aliases, server, pr)
		}
		if d := f.Diff(); strings.Contains(d, testSecret) {
			t.Errorf("diff shows the secret:\n%s", d)
		}
		res, err := p.Apply()
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || !res[0].Changed || res[0].Path != server || len(res[0].Aliases) != 1 || res[0].Aliases[0] != pr {
			t.Fatalf("results %+v, want one changed result for %s naming %s", res, server, pr)
		}
		if got, want := res[0].SameFile(), server+" (the same file as "+pr+")"; got != want {
			t.Errorf("SameFile() = %q, want %q", got, want)
		}
		for _, path := range []string{server, pr} {
			got := Parse(readFile(t, path))
			if got["BILLING_ENABLED"] != "false" || got["BITBUCKET_CLIENT_ID"] != "theClientID" || got["BITBUCKET_CLIENT_SECRET"] != testSecret || got["X"] != "1" {
				t.Errorf("%s = %q, want every key", path, got)
			}
		}
		p2, err := PlanFiles(map[string][]KV{server: append(kvs(), billing), pr: kvs()})
		if err != nil || p2.Changed() {
			t.Errorf("second plan: err %v, changed %v", err, p2 != nil && p2.Changed())
		}
	}
	t.Run("symlinked file", func(t *testing.T) {
		dir := t.TempDir()
		server := filepath.Join(dir, "server", ".env.local")
		pr := filepath.Join(dir, "pr", ".env.local")
		write(t, server, "X=1\n", 0o600)
		os.MkdirAll(filepath.Dir(pr), 0o755)
		if err := os.Symlink("../server/.env.local", pr); err != nil {
			t.Fatal(err)
		}
		check(t, server, pr)
		if fi, err := os.Lstat(pr); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink", pr)
		}
	})
	t.Run("symlinked directory, file not yet there", func(t *testing.T) {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "server"), 0o755)
		if err := os.Symlink("server", filepath.Join(dir, "pr")); err != nil {
			t.Fatal(err)
		}
		server := filepath.Join(dir, "server", ".env.local")
		pr := filepath.Join(dir, "pr", ".env.local")
		p, err := PlanFiles(map[string][]KV{server: append(kvs(), billing), pr: kvs()})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Files) != 1 || p.Files[0].Exists {
			t.Fatalf("%d changes (exists %v), want one new file", len(p.Files), len(p.Files) > 0 && p.Files[0].Exists)
		}
		if _, err := p.Apply(); err != nil {
			t.Fatal(err)
		}
		if got := Parse(readFile(t, pr)); got["BILLING_ENABLED"] != "false" || got["BITBUCKET_CLIENT_SECRET"] != testSecret {
			t.Errorf("%s = %q", pr, got)
		}
	})
	t.Run("dangling symlink", func(t *testing.T) {
		dir := t.TempDir()
		server := filepath.Join(dir, "server", ".env.local")
		pr := filepath.Join(dir, "pr", ".env.local")
		os.MkdirAll(filepath.Dir(server), 0o755)
		os.MkdirAll(filepath.Dir(pr), 0o755)
		if err := os.Symlink("../server/.env.local", pr); err != nil {
			t.Fatal(err)
		}
		p, err := PlanFiles(map[string][]KV{server: append(kvs(), billing), pr: kvs()})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Files) != 1 || p.Files[0].Path != server {
			t.Fatalf("%d changes, want one for %s", len(p.Files), server)
		}
	})
	t.Run("same key, different values", func(t *testing.T) {
		dir := t.TempDir()
		server := filepath.Join(dir, "server", ".env.local")
		pr := filepath.Join(dir, "pr", ".env.local")
		write(t, server, "X=1\n", 0o600)
		os.MkdirAll(filepath.Dir(pr), 0o755)
		if err := os.Symlink("../server/.env.local", pr); err != nil {
			t.Fatal(err)
		}
		other := kvs()
		other[1].Value = "AnotherSecretValue42"
		_, err := PlanFiles(map[string][]KV{server: kvs(), pr: other})
		if err == nil || !strings.Contains(err.Error(), "same file") || !strings.Contains(err.Error(), "BITBUCKET_CLIENT_SECRET") ||
			!strings.Contains(err.Error(), server) || !strings.Contains(err.Error(), pr) {
			t.Fatalf("err = %v, want one naming both paths and the key", err)
		}
		if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), "AnotherSecretValue42") {
			t.Errorf("error shows a secret: %v", err)
		}
		if string(readFile(t, server)) != "X=1\n" {
			t.Errorf("a refused plan changed the file")
		}
	})
}

// TestMakeWritableSaysTheSystemsCommand: the advice for a read-only file or directory names
// the command of the system it runs on (Windows has no chmod).
func TestMakeWritableSaysTheSystemsCommand(t *testing.T) {
	for _, tc := range []struct{ goos, path, want string }{
		{"linux", "/src/amp/.env", "chmod u+w /src/amp/.env"},
		{"darwin", "/src/amp", "chmod u+w /src/amp"},
		{"windows", `C:\src\amp\.env`, `attrib -r "C:\src\amp\.env"`},
	} {
		if got := makeWritable(tc.goos, tc.path); got != tc.want {
			t.Errorf("makeWritable(%s, %s) = %q, want %q", tc.goos, tc.path, got, tc.want)
		}
	}
}
