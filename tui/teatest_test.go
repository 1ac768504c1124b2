package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
)

// program is a teatest run that keeps every byte written to the terminal, to look for
// screens and to check the secret never appeared.
type program struct {
	t    *testing.T
	tm   *teatest.TestModel
	all  bytes.Buffer
	mark int
}

func startProgram(t *testing.T, fb *fakeBackend, opts Options) *program {
	t.Helper()
	m := newModel(fb, opts, io.Discard, nil)
	t.Cleanup(m.w.stop)
	return &program{t: t, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))}
}

// waitFor waits until text appears in the output written since the last waitFor.
func (p *program) waitFor(text string) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	buf := make([]byte, 64<<10)
	for {
		n, err := p.tm.Output().Read(buf)
		p.all.Write(buf[:n])
		if i := strings.Index(flat(p.all.String()[p.mark:]), text); i >= 0 {
			p.mark = p.all.Len()
			return
		}
		if err != nil && !errors.Is(err, io.EOF) {
			p.t.Fatal(err)
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("never saw %q; output since the last screen:\n%s", text, flat(p.all.String()[p.mark:]))
		}
		if n == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func (p *program) keys(ks ...string) {
	for _, k := range ks {
		p.tm.Send(keyMsg(k))
	}
}

func (p *program) typeText(s string) { p.tm.Type(s) }

// toChoice runs the wizard from the welcome screen to "create or connect".
func (p *program) toChoice() {
	p.t.Helper()
	p.waitFor("Callback URL to register")
	p.keys("enter")
	p.waitFor("Settings page")
	p.typeText("acme")
	p.keys("enter")
	p.waitFor("workspace/settings/api")
	p.keys("enter")
	p.waitFor("0 of 6 rows ticked")
	p.keys("a")
	p.waitFor("6 of 6 rows ticked")
	p.keys("enter")
	p.waitFor("Paste the consumer's key and secret")
	p.typeText("KEY123")
	p.keys("enter")
	p.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(testSecret + "\n"), Paste: true})
	p.keys("enter")
	p.waitFor("Bitbucket accepted the key and secret")
	p.keys("enter")
	p.waitFor("Nothing is written until you press enter")
	p.keys("enter")
	p.waitFor("Press enter to check the server")
	p.keys("enter")
	p.waitFor("The Amplication server answers")
	p.typeText("sy")
	p.waitFor("Connected as Demo Operator (demo)")
	p.keys("enter")
	p.waitFor("acme-labs")
	p.keys("enter")
	p.waitFor("Connect an existing repository")
}

func (p *program) finish() Summary {
	p.t.Helper()
	fm := p.tm.FinalModel(p.t, teatest.WithFinalTimeout(10*time.Second))
	out, err := io.ReadAll(p.tm.FinalOutput(p.t))
	if err != nil {
		p.t.Fatal(err)
	}
	p.all.Write(out)
	if strings.Contains(p.all.String(), testSecret) || strings.Contains(p.all.String(), testSecret[:12]) {
		p.t.Fatal("the secret was written to the terminal")
	}
	return fm.(Model).Summary()
}

func TestTeatestCreatePath(t *testing.T) {
	fb := newFake()
	p := startProgram(t, fb, Options{NoBrowser: true})
	p.toChoice()
	p.keys("down", "enter")
	p.waitFor("Bitbucket's default project")
	p.typeText("new-svc")
	p.keys("enter")
	p.waitFor("Create this repository?")
	p.keys("enter")
	p.waitFor("Created acme/new-svc")
	p.keys("enter")
	p.waitFor("Bitbucket is set up; Amplication itself is not connected yet")
	p.keys("enter")
	sum := p.finish()
	if !sum.Completed || !sum.CreatedRepo || sum.Repository == nil || sum.Repository.FullName != "acme/new-svc" {
		t.Fatalf("summary = %+v", sum)
	}
	if len(sum.Files) != 2 || sum.ConnectedAs == nil || sum.ConnectedAs.Nickname != "demo" || !sum.Verified {
		t.Fatalf("summary = %+v", sum)
	}
	if fb.applyCalls != 1 || len(fb.created) != 1 || !fb.created[0].Private {
		t.Fatalf("apply %d, created %+v", fb.applyCalls, fb.created)
	}
	js, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"completed":true`, `"full_name":"acme/new-svc"`, `"clone_ssh":"git@bitbucket.org:acme/new-svc.git"`, `"created_repository":true`} {
		if !strings.Contains(string(js), want) {
			t.Fatalf("JSON lacks %s: %s", want, js)
		}
	}
	if strings.Contains(string(js), testSecret) {
		t.Fatal("the secret is in the JSON summary")
	}
}

func TestTeatestConnectPath(t *testing.T) {
	fb := newFake()
	fb.repos["acme"] = genRepos("acme", 2500)
	fb.batchSize = 100
	p := startProgram(t, fb, Options{NoBrowser: true})
	p.toChoice()
	p.keys("enter")
	p.waitFor("2,500 repositories")
	p.typeText("02042")
	p.waitFor("1 match")
	p.keys("enter")
	p.waitFor("Bitbucket is set up; Amplication itself is not connected yet")
	p.keys("q")
	sum := p.finish()
	if !sum.Completed || sum.CreatedRepo || sum.Repository == nil || sum.Repository.FullName != "acme/service-02042" {
		t.Fatalf("summary = %+v", sum)
	}
	if sum.Workspace != "acme" {
		t.Fatalf("workspace %q", sum.Workspace)
	}
}

func TestRunQuitAtOnce(t *testing.T) {
	fb := newFake()
	var out bytes.Buffer
	sum, err := Run(context.Background(), fb, Options{NoColor: true}, strings.NewReader("q"), &out)
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("err = %v, want ErrQuit", err)
	}
	if sum.Completed || len(sum.Files) != 0 || fb.applyCalls != 0 {
		t.Fatalf("summary = %+v, apply %d", sum, fb.applyCalls)
	}
	if !strings.Contains(out.String(), "Nothing was written") {
		t.Fatalf("no quit message in the output:\n%s", out.String())
	}
}

func TestRunCancelledContext(t *testing.T) {
	fb := newFake()
	fb.checkout.Configured = true
	fb.waitGate = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	defer pw.Close()
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, fb, Options{NoBrowser: true}, pr, io.Discard)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

// Whatever stops the program with an error, Run shows the cursor again (issue 16 item 11):
// here a signal (the context cancelled) while the wizard waits for the browser.
func TestRunShowsTheCursorOnAnError(t *testing.T) {
	fb := newFake()
	fb.checkout.Configured = true
	fb.waitGate = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, fb, Options{NoBrowser: true, NoColor: true}, pr, out)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "already configured") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Run returned no error after its context was cancelled")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if !strings.HasSuffix(out.String(), ansi.ShowCursor) {
		t.Fatalf("the output does not end by showing the cursor: %q", out.String())
	}
}

// lockedBuffer is a bytes.Buffer safe for the renderer's goroutine and the test's.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
