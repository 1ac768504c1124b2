//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

// Command rss reports the peak resident set size of a process that has the wizard's
// Connect screen open with 10,000 repositories loaded.
//
// It starts `bbsetup emulator` as a child process (so the emulator's own memory is not
// counted), lists the workspace's repositories through the real setup/bitbucket client
// (HTTP, JSON decoding, concurrent pages), and drives the real tui.Model from the welcome
// screen to the Connect screen until every repository is loaded, renders it, types a
// filter and clears it, then prints its own peak RSS (getrusage ru_maxrss) in KB:
//
//	go build -o /tmp/bbsetup . && go run ./bench/rss -bbsetup /tmp/bbsetup
//
// Output: one line "maxrss_kb=N repos=N heap_inuse_kb=N".
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/bbsetup/bbsetup/internal/teadrive"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/setup/oauth"
	"github.com/bbsetup/bbsetup/tui"
)

func main() {
	bin := flag.String("bbsetup", "", "path of the bbsetup binary whose emulator serves the repositories (required)")
	repos := flag.Int("repos", 10_000, "repositories in the listed workspace")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "rss: -bbsetup PATH is required (build it with go build -o)")
		os.Exit(2)
	}
	if err := run(*bin, *repos); err != nil {
		fmt.Fprintln(os.Stderr, "rss:", err)
		os.Exit(1)
	}
}

// emulatorInfo is what `bbsetup emulator` prints about itself.
type emulatorInfo struct{ url, api, key, secret string }

func run(bin string, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The demo world puts 60% of its repositories in "acme".
	total := (n*10 + 5) / 6
	info, stop, err := startEmulator(ctx, bin, total)
	if err != nil {
		return err
	}
	defer stop()

	hc := oauth.ClientCredentialsClient(ctx, oauth.EndpointsFor(info.url), info.key, info.secret, &http.Client{Timeout: time.Minute})
	b := &backend{api: flow.BitbucketAPI(bitbucket.New(info.api, hc, bitbucket.Options{}))}
	m := tui.New(b, tui.Options{NoBrowser: true, NoColor: true, BitbucketURL: info.url})
	d := teadrive.Start(m, 80, 24)
	defer d.Close()
	const wait = time.Minute
	steps := []struct {
		text string
		key  string
	}{
		{"Keep them: check them with Bitbucket", "enter"},
		{"Bitbucket accepted", "enter"},
		{"s skips Amplication", "s"}, // the bbsetup-only path: Amplication is not measured here
		{"Skip Amplication?", "y"},
		{"Connected as", "enter"},
		{"acme-labs", "enter"}, // acme, the first workspace, is highlighted
		{"Connect an existing repository", "enter"},
		{fmt.Sprintf("%s repositories", thousands(n)), ""},
	}
	for _, s := range steps {
		if _, err := d.UntilText(wait, s.text); err != nil {
			return err
		}
		if s.key != "" {
			d.Key(s.key)
		}
	}
	// Use the screen as an operator would: filter, render, clear, render.
	d.Key("00042")
	if _, err := d.UntilText(wait, "match"); err != nil {
		return err
	}
	d.Key("esc")
	view, err := d.UntilText(wait, thousands(n)+" repositories")
	if err != nil {
		return err
	}
	if !strings.Contains(view, "Connect a repository in acme") {
		return fmt.Errorf("not on the connect screen:\n%s", view)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("maxrss_kb=%d repos=%d heap_inuse_kb=%d\n", ru.Maxrss, n, ms.HeapInuse/1024)
	d.Key("ctrl+c")
	return nil
}

// startEmulator starts `bbsetup emulator` with total repositories and reads its banner;
// stop interrupts it (and kills it if it does not end within 5 s).
func startEmulator(ctx context.Context, bin string, total int) (info emulatorInfo, stop func(), err error) {
	emu := exec.CommandContext(ctx, bin, "emulator", "--repos", fmt.Sprint(total))
	emu.Stderr = os.Stderr
	out, err := emu.StdoutPipe()
	if err != nil {
		return info, nil, err
	}
	if err := emu.Start(); err != nil {
		return info, nil, fmt.Errorf("start the emulator: %w", err)
	}
	stop = func() {
		emu.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { emu.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			emu.Process.Kill()
			<-done
		}
	}
	info, err = readInfo(out)
	if err != nil {
		stop()
		return info, nil, err
	}
	go io.Copy(io.Discard, out)
	return info, stop, nil
}

// readInfo reads the emulator's banner up to "Serving until".
func readInfo(r io.Reader) (emulatorInfo, error) {
	var info emulatorInfo
	sc := bufio.NewScanner(r)
	field := func(line, label string) (string, bool) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), label)
		if !ok {
			return "", false
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return "", false
		}
		return f[0], true
	}
	for sc.Scan() {
		line := sc.Text()
		if v, ok := field(line, "Bitbucket URL (--bitbucket-url)"); ok {
			info.url = v
		} else if v, ok := field(line, "API URL (--api-url)"); ok {
			info.api = v
		} else if v, ok := field(line, "Demo consumer key"); ok {
			info.key = v
		} else if v, ok := field(line, "Demo consumer secret"); ok {
			info.secret = v
		}
		if strings.HasPrefix(line, "Serving until") {
			if info.url == "" || info.api == "" || info.key == "" || info.secret == "" {
				return info, errors.New("the emulator's banner lacks its URLs or the demo consumer")
			}
			return info, nil
		}
	}
	return info, fmt.Errorf("the emulator stopped before it was ready: %v", sc.Err())
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// backend answers the wizard's steps before the Bitbucket API at once: the checkout is
// already configured and the authorization succeeds, handing the screens the project's
// own API adapter (flow.BitbucketAPI) over the real client.
type backend struct {
	api tui.Bitbucket
}

var _ tui.Backend = (*backend)(nil)

func (b *backend) FindCheckout(string) (tui.Checkout, error) {
	return tui.Checkout{
		Root: "/srv/amplication", Layout: "current",
		ServerEnv:   "/srv/amplication/packages/amplication-server/.env.local",
		CallbackURL: "http://localhost:3001/bitbucket-auth-app/callback",
		Services:    []string{"npx nx serve amplication-server"},
		Configured:  true, ClientID: "demokey", SecretMasked: "••••demo",
	}, nil
}

func (b *backend) CheckCredentials(context.Context, tui.Credentials) tui.Verdict {
	return tui.Verdict{Kind: tui.VerdictOK}
}
func (b *backend) CheckConfigured(context.Context, tui.Checkout) tui.Verdict {
	return tui.Verdict{Kind: tui.VerdictOK}
}
func (b *backend) Permissions() []tui.PermissionRow { return nil }
func (b *backend) SettingsURL(ws string) string     { return "http://127.0.0.1/" + ws }
func (b *backend) PlanEnv(context.Context, tui.Checkout, tui.Credentials) (tui.EnvPlan, error) {
	return tui.EnvPlan{}, nil
}
func (b *backend) StartAuth(context.Context, tui.Checkout, tui.Credentials) (tui.AuthSession, error) {
	return tui.AuthSession{URL: "http://127.0.0.1/site/oauth2/authorize", Flow: b}, nil
}

// Wait implements tui.AuthFlow: authorized at once.
func (b *backend) Wait(context.Context) (tui.Authorized, error) {
	return tui.Authorized{Identity: tui.Identity{DisplayName: "Demo Operator", Nickname: "demo"}, API: b.api}, nil
}
func (b *backend) Paste(ctx context.Context, _ string) (tui.Authorized, error) { return b.Wait(ctx) }
func (b *backend) ProbeAmp(context.Context, tui.Checkout) tui.AmpProbe {
	return tui.AmpProbe{URL: "http://127.0.0.1:1", Detail: "not running (the benchmark skips Amplication)",
		StartCommand: "npx nx serve amplication-server", Dir: "/srv/amplication"}
}
func (b *backend) SignInAmp(context.Context, tui.Checkout, tui.AmpLogin) (tui.AmpSignedIn, error) {
	return tui.AmpSignedIn{}, errors.New("the benchmark skips Amplication")
}
func (b *backend) OpenBrowser(string) error { return nil }
