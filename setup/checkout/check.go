package checkout

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/envfile"
	"github.com/bbsetup/bbsetup/setup/mask"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Kind says what a Finding is: the result of a check, or a note.
type Kind int

const (
	// KindCheck is the result of something bbsetup checked: it passes (OK) or fails.
	KindCheck Kind = iota
	// KindNote is an instruction or a fact the operator needs (the callback URL to
	// register, the services to start, something bbsetup could not check): it passes or
	// fails nothing, and its OK is always true.
	KindNote
)

// String is "check" or "note" (as in check --json).
func (k Kind) String() string {
	if k == KindNote {
		return "note"
	}
	return "check"
}

// Finding is one result of a check, or a note. ID is stable (for --json and scripts);
// Title is one line in the operator's words; Detail adds facts; Hint says what to do when
// a check fails. Findings from OfflineChecks and CheckOffline are terminal-safe (see
// OfflineChecks); the Check and Note methods called directly give them uncleaned.
type Finding struct {
	ID     string
	Kind   Kind
	OK     bool
	Title  string
	Detail string
	Hint   string
	// Rewrite is set when writing the key and secret to the env files again (the step
	// bbsetup's configure command and wizard carry out) fixes the failure; the caller says
	// how to do that in its own words.
	Rewrite bool
}

// Failed reports whether f is a check that failed (a note never fails).
func (f Finding) Failed() bool { return f.Kind == KindCheck && !f.OK }

// note is a Finding of KindNote.
func note(id, title, detail string) Finding {
	return Finding{ID: id, Kind: KindNote, OK: true, Title: title, Detail: detail}
}

// nxOverride matches the files Nx loads into the environment before a project's .env.local
// when it runs "nx serve" (with or without a configuration such as "development"), e.g.
// .env.serve, .env.serve.local, .env.serve.development, .serve.env, .env.development.
var nxOverride = regexp.MustCompile(`^(\.env\.(serve|development)(\..+)?|\.(serve|development)(\..+)?\.env)$`)

// Inspection is what the offline checks share: the checkout, the shell environment and the
// effective values of the Bitbucket keys in each package, read once.
type Inspection struct {
	c         *Checkout
	lookupEnv func(string) (string, bool)
	pkgs      []pkg
	git       GitIgnoreChecker
}

// pkg is one package bbsetup configures: the server or a PR service.
type pkg struct {
	id, name, dir, envLocal string
	id0, sec                setting // BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET in effect
}

func (p pkg) configured() bool {
	return configured(p.id0, PlaceholderClientID) && configured(p.sec, PlaceholderClientSecret)
}

// Inspect reads what the offline checks need. lookupEnv is the shell environment
// (os.LookupEnv); nil means an empty one.
func (c *Checkout) Inspect(lookupEnv func(string) (string, bool)) *Inspection {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	in := &Inspection{c: c, lookupEnv: lookupEnv, git: execGit{}}
	add := func(id, name, dir, envLocal string) {
		in.pkgs = append(in.pkgs, pkg{id: id, name: name, dir: dir, envLocal: envLocal,
			id0: effective(dir, KeyClientID), sec: effective(dir, KeyClientSecret)})
	}
	add("server", "amplication-server", c.ServerDir, c.ServerEnvLocal)
	for _, s := range c.PRServices {
		add(s.Project, s.Project, s.Dir, s.EnvLocal)
	}
	return in
}

// OfflineCheck is one named check of the checkout's files and environment. Run returns
// its findings: none when it does not apply (e.g. comparing values that are not set yet:
// that cause has its own finding).
type OfflineCheck struct {
	Name string
	Run  func(*Inspection) []Finding
}

// OfflineChecks are the checks CheckOffline runs, in the order it reports them: the
// checks first, then the notes. Their findings are terminal-safe: a finding quotes values
// and names from files and the environment, and is cleaned here, once (safetext.Line), so
// that no printer or screen has to remember it.
func OfflineChecks() []OfflineCheck {
	checks := []OfflineCheck{
		{"configured", (*Inspection).CheckConfigured},
		{"keys-identical", (*Inspection).CheckKeysIdentical},
		{"nx-dollar", (*Inspection).CheckDollar},
		{"billing-disabled", (*Inspection).CheckBilling},
		{"no-serve-env-override", (*Inspection).CheckServeOverride},
		{"no-shell-override", (*Inspection).CheckShellOverride},
		{"secrets-not-in-git", (*Inspection).CheckGitVisible},
		{"no-temp-files", (*Inspection).CheckTempFiles},
		{"env-files-private", (*Inspection).CheckPrivate},
		{"server-started", (*Inspection).CheckServerStarted},
		{"pr-service-started", (*Inspection).CheckPRServiceStarted},
		{"nx-version", (*Inspection).NoteNxVersion},
		{"callback-url", (*Inspection).NoteCallbackURL},
		{"callback-port", (*Inspection).NoteCallbackPort},
		{"services", (*Inspection).NoteServices},
	}
	for i := range checks {
		checks[i].Run = clean(checks[i].Run)
	}
	return checks
}

// clean wraps a check so that every finding it returns is terminal-safe.
func clean(run func(*Inspection) []Finding) func(*Inspection) []Finding {
	return func(in *Inspection) []Finding {
		out := run(in)
		for i := range out {
			f := &out[i]
			f.Title, f.Detail, f.Hint = safetext.Line(f.Title), safetext.Line(f.Detail), safetext.Line(f.Hint)
		}
		return out
	}
}

// CheckOffline runs every OfflineCheck without the network. lookupEnv is the shell
// environment (os.LookupEnv); nil means an empty one.
func (c *Checkout) CheckOffline(lookupEnv func(string) (string, bool)) []Finding {
	in := c.Inspect(lookupEnv)
	var out []Finding
	for _, ch := range OfflineChecks() {
		out = append(out, ch.Run(in)...)
	}
	return out
}

// prNames names the PR services of the detected layout ("git-sync-manager"), joined.
func (in *Inspection) prNames() string {
	var n []string
	for _, p := range in.pkgs[1:] {
		n = append(n, p.name)
	}
	return strings.Join(n, " and ")
}

// allConfigured reports whether every package has a key and secret that are not placeholders.
func (in *Inspection) allConfigured() bool {
	for _, p := range in.pkgs {
		if !p.configured() {
			return false
		}
	}
	return true
}

// CheckConfigured is one finding per package: its key and secret are set and are not the
// committed placeholders. A missing .env.local is that same cause, said once.
func (in *Inspection) CheckConfigured() []Finding {
	c := in.c
	var out []Finding
	for _, p := range in.pkgs {
		f := Finding{ID: p.id + "-keys", Kind: KindCheck}
		var problems []string
		for _, s := range []struct {
			key         string
			v           setting
			placeholder string
		}{{KeyClientID, p.id0, PlaceholderClientID}, {KeyClientSecret, p.sec, PlaceholderClientSecret}} {
			switch {
			case !s.v.set:
				problems = append(problems, s.key+" is not set")
			case s.v.value == "":
				problems = append(problems, s.key+" is empty")
			case s.v.value == s.placeholder:
				problems = append(problems, fmt.Sprintf("%s is still the placeholder %s (from %s)", s.key, s.placeholder, c.rel(s.v.source)))
			}
		}
		fi, statErr := os.Stat(p.envLocal)
		switch {
		case len(problems) == 0:
			f.OK = true
			f.Title = fmt.Sprintf("%s has the Bitbucket key and secret", p.name)
			f.Detail = fmt.Sprintf("%s=%s, %s=%s (from %s)", KeyClientID, p.id0.value, KeyClientSecret, mask.Secret(p.sec.value), c.rel(p.sec.source))
		case statErr == nil && !fi.Mode().IsRegular():
			f.Title = fmt.Sprintf("%s's .env.local is not a regular file", p.name)
			f.Detail = c.rel(p.envLocal) + " cannot be read as an env file; " + strings.Join(problems, "; ")
			f.Hint, f.Rewrite = "replace it with a plain file (or remove it), then write the key and secret", true
		case statErr != nil:
			f.Title = fmt.Sprintf("%s has no .env.local: the Bitbucket key and secret are not set", p.name)
			f.Detail = c.rel(p.envLocal) + " does not exist; " + strings.Join(problems, "; ")
			f.Hint, f.Rewrite = "write the key and secret", true
		default:
			f.Title = fmt.Sprintf("%s is missing the Bitbucket key or secret", p.name)
			f.Detail = strings.Join(problems, "; ")
			f.Hint, f.Rewrite = "write the key and secret", true
		}
		out = append(out, f)
	}
	return out
}

// CheckKeysIdentical compares the server's key and secret with each PR service's. It
// applies only when every package has them (otherwise CheckConfigured says so).
func (in *Inspection) CheckKeysIdentical() []Finding {
	if !in.allConfigured() || len(in.pkgs) < 2 {
		return nil
	}
	srv := in.pkgs[0]
	f := Finding{ID: "keys-identical", Kind: KindCheck, OK: true,
		Title: "the key and secret are the same in amplication-server and " + in.prNames()}
	var diff []string
	for _, p := range in.pkgs[1:] {
		if p.id0.value != srv.id0.value {
			diff = append(diff, fmt.Sprintf("%s differs (amplication-server has %q, %s has %q)", KeyClientID, srv.id0.value, p.name, p.id0.value))
		}
		if p.sec.value != srv.sec.value {
			diff = append(diff, fmt.Sprintf("%s differs (amplication-server has %s, %s has %s)", KeyClientSecret, mask.Secret(srv.sec.value), p.name, mask.Secret(p.sec.value)))
		}
	}
	if len(diff) > 0 {
		f.OK = false
		f.Title = "the key and secret differ between amplication-server and " + in.prNames()
		f.Detail = strings.Join(diff, "; ")
		f.Hint, f.Rewrite = in.prNames()+" refreshes tokens with them; write the same values to both", true
	}
	return []Finding{f}
}

// CheckDollar looks at configured values with $NAME, ${...} or \$ in them, which a loader
// that expands variables would change. Whether Nx does depends on its version (NxVersion):
// the one Amplication pins, 16.9.1, passes the values of a project's files unchanged
// (verified with the real package, testdata/nx); for other versions it is a note.
func (in *Inspection) CheckDollar() []Finding {
	var hits []string
	for _, p := range in.pkgs {
		if !p.configured() {
			continue
		}
		if ExpansionRisk(p.id0.value) {
			hits = append(hits, p.name+"'s "+KeyClientID)
		}
		if ExpansionRisk(p.sec.value) {
			hits = append(hits, p.name+"'s "+KeyClientSecret)
		}
	}
	if len(hits) == 0 {
		return nil
	}
	v := in.c.NxVersion()
	detail := strings.Join(hits, ", ") + " contains $NAME, ${...} or \\$"
	switch {
	case v.Verified():
		return []Finding{{ID: "nx-dollar", Kind: KindCheck, OK: true,
			Title:  "Nx " + v.Version + " passes the Bitbucket values to the services unchanged, $ included",
			Detail: detail + "; Nx " + v.Version + " does not expand variables in a project's .env files"}}
	case v.Version == "":
		return []Finding{note("nx-dollar", "a Bitbucket value contains $: whether Nx changes it could not be told (no Nx version found)",
			detail+"; Nx 16.9.1 passes such values unchanged, other versions are unverified; check that you copied the right key and secret")}
	default:
		return []Finding{note("nx-dollar", "a Bitbucket value contains $: Nx "+v.Version+" is unverified",
			detail+"; Nx 16.9.1 passes such values unchanged, but bbsetup has not verified Nx "+v.Version+" (a newer Nx may expand them); check what the service receives")}
	}
}

// CheckBilling is BILLING_ENABLED in effect for the server: the shell wins over
// .env.local, which wins over .env.
func (in *Inspection) CheckBilling() []Finding {
	c := in.c
	f := Finding{ID: "billing-disabled", Kind: KindCheck, Title: "BILLING_ENABLED is not \"true\" for the server"}
	v, src := "", ""
	if sv, ok := in.lookupEnv(KeyBillingEnabled); ok {
		v, src = sv, "the shell environment"
	} else if s := effective(c.ServerDir, KeyBillingEnabled); s.set {
		v, src = s.value, c.rel(s.source)
	}
	switch {
	case src == "":
		f.OK = true
		f.Detail = "BILLING_ENABLED is not set (the server treats that as disabled)"
	case v != "true":
		f.OK = true
		f.Detail = fmt.Sprintf("BILLING_ENABLED=%s (from %s)", v, src)
	default:
		f.Title = "BILLING_ENABLED is \"true\": Bitbucket stays an enterprise-only feature"
		f.Detail = fmt.Sprintf("BILLING_ENABLED=true (from %s)", src)
		if src == "the shell environment" {
			f.Hint = "unset BILLING_ENABLED in the shell that runs npx nx serve"
		} else {
			f.Hint, f.Rewrite = "write the env files again, or set BILLING_ENABLED=false in "+c.rel(c.ServerEnvLocal), true
		}
	}
	return []Finding{f}
}

// CheckServeOverride looks for files whose Bitbucket settings win over the .env.local
// bbsetup writes when Nx starts a service: a project's .env.serve*, .serve.env and
// .env.<configuration> files, and a root .local.env, .env.local or .env whose value has a
// $ the nx CLI expands.
func (in *Inspection) CheckServeOverride() []Finding {
	c := in.c
	f := Finding{ID: "no-serve-env-override", Kind: KindCheck, OK: true, Title: "no .env.serve* or other file Nx loads first overrides the Bitbucket settings"}
	var hits []string
	for _, p := range in.pkgs {
		entries, err := os.ReadDir(p.dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() || !nxOverride.MatchString(e.Name()) || strings.HasSuffix(e.Name(), ".bak") {
				continue
			}
			path := filepath.Join(p.dir, e.Name())
			data, err := envfile.ReadRegular(path) // never blocks on a FIFO
			if err != nil {
				continue
			}
			var keys []string
			for k := range envfile.Parse(data) {
				if k == KeyClientID || k == KeyClientSecret || k == KeyBillingEnabled {
					keys = append(keys, k)
				}
			}
			if len(keys) > 0 {
				sort.Strings(keys)
				hits = append(hits, fmt.Sprintf("%s sets %s", c.rel(path), strings.Join(keys, ", ")))
			}
		}
	}
	// The root's .local.env, .env.local and .env are loaded by the nx CLI itself at
	// start-up, with variables expanded; the task runner then drops from the environment
	// only the values that equal a file's raw value. A value that expansion changes stays,
	// and wins over every project file (verified with Nx 16.9.1).
	for _, name := range []string{".local.env", ".env.local", ".env"} {
		data, err := envfile.ReadRegular(filepath.Join(c.Root, name))
		if err != nil {
			continue
		}
		var keys []string
		for k, v := range envfile.Parse(data) {
			if (k == KeyClientID || k == KeyClientSecret || k == KeyBillingEnabled) && ExpansionRisk(v) {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			sort.Strings(keys)
			hits = append(hits, fmt.Sprintf("%s (in the checkout's root) sets %s to a value with $, which the nx CLI expands at start-up", name, strings.Join(keys, ", ")))
		}
	}
	if len(hits) > 0 {
		f.OK = false
		f.Title = "a file Nx loads first overrides the Bitbucket settings"
		f.Detail = strings.Join(hits, "; ")
		f.Hint = "Nx gives these values to the service instead of those in .env.local: remove those lines (or the files)"
	}
	return []Finding{f}
}

// CheckShellOverride reports the Bitbucket keys set in the shell, which wins over every
// file: failing when one differs from the server's files (or turns billing on), and still
// naming it when it matches (it decides instead of the files).
func (in *Inspection) CheckShellOverride() []Finding {
	c := in.c
	f := Finding{ID: "no-shell-override", Kind: KindCheck, OK: true, Title: "no shell variable overrides the Bitbucket settings"}
	var bad, same []string
	srv := in.pkgs[0]
	shown := func(key, v string) string {
		switch {
		case v == "":
			return key + " (empty)"
		case key == KeyClientSecret:
			return key + "=" + mask.Secret(v)
		}
		return key + "=" + v
	}
	for _, k := range []struct {
		key  string
		file setting
	}{{KeyClientID, srv.id0}, {KeyClientSecret, srv.sec}} {
		v, ok := in.lookupEnv(k.key)
		switch {
		case !ok:
		case !k.file.set || v != k.file.value:
			bad = append(bad, shown(k.key, v)+" is set in the shell and differs from the env files")
		default:
			same = append(same, shown(k.key, v))
		}
	}
	// The server treats anything but "true" as disabled: the shell and the files agree
	// when both disable billing, whatever the exact spelling.
	if v, ok := in.lookupEnv(KeyBillingEnabled); ok {
		file := effective(c.ServerDir, KeyBillingEnabled)
		switch {
		case v == "true":
			bad = append(bad, "BILLING_ENABLED=true is set in the shell")
		case file.set && file.value == "true":
			bad = append(bad, shown(KeyBillingEnabled, v)+" is set in the shell and differs from the env files (BILLING_ENABLED=true in "+c.rel(file.source)+")")
		default:
			same = append(same, shown(KeyBillingEnabled, v))
		}
	}
	switch {
	case len(bad) > 0:
		f.OK = false
		f.Title = "a shell variable overrides the Bitbucket settings"
		f.Detail = strings.Join(append(bad, alsoSet(same)...), "; ")
		f.Hint = "real environment variables win over .env files: unset them (e.g. unset BITBUCKET_CLIENT_ID BITBUCKET_CLIENT_SECRET BILLING_ENABLED) before npx nx serve"
	case len(same) > 0:
		f.Title = "the shell sets Bitbucket variables that agree with the env files"
		f.Detail = "also set in the shell: " + strings.Join(same, ", ") + "; the shell wins over the env files, so unset them in the shell that runs npx nx serve to let the files decide"
	}
	return []Finding{f}
}

// alsoSet words the shell variables that agree with the files, as part of a longer detail.
func alsoSet(same []string) []string {
	if len(same) == 0 {
		return nil
	}
	return []string{"also set in the shell, the same as the files: " + strings.Join(same, ", ")}
}

// CheckTempFiles looks for temporary files a killed write left beside the env files:
// they may hold the new secret, in the work tree. (The next configure removes them.)
func (in *Inspection) CheckTempFiles() []Finding {
	f := Finding{ID: "no-temp-files", Kind: KindCheck, OK: true, Title: "no temporary file left beside the env files"}
	var left []string
	for _, p := range in.pkgs {
		for _, t := range envfile.StaleTemps(p.envLocal) {
			left = append(left, in.c.rel(t))
		}
	}
	if len(left) > 0 {
		f.OK = false
		f.Title = "temporary files from an interrupted write are left in the checkout"
		f.Detail = strings.Join(left, ", ") + " (they may hold a secret)"
		f.Hint, f.Rewrite = "write the env files again (that removes them), or delete them", true
	}
	return []Finding{f}
}

// CheckPrivate fails when a .env.local (it holds the secret) can be read by its group or
// by others: configure writes them 0600, an editor or a copy may not have. It applies only
// when a .env.local exists (otherwise CheckConfigured says so).
func (in *Inspection) CheckPrivate() []Finding {
	if !envfile.ModeBitsControlAccess {
		return nil // Windows: ACLs, not mode bits, decide; docs/security.md says what is checked there
	}
	f := Finding{ID: "env-files-private", Kind: KindCheck, OK: true, Title: "only their owner can read the .env.local files"}
	var open, fix []string
	exist := false
	for _, p := range in.pkgs {
		fi, err := os.Stat(p.envLocal)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		exist = true
		if fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		open = append(open, fmt.Sprintf("%s (mode %04o)", in.c.rel(p.envLocal), fi.Mode().Perm()))
		fix = append(fix, p.envLocal)
	}
	if len(open) > 0 {
		f.OK = false
		f.Title = "a .env.local holding the secret can be read by other users"
		f.Detail = strings.Join(open, ", ")
		f.Hint, f.Rewrite = "chmod 600 "+strings.Join(fix, " ")+" (writing the env files again does it too)", true
	}
	if !exist {
		return nil
	}
	return []Finding{f}
}

// NoteNxVersion says which Nx the checkout runs its services with and whether bbsetup
// verified how that version loads the env files.
func (in *Inspection) NoteNxVersion() []Finding {
	v := in.c.NxVersion()
	switch {
	case v.Version == "":
		return []Finding{note("nx-version", "the checkout's Nx version was not found",
			"no nx in the root package.json or node_modules; bbsetup verified how Nx 16.9.1 (the version Amplication pins) loads the env files")}
	case v.Verified():
		return []Finding{note("nx-version", "Nx "+v.Version+" (from "+v.Source+"): bbsetup verified how it loads the env files", "")}
	default:
		return []Finding{note("nx-version", "Nx "+v.Version+" (from "+v.Source+") is unverified",
			"bbsetup verified how Nx 16.9.1 loads the env files; other versions, newer majors especially, may differ (e.g. expand $ in values)")}
	}
}

// NoteCallbackURL is the callback URL to register in the consumer: an instruction, not a check.
func (in *Inspection) NoteCallbackURL() []Finding {
	return []Finding{note("callback-url", "the consumer's callback URL must be "+in.c.CallbackURL,
		"from CLIENT_HOST="+in.c.ClientHost+"; set it in the OAuth consumer on Bitbucket")}
}

// NoteCallbackPort says whether something answers on the callback port. It connects rather
// than binds, so it never disturbs a server that is starting. It is a fact, not a check:
// a taken port usually means the Amplication client is already running.
func (in *Inspection) NoteCallbackPort() []Finding {
	c := in.c
	f := note("callback-port", "", "")
	u, err := url.Parse(c.ClientHost)
	if err != nil || u.Host == "" {
		f.Title = "the callback port was not checked"
		f.Detail = fmt.Sprintf("CLIENT_HOST=%s is not a URL", c.ClientHost)
		return []Finding{f}
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	host := u.Hostname()
	switch host {
	case "localhost", "127.0.0.1", "::1":
	default:
		f.Title = "the callback port was not checked"
		f.Detail = fmt.Sprintf("CLIENT_HOST's host %s is not this machine", host)
		return []Finding{f}
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 500*time.Millisecond)
	if err != nil {
		f.Title = fmt.Sprintf("port %s is free: the Amplication client is not running yet", port)
		f.Detail = "start it with npx nx serve amplication-client before authorizing in Amplication"
		return []Finding{f}
	}
	conn.Close()
	f.Title = fmt.Sprintf("port %s is in use: usually the Amplication client is already running", port)
	f.Detail = "if it is not the client, stop what listens there or change CLIENT_HOST (and the consumer's callback URL)"
	return []Finding{f}
}

// NoteServices names the services to start (or restart: they read the env once, at start)
// for the detected layout.
func (in *Inspection) NoteServices() []Finding {
	return []Finding{note("services", "start (or restart) the services of the "+in.c.Layout()+" layout, whose PR service is "+in.prNames(),
		strings.Join(in.c.Services(), "; ")+" (a running service reads the env files only when it starts)")}
}

func (c *Checkout) rel(p string) string {
	if p == "" {
		return ""
	}
	if r, err := filepath.Rel(c.Root, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}
