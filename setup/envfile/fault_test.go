package envfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/faultmatrix"
)

var matrix = faultmatrix.New("envfile", "Env files: writing (setup/envfile)")

func TestMain(m *testing.M) {
	os.Exit(faultmatrix.Wrap(m, matrix).Run())
}

// tempName matches the temporary files Apply stages next to a target.
var tempName = regexp.MustCompile(`^\.\.env\.local(\.bak)?\.bbsetup-[0-9]+$`)

// failRename makes renameFile fail for the calls where fail(from, to) is true.
func failRename(t *testing.T, fail func(from, to string) bool) {
	t.Helper()
	renameFile = func(from, to string) error {
		if fail(from, to) {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: syscall.EIO}
		}
		return os.Rename(from, to)
	}
	t.Cleanup(func() { renameFile = os.Rename })
}

// TestFaultAllOrNothing makes one rename of a two-file write fail and checks that the
// operator sees both files old (or, when even the roll-back fails, is told which is new).
func TestFaultAllOrNothing(t *testing.T) {
	const oldA, oldB = "X=1\nBITBUCKET_CLIENT_SECRET=oldSecretValue9876\n", "Y=2\n"
	tests := []struct {
		name, expect string
		bExists      bool
		fail         func(a, b string) func(from, to string) bool
		wantErr      string
		wantNew      bool // both files new (the fault hit nothing that matters)
		stuck        bool // the roll-back itself fails: a stays new and is named
	}{
		{
			name: "second file's rename fails", expect: "both old; error says no file was changed",
			bExists: true, wantErr: "no file was changed",
			fail: func(a, b string) func(from, to string) bool {
				return func(from, to string) bool { return to == b }
			},
		},
		{
			name: "second file's backup rename fails", expect: "both old; error says no file was changed",
			bExists: true, wantErr: "cannot write the backup",
			fail: func(a, b string) func(from, to string) bool {
				return func(from, to string) bool { return to == b+".bak" }
			},
		},
		{
			name: "first file's rename fails", expect: "both old; nothing renamed",
			bExists: true, wantErr: "no file was changed",
			fail: func(a, b string) func(from, to string) bool {
				return func(from, to string) bool { return to == a }
			},
		},
		{
			name: "second file is new and its rename fails", expect: "first old, second still absent",
			bExists: false, wantErr: "no file was changed",
			fail: func(a, b string) func(from, to string) bool {
				return func(from, to string) bool { return to == b }
			},
		},
		{
			name: "roll-back rename fails too", expect: "error names the file left new and its .bak",
			bExists: true, wantErr: "could not be put back", stuck: true,
			fail: func(a, b string) func(from, to string) bool {
				n := 0
				return func(from, to string) bool {
					if to == a {
						n++
						return n == 2 // the roll-back's rename onto a
					}
					return to == b
				}
			},
		},
		{
			name: "no fault", expect: "both new; no temp file left",
			bExists: true, wantNew: true,
			fail: func(a, b string) func(from, to string) bool {
				return func(from, to string) bool { return false }
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			matrix.Record(t, "Two-file write is all or nothing (injected rename failure)", tc.name, tc.expect)
			dir := t.TempDir()
			a := filepath.Join(dir, "a", ".env.local")
			b := filepath.Join(dir, "b", ".env.local")
			write(t, a, oldA, 0o640)
			if tc.bExists {
				write(t, b, oldB, 0o600)
			} else if err := os.MkdirAll(filepath.Dir(b), 0o755); err != nil {
				t.Fatal(err)
			}
			p, err := PlanFiles(map[string][]KV{a: kvs(), b: kvs()})
			if err != nil {
				t.Fatal(err)
			}
			if p.Files[0].Path != a {
				t.Fatalf("plan order %s, %s", p.Files[0].Path, p.Files[1].Path)
			}
			wantA, wantB := p.Files[0].After, p.Files[1].After
			failRename(t, tc.fail(a, b))
			_, err = p.Apply()
			renameFile = os.Rename

			gotA := readFile(t, a)
			gotB, errB := os.ReadFile(b)
			switch {
			case tc.wantNew:
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(gotA, wantA) || !bytes.Equal(gotB, wantB) {
					t.Errorf("files not both new:\n%q\n%q", gotA, gotB)
				}
			case tc.stuck:
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), ".bak") {
					t.Fatalf("Apply error = %v, want one naming %s and its .bak", err, a)
				}
				if !bytes.Equal(readFile(t, a+".bak"), []byte(oldA)) {
					t.Errorf("the .bak of the file left new does not hold its old content")
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Apply error = %v, want %q", err, tc.wantErr)
				}
				if string(gotA) != oldA {
					t.Errorf("first file is not old: %q", gotA)
				}
				if tc.bExists && string(gotB) != oldB {
					t.Errorf("second file is not old: %q (%v)", gotB, errB)
				}
				if !tc.bExists && !errors.Is(errB, os.ErrNotExist) {
					t.Errorf("second file exists after a failed write: %q", gotB)
				}
				if fi, err := os.Stat(a); err != nil || fi.Mode().Perm() != 0o640 {
					t.Errorf("first file's mode after roll-back: %v %v", fi.Mode(), err)
				}
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Errorf("error shows the secret")
			}
			for _, d := range []string{filepath.Dir(a), filepath.Dir(b)} {
				entries, _ := os.ReadDir(d)
				for _, e := range entries {
					if strings.Contains(e.Name(), ".bbsetup-") {
						t.Errorf("temp file left behind: %s", filepath.Join(d, e.Name()))
					}
				}
			}
		})
	}
}

// crashEnv names the file the helper process rewrites.
const crashEnv = "BBSETUP_CRASH_FILE"

// crashCandidates are the two contents the helper alternates between: a large file whose
// secret line changes.
func crashCandidates(t testing.TB, base []byte) (old, new []byte) {
	var err error
	old, err = Apply(base, []KV{{Key: "BITBUCKET_CLIENT_SECRET", Value: strings.Repeat("o", 40), Secret: true}})
	if err != nil {
		t.Fatal(err)
	}
	new, err = Apply(base, []KV{{Key: "BITBUCKET_CLIENT_SECRET", Value: strings.Repeat("n", 40), Secret: true}})
	if err != nil {
		t.Fatal(err)
	}
	return old, new
}

func crashBase() []byte {
	var b bytes.Buffer
	b.WriteString("# large .env.local\nBITBUCKET_CLIENT_ID=crash-test-key\nBITBUCKET_CLIENT_SECRET=x\n")
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "FILLER_%06d='value %d with # and spaces'\n", i, i)
	}
	return b.Bytes()
}

// TestHelperProcess is the child of TestFaultCrashSafety: it flips the file between the
// two candidates with Plan.Apply (the plan built directly, so that nearly all of its time
// is spent writing) until it is killed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(crashEnv)
	if os.Getenv(faultmatrix.HelperEnv) != "crash-writer" || path == "" {
		t.Skip("only run as the crash test's child")
	}
	old, new := readFile(t, path+".candidates/old"), readFile(t, path+".candidates/new")
	fmt.Println("ready")
	for {
		cur := readFile(t, path)
		next := new
		if bytes.Equal(cur, new) {
			next = old
		}
		p := &Plan{Files: []FileChange{{Path: path, Target: path, Before: cur, After: next, Exists: true, Mode: 0o600}}}
		if _, err := p.Apply(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFaultCrashSafety kills a process in the middle of rewriting a 1 MB .env.local, at
// random moments, again and again: the file must always be entirely old or entirely new,
// and nothing the services read may be a half-written temp file.
func TestFaultCrashSafety(t *testing.T) {
	if os.Getenv(faultmatrix.HelperEnv) != "" {
		t.Skip("helper process")
	}
	matrix.Record(t, "Crash safety", "SIGKILL during the write of a 1 MB .env.local, 100 times at random moments",
		"file and .bak always entirely old or entirely new; leftovers are only hidden 0600 .bbsetup- temp files, removed by the next write")
	const iterations = 100
	deadline := time.Now().Add(90 * time.Second)
	dir := t.TempDir()
	path := filepath.Join(dir, ".env.local")
	base := crashBase()
	old, new := crashCandidates(t, base)
	// The child reads the candidates instead of computing them (faster start-up); they
	// live outside dir, which must hold nothing else.
	cands := path + ".candidates"
	if err := os.Symlink(t.TempDir(), cands); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(cands, "old"), string(old), 0o600)
	write(t, filepath.Join(cands, "new"), string(new), 0o600)
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	isCandidate := func(b []byte) bool { return bytes.Equal(b, old) || bytes.Equal(b, new) }
	changes, leftovers := 0, 0
	prev := old
	for i := 0; i < iterations; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("only %d iterations in the time allowed", i)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), faultmatrix.HelperEnv+"=crash-writer", crashEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan bool, 1)
		go func() {
			line, _ := bufio.NewReader(out).ReadString('\n')
			ready <- strings.TrimSpace(line) == "ready"
		}()
		select {
		case ok := <-ready:
			if !ok {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("the helper process did not start")
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the helper process did not report ready")
		}
		time.Sleep(time.Duration(rand.IntN(40_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait() // killed: the error is expected

		fi, err := os.Lstat(path)
		if err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("iteration %d: .env.local is not a regular file: %v %v", i, fi, err)
		}
		got := readFile(t, path)
		if !isCandidate(got) {
			t.Fatalf("iteration %d: .env.local is neither the old nor the new content (%d bytes)", i, len(got))
		}
		if !bytes.Equal(got, prev) {
			changes++
		}
		prev = got
		if bak, err := os.ReadFile(path + ".bak"); err == nil && !isCandidate(bak) {
			t.Fatalf("iteration %d: .env.local.bak is torn (%d bytes)", i, len(bak))
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			switch n := e.Name(); {
			case n == ".env.local", n == ".env.local.bak", n == ".env.local.candidates":
			case tempName.MatchString(n):
				// Left by this kill or an earlier one (the next write removes them): it
				// may hold the secret, so it must be private.
				leftovers++
				if fi, err := e.Info(); err == nil && fi.Mode().Perm() != 0o600 {
					t.Fatalf("iteration %d: temp file %s is %v, want 0600", i, n, fi.Mode().Perm())
				}
			default:
				t.Fatalf("iteration %d: unexpected file %s", i, n)
			}
		}
	}
	// The next run cleans up whatever the kills left.
	cur := readFile(t, path)
	next := old
	if bytes.Equal(cur, old) {
		next = new
	}
	final := &Plan{Files: []FileChange{{Path: path, Target: path, Before: cur, After: next, Exists: true, Mode: 0o600}}}
	if _, err := final.Apply(); err != nil {
		t.Fatal(err)
	}
	if left := StaleTemps(path); len(left) != 0 {
		t.Errorf("the run after the kills left %d temp files: %q", len(left), left)
	}
	t.Logf("%d iterations: the file changed %d times; %d temp files seen left by kills mid-write (each removed by a later write)", iterations, changes, leftovers)
	if changes == 0 {
		t.Fatal("the helper never completed a write: the kills came too early to test anything")
	}
}
