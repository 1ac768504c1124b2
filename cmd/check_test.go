package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

func TestCheckOfflineBothLayouts(t *testing.T) {
	for layout, pr := range envcmdLayouts {
		t.Run(layout, func(t *testing.T) {
			root := envcmdCheckout(t, layout)
			r := envcmdExec(t, root, "", nil, "check", "--offline")
			if r.code != 1 {
				t.Fatalf("fresh checkout: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			// One failed check per missing file; the callback URL and the services to start
			// are notes (instructions), and the count is of checks only.
			for _, want := range []string{"✗ amplication-server has no .env.local", "✗ " + pr[1] + " has no .env.local", "placeholder [bitbucket-client-id]", "→ write the key and secret; run: bbsetup configure --client-id KEY --client-secret-stdin",
				"\nNotes:\n", "• the consumer's callback URL must be http://localhost:3001/bitbucket-auth-app/callback", "npx nx serve " + pr[1], "2 of 6 checks failed."} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if n := strings.Count(r.stdout, "✗"); n != 2 {
				t.Errorf("%d ✗ for two missing files, want 2:\n%s", n, r.stdout)
			}
			if strings.Contains(r.stdout, "✓ the consumer's callback URL") || strings.Contains(r.stdout, "✓ port") {
				t.Errorf("an instruction or a fact is shown as a passed check:\n%s", r.stdout)
			}
			if r := envcmdExec(t, root, envcmdSecret, nil, "configure", "--client-id", envcmdKey, "--client-secret-stdin", "--no-verify"); r.code != 0 {
				t.Fatalf("configure: %d %s", r.code, r.stderr)
			}
			r = envcmdExec(t, root, "", nil, "check", "--offline")
			if r.code != 0 || strings.Contains(r.stdout, "✗") || !strings.Contains(r.stdout, "All ") {
				t.Fatalf("after configure: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, "BITBUCKET_CLIENT_SECRET=••••9876") {
				t.Errorf("the masked secret is not shown:\n%s", r.stdout)
			}

			// A shell variable and a .env.serve file overriding the files: both reported.
			serve := filepath.Join(root, filepath.FromSlash(pr[0]), ".env.serve")
			os.WriteFile(serve, []byte("BITBUCKET_CLIENT_ID=other\n"), 0o600)
			r = envcmdExec(t, root, "", map[string]string{"BITBUCKET_CLIENT_SECRET": "wrongSecretValue1234"}, "check", "--offline", "--json")
			if r.code != 1 {
				t.Fatalf("overrides: exit %d\n%s", r.code, r.stdout)
			}
			var res checkResult
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("json: %v\n%s", err, r.stdout)
			}
			byID := map[string]checkFinding{}
			for _, f := range res.Findings {
				byID[f.ID] = f
			}
			if res.OK || byID["no-shell-override"].OK || byID["no-serve-env-override"].OK || !byID["server-keys"].OK {
				t.Errorf("findings: %+v", res)
			}
			if byID["callback-url"].Kind != "note" || byID["server-keys"].Kind != "check" {
				t.Errorf("kinds: callback-url %q, server-keys %q", byID["callback-url"].Kind, byID["server-keys"].Kind)
			}
			if !strings.Contains(byID["no-serve-env-override"].Detail, ".env.serve sets BITBUCKET_CLIENT_ID") {
				t.Errorf("serve finding: %+v", byID["no-serve-env-override"])
			}
		})
	}
}

func TestCheckOnlineWithEmulator(t *testing.T) {
	e, consumer := bbemu.NewDemo(bbemu.Options{}, 3)
	srv, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	root := envcmdCheckout(t, "current")
	if r := envcmdExec(t, root, consumer.Secret, nil, "configure", "--bitbucket-url", srv.URL, "--client-id", consumer.Key, "--client-secret-stdin"); r.code != 0 {
		t.Fatalf("configure: %d %s", r.code, r.stderr)
	}
	r := envcmdExec(t, root, "", nil, "check", "--bitbucket-url", srv.URL, "--json")
	if r.code != 0 || strings.Contains(r.stdout, consumer.Secret) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var res checkResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	last := res.Findings[len(res.Findings)-1]
	if !res.OK || last.ID != "credentials" || !last.OK {
		t.Errorf("result %+v", res)
	}

	// Someone edits both files to a wrong secret: the online check fails, offline still passes.
	for _, p := range []string{"packages/amplication-server/.env.local", "ee/packages/git-sync-manager/.env.local"} {
		f := filepath.Join(root, p)
		b := envcmdRead(t, f)
		os.WriteFile(f, []byte(strings.ReplaceAll(string(b), consumer.Secret, "wrongSecretValue1234")), 0o600)
	}
	r = envcmdExec(t, root, "", nil, "check", "--bitbucket-url", srv.URL)
	if r.code != 1 || !strings.Contains(r.stdout, "✗ Bitbucket rejects the key or secret") {
		t.Fatalf("wrong secret: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := envcmdExec(t, root, "", nil, "check", "--offline"); r.code != 0 {
		t.Errorf("offline with a wrong secret: exit %d\n%s", r.code, r.stdout)
	}

	// Bitbucket unreachable: a failing finding, not a crash.
	srv.Close()
	r = envcmdExec(t, root, "", nil, "check", "--bitbucket-url", srv.URL)
	if r.code != 1 || !strings.Contains(r.stdout, "✗ Bitbucket could not be reached") {
		t.Fatalf("unreachable: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// Not configured yet: the online check is not a third failure for the same cause, but a
// note, and the count is of checks only.
func TestCheckOnlineNotConfiguredIsANote(t *testing.T) {
	e, _ := bbemu.NewDemo(bbemu.Options{}, 1)
	srv, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	root := envcmdCheckout(t, "current")
	r := envcmdExec(t, root, "", nil, "check", "--bitbucket-url", srv.URL)
	if r.code != 1 || !strings.Contains(r.stdout, "• the key and secret were not checked with Bitbucket") ||
		!strings.Contains(r.stdout, "2 of 6 checks failed.") || strings.Count(r.stdout, "✗") != 2 {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
