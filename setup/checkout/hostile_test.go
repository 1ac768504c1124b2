package checkout

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bareCheckout makes the smallest current-layout checkout by hand (no fixture needed).
func bareCheckout(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "amplication")
	for _, d := range []string{serverDir, "ee/packages/git-sync-manager"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

var hostileCreds = Credentials{ClientID: "key0123456789", ClientSecret: "secret-0123456789abcdef"}

// TestHostileCheckoutOwnership: a checkout another user owns, or that group or others
// can write, is refused before anything is planned, with the override spelled out; the
// override works.
func TestHostileCheckoutOwnership(t *testing.T) {
	matrix.Record(t, "Hostile input", "checkout owned by another user, or world-writable", "Plan refused naming "+SafeDirectoryEnv+"; trusted with it")
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown to another user")
	}
	for name, spoil := range map[string]func(root string) error{
		"owned by another user": func(root string) error { return os.Chown(root, 4321, 4321) },
		"world-writable":        func(root string) error { return os.Chmod(root, 0o777) },
		"server dir group-writable": func(root string) error {
			return os.Chmod(filepath.Join(root, serverDir), 0o775)
		},
		"env file owned by another user": func(root string) error {
			p := filepath.Join(root, serverDir, ".env.local")
			if err := os.WriteFile(p, []byte("A=1\n"), 0o600); err != nil {
				return err
			}
			return os.Chown(p, 4321, 4321)
		},
	} {
		t.Run(name, func(t *testing.T) {
			root := bareCheckout(t)
			if err := spoil(root); err != nil {
				t.Fatal(err)
			}
			co, err := Open(root)
			if err != nil {
				t.Fatal(err)
			}
			co.accounts = sharedGroupAccounts() // group-write is refused for a shared group (privategroup.go)
			_, err = co.Plan(hostileCreds)
			var ue *UnsafeError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), SafeDirectoryEnv+"=") {
				t.Fatalf("Plan = %v, want an *UnsafeError naming %s", err, SafeDirectoryEnv)
			}
			co.SafeDirectories = []string{root}
			if _, err := co.Plan(hostileCreds); err != nil {
				t.Errorf("trusted with %s: %v", SafeDirectoryEnv, err)
			}
		})
	}
}

// TestHostileSymlinkOutside: a .env.local that links outside the checkout (a cloned fork
// can ship one pointing at ~/.bashrc), dangling or not, is refused unless allowed.
func TestHostileSymlinkOutside(t *testing.T) {
	matrix.Record(t, "Hostile input", ".env.local symlink to a file outside the checkout (existing or dangling)", "Plan refused showing path -> target and --allow-outside-checkout; nothing written outside; allowed with it")
	for _, dangling := range []bool{false, true} {
		root := bareCheckout(t)
		outside := filepath.Join(t.TempDir(), "bashrc")
		if !dangling {
			os.WriteFile(outside, []byte("alias ls=ls\n"), 0o644)
		}
		link := filepath.Join(root, serverDir, ".env.local")
		if err := os.Symlink(outside, link); err != nil {
			t.Fatal(err)
		}
		co, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		_, err = co.Plan(hostileCreds)
		var oe *OutsideError
		if !errors.As(err, &oe) || !strings.Contains(err.Error(), link+" -> "+outside) || !strings.Contains(err.Error(), "allow writing outside the checkout") {
			t.Fatalf("dangling=%v: Plan = %v, want an *OutsideError showing the link and how to allow it (the command line names its flag: cmd's TestCLIAdvice)", dangling, err)
		}
		co.AllowOutside = true
		if _, err := co.Plan(hostileCreds); err != nil {
			t.Errorf("allowed: %v", err)
		}
	}
	// A PR service's .env.local linked to the server's stays inside: fine.
	root := bareCheckout(t)
	os.WriteFile(filepath.Join(root, serverDir, ".env.local"), []byte("A=1\n"), 0o600)
	os.Symlink("../../../packages/amplication-server/.env.local", filepath.Join(root, "ee/packages/git-sync-manager/.env.local"))
	co, _ := Open(root)
	if _, err := co.Plan(hostileCreds); err != nil {
		t.Errorf("a link inside the checkout: %v", err)
	}
}

// TestHostileClientHost: CLIENT_HOST with user info, a query, a fragment or port 0 is
// refused, and a password in it is never in the message.
func TestHostileClientHost(t *testing.T) {
	matrix.Record(t, "Hostile input", "CLIENT_HOST with user:password, query, fragment or port 0", "Open refused saying what is wrong; the password is never in the message")
	for _, host := range []string{
		"http://bob:hunter2pass@localhost:3001", "http://localhost:3001?x=1", "http://localhost:3001#frag", "http://localhost:0",
		"ftp://localhost:3001", "http://",
	} {
		root := bareCheckout(t)
		os.WriteFile(filepath.Join(root, serverDir, ".env"), []byte("CLIENT_HOST=\""+host+"\"\n"), 0o600)
		_, err := Open(root)
		if err == nil || !strings.Contains(err.Error(), "CLIENT_HOST") {
			t.Errorf("CLIENT_HOST=%s: Open = %v, want a refusal naming CLIENT_HOST", host, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2pass") {
			t.Errorf("the password is in the message: %v", err)
		}
	}
}
