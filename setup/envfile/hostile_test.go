package envfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func secretKV() []KV {
	return []KV{{Key: "BITBUCKET_CLIENT_ID", Value: "key123"}, {Key: "BITBUCKET_CLIENT_SECRET", Value: "s3cr3t-value-0123456789", Secret: true}}
}

func planApply(t *testing.T, path string) (*Plan, []Result) {
	t.Helper()
	p, err := PlanFiles(map[string][]KV{path: secretKV()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Apply()
	if err != nil {
		t.Fatal(err)
	}
	return p, res
}

// TestHostileModeTightened: an existing 0644 .env.local that gets the secret ends up
// 0600, and the plan says so.
func TestHostileModeTightened(t *testing.T) {
	matrix.Record(t, "Hostile input", "existing .env.local 0644 gets the secret", "written 0600; the plan records the old mode so the operator is told; backup 0600")
	dir := t.TempDir()
	p := filepath.Join(dir, ".env.local")
	if err := os.WriteFile(p, []byte("A=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	plan, res := planApply(t, p)
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o after the secret was written, want 0600", fi.Mode().Perm())
	}
	if plan.Files[0].Tightened != 0o644 {
		t.Errorf("Tightened = %04o, want 0644 (so the operator is told)", plan.Files[0].Tightened)
	}
	if b := res[0].Backup; b != "" {
		if bi, err := os.Stat(b); err != nil || bi.Mode().Perm()&0o077 != 0 {
			t.Errorf("backup %s: %v %v", b, bi.Mode(), err)
		}
	}
}

// TestHostileOwnerKept: run as root on a user's file, the file keeps its owner and group.
func TestHostileOwnerKept(t *testing.T) {
	matrix.Record(t, "Hostile input", "run as root on another user's .env.local (and a new one in their directory)", "owner and group kept (fchown of the temp file)")
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, ".env.local")
	if err := os.WriteFile(p, []byte("A=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const uid, gid = 4321, 4322
	if err := os.Chown(p, uid, gid); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	os.Chown(sub, uid, gid)
	fresh := filepath.Join(sub, ".env.local")
	for _, f := range []string{p, fresh} {
		planApply(t, f)
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if u, g := owner(fi); u != uid || g != gid {
			t.Errorf("%s is %d:%d after the write, want %d:%d", f, u, g, uid, gid)
		}
	}
}

// TestHostileHardLink: a .env.local with another hard link is replaced (the other name
// keeps the old content), and the plan says so.
func TestHostileHardLink(t *testing.T) {
	matrix.Record(t, "Hostile input", ".env.local with a second hard link", "the plan counts the other links so the operator is told they keep the old content")
	dir := t.TempDir()
	p := filepath.Join(dir, ".env.local")
	os.WriteFile(p, []byte("A=1\n"), 0o600)
	if err := os.Link(p, filepath.Join(dir, "other")); err != nil {
		t.Skip(err)
	}
	plan, _ := planApply(t, p)
	if plan.Files[0].OtherLinks != 1 {
		t.Errorf("OtherLinks = %d, want 1", plan.Files[0].OtherLinks)
	}
}

// TestHostileRelativeSymlinkResolvedLikeTheKernel: a relative link whose directory part
// goes through another link and ".." is resolved per component, as open(2) does.
func TestHostileRelativeSymlinkResolvedLikeTheKernel(t *testing.T) {
	matrix.Record(t, "Hostile input", "relative symlink through a linked directory and ..", "the file the kernel opens is the one written; no other file appears")
	root := t.TempDir()
	// root/real/deep/target.env ; root/pkg/linkdir -> ../real/deep ; root/pkg/.env.local -> linkdir/../target.env
	// The kernel: linkdir/.. is root/real, so the target is root/real/target.env.
	os.MkdirAll(filepath.Join(root, "real", "deep"), 0o755)
	os.MkdirAll(filepath.Join(root, "pkg"), 0o755)
	want := filepath.Join(root, "real", "target.env")
	os.WriteFile(want, []byte("A=1\n"), 0o600)
	if err := os.Symlink("../real/deep", filepath.Join(root, "pkg", "linkdir")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "pkg", ".env.local")
	if err := os.Symlink("linkdir/../target.env", link); err != nil {
		t.Fatal(err)
	}
	// What the kernel opens:
	kernel, err := os.ReadFile(link)
	if err != nil || string(kernel) != "A=1\n" {
		t.Fatalf("setup: the kernel does not open %s: %v", want, err)
	}
	plan, _ := planApply(t, link)
	if got := plan.Files[0].Target; got != want {
		t.Errorf("Target = %s, want %s", got, want)
	}
	data, _ := os.ReadFile(want)
	if !strings.Contains(string(data), "BITBUCKET_CLIENT_SECRET") {
		t.Errorf("the file the link opens was not written: %q", data)
	}
	if _, err := os.Stat(filepath.Join(root, "pkg", "target.env")); err == nil {
		t.Errorf("a file was written where string joining points")
	}
}
