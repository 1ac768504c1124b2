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
)

// Finding is one result of a check. ID is stable (for --json and scripts); Title is one line
// in the operator's words; Detail adds facts; Hint says what to do when OK is false.
type Finding struct {
	ID     string
	OK     bool
	Title  string
	Detail string
	Hint   string
}

// nxOverride matches the files Nx loads into the environment before a project's .env.local
// when it runs "nx serve" (default configuration "development"), e.g. .env.serve,
// .env.serve.local, .env.serve.development, .serve.env, .env.development.local.
var nxOverride = regexp.MustCompile(`^(\.env\.(serve|development)(\..+)?|\.(serve|development)(\..+)?\.env)$`)

// CheckOffline checks the checkout without the network. lookupEnv is the shell environment
// (os.LookupEnv); nil means an empty one.
func (c *Checkout) CheckOffline(lookupEnv func(string) (string, bool)) []Finding {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	var out []Finding
	type pkg struct{ id, name, dir, envLocal string }
	pkgs := []pkg{{"server", "amplication-server", c.ServerDir, c.ServerEnvLocal}}
	for _, s := range c.PRServices {
		pkgs = append(pkgs, pkg{s.Project, s.Project, s.Dir, s.EnvLocal})
	}

	// Files present.
	for _, p := range pkgs {
		f := Finding{ID: p.id + "-env-local", Title: fmt.Sprintf("%s has a .env.local", p.name), Detail: c.rel(p.envLocal)}
		if fi, err := os.Stat(p.envLocal); err == nil && fi.Mode().IsRegular() {
			f.OK = true
		} else {
			f.Title = fmt.Sprintf("%s has no .env.local", p.name)
			f.Hint = "run: bbsetup configure --client-id KEY --client-secret-stdin"
		}
		out = append(out, f)
	}

	// Keys set and not placeholders.
	type pair struct{ id, sec setting }
	vals := map[string]pair{}
	for _, p := range pkgs {
		id, sec := effective(p.dir, KeyClientID), effective(p.dir, KeyClientSecret)
		vals[p.id] = pair{id, sec}
		f := Finding{ID: p.id + "-keys", Title: fmt.Sprintf("%s has the Bitbucket key and secret", p.name)}
		var problems []string
		for _, s := range []struct {
			key         string
			v           setting
			placeholder string
		}{{KeyClientID, id, PlaceholderClientID}, {KeyClientSecret, sec, PlaceholderClientSecret}} {
			switch {
			case !s.v.set:
				problems = append(problems, s.key+" is not set")
			case s.v.value == "":
				problems = append(problems, s.key+" is empty")
			case s.v.value == s.placeholder:
				problems = append(problems, fmt.Sprintf("%s is still the placeholder %s (from %s)", s.key, s.placeholder, c.rel(s.v.source)))
			}
		}
		if len(problems) == 0 {
			f.OK = true
			f.Detail = fmt.Sprintf("%s=%s, %s=%s (from %s)", KeyClientID, id.value, KeyClientSecret, mask.Secret(sec.value), c.rel(sec.source))
			if ExpansionRisk(id.value) || ExpansionRisk(sec.value) {
				f.OK = false
				f.Title = fmt.Sprintf("%s: a Bitbucket value contains $NAME, ${...} or \\$", p.name)
				f.Hint = "Nx expands variables when it loads .env files, so the service would get a different value; check that you copied the right key and secret"
			}
		} else {
			f.Title = fmt.Sprintf("%s is missing the Bitbucket key or secret", p.name)
			f.Detail = strings.Join(problems, "; ")
			f.Hint = "run: bbsetup configure --client-id KEY --client-secret-stdin"
		}
		out = append(out, f)
	}

	// Identical everywhere.
	{
		srv := vals["server"]
		f := Finding{ID: "keys-identical", OK: true, Title: "the key and secret are the same in the server and the PR service"}
		var diff []string
		for _, p := range pkgs[1:] {
			v := vals[p.id]
			if v.id.value != srv.id.value {
				diff = append(diff, fmt.Sprintf("%s differs (%s has %q, %s has %q)", KeyClientID, "amplication-server", srv.id.value, p.name, v.id.value))
			}
			if v.sec.value != srv.sec.value {
				diff = append(diff, fmt.Sprintf("%s differs (amplication-server has %s, %s has %s)", KeyClientSecret, maskOrUnset(srv.sec), p.name, maskOrUnset(v.sec)))
			}
		}
		if len(diff) > 0 {
			f.OK = false
			f.Title = "the key and secret differ between the server and the PR service"
			f.Detail = strings.Join(diff, "; ")
			f.Hint = "the PR service refreshes tokens with them; run bbsetup configure to write the same values to both"
		}
		out = append(out, f)
	}

	// BILLING_ENABLED in effect: the shell wins over .env.local, which wins over .env.
	{
		f := Finding{ID: "billing-disabled", Title: "BILLING_ENABLED is not \"true\" for the server"}
		v, src := "", ""
		if sv, ok := lookupEnv(KeyBillingEnabled); ok {
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
				f.Hint = "run bbsetup configure, or set BILLING_ENABLED=false in " + c.rel(c.ServerEnvLocal)
			}
		}
		out = append(out, f)
	}

	// Nx .env.serve* files that load before .env.local.
	{
		f := Finding{ID: "no-serve-env-override", OK: true, Title: "no .env.serve* file overrides the Bitbucket settings"}
		var hits []string
		for _, p := range pkgs {
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
		if len(hits) > 0 {
			f.OK = false
			f.Title = "a .env.serve* file overrides the Bitbucket settings"
			f.Detail = strings.Join(hits, "; ")
			f.Hint = "Nx loads these before .env.local, so their values win: remove those lines (or the files)"
		}
		out = append(out, f)
	}

	// The shell environment wins over every file: any of the keys set there is reported,
	// failing when it differs from the server's files (or turns billing on), and as a note
	// when it matches (it still decides instead of the files).
	{
		f := Finding{ID: "no-shell-override", OK: true, Title: "no shell variable overrides the Bitbucket settings"}
		var bad, same []string
		srv := vals["server"]
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
		}{{KeyClientID, srv.id}, {KeyClientSecret, srv.sec}} {
			v, ok := lookupEnv(k.key)
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
		if v, ok := lookupEnv(KeyBillingEnabled); ok {
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
		out = append(out, f)
	}

	// Informational: the callback URL and its port.
	out = append(out, Finding{ID: "callback-url", OK: true, Title: "the consumer's callback URL must be " + c.CallbackURL,
		Detail: "from CLIENT_HOST=" + c.ClientHost + "; set it in the OAuth consumer on Bitbucket"})
	out = append(out, c.portFinding())
	return out
}

// alsoSet words the shell variables that agree with the files, as part of a longer detail.
func alsoSet(same []string) []string {
	if len(same) == 0 {
		return nil
	}
	return []string{"also set in the shell, the same as the files: " + strings.Join(same, ", ")}
}

func maskOrUnset(s setting) string {
	if !s.set {
		return "none"
	}
	return mask.Secret(s.value)
}

// portFinding says whether something answers on the callback port. It connects rather than
// binds, so it never disturbs a server that is starting. It is informational: a taken port
// usually means the Amplication client is already running.
func (c *Checkout) portFinding() Finding {
	f := Finding{ID: "callback-port", OK: true}
	u, err := url.Parse(c.ClientHost)
	if err != nil || u.Host == "" {
		f.Title = "the callback port could not be checked"
		f.Detail = fmt.Sprintf("CLIENT_HOST=%s is not a URL", c.ClientHost)
		return f
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
		return f
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 500*time.Millisecond)
	if err != nil {
		f.Title = fmt.Sprintf("port %s is free: the Amplication client is not running yet", port)
		f.Detail = "start it with npx nx serve amplication-client before authorizing in Amplication"
		return f
	}
	conn.Close()
	f.Title = fmt.Sprintf("port %s is in use: usually the Amplication client is already running", port)
	f.Detail = "if it is not the client, stop what listens there or change CLIENT_HOST (and the consumer's callback URL)"
	return f
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
