// Package checkout knows the layout of a local Amplication checkout: where it is, which
// .env.local files bbsetup writes (the server's and every pull-request service's that
// exists), the client's callback URL, the services to start, and what an offline check of
// the configuration finds.
package checkout

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// The variables bbsetup writes.
const (
	KeyClientID       = "BITBUCKET_CLIENT_ID"
	KeyClientSecret   = "BITBUCKET_CLIENT_SECRET"
	KeyBillingEnabled = "BILLING_ENABLED"
)

// The committed placeholders: a value equal to one of them means "not configured".
const (
	PlaceholderClientID     = "[bitbucket-client-id]"
	PlaceholderClientSecret = "[bitbucket-client-secret]"
)

// DefaultClientHost is the Amplication client's dev-server address when CLIENT_HOST is unset.
const DefaultClientHost = "http://localhost:3001"

// CallbackPath is the client page Bitbucket redirects to after authorization.
const CallbackPath = "/bitbucket-auth-app/callback"

// Layouts of the pull-request service.
const (
	LayoutOlder   = "older"   // packages/amplication-git-pull-request-service
	LayoutCurrent = "current" // ee/packages/git-sync-manager
)

const serverDir = "packages/amplication-server"

// prLayouts lists the PR-service directories bbsetup knows, in the order it reports them.
var prLayouts = []struct{ dir, project, layout string }{
	{"packages/amplication-git-pull-request-service", "amplication-git-pull-request-service", LayoutOlder},
	{"ee/packages/git-sync-manager", "git-sync-manager", LayoutCurrent},
}

// ErrNotFound means no Amplication checkout was found at or above a directory.
var ErrNotFound = errors.New("no Amplication checkout found")

// ErrNoPRService means the checkout has neither pull-request service directory.
var ErrNoPRService = errors.New("no pull-request service in the checkout")

// PRService is one pull-request service directory that exists in the checkout.
type PRService struct {
	Dir, EnvLocal, Project string // absolute paths; Project is the nx project name
	Layout                 string // LayoutOlder or LayoutCurrent
}

// Checkout is an opened Amplication checkout.
type Checkout struct {
	Root, ServerDir, ServerEnvLocal string
	PRServices                      []PRService // every one that exists
	ClientHost                      string      // from the server's .env.local then .env; default DefaultClientHost
	CallbackURL                     string      // ClientHost + CallbackPath
	// BackupDir is where Plan's writes keep the previous content of the files they
	// replace (BackupDirFor); Open sets it from the process environment, callers with
	// their own environment set it again. "" makes a write that needs a backup fail.
	BackupDir string

	// SafeDirectories are checkouts the operator trusts although another user owns them
	// or group or others can write them (SafeDirectoryEnv); "*" trusts every one.
	SafeDirectories []string
	// AllowOutside lets Plan write through a symlink to a file outside the checkout.
	AllowOutside bool

	accounts AccountDB // privategroup.go: nil is the system's (/etc/passwd, /etc/group)
}

// SafeDirectoryEnv names the environment variable that trusts a checkout Plan would
// refuse for its owner or permissions, like git's safe.directory: a list of directories
// separated by the path-list separator (":"), or "*".
const SafeDirectoryEnv = "BBSETUP_SAFE_DIRECTORY"

// UnsafeError is a checkout directory or env file that another user owns, or that group
// or others can write: the secret would land where someone else can read or replace it.
type UnsafeError struct {
	Root, Path, Why, Fix string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("%s %s, so bbsetup does not write the Bitbucket secret there: someone else could read it or swap the file. Fix it (%s), or, if you trust this checkout, run again with %s=%s",
		safetext.Line(e.Path), e.Why, safetext.Line(e.Fix), SafeDirectoryEnv, safetext.Line(e.Root))
}

// OutsideError is an env file that is a symlink (or lies in a symlinked directory)
// leading outside the checkout.
type OutsideError struct {
	Link, Target, Root string
}

func (e *OutsideError) Error() string {
	return fmt.Sprintf("%s -> %s leads outside the checkout %s, so bbsetup does not write the secret there (a cloned checkout can ship such a link). Remove the link (rm %s) and run again, or, if you meant it, allow writing outside the checkout",
		safetext.Line(e.Link), safetext.Line(e.Target), safetext.Line(e.Root), safetext.Line(e.Link))
}

// Credentials are the OAuth consumer's key and secret.
type Credentials struct{ ClientID, ClientSecret string }

// Find returns the nearest directory at or above start that contains packages/amplication-server.
func Find(start string) (string, error) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("cannot resolve %s: %v", start, err)
	}
	for d := abs; ; {
		if isDir(filepath.Join(d, serverDir)) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return "", fmt.Errorf("%w at or above %s (looked for a directory with packages/amplication-server)", ErrNotFound, abs)
}

// Open reads the checkout at root: its layout, the env files to write and CLIENT_HOST. It
// never creates a directory.
func Open(root string) (*Checkout, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("cannot resolve %s: %v", root, err)
	}
	if !isDir(abs) {
		return nil, fmt.Errorf("%w: %s is not a directory; name the top directory of your Amplication checkout", ErrNotFound, abs)
	}
	if !isDir(filepath.Join(abs, serverDir)) {
		return nil, fmt.Errorf("%w: %s has no packages/amplication-server; name the top directory of your Amplication checkout", ErrNotFound, abs)
	}
	c := &Checkout{Root: abs, ServerDir: filepath.Join(abs, serverDir), BackupDir: BackupDirFor(StateHome(os.Getenv), abs)}
	c.ServerEnvLocal = filepath.Join(c.ServerDir, ".env.local")
	for _, l := range prLayouts {
		d := filepath.Join(abs, filepath.FromSlash(l.dir))
		if isDir(d) {
			c.PRServices = append(c.PRServices, PRService{Dir: d, EnvLocal: filepath.Join(d, ".env.local"), Project: l.project, Layout: l.layout})
		}
	}
	if len(c.PRServices) == 0 {
		return nil, fmt.Errorf("%w: neither packages/amplication-git-pull-request-service (older checkouts) nor ee/packages/git-sync-manager (current checkouts) exists in %s; update the checkout (git pull) or name a complete Amplication checkout; bbsetup does not create these directories", ErrNoPRService, abs)
	}
	hs := effective(c.ServerDir, "CLIENT_HOST")
	host := hs.value
	if strings.TrimSpace(host) == "" {
		host = DefaultClientHost
	} else if err := checkClientHost(strings.TrimSpace(host)); err != nil {
		return nil, fmt.Errorf("CLIENT_HOST in %s %v: set it to the Amplication client's address, e.g. CLIENT_HOST=%s, and run again", safetext.Line(c.rel(hs.source)), err, DefaultClientHost)
	}
	c.ClientHost = strings.TrimRight(strings.TrimSpace(host), "/")
	c.CallbackURL = c.ClientHost + CallbackPath
	return c, nil
}

// checkClientHost refuses a CLIENT_HOST that is not a plain http(s) origin. Its error
// shows the value with any password hidden. A value holding control or bidi characters
// is refused too: the callback URL is shown to the operator, who registers it with
// Bitbucket, so what is shown must be what the Amplication server uses.
func checkClientHost(v string) error {
	if !safetext.IsClean(v) {
		return errors.New("holds control or bidirectional-text characters")
	}
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("is not a valid URL")
	}
	shown := safetext.Line(u.Redacted())
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("(%s) is not an http(s) URL", shown)
	case u.Hostname() == "":
		return fmt.Errorf("(%s) has no host", shown)
	case u.User != nil:
		return fmt.Errorf("(%s) holds a user name or password, which a browser's callback URL must not", shown)
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("(%s) has a query (?...), which the callback URL cannot have", shown)
	case u.Fragment != "" || strings.Contains(v, "#"):
		return fmt.Errorf("(%s) has a fragment (#...), which the callback URL cannot have", shown)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n <= 0 || n > 65535 {
			return fmt.Errorf("(%s) has port %s; use the port the Amplication client listens on (3001 by default)", shown, safetext.Line(p))
		}
	}
	return nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// Layout is "older", "current", or "older+current" when both PR-service directories exist.
func (c *Checkout) Layout() string {
	var ls []string
	for _, s := range c.PRServices {
		ls = append(ls, s.Layout)
	}
	return strings.Join(ls, "+")
}

// Services are the commands that start the platform for the detected layout.
func (c *Checkout) Services() []string {
	out := []string{
		"npx nx serve amplication-server",
		"npx nx serve amplication-client",
		"npx nx serve amplication-build-manager",
		"npx nx serve local-data-service-generator-controller",
	}
	for _, s := range c.PRServices {
		out = append(out, "npx nx serve "+s.Project)
	}
	return out
}

// EnvFiles lists the .env.local files bbsetup writes: the server's first, then each PR service's.
func (c *Checkout) EnvFiles() []string {
	out := []string{c.ServerEnvLocal}
	for _, s := range c.PRServices {
		out = append(out, s.EnvLocal)
	}
	return out
}

// setting is a variable's effective value in a package directory and where it came from.
type setting struct {
	value  string
	set    bool
	source string // the file it came from
}

// effective resolves key the way NestJS's ConfigModule reads the package's files:
// .env.local first, then .env; the first file that has the key wins.
func effective(dir, key string) setting {
	for _, name := range []string{".env.local", ".env"} {
		p := filepath.Join(dir, name)
		data, err := envfile.ReadRegular(p) // never blocks on a FIFO
		if err != nil {
			continue
		}
		if v, ok := envfile.Parse(data)[key]; ok {
			return setting{value: v, set: true, source: p}
		}
	}
	return setting{}
}

func configured(s setting, placeholder string) bool {
	return s.set && s.value != "" && s.value != placeholder
}

// Current returns the effective key and secret of the server (.env.local over .env). ok is
// false when either is unset or a placeholder, or when a PR service has different values.
func (c *Checkout) Current() (Credentials, bool) {
	id := effective(c.ServerDir, KeyClientID)
	sec := effective(c.ServerDir, KeyClientSecret)
	cr := Credentials{ClientID: id.value, ClientSecret: sec.value}
	ok := configured(id, PlaceholderClientID) && configured(sec, PlaceholderClientSecret)
	for _, s := range c.PRServices {
		if effective(s.Dir, KeyClientID).value != cr.ClientID || effective(s.Dir, KeyClientSecret).value != cr.ClientSecret {
			ok = false
		}
	}
	return cr, ok
}

// blockComment heads the block Plan appends when a file lacks the keys.
const blockComment = "Bitbucket OAuth consumer (written by bbsetup; check with: bbsetup check)"

// Plan validates the credentials and computes the edits: the key and secret in every
// .env.local, and BILLING_ENABLED=false in the server's. It writes nothing. The plan lists
// the server's file first. When two of the .env.local paths are the same file (a PR
// service's a symlink to the server's), the plan has one change for that file with every
// key, naming the other path in its Aliases.
func (c *Checkout) Plan(cr Credentials) (*envfile.Plan, error) {
	if err := envfile.ValidateValue("client ID (key)", cr.ClientID); err != nil {
		return nil, err
	}
	if err := envfile.ValidateValue("client secret", cr.ClientSecret); err != nil {
		return nil, err
	}
	pair := func() []envfile.KV {
		return []envfile.KV{
			{Key: KeyClientID, Value: cr.ClientID, Comment: blockComment},
			{Key: KeyClientSecret, Value: cr.ClientSecret, Secret: true, Comment: blockComment},
		}
	}
	edits := map[string][]envfile.KV{
		c.ServerEnvLocal: append(pair(), envfile.KV{Key: KeyBillingEnabled, Value: "false", Comment: blockComment}),
	}
	for _, s := range c.PRServices {
		edits[s.EnvLocal] = pair()
	}
	p, err := envfile.PlanFiles(edits)
	if err != nil {
		return nil, err
	}
	// Whose files and where they lead first: a refusal for safety comes before anything else.
	if err := c.checkTargets(p); err != nil {
		return nil, err
	}
	p.BackupDir, p.BackupRoot = c.BackupDir, c.Root
	if c.BackupDir == "" {
		for _, f := range p.Files {
			if f.Exists && f.Changed() {
				return nil, fmt.Errorf("%w, so the previous content of %s could not be kept outside the checkout; set HOME (or XDG_STATE_HOME) and run again", ErrNoBackupDir, f.Path)
			}
		}
	}
	// Order as EnvFiles does. A file that several paths name (one .env.local a symlink to
	// another) is one change, placed where the first of its paths is.
	order := map[string]int{}
	for i, f := range c.EnvFiles() {
		order[f] = i
	}
	rank := func(f envfile.FileChange) int {
		r := order[f.Path]
		for _, a := range f.Aliases {
			r = min(r, order[a])
		}
		return r
	}
	sort.SliceStable(p.Files, func(i, j int) bool { return rank(p.Files[i]) < rank(p.Files[j]) })
	return p, nil
}

// ExpansionRisk reports whether dotenv-expand would change value: it rewrites "$NAME",
// "${...}" and "\$". Whether that matters depends on who loads the file: Nx 16.9.1 passes
// a project's values unchanged but expands the root's .local.env, .env.local and .env
// (see CheckDollar and CheckServeOverride).
func ExpansionRisk(value string) bool {
	for i := 0; i < len(value); i++ {
		if value[i] == '\\' && i+1 < len(value) && value[i+1] == '$' {
			return true
		}
		if value[i] == '$' && i+1 < len(value) {
			c := value[i+1]
			if c == '{' || c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') {
				return true
			}
		}
	}
	return false
}

// ServerEnv is the effective value of key in the server's env files (.env.local over .env),
// and whether either file sets it. bbsetup reads HOST (the server's own URL) with it.
func (c *Checkout) ServerEnv(key string) (string, bool) {
	s := effective(c.ServerDir, key)
	return s.value, s.set
}

// checkTargets refuses, before anything is written, an env file whose resolved target lies
// outside the checkout (unless AllowOutside), and a checkout directory on the way to a
// target, a target's directory or an existing target that another user owns or that group
// or others can write (unless the checkout is in SafeDirectories).
func (c *Checkout) checkTargets(p *envfile.Plan) error {
	root := c.Root
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	trusted := c.trusted(root)
	for _, f := range p.Files {
		rel, err := filepath.Rel(root, f.Target)
		inside := err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
		if !inside && !c.AllowOutside {
			return &OutsideError{Link: f.Path, Target: f.Target, Root: c.Root}
		}
		if trusted {
			continue
		}
		dirs := []string{filepath.Dir(f.Target)}
		if inside { // every directory from the root down to the file's
			dirs = []string{root}
			d := root
			for _, part := range strings.Split(filepath.Dir(rel), string(filepath.Separator)) {
				if part == "." || part == "" {
					continue
				}
				d = filepath.Join(d, part)
				dirs = append(dirs, d)
			}
		}
		if f.Exists {
			dirs = append(dirs, f.Target)
		}
		for _, d := range dirs {
			if err := c.checkOwner(d); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Checkout) trusted(realRoot string) bool {
	for _, s := range c.SafeDirectories {
		s = strings.TrimSpace(s)
		if s == "*" {
			return true
		}
		if s == "" {
			continue
		}
		if abs, err := filepath.Abs(s); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				abs = real
			}
			if abs == realRoot || abs == c.Root {
				return true
			}
		}
	}
	return false
}

// checkOwner refuses p when it is owned by someone other than the user bbsetup runs as
// (or, under sudo, the user who ran sudo), or group or others can write it. On Windows
// the owner is a SID and the mode bits mean nothing (see foreignOwner).
func (c *Checkout) checkOwner(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return nil // a missing directory or file is reported by the writer
	}
	kind := "the file"
	if fi.IsDir() {
		kind = "the directory"
	}
	who, foreign, known := foreignOwner(p, fi)
	if !known {
		return nil
	}
	if foreign {
		return &UnsafeError{Root: c.Root, Path: p, Why: fmt.Sprintf("(%s) belongs to another user (%s)", kind, who),
			Fix: ownerFix(c.Root)}
	}
	if !envfile.ModeBitsControlAccess {
		return nil
	}
	if m := fi.Mode().Perm(); m&0o022 != 0 && !(m&0o002 == 0 && privateGroupOwned(c.accounts, fi)) { // privategroup.go: umask 002
		who := "others"
		if m&0o002 == 0 {
			who = "its group"
		}
		return &UnsafeError{Root: c.Root, Path: p, Why: fmt.Sprintf("(%s, mode %04o) can be written by %s", kind, m, who),
			Fix: "chmod go-w " + p}
	}
	return nil
}
