package browseropen

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

const url = "https://bitbucket.org/site/oauth2/authorize?client_id=k&response_type=code&state=s1"

// fakeSystem is a System with the environment env, the programs on PATH (name → path)
// and the kernel release osrelease ("" when /proc has none).
func fakeSystem(goos string, env map[string]string, onPath map[string]string, osrelease string) System {
	return System{
		GOOS:   goos,
		Getenv: func(k string) string { return env[k] },
		LookPath: func(name string) (string, error) {
			if p, ok := onPath[name]; ok {
				return p, nil
			}
			return "", errors.New("not found")
		},
		ReadFile: func(name string) ([]byte, error) {
			if name == "/proc/sys/kernel/osrelease" && osrelease != "" {
				return []byte(osrelease + "\n"), nil
			}
			return nil, fs.ErrNotExist
		},
	}
}

func TestCommandsPolicy(t *testing.T) {
	linuxTools := map[string]string{"xdg-open": "/usr/bin/xdg-open", "x-www-browser": "/usr/bin/x-www-browser", "www-browser": "/usr/bin/w3m"}
	wslTools := map[string]string{"wslview": "/usr/bin/wslview", "rundll32.exe": "/mnt/c/Windows/system32/rundll32.exe", wslRundll32: wslRundll32}
	both := map[string]string{}
	for k, v := range linuxTools {
		both[k] = v
	}
	for k, v := range wslTools {
		both[k] = v
	}
	handler := []string{"url.dll,FileProtocolHandler", url}
	cases := []struct {
		name      string
		goos      string
		env       map[string]string
		onPath    map[string]string
		osrelease string
		want      []Command
		wantErr   string
	}{
		{name: "macOS opens with open", goos: "darwin", want: []Command{{"open", []string{url}}}},
		{name: "Windows opens with the URL handler", goos: "windows", want: []Command{{"rundll32", handler}}},
		{name: "Linux with X11", goos: "linux", env: map[string]string{"DISPLAY": ":0"}, onPath: linuxTools,
			want: []Command{{"/usr/bin/xdg-open", []string{url}}, {"/usr/bin/x-www-browser", []string{url}}}},
		{name: "Linux with Wayland and only x-www-browser", goos: "linux", env: map[string]string{"WAYLAND_DISPLAY": "wayland-0"},
			onPath: map[string]string{"x-www-browser": "/usr/bin/x-www-browser", "www-browser": "/usr/bin/w3m"},
			want:   []Command{{"/usr/bin/x-www-browser", []string{url}}}},
		{name: "Linux without a display runs nothing (never a text browser)", goos: "linux", onPath: linuxTools, wantErr: ErrNoGraphicalSession.Error()},
		{name: "FreeBSD without a display", goos: "freebsd", onPath: linuxTools, wantErr: "no graphical session"},
		{name: "Linux with a display and no opener", goos: "linux", env: map[string]string{"DISPLAY": ":0"}, wantErr: "install xdg-utils or set BROWSER"},
		{name: "WSL by WSL_DISTRO_NAME, no display: wslview first", goos: "linux", env: map[string]string{"WSL_DISTRO_NAME": "Ubuntu"}, onPath: both,
			want: []Command{{"/usr/bin/wslview", []string{url}}, {"/mnt/c/Windows/system32/rundll32.exe", handler}}},
		{name: "WSL 2 by the kernel release only, no wslview", goos: "linux", osrelease: "5.15.167.4-microsoft-standard-WSL2",
			onPath: map[string]string{"rundll32.exe": "/mnt/c/Windows/system32/rundll32.exe"},
			want:   []Command{{"/mnt/c/Windows/system32/rundll32.exe", handler}}},
		{name: "WSL 1 kernel, Windows PATH not appended: the fixed rundll32 path", goos: "linux", osrelease: "4.4.0-19041-Microsoft",
			onPath: map[string]string{wslRundll32: wslRundll32},
			want:   []Command{{wslRundll32, handler}}},
		{name: "WSLg (a display): xdg-open first, then the Windows ways", goos: "linux", env: map[string]string{"WSL_DISTRO_NAME": "Ubuntu", "DISPLAY": ":0"}, onPath: both,
			want: []Command{{"/usr/bin/xdg-open", []string{url}}, {"/usr/bin/x-www-browser", []string{url}}, {"/usr/bin/wslview", []string{url}}, {"/mnt/c/Windows/system32/rundll32.exe", handler}}},
		{name: "WSL with nothing to open the Windows browser", goos: "linux", env: map[string]string{"WSL_DISTRO_NAME": "Ubuntu"}, wantErr: "install wslu"},
		{name: "not WSL: an ordinary kernel release", goos: "linux", osrelease: "6.1.0-18-amd64", onPath: both, wantErr: "no graphical session"},
		{name: "BROWSER wins, headless too, %s replaced", goos: "linux", env: map[string]string{"BROWSER": "lynx -dump %s:w3m"}, onPath: both,
			want: []Command{{"lynx", []string{"-dump", url}}, {"w3m", []string{url}}}},
		{name: "BROWSER wins on WSL", goos: "linux", env: map[string]string{"BROWSER": "firefox", "WSL_DISTRO_NAME": "Ubuntu"}, onPath: both,
			want: []Command{{"firefox", []string{url}}}},
		{name: "BROWSER on Windows is split on ';' (paths have colons)", goos: "windows", env: map[string]string{"BROWSER": `C:\Tools\b.exe;firefox`},
			want: []Command{{`C:\Tools\b.exe`, []string{url}}, {"firefox", []string{url}}}},
		{name: "BROWSER of separators only", goos: "linux", env: map[string]string{"BROWSER": " : "}, wantErr: "$BROWSER names no command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fakeSystem(tc.goos, tc.env, tc.onPath, tc.osrelease).Commands(url)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want it to contain %q (commands %v)", err, tc.wantErr, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("commands\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestIsWSL(t *testing.T) {
	for _, tc := range []struct {
		goos, release string
		env           map[string]string
		want          bool
	}{
		{"linux", "", map[string]string{"WSL_DISTRO_NAME": "Debian"}, true},
		{"linux", "", map[string]string{"WSL_INTEROP": "/run/WSL/1_interop"}, true},
		{"linux", "5.15.90.1-microsoft-standard-WSL2", nil, true},
		{"linux", "4.4.0-22621-Microsoft", nil, true},
		{"linux", "6.8.0-45-generic", nil, false},
		{"linux", "", nil, false},
		{"darwin", "", map[string]string{"WSL_DISTRO_NAME": "Debian"}, false},
	} {
		if got := fakeSystem(tc.goos, tc.env, nil, tc.release).IsWSL(); got != tc.want {
			t.Errorf("IsWSL(%s, %q, %v) = %v, want %v", tc.goos, tc.release, tc.env, got, tc.want)
		}
	}
}

// TestOpenStartsBrowserWithoutSecrets runs a real $BROWSER (a script that records its
// argument and its environment) with the three secret variables in bbsetup's environment:
// the script gets the URL and none of them.
func TestOpenStartsBrowserWithoutSecrets(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the browser stand-in is a shell script")
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "record")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n{ echo \"URL=$1\"; env; } > "+record+".tmp && mv "+record+".tmp "+record+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "BBSETUP_CLIENT_SECRET=consumer-secret-1", "BBSETUP_AMPLICATION_PASSWORD=amp-password-2",
		"BBSETUP_AMPLICATION_TOKEN=amp-token-3", "BBSETUP_MARKER=kept", "BROWSER=" + script}
	s := System{
		Getenv: func(k string) string {
			for _, kv := range env {
				if n, v, _ := strings.Cut(kv, "="); n == k {
					return v
				}
			}
			return ""
		},
		Environ: func() []string { return env },
	}
	if err := s.Open(url); err != nil {
		t.Fatalf("Open: %v", err)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("the browser did not run: %v", err)
	}
	got := string(data)
	if !strings.Contains(got, "URL="+url+"\n") || !strings.Contains(got, "BBSETUP_MARKER=kept\n") {
		t.Fatalf("the browser's argument or environment is wrong:\n%s", got)
	}
	for _, secret := range []string{"consumer-secret-1", "amp-password-2", "amp-token-3"} {
		if strings.Contains(got, secret) {
			t.Errorf("the browser's environment holds %q:\n%s", secret, got)
		}
	}
}

// TestOpenFailsOverAndTimesOut: a $BROWSER command that fails gives way to the next; one
// that keeps running counts as opened after Wait; none working is an error naming $BROWSER.
func TestOpenFailsOverAndTimesOut(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh, false and sleep")
	}
	slow := filepath.Join(t.TempDir(), "slow-browser")
	if err := os.WriteFile(slow, []byte("#!/bin/sh\nsleep 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		browser string
		wantErr string
	}{
		{"false:true", ""},
		{"/nonexistent/browser:true", ""},
		{slow, ""}, // still running after Wait: opened
		{"false:/nonexistent/browser", "no command in $BROWSER could open the URL"},
	} {
		s := System{Getenv: func(k string) string {
			if k == "BROWSER" {
				return tc.browser
			}
			return ""
		}, Wait: 300 * time.Millisecond}
		start := time.Now()
		err := s.Open(url)
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("BROWSER=%q: err %v, want %q", tc.browser, err, tc.wantErr)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("BROWSER=%q: Open took %s", tc.browser, d)
		}
	}
}
