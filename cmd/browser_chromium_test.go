//go:build unix

package cmd

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bbsetup/bbsetup/internal/testkit"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// The pages bbsetup involves, rendered by a real browser: headless Chromium (Debian's
// package chromium; .ci/run installs it) loads each page and dumps the DOM it built, so
// what is asserted is what an operator's browser shows, after redirects, parsing and any
// script a hostile name might smuggle in.

// chromium returns the Chromium binary, or skips loudly (fails under CI).
func chromium(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		testkit.SkipUnlessCI(t, "\n\n*** SKIPPED: chromium is not installed ("+err.Error()+").\n"+
			"*** This test drives bbsetup's browser pages with headless Chromium; install it (apt-get install chromium) and rerun.\n")
	}
	return bin
}

// dumpDOM loads target in headless Chromium with a throwaway profile and returns the DOM
// once the page (and every redirect before it) has loaded. Chromium runs in its own
// process group, which is killed when it is done or the bounded wait runs out, so no
// Chromium process outlives the test.
func dumpDOM(t *testing.T, bin, target string) string {
	t.Helper()
	// Headless Chromium itself sometimes dies of a signal (a segmentation fault) on a
	// loaded machine before it loads anything: that is Chromium's crash, not the page's,
	// so it is tried again, at most three times in all.
	for try := 1; ; try++ {
		dom, stderr, err := dumpDOMOnce(t, bin, target)
		var ee *exec.ExitError
		if err != nil && errors.As(err, &ee) && ee.ProcessState != nil && !ee.Exited() && try < 3 {
			t.Logf("chromium crashed (%v) on %s; trying again", err, target)
			continue
		}
		if err != nil || len(dom) == 0 {
			t.Fatalf("chromium on %s: %v, DOM %q\n%s", target, err, dom, stderr)
		}
		return dom
	}
}

// dumpDOMOnce runs Chromium once on target: the DOM it dumped, its stderr, how it ended.
func dumpDOMOnce(t *testing.T, bin, target string) (string, []byte, error) {
	t.Helper()
	tmp := t.TempDir()
	out, err := os.Create(filepath.Join(tmp, "dom.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	errPath := filepath.Join(tmp, "stderr.txt")
	errf, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	cmd := exec.Command(bin, "--headless=new", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+filepath.Join(tmp, "profile"), "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--disable-background-networking", "--disable-crash-reporter",
		"--disable-breakpad", "--disable-dev-shm-usage", "--no-proxy-server",
		"--dump-dom", target)
	// Files, not pipes: Wait returns when Chromium's main process exits even if a helper
	// still holds the descriptors (the group kill below ends those).
	cmd.Stdout, cmd.Stderr = out, errf
	cmd.Env = append(os.Environ(), "HOME="+tmp, "XDG_CONFIG_HOME="+tmp, "XDG_CACHE_HOME="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	killGroup := func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) }
	t.Cleanup(killGroup)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	select {
	case err = <-done:
	case <-ctx.Done():
		killGroup()
		<-done
		stderr, _ := os.ReadFile(errPath)
		t.Fatalf("chromium did not finish loading %s within 60s:\n%s", target, stderr)
	}
	killGroup()
	dom, _ := os.ReadFile(out.Name())
	stderr, _ := os.ReadFile(errPath)
	return string(dom), stderr, err
}

// TestChromiumAuthorizeAutoApprove: the operator opens the URL `bbsetup authorize` prints;
// Bitbucket (auto-approving) redirects the browser to bbsetup's loopback callback, whose
// page says it worked, and the command completes.
func TestChromiumAuthorizeAutoApprove(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	host := "http://127.0.0.1:" + freePortText(t)
	s := authzEmulator(t, host+"/bitbucket-auth-app/callback", authzAllScopes())
	dir := authzCheckout(t, host, authzKey, authzSecret)

	ss := authzStart(t, dir, s, nil, "--no-browser", "--timeout", "1m")
	dom := dumpDOM(t, bin, ss.authorizeURL(t))
	for _, want := range []string{"<h1>Bitbucket sent its answer to bbsetup</h1>", "You can close this tab and return to the terminal."} {
		if !strings.Contains(dom, want) {
			t.Errorf("the callback page lacks %q:\n%s", want, dom)
		}
	}
	if code := ss.wait(t); code != ExitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, ss.errText())
	}
	if !strings.Contains(ss.outText(), "Connected as Demo Operator (demo)") {
		t.Errorf("stdout:\n%s", ss.outText())
	}
	if strings.Contains(dom+ss.errText()+ss.outText(), authzSecret) {
		t.Error("the secret was shown")
	}
}

// hostileConsumerName would, were it not escaped, add an image whose error handler marks
// the page.
const hostileConsumerName = `Amplication <img src=x onerror="document.body.setAttribute('data-pwned','yes')">`

// TestChromiumConsentAndDenied: without auto-approve, Bitbucket's consent page shows the
// consumer's name as text (never markup) with Grant access and Cancel; the answer for a
// different attempt is refused in words while bbsetup keeps waiting; the denial is shown
// in words, and the command ends saying so.
func TestChromiumConsentAndDenied(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	host := "http://127.0.0.1:" + freePortText(t)
	callback := host + "/bitbucket-auth-app/callback"
	e := bbemu.New(bbemu.Options{})
	e.AddUser(bbemu.User{AccountID: "557058:authz", DisplayName: "Demo Operator", Nickname: "demo"})
	e.AddConsumer(bbemu.Consumer{Key: authzKey, Secret: authzSecret, Name: hostileConsumerName, CallbackURL: callback,
		Private: true, Scopes: authzAllScopes(), Owner: "557058:authz"})
	s, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	dir := authzCheckout(t, host, authzKey, authzSecret)

	ss := authzStart(t, dir, s, nil, "--no-browser", "--timeout", "1m")
	authURL := ss.authorizeURL(t)
	dom := dumpDOM(t, bin, authURL)
	for _, want := range []string{
		`value="grant">Grant access</button>`, `value="cancel">Cancel</button>`,
		"<h1>Authorize Amplication &lt;img src=x onerror=", "Demo Operator",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the consent page lacks %q:\n%s", want, dom)
		}
	}
	if strings.Contains(dom, "<img") || strings.Contains(dom, `data-pwned="yes"`) {
		t.Errorf("the consumer's name became markup:\n%s", dom)
	}

	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	state, redirect := u.Query().Get("state"), u.Query().Get("redirect_uri")
	if state == "" || !strings.HasPrefix(redirect, callback) {
		t.Fatalf("authorize URL without state or redirect_uri: %s", authURL)
	}

	dom = dumpDOM(t, bin, redirect+"?error=access_denied&state=not-"+url.QueryEscape(state))
	if !strings.Contains(dom, "<h1>Not the authorization bbsetup is waiting for</h1>") || !strings.Contains(dom, "its state does not match") {
		t.Errorf("the wrong-state page:\n%s", dom)
	}
	select {
	case code := <-ss.done:
		t.Fatalf("an answer for another attempt ended the command: exit %d\n%s", code, ss.errText())
	default:
	}

	dom = dumpDOM(t, bin, redirect+"?error=access_denied&error_description="+
		url.QueryEscape("The user denied access to the OAuth consumer.")+"&state="+url.QueryEscape(state))
	for _, want := range []string{"<h1>Authorization not granted</h1>", "Access was denied in the browser", "Grant access", "return to the terminal"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the denial page lacks %q:\n%s", want, dom)
		}
	}
	if code := ss.wait(t); code != ExitFailure {
		t.Fatalf("exit %d\n%s", code, ss.errText())
	}
	if e := ss.errText(); !strings.Contains(e, "denied in the browser") {
		t.Errorf("stderr:\n%s", e)
	}
}

// TestChromiumSettingsPage: the workspace's OAuth consumers page the wizard links to
// (<bitbucket-url>/<workspace>/workspace/settings/api) shows the consumer's key and
// callback URL, its name as text, and never its secret.
func TestChromiumSettingsPage(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	callback := "http://localhost:3001/bitbucket-auth-app/callback"
	e := bbemu.New(bbemu.Options{})
	e.AddUser(bbemu.User{AccountID: "557058:authz", DisplayName: "Demo Operator", Nickname: "demo"})
	e.AddWorkspace(bbemu.Workspace{Slug: "acme", Name: "Acme Corporation"}, map[string]bool{"557058:authz": true})
	e.AddConsumer(bbemu.Consumer{Key: authzKey, Secret: authzSecret, Name: hostileConsumerName, CallbackURL: callback,
		Private: true, Scopes: authzAllScopes(), Owner: "557058:authz"})
	s, err := bbemu.Start(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)

	dom := dumpDOM(t, bin, s.URL+"/acme/workspace/settings/api")
	for _, want := range []string{"<h1>acme: OAuth consumers</h1>", "<code>" + authzKey + "</code>", callback, "Amplication &lt;img src=x"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the settings page lacks %q:\n%s", want, dom)
		}
	}
	if strings.Contains(dom, authzSecret) {
		t.Errorf("the settings page shows the secret:\n%s", dom)
	}
	if strings.Contains(dom, "<img") || strings.Contains(dom, `data-pwned="yes"`) {
		t.Errorf("the consumer's name became markup:\n%s", dom)
	}
}
