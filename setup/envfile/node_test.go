package envfile

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// dotenvDir holds package.json/package-lock.json pinning npm dotenv and parse.js.
var dotenvDir = filepath.Join("..", "..", "testdata", "dotenv")

// nodeParse parses each input with the real npm dotenv (node parse.js -). It skips the test,
// loudly, when node or the installed package is missing.
func nodeParse(t *testing.T, inputs [][]byte) []map[string]string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: node is not installed, so the round trip through the real npm dotenv parser did not run; install Node.js and run `npm ci` in testdata/dotenv")
	}
	if _, err := os.Stat(filepath.Join(dotenvDir, "node_modules", "dotenv", "package.json")); err != nil {
		testkit.SkipUnlessCI(t, "SKIPPED: testdata/dotenv/node_modules is missing, so the round trip through the real npm dotenv parser did not run; run `npm ci` in testdata/dotenv")
	}
	enc := make([]string, len(inputs))
	for i, in := range inputs {
		enc[i] = base64.StdEncoding.EncodeToString(in)
	}
	payload, _ := json.Marshal(enc)
	cmd := exec.Command(node, "parse.js", "-")
	cmd.Dir = dotenvDir
	cmd.Stdin = bytes.NewReader(payload)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node parse.js: %v\n%s", err, stderr.String())
	}
	var res []map[string]string
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node output: %v", err)
	}
	if len(res) != len(inputs) {
		t.Fatalf("node parsed %d inputs, want %d", len(res), len(inputs))
	}
	return res
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
