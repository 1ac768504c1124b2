package envfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A two-file write that is rolled back leaves the backups of the previous run as they were:
// the backup of the values before those is not lost to a write that never happened.
func TestFaultRollbackKeepsPreviousBackup(t *testing.T) {
	matrix.Record(t, "Backups", "second file's rename fails after an earlier successful write",
		"both files old; the earlier run's backups still hold what they held")
	dir := t.TempDir()
	a := filepath.Join(dir, "a", ".env.local")
	b := filepath.Join(dir, "b", ".env.local")
	const origA, origB = "BITBUCKET_CLIENT_SECRET=firstSecretValue111\n", "Y=2\n"
	write(t, a, origA, 0o600)
	write(t, b, origB, 0o600)
	backups := filepath.Join(t.TempDir(), "backups")

	first, err := PlanFiles(map[string][]KV{a: kvs(), b: kvs()})
	if err != nil {
		t.Fatal(err)
	}
	first.BackupDir, first.BackupRoot = backups, dir
	res, err := first.Apply()
	if err != nil {
		t.Fatal(err)
	}
	prev := map[string]string{}
	for _, r := range res {
		if r.Backup == "" {
			t.Fatalf("no backup for %s", r.Path)
		}
		prev[r.Backup] = string(readFile(t, r.Backup))
	}
	afterA, afterB := readFile(t, a), readFile(t, b)

	second, err := PlanFiles(map[string][]KV{a: {{Key: "BITBUCKET_CLIENT_SECRET", Value: "secondSecretValue222", Secret: true}}, b: {{Key: "Z", Value: "3"}}})
	if err != nil {
		t.Fatal(err)
	}
	second.BackupDir, second.BackupRoot = backups, dir
	failRename(t, func(from, to string) bool { return to == b })
	if _, err := second.Apply(); err == nil || !strings.Contains(err.Error(), "no file was changed") {
		t.Fatalf("Apply = %v, want a rolled-back write", err)
	}
	renameFile = os.Rename
	if !bytes.Equal(readFile(t, a), afterA) || !bytes.Equal(readFile(t, b), afterB) {
		t.Errorf("the files are not as the first run left them")
	}
	for path, content := range prev {
		if got := string(readFile(t, path)); got != content {
			t.Errorf("backup %s = %q after a rolled-back write, want the earlier run's %q", path, got, content)
		}
	}
	if got := prev[res[0].Backup] + prev[res[1].Backup]; !strings.Contains(got, "firstSecretValue111") || !strings.Contains(got, "Y=2") {
		t.Errorf("the first run's backups do not hold the original content: %q", got)
	}
	// The rolled-back run left no backup of its own behind (it would only repeat the files).
	runs, _ := os.ReadDir(backups)
	if len(runs) != 1 {
		t.Errorf("%d backup runs in %s, want only the first run's", len(runs), backups)
	}
}

// Backups go to the backup directory, named after the file's place in the checkout, 0600
// in directories 0700, and never beside the file in the work tree.
func TestBackupsOutsideTheWorkTree(t *testing.T) {
	matrix.Record(t, "Backups", "an existing .env.local is replaced",
		"previous content kept 0600 under the backup directory (0700), nothing new beside the file")
	root := t.TempDir()
	a := filepath.Join(root, "packages", "amplication-server", ".env.local")
	write(t, a, "BITBUCKET_CLIENT_SECRET=oldSecretValue9876\n", 0o644)
	backups := filepath.Join(t.TempDir(), "state", "bbsetup", "backups", "co")
	p, err := PlanFiles(map[string][]KV{a: kvs()})
	if err != nil {
		t.Fatal(err)
	}
	p.BackupDir, p.BackupRoot = backups, root
	res, err := p.Apply()
	if err != nil {
		t.Fatal(err)
	}
	bak := res[0].Backup
	rel, err := filepath.Rel(backups, bak)
	if err != nil || strings.HasPrefix(rel, "..") || !strings.HasSuffix(bak, filepath.Join("packages", "amplication-server", ".env.local")) {
		t.Fatalf("backup %s is not under %s named after the file", bak, backups)
	}
	if string(readFile(t, bak)) != "BITBUCKET_CLIENT_SECRET=oldSecretValue9876\n" {
		t.Errorf("backup content %q", readFile(t, bak))
	}
	if fi, _ := os.Stat(bak); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	for d := filepath.Dir(bak); ; d = filepath.Dir(d) {
		if fi, _ := os.Stat(d); fi.Mode().Perm() != 0o700 {
			t.Errorf("backup directory %s mode %v, want 0700", d, fi.Mode().Perm())
		}
		if d == backups || d == filepath.Dir(d) {
			break
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(a))
	if len(entries) != 1 {
		t.Errorf("files beside the target: %v, want only .env.local", entries)
	}
	// A second run keeps the first run's backup and adds its own.
	p2, _ := PlanFiles(map[string][]KV{a: {{Key: "BITBUCKET_CLIENT_SECRET", Value: "thirdSecretValue333", Secret: true}}})
	p2.BackupDir, p2.BackupRoot = backups, root
	res2, err := p2.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if res2[0].Backup == bak || string(readFile(t, bak)) != "BITBUCKET_CLIENT_SECRET=oldSecretValue9876\n" {
		t.Errorf("the second run overwrote the first run's backup")
	}
}

// Every temporary file Apply creates is 0600 while it exists, even when the file it
// replaces is 0644: a kill mid-write must not leave the secret readable by others.
func TestFaultTempFilesPrivate(t *testing.T) {
	matrix.Record(t, "Temporary files", "the target is 0644", "every temp file is 0600 until it is renamed; the target, which now holds the secret, ends 0600 (issue 11)")
	dir := t.TempDir()
	a := filepath.Join(dir, ".env.local")
	write(t, a, "X=1\n", 0o644)
	p, err := PlanFiles(map[string][]KV{a: kvs()})
	if err != nil {
		t.Fatal(err)
	}
	p.BackupDir, p.BackupRoot = t.TempDir(), dir
	seen := 0
	renameFile = func(from, to string) error {
		fi, err := os.Stat(from)
		if err != nil {
			t.Errorf("stat %s: %v", from, err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("temp file %s (for %s) is %v, want 0600", from, to, fi.Mode().Perm())
		}
		seen++
		return os.Rename(from, to)
	}
	defer func() { renameFile = os.Rename }()
	if _, err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("no rename seen: the test checked nothing")
	}
	if fi, _ := os.Stat(a); fi.Mode().Perm() != 0o600 {
		t.Errorf("target mode %v, want 0600: it holds the secret, others must not read it", fi.Mode().Perm())
	}
}

// A temp file left by a bbsetup killed mid-write (it holds the new secret) is found by
// StaleTemps and removed by the next write to that file, which reports it.
func TestFaultStaleTempCleaned(t *testing.T) {
	matrix.Record(t, "Temporary files", "temp files left by a killed run (one 0644)",
		"StaleTemps lists them; the next write removes them and says so; other files untouched")
	dir := t.TempDir()
	a := filepath.Join(dir, ".env.local")
	write(t, a, "X=1\n", 0o600)
	stale := []string{filepath.Join(dir, "..env.local.bbsetup-123456"), filepath.Join(dir, "..env.local.bak.bbsetup-42")}
	write(t, stale[0], "BITBUCKET_CLIENT_SECRET="+testSecret+"\n", 0o644)
	write(t, stale[1], "X=1\n", 0o600)
	other := filepath.Join(dir, ".env.local.bbsetup-notes")
	write(t, other, "mine\n", 0o600)
	if got := StaleTemps(a); len(got) != 2 || got[0] != stale[0] && got[1] != stale[0] {
		t.Fatalf("StaleTemps = %q, want %q", got, stale)
	}
	p, err := PlanFiles(map[string][]KV{a: kvs()})
	if err != nil {
		t.Fatal(err)
	}
	p.BackupDir, p.BackupRoot = t.TempDir(), dir
	res, err := p.Apply()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stale {
		if _, err := os.Stat(s); err == nil {
			t.Errorf("stale temp %s not removed", s)
		}
	}
	if len(res[0].RemovedTemps) != 2 {
		t.Errorf("result %+v does not report the 2 removed temp files", res[0])
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file that only looks similar was removed: %v", err)
	}
	if got := StaleTemps(a); len(got) != 0 {
		t.Errorf("StaleTemps after the write = %q", got)
	}
}

// While another bbsetup writes in a directory (it holds the lock), a write there is
// refused rather than taking that run's temp files for left-overs.
func TestFaultConcurrentWriteRefused(t *testing.T) {
	matrix.Record(t, "Temporary files", "another bbsetup is writing in the same directory",
		"refused, says to wait and run again; its temp file untouched, the file unchanged")
	dir := t.TempDir()
	a := filepath.Join(dir, ".env.local")
	write(t, a, "X=1\n", 0o600)
	live := filepath.Join(dir, "..env.local.bbsetup-777")
	write(t, live, "in flight\n", 0o600)
	unlock, err := lockDirs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	p, err := PlanFiles(map[string][]KV{a: kvs()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(); err == nil || !strings.Contains(err.Error(), "another bbsetup is writing in "+dir) {
		t.Fatalf("Apply = %v, want a refusal naming the directory", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the other run's temp file was removed: %v", err)
	}
	if string(readFile(t, a)) != "X=1\n" {
		t.Errorf("the file changed")
	}
}
