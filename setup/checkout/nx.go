package checkout

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bbsetup/bbsetup/setup/envfile"
)

// VerifiedNx are the Nx versions whose env loading bbsetup has run for real (testdata/nx:
// the package's own task runner over the files bbsetup writes) and found to pass the
// values of a project's .env files to the service unchanged, $ included.
var VerifiedNx = []string{"16.9.1"}

// NxVersion is the Nx a checkout runs its services with, and where that was read.
type NxVersion struct {
	Version string // "16.9.1"; a range such as "^16.9.1" when only that is declared; "" when not found
	Source  string // "node_modules/nx/package.json" or "package.json"
}

// Verified reports whether v is exactly one of VerifiedNx (a range is not).
func (v NxVersion) Verified() bool {
	for _, w := range VerifiedNx {
		if v.Version == w {
			return true
		}
	}
	return false
}

var exactVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// NxVersion reads the checkout's Nx version: the installed package's
// (node_modules/nx/package.json), else what the root package.json declares in
// dependencies or devDependencies ("=16.9.1" and "16.9.1" are exact; anything else is
// kept as the range it is).
func (c *Checkout) NxVersion() NxVersion {
	read := func(rel string, v any) bool {
		data, err := envfile.ReadRegular(filepath.Join(c.Root, filepath.FromSlash(rel)))
		return err == nil && len(data) < 4<<20 && json.Unmarshal(data, v) == nil
	}
	var installed struct {
		Version string `json:"version"`
	}
	if read("node_modules/nx/package.json", &installed) && exactVersion.MatchString(installed.Version) {
		return NxVersion{Version: installed.Version, Source: "node_modules/nx/package.json"}
	}
	var root struct {
		Dependencies    map[string]any `json:"dependencies"`
		DevDependencies map[string]any `json:"devDependencies"`
	}
	if !read("package.json", &root) {
		return NxVersion{}
	}
	for _, deps := range []map[string]any{root.Dependencies, root.DevDependencies} {
		if s, ok := deps["nx"].(string); ok && strings.TrimSpace(s) != "" {
			s = strings.TrimPrefix(strings.TrimSpace(s), "=")
			return NxVersion{Version: s, Source: "package.json"}
		}
	}
	return NxVersion{}
}
