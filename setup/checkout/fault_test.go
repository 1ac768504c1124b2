package checkout

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/faultmatrix"
	"github.com/bbsetup/bbsetup/internal/testkit"
	"github.com/bbsetup/bbsetup/setup/envfile"
)

var matrix = faultmatrix.New("checkout", "Env files: the checkout's two .env.local files (setup/checkout)")

func TestMain(m *testing.M) {
	// Backups go to the user's state directory: keep the tests' out of the real one.
	state, err := os.MkdirTemp("", "bbsetup-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_STATE_HOME", state)
	code := faultmatrix.Wrap(m, matrix).Run()
	os.RemoveAll(state)
	os.Exit(code)
}

const (
	faultKey    = "FaultKey0123456789"
	faultSecret = "FaultSecretValue-0123456789abcdef"
	// everySpecial is a secret with every printable ASCII punctuation character but the
	// backtick, spaces, a backslash before n, and non-ASCII letters.
	everySpecial = "!\"#$%&'()*+,-./:;<=>?@[\\]^_{|}~ \\n é€😀 x=y # not a comment x"
	// allQuotes holds all three quote kinds: dotenv has no literal that reads it back.
	allQuotes = "x 'b\" c` #d"
)

// faultEnv is one case's checkout: the server's and the PR service's .env.local.
type faultEnv struct {
	root, server, pr string
}

// snapshot is the content of both files (nil: absent) and every file name in the tree.
type snapshot struct {
	server, pr []byte
	names      map[string]bool
}

func (e *faultEnv) snap(t *testing.T) snapshot {
	t.Helper()
	read := func(p string) []byte {
		b, err := envfile.ReadRegular(p)
		if err != nil {
			return nil
		}
		return b
	}
	s := snapshot{server: read(e.server), pr: read(e.pr), names: map[string]bool{}}
	filepath.WalkDir(e.root, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			s.names[p] = true
		}
		return nil
	})
	return s
}

func appended(eol string, kvs ...string) string {
	out := "# " + blockComment + eol
	for i := 0; i+1 < len(kvs); i += 2 {
		out += kvs[i] + "=" + kvs[i+1] + eol
	}
	return out
}

// TestFaultEnvFiles drives Open, Plan and Apply, the path configure and the wizard take,
// through awkward files and failures. Every case ends with both .env.local files
// unchanged (and no new file anywhere in the checkout), or both updated.
func TestFaultEnvFiles(t *testing.T) {
	big := func() string {
		var b strings.Builder
		b.WriteString("# a 5 MB file\nBITBUCKET_CLIENT_ID=old\n")
		r := rand.New(rand.NewPCG(1, 2))
		for b.Len() < 5<<20 {
			fmt.Fprintf(&b, "FILLER_%d=\"%x\"\n", r.Uint32(), r.Uint64())
		}
		return b.String()
	}()
	garbage := func() string {
		// Bytes that are not UTF-8 and control characters, but no line break, quote or
		// '=' (which would make them assignments): lines dotenv skips.
		var b bytes.Buffer
		for i := 0; i < 256; i++ {
			c := byte(i)
			if c == '\n' || c == '\r' || c == '=' || c == '"' || c == '\'' || c == '`' || c == '#' {
				continue
			}
			b.WriteByte(c)
			if i%64 == 63 {
				b.WriteByte('\n')
			}
		}
		b.WriteByte('\n')
		return b.String()
	}()
	tests := []struct {
		name, expect string
		dirName      string // the checkout directory's name; "" = a plain temp dir
		server, pr   *string
		secret       string
		// prep runs after the files are written and before Open.
		prep func(t *testing.T, e *faultEnv)
		// between runs after Plan and before Apply.
		between func(t *testing.T, e *faultEnv)
		wantErr string // words of the error; "" means success
		// wantServer and wantPR, when set, are the exact new contents.
		wantServer, wantPR func(secretLit string) string
	}{
		{
			name: "read-only file", expect: "refused, says read-only and chmod; both unchanged",
			server: ptr("X=1\n"), pr: ptr("Y=2\n"),
			prep:    func(t *testing.T, e *faultEnv) { chmod(t, e.pr, 0o444) },
			wantErr: "is read-only; make it writable (chmod u+w",
		},
		{
			name: "read-only PR-service directory", expect: "refused, says the directory is read-only; both unchanged",
			server:  ptr("X=1\n"),
			prep:    func(t *testing.T, e *faultEnv) { chmod(t, filepath.Dir(e.pr), 0o555) },
			wantErr: "the directory is read-only",
		},
		{
			name: "directory in place of the file", expect: "refused, says it is a directory; both unchanged",
			server: ptr("X=1\n"),
			prep: func(t *testing.T, e *faultEnv) {
				if err := os.Mkdir(e.pr, 0o755); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "is a directory, not a file; move it out of the way",
		},
		{
			name: "FIFO in place of the file", expect: "refused, says it is not a regular file; both unchanged",
			pr: ptr("Y=2\n"),
			prep: func(t *testing.T, e *faultEnv) {
				if err := mkfifo(e.server); err != nil {
					t.Skipf("mkfifo: %v", err)
				}
			},
			wantErr: "is not a regular file",
		},
		{
			name: "directory in place of an old .bak", expect: "both updated; backups go outside the checkout, the directory untouched",
			server: ptr("X=1\n"), pr: ptr("Y=2\n"),
			between: func(t *testing.T, e *faultEnv) {
				if err := os.Mkdir(e.pr+".bak", 0o755); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "the backup directory cannot be made", expect: "refused at write time, names it; both unchanged",
			server: ptr("X=1\n"), pr: ptr("Y=2\n"),
			prep: func(t *testing.T, e *faultEnv) {
				file := filepath.Join(t.TempDir(), "state-is-a-file")
				writeFile(t, file, "")
				t.Setenv("XDG_STATE_HOME", file)
			},
			wantErr: "cannot make the backup directory",
		},
		{
			name: "missing PR-service directory", expect: "Open refuses, names both layouts and says it does not create them; nothing written",
			server: ptr("X=1\n"),
			prep: func(t *testing.T, e *faultEnv) {
				if err := os.RemoveAll(filepath.Dir(e.pr)); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "does not create these directories",
		},
		{
			name: "PR-service directory removed between plan and write", expect: "Apply refuses, says the directory does not exist; server unchanged",
			server: ptr("X=1\n"),
			between: func(t *testing.T, e *faultEnv) {
				if err := os.RemoveAll(filepath.Dir(e.pr)); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "does not exist",
		},
		{
			name: "file edited by someone between plan and write", expect: "Apply refuses, says it changed and to run again; both as the other editor left them",
			server: ptr("X=1\n"), pr: ptr("Y=2\n"),
			between: func(t *testing.T, e *faultEnv) {
				if err := os.WriteFile(e.pr, []byte("Y=3\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "changed while bbsetup was running; run it again",
		},
		{
			name: "value with a line break", expect: "refused before any file is read for writing; both unchanged",
			server: ptr("X=1\n"), pr: ptr("Y=2\n"), secret: "two\nlines",
			wantErr: "client secret",
		},
		{
			name: "symlinked .env.local", expect: "both updated; the link stays a link, its target elsewhere in the checkout is written",
			pr: ptr("Y=2\n"),
			prep: func(t *testing.T, e *faultEnv) {
				// Inside the checkout: a target outside it is refused (TestHostileSymlinkOutside).
				target := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(e.server))), "shared-secrets.env")
				if err := os.WriteFile(target, []byte("X=1\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(target, e.server); err != nil {
					t.Fatal(err)
				}
			},
			wantServer: func(s string) string {
				return "X=1\n" + appended("\n", KeyClientID, faultKey, KeyClientSecret, s, KeyBillingEnabled, "false")
			},
		},
		{
			name: "5 MB file", expect: "both updated; the 5 MB of other lines byte-identical",
			server: ptr(big), pr: ptr("Y=2\n"),
			wantServer: func(s string) string {
				return strings.Replace(big, "BITBUCKET_CLIENT_ID=old\n", "BITBUCKET_CLIENT_ID="+faultKey+"\n", 1) +
					appended("\n", KeyClientSecret, s, KeyBillingEnabled, "false")
			},
		},
		{
			name: "binary garbage in unrelated lines", expect: "both updated; garbage bytes byte-identical",
			server: ptr(garbage + "BITBUCKET_CLIENT_SECRET=old\n" + garbage), pr: ptr(garbage),
			wantServer: func(s string) string {
				return garbage + "BITBUCKET_CLIENT_SECRET=" + s + "\n" + garbage +
					appended("\n", KeyClientID, faultKey, KeyBillingEnabled, "false")
			},
			wantPR: func(s string) string {
				return garbage + appended("\n", KeyClientID, faultKey, KeyClientSecret, s)
			},
		},
		{
			name: "CRLF line endings", expect: "both updated; CRLF kept on every line, appended lines too",
			server: ptr("A=1\r\nBITBUCKET_CLIENT_ID=old\r\nB=2\r\n"), pr: ptr("Y=2\r\n"),
			wantServer: func(s string) string {
				return "A=1\r\nBITBUCKET_CLIENT_ID=" + faultKey + "\r\nB=2\r\n" +
					appended("\r\n", KeyClientSecret, s, KeyBillingEnabled, "false")
			},
			wantPR: func(s string) string {
				return "Y=2\r\n" + appended("\r\n", KeyClientID, faultKey, KeyClientSecret, s)
			},
		},
		{
			name: "no trailing newline", expect: "both updated; a line break is added before the appended block only",
			server: ptr("A=1\nBITBUCKET_CLIENT_SECRET=old"), pr: ptr("Y=2"),
			wantServer: func(s string) string {
				return "A=1\nBITBUCKET_CLIENT_SECRET=" + s + "\n" + appended("\n", KeyClientID, faultKey, KeyBillingEnabled, "false")
			},
			wantPR: func(s string) string {
				return "Y=2\n" + appended("\n", KeyClientID, faultKey, KeyClientSecret, s)
			},
		},
		{
			name: "duplicate keys", expect: "both updated; the first assignment set in place, the later ones (which dotenv would let win) removed",
			server: ptr("BITBUCKET_CLIENT_ID=a\nX=1\nBITBUCKET_CLIENT_ID=b\nBITBUCKET_CLIENT_SECRET=s1\nBITBUCKET_CLIENT_SECRET=s2\nBILLING_ENABLED=true\n"),
			pr:     ptr("BITBUCKET_CLIENT_ID=a\nBITBUCKET_CLIENT_ID=a\n"),
			wantServer: func(s string) string {
				return "BITBUCKET_CLIENT_ID=" + faultKey + "\nX=1\nBITBUCKET_CLIENT_SECRET=" + s + "\nBILLING_ENABLED=false\n"
			},
			wantPR: func(s string) string {
				return "BITBUCKET_CLIENT_ID=" + faultKey + "\n" + appended("\n", KeyClientSecret, s)
			},
		},
		{
			name: "export prefix", expect: "both updated; export, spacing and trailing comment kept",
			server: ptr("export BITBUCKET_CLIENT_ID = old # the key\nexport BILLING_ENABLED=true\n"), pr: ptr("export BITBUCKET_CLIENT_SECRET='old'\n"),
			wantServer: func(s string) string {
				return "export BITBUCKET_CLIENT_ID = " + faultKey + " # the key\nexport BILLING_ENABLED=false\n" + appended("\n", KeyClientSecret, s)
			},
			wantPR: func(s string) string {
				return "export BITBUCKET_CLIENT_SECRET=" + s + "\n" + appended("\n", KeyClientID, faultKey)
			},
		},
		{
			name: "values with every special character", expect: "both updated; the secret (all punctuation but the backtick) reads back byte-exact",
			server: ptr("BITBUCKET_CLIENT_SECRET=\"old # value\"\n"), pr: ptr(""), secret: everySpecial,
		},
		{
			name: "value with all three quote kinds", expect: "refused, says dotenv cannot read it back; both unchanged",
			server: ptr("X=1\n"), pr: ptr("Y=2\n"), secret: allQuotes,
			wantErr: "cannot be written so that dotenv reads it back unchanged",
		},
		{
			name: "non-UTF-8 bytes in the checkout path", expect: "both updated",
			dirName: "amplication-\xff\xfe-checkout", server: ptr("X=1\n"), pr: ptr("Y=2\n"),
		},
		{
			name: "non-UTF-8 file name behind a symlinked .env.local", expect: "both updated through the link",
			pr: ptr("Y=2\n"),
			prep: func(t *testing.T, e *faultEnv) {
				target := filepath.Join(filepath.Dir(e.server), "secrets-\xff\xfe.env")
				if err := os.WriteFile(target, []byte("X=1\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(filepath.Base(target), e.server); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			matrix.Record(t, "Env files", tc.name, tc.expect)
			secret := tc.secret
			if secret == "" {
				secret = faultSecret
			}
			root := t.TempDir()
			if tc.dirName != "" {
				root = filepath.Join(root, tc.dirName)
			}
			copyFixture(t, "current", root)
			e := &faultEnv{
				root:   root,
				server: filepath.Join(root, "packages", "amplication-server", ".env.local"),
				pr:     filepath.Join(root, "ee", "packages", "git-sync-manager", ".env.local"),
			}
			if tc.server != nil {
				writeFile(t, e.server, *tc.server)
			}
			if tc.pr != nil {
				writeFile(t, e.pr, *tc.pr)
			}
			if tc.prep != nil {
				tc.prep(t, e)
			}
			before := e.snap(t)

			err := func() error {
				co, err := Open(root)
				if err != nil {
					return err
				}
				p, err := co.Plan(Credentials{ClientID: faultKey, ClientSecret: secret})
				if err != nil {
					return err
				}
				if tc.between != nil {
					tc.between(t, e)
					before = e.snap(t) // what the operator (or the other editor) left
				}
				_, err = p.Apply()
				return err
			}()
			after := e.snap(t)

			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one saying %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows the secret")
				}
				if !bytes.Equal(before.server, after.server) || !bytes.Equal(before.pr, after.pr) {
					t.Errorf("a file changed although the write failed")
				}
				for n := range after.names {
					if !before.names[n] {
						t.Errorf("new file after a failed write: %s", n)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			lit, qerr := envfile.Quote(secret)
			if qerr != nil {
				t.Fatal(qerr)
			}
			srv, pr := envfile.Parse(after.server), envfile.Parse(after.pr)
			if srv[KeyClientID] != faultKey || srv[KeyClientSecret] != secret || srv[KeyBillingEnabled] != "false" {
				t.Errorf("server .env.local reads %s=%q %s=%q %s=%q", KeyClientID, srv[KeyClientID], KeyClientSecret, srv[KeyClientSecret], KeyBillingEnabled, srv[KeyBillingEnabled])
			}
			if pr[KeyClientID] != faultKey || pr[KeyClientSecret] != secret {
				t.Errorf("PR .env.local reads %s=%q %s=%q", KeyClientID, pr[KeyClientID], KeyClientSecret, pr[KeyClientSecret])
			}
			if tc.wantServer != nil && string(after.server) != tc.wantServer(lit) {
				t.Errorf("server .env.local:\n%q\nwant\n%q", clipped(after.server), clipped([]byte(tc.wantServer(lit))))
			}
			if tc.wantPR != nil && string(after.pr) != tc.wantPR(lit) {
				t.Errorf("PR .env.local:\n%q\nwant\n%q", clipped(after.pr), clipped([]byte(tc.wantPR(lit))))
			}
			// Both updated, and nothing else appeared in the checkout (backups go to the
			// state directory).
			for n := range after.names {
				if !before.names[n] && n != e.server && n != e.pr {
					t.Errorf("unexpected new file: %s", n)
				}
			}
			if fi, err := os.Lstat(e.server); err == nil && before.names[e.server] && tc.prep != nil && fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the symlinked .env.local was replaced by a plain file")
			}
			co, err := Open(root)
			if err != nil {
				t.Fatal(err)
			}
			if cr, ok := co.Current(); !ok || cr.ClientSecret != secret {
				t.Errorf("Current() after the write: ok=%v", ok)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(p, 0o755) })
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func clipped(b []byte) []byte {
	if len(b) > 400 {
		return append(append(append([]byte{}, b[:200]...), "…"...), b[len(b)-200:]...)
	}
	return b
}

// copyFixture copies a fixture layout (testdata/amplication/<layout>) into dst (created).
func copyFixture(t *testing.T, layout, dst string) {
	t.Helper()
	src := testkit.Testdata(t, "amplication", layout)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy fixture: %v", err)
	}
}
