package checkout

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/testkit"
	"github.com/bbsetup/bbsetup/setup/envfile"
)

// nxTask is one `nx serve` task whose environment the real Nx computes.
type nxTask struct {
	Project       string `json:"project"`
	ProjectRoot   string `json:"projectRoot"` // relative to the checkout root, slashes
	Configuration string `json:"configuration,omitempty"`
}

// nxTaskEnv runs the Nx that testdata/nx pins (the version Amplication pins) in root, as
// `nx` starts for any command, and returns the environment its task runner gives each task
// (testdata/nx/taskenv.js). shell is the shell environment beside PATH and HOME. It skips,
// loudly, without node or the installed package (fails under CI).
func nxTaskEnv(t *testing.T, root, home string, shell map[string]string, tasks []nxTask) []map[string]string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: node is not installed, so how the real Nx loads the env files was not checked; install Node.js and run `npm ci` in testdata/nx")
	}
	dir := testkit.Testdata(t, "nx")
	cli := filepath.Join(dir, "node_modules", "nx", "bin", "nx.js")
	if _, err := os.Stat(cli); err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: testdata/nx/node_modules is missing, so how the real Nx loads the env files was not checked; run `npm ci` in testdata/nx")
	}
	req, _ := json.Marshal(tasks)
	out := filepath.Join(t.TempDir(), "env.json")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "-r", filepath.Join(dir, "taskenv.js"), cli, "--version")
	cmd.Dir = root
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "NX_DAEMON=false", "NX_NO_CLOUD=true",
		"BBSETUP_NX_TASKS=" + string(req), "BBSETUP_NX_OUT=" + out}
	for k, v := range shell {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nx: %v\n%s", err, b)
	}
	var res struct {
		Nx   string              `json:"nx"`
		Envs []map[string]string `json:"envs"`
	}
	b, err := os.ReadFile(out)
	if err != nil || json.Unmarshal(b, &res) != nil || len(res.Envs) != len(tasks) {
		t.Fatalf("taskenv.js output %q: %v", b, err)
	}
	if res.Nx != "16.9.1" {
		t.Fatalf("testdata/nx installed Nx %s, want 16.9.1 (the version Amplication pins and VerifiedNx lists)", res.Nx)
	}
	return res.Envs
}

func serveTasks(co *Checkout) []nxTask {
	rel := func(d string) string { r, _ := filepath.Rel(co.Root, d); return filepath.ToSlash(r) }
	tasks := []nxTask{{Project: "amplication-server", ProjectRoot: rel(co.ServerDir)}}
	for _, s := range co.PRServices {
		tasks = append(tasks, nxTask{Project: s.Project, ProjectRoot: rel(s.Dir)})
	}
	return tasks
}

// projectFiles is what bbsetup means a service to get from its own files: every key of
// its .env.local, then those of its .env that .env.local lacks, as npm dotenv reads them
// (raw: no variable expansion).
func projectFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	want := map[string]string{}
	for _, name := range []string{".env.local", ".env"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range envfile.Parse(b) {
			if _, ok := want[k]; !ok {
				want[k] = v
			}
		}
	}
	return want
}

// TestNxServesWhatBbsetupWrote writes the key and secret with values full of $, ${...},
// \$, #, quotes and backslashes into both layouts, then asks the real Nx 16.9.1 what
// `nx serve` gives amplication-server and the PR service: every key must be what bbsetup
// intended, byte for byte. This is what lets check pass values with $ for Nx 16.9.1.
func TestNxServesWhatBbsetupWrote(t *testing.T) {
	creds := []Credentials{
		{ClientID: "id$HOME", ClientSecret: "sec${HOME}x$"},
		{ClientID: `id\$x`, ClientSecret: `p#q 'r' "s" #`},
		{ClientID: "id #c ${X:-y}", ClientSecret: `back\slash\n\\ $X`},
	}
	for _, layout := range []string{"older", "current"} {
		for i, cr := range creds {
			t.Run(layout+"/"+string(rune('a'+i)), func(t *testing.T) {
				co, err := Open(checkout(t, layout))
				if err != nil {
					t.Fatal(err)
				}
				p, err := co.Plan(cr)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := p.Apply(); err != nil {
					t.Fatal(err)
				}
				home := t.TempDir()
				envs := nxTaskEnv(t, co.Root, home, nil, serveTasks(co))
				dirs := []string{co.ServerDir}
				for _, s := range co.PRServices {
					dirs = append(dirs, s.Dir)
				}
				for j, dir := range dirs {
					want := projectFiles(t, dir)
					if want[KeyClientID] != cr.ClientID || want[KeyClientSecret] != cr.ClientSecret {
						t.Fatalf("%s: the files read back %q / %q, not what was written", dir, want[KeyClientID], want[KeyClientSecret])
					}
					if j == 0 && want[KeyBillingEnabled] != "false" {
						t.Fatalf("server: BILLING_ENABLED=%q", want[KeyBillingEnabled])
					}
					for k, v := range want {
						if got, ok := envs[j][k]; !ok || got != v {
							t.Errorf("%s: Nx gives %s=%q (set %v), bbsetup intended %q", serveTasks(co)[j].Project, k, got, ok, v)
						}
					}
				}
				// check agrees: Nx 16.9.1 passes them unchanged.
				writeFile(t, filepath.Join(co.Root, "package.json"), `{"devDependencies": {"nx": "16.9.1"}}`)
				if d, ok := findings(co.CheckOffline(nil))["nx-dollar"]; ok && (d.Kind != KindCheck || !d.OK) {
					t.Errorf("check on Nx 16.9.1: %+v, want a passing check", d)
				}
			})
		}
	}
}

// TestNxPrecedence puts the Bitbucket keys where Nx looks before and after the files
// bbsetup writes, and asks the real Nx 16.9.1 who wins: the shell over every file; a
// project's .env.serve and .serve.env (and, with a configuration, .env.<configuration>)
// over its .env.local; the project's files over the root's. check must report exactly the
// files that win over bbsetup's.
func TestNxPrecedence(t *testing.T) {
	for _, layout := range []string{"older", "current"} {
		t.Run(layout, func(t *testing.T) {
			co, err := Open(checkout(t, layout))
			if err != nil {
				t.Fatal(err)
			}
			cr := Credentials{ClientID: "writtenKey123", ClientSecret: "writtenSecret$HOME"}
			p, err := co.Plan(cr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Apply(); err != nil {
				t.Fatal(err)
			}
			pr := co.PRServices[0]
			writeFile(t, filepath.Join(co.ServerDir, ".env.serve"), "BITBUCKET_CLIENT_SECRET=serveSecret\n")
			writeFile(t, filepath.Join(co.ServerDir, ".env.development"), "BILLING_ENABLED=true\n")
			writeFile(t, filepath.Join(pr.Dir, ".serve.env"), "BITBUCKET_CLIENT_ID=serveKey\n")
			writeFile(t, filepath.Join(co.Root, ".env.local"), "BITBUCKET_CLIENT_ID=rootKey\nROOT_LOCAL=r$HOME\n")
			writeFile(t, filepath.Join(co.Root, ".env"), "BITBUCKET_CLIENT_SECRET=rootSecret\nROOT_ENV=plain\n")
			home := t.TempDir()
			shell := map[string]string{"KAFKA_BROKERS": "shell:9092"}
			tasks := serveTasks(co)
			dev := tasks[0]
			dev.Configuration = "development"
			envs := nxTaskEnv(t, co.Root, home, shell, append(tasks, dev))
			srv, prEnv, srvDev := envs[0], envs[1], envs[2]
			for _, c := range []struct {
				who       string
				env       map[string]string
				key, want string
			}{
				{"server", srv, KeyClientSecret, "serveSecret"}, // .env.serve over .env.local
				{"server", srv, KeyClientID, cr.ClientID},       // project .env.local over root .env.local
				{"server", srv, KeyBillingEnabled, "false"},     // .env.development only with that configuration
				{"server", srv, "KAFKA_BROKERS", "shell:9092"},  // the shell over every file
				{"server", srv, "ROOT_ENV", "plain"},            // root files fill in what the project lacks
				{"server", srv, "ROOT_LOCAL", "r" + home},       // root files are expanded by the CLI at start-up
				{"server:development", srvDev, KeyBillingEnabled, "true"},
				{"server:development", srvDev, KeyClientSecret, "serveSecret"},
				{pr.Project, prEnv, KeyClientID, "serveKey"},          // .serve.env over .env.local
				{pr.Project, prEnv, KeyClientSecret, cr.ClientSecret}, // $HOME passed unchanged
			} {
				if got := c.env[c.key]; got != c.want {
					t.Errorf("%s: Nx gives %s=%q, want %q", c.who, c.key, got, c.want)
				}
			}
			g := findings(co.CheckOffline(nil))["no-serve-env-override"]
			for _, f := range []string{filepath.Join("packages", "amplication-server", ".env.serve"), filepath.Join("packages", "amplication-server", ".env.development"), co.rel(filepath.Join(pr.Dir, ".serve.env"))} {
				if !g.Failed() || !strings.Contains(g.Detail, f) {
					t.Errorf("check does not report %s, which Nx lets win: %+v", f, g)
				}
			}
			if strings.Contains(g.Detail, "checkout's root") {
				t.Errorf("check reports a root file that loses to the project's: %+v", g)
			}

			// A root .env.local, .local.env or .env value that expands: the CLI expands it
			// into its own environment at start-up, the task runner does not recognise it as
			// a file's value any more, and it wins over every project file.
			writeFile(t, filepath.Join(co.Root, ".local.env"), "BITBUCKET_CLIENT_ID=expanded$HOME\n")
			envs = nxTaskEnv(t, co.Root, home, shell, tasks)
			for i, who := range []string{"server", pr.Project} {
				if got := envs[i][KeyClientID]; got != "expanded"+home {
					t.Errorf("%s: Nx gives %s=%q, want the root file's expanded %q", who, KeyClientID, got, "expanded"+home)
				}
			}
			g = findings(co.CheckOffline(nil))["no-serve-env-override"]
			if !g.Failed() || !strings.Contains(g.Detail, ".local.env (in the checkout's root) sets BITBUCKET_CLIENT_ID") {
				t.Errorf("check does not report the root .local.env that wins: %+v", g)
			}
			if strings.Contains(g.Detail, ".env.local (in the checkout's root)") {
				t.Errorf("check reports the root .env.local, whose value has no $ and loses: %+v", g)
			}
		})
	}
}
