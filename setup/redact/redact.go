// Package redact removes secrets from log output: every known secret value (the client
// secret, access and refresh tokens, authorization codes) and the value of anything that
// looks like a credential (an Authorization header, access_token=, refresh_token=,
// client_secret=, code= parameters and their JSON forms) become "[redacted]".
package redact

import (
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Mark replaces every redacted value.
const Mark = "[redacted]"

// minSecret is the shortest value treated as a secret: shorter ones would blank out
// ordinary words.
const minSecret = 4

// patterns match credential-shaped text whatever its value; group 1 is kept.
var patterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(authorization\s*[:=]\s*)[^\r\n]+`),
	regexp.MustCompile(`(?i)(\b(?:access_token|refresh_token|client_secret|code|code_verifier|password)=)[^&\s"'<>]+`),
	regexp.MustCompile(`(?i)("(?:access_token|refresh_token|client_secret|code|code_verifier|password)"\s*:\s*")[^"]*`),
	regexp.MustCompile(`(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]+=*`),
}

// Redactor knows the secret values of one run. It is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another is removed whole
}

// New returns a Redactor that knows secrets (empty and very short values are ignored).
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add makes more values secret, e.g. a token once it is issued.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= minSecret && !contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// String returns s with every secret and credential-shaped value replaced by Mark.
func (r *Redactor) String(s string) string {
	r.mu.RLock()
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, Mark)
	}
	r.mu.RUnlock()
	for _, p := range patterns {
		s = p.ReplaceAllString(s, "${1}"+Mark)
	}
	return s
}

// Writer returns an io.Writer that redacts what it passes to w and makes it safe for a
// terminal (safetext.Block: the log quotes servers). Each Write is redacted on its own,
// so write whole lines (fmt.Fprintf of a line does). Writes are serialised.
func (r *Redactor) Writer(w io.Writer) io.Writer { return &writer{r: r, w: w} }

type writer struct {
	mu sync.Mutex
	r  *Redactor
	w  io.Writer
}

// Write redacts p and writes it; it reports len(p) on success so callers see a full write.
func (w *writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := io.WriteString(w.w, safetext.Block(w.r.String(string(p)))); err != nil {
		return 0, err
	}
	return len(p), nil
}
