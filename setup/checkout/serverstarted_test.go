package checkout

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestServerStartedFinding: a real process whose command line is `… nx serve
// amplication-server`, in the checkout, started before the key and secret were written
// fails the finding with its pid and the restart command; restarted, it passes; with none
// running in the checkout (one serving another checkout does not count) it is a note.
func TestServerStartedFinding(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("real processes are inspected on Linux in this test; macOS goes through ps (not run here)")
	}
	t.Parallel()
	root := checkout(t, "current")
	co, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	// Another checkout's server is not this one's.
	servePR(t, checkout(t, "current"), ServerProject)
	if f := ServerStartedFinding(co.ServerReport()); f.ID != ServerStartedID || f.Kind != KindNote || !strings.Contains(f.Title, "not running in this checkout") ||
		!strings.Contains(f.Detail, "docker") || !strings.Contains(f.Detail, "npx nx serve amplication-server") {
		t.Fatalf("nothing running here: %+v", f)
	}
	old := servePR(t, filepath.Join(root, "packages", "amplication-server"), ServerProject)
	time.Sleep(300 * time.Millisecond)
	p, err := co.Plan(Credentials{ClientID: "KeyAbc123", ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	f := ServerStartedFinding(co.ServerReport())
	if !f.Failed() || !strings.Contains(f.Title, "amplication-server was started before its .env.local was last written: it still uses the old Bitbucket key and secret") ||
		!strings.Contains(f.Hint, "npx nx serve amplication-server") || !strings.Contains(f.Hint, fmt.Sprint(old.Process.Pid)) ||
		!strings.Contains(f.Detail, "packages/amplication-server/.env.local written") {
		t.Fatalf("started before the write: %+v", f)
	}
	if strings.Contains(f.Title+f.Detail+f.Hint, secret) {
		t.Fatalf("the finding carries the secret: %+v", f)
	}
	_ = old.Process.Kill()
	_ = old.Wait()
	time.Sleep(300 * time.Millisecond)
	servePR(t, root, ServerProject)
	if f := ServerStartedFinding(co.ServerReport()); f.Kind != KindCheck || !f.OK || !strings.Contains(f.Title, "started after") {
		t.Fatalf("restarted: %+v", f)
	}
}
