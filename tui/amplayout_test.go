package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// bodyTokens are the words of the body's lines (the whole body, also what is scrolled
// away), plain, box borders dropped; last marks a line's last word.
func (hs *harness) bodyTokens() (words []string, last []bool) {
	for _, l := range hs.m.w.bodyLines() {
		l = strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ", "─", " ").Replace(ansi.Strip(l))
		f := strings.Fields(l)
		for i, w := range f {
			words = append(words, w)
			last = append(last, i == len(f)-1)
		}
	}
	return words, last
}

// narrow renders the current screen at 40x20 and 20x8 (the harness checks that no line is
// wider than the terminal and that nothing panics) and checks there that no word is cut
// without a continuation (every word is one of the screen's at 400 columns, or ends a line
// at a slash or hyphen, or is marked: ↪ on the line it goes on, or …), and that the help
// line keeps the screen's primary keys (enter, esc). Then the size is restored.
func (hs *harness) narrow() {
	hs.t.Helper()
	w, h := hs.w, hs.h
	hs.resize(400, 200)
	whole := map[string]bool{}
	words, _ := hs.bodyTokens()
	for _, wd := range words {
		whole[wd] = true
	}
	// What only a small screen shows (a position line) is whole in its unwrapped text.
	for _, sz := range [][2]int{{40, 20}, {20, 8}} {
		hs.resize(sz[0], sz[1])
		for _, l := range strings.Split(ansi.Strip(hs.m.w.active().view()), "\n") {
			if !strings.ContainsAny(l, "│╭╰") {
				for _, wd := range strings.Fields(l) {
					whole[wd] = true
				}
			}
		}
		words, last := hs.bodyTokens()
		for i, wd := range words {
			ok := whole[wd] || strings.HasPrefix(wd, wordCont) || strings.HasSuffix(wd, "…") ||
				last[i] && (strings.HasSuffix(wd, "/") || strings.HasSuffix(wd, "-") ||
					i+1 < len(words) && strings.HasPrefix(words[i+1], wordCont))
			// The piece after a slash or hyphen break.
			ok = ok || i > 0 && last[i-1] && (strings.HasSuffix(words[i-1], "/") || strings.HasSuffix(words[i-1], "-"))
			if !ok {
				hs.t.Fatalf("step %v at %dx%d: %q is cut without a continuation:\n%s", hs.m.w.cur, sz[0], sz[1], wd, strings.Join(hs.m.w.bodyLines(), "\n"))
			}
		}
		help := ansi.Strip(strings.Join(hs.m.w.helpLines(), " "))
		for _, k := range hs.m.w.active().keys().short {
			if k.Enabled() && isPrimary(k) && !strings.Contains(help, k.Help().Key+" ") {
				hs.t.Fatalf("step %v at %dx%d: the help line dropped %q: %q", hs.m.w.cur, sz[0], sz[1], k.Help().Key, help)
			}
		}
	}
	hs.resize(w, h)
}

// The Amplication screens at 40x20 and 20x8 in their states: the server (answering, not
// answering, to be restarted, the skip question), the sign-in (form, error, token,
// workspaces), authorize (waiting, done, the existing connection), the target (list,
// settings, replace, error), connect (confirm, error, done) and the summary.
func TestAmpScreensAtNarrowSizes(t *testing.T) {
	t.Run("path", func(t *testing.T) {
		fb := newFake()
		fb.amp.probes = []AmpProbe{notAnswering(), fb.amp.probes[0]}
		fb.amp.signErr = errors.New("the Amplication server refused the sign-in (Invalid password): check the email and password, or press ctrl+t and paste an API token")
		fb.amp.signed.Workspaces = []AmpWorkspace{{ID: "w1", Name: "Demo"}, {ID: "w2", Name: "Platform team"}}
		fb.amp.projects[0].Resources[3].Repo = "acme-archive/catalog-legacy-with-a-long-name"
		hs := newHarness(t, fb, Options{NoBrowser: true}, 100, 40)
		hs.toAmpServer()
		hs.untilText("does not answer")
		hs.narrow()
		hs.press("s")
		hs.untilText("Skip Amplication?")
		hs.narrow()
		hs.press("n", "r")
		hs.untilText("✓ The Amplication server answers")
		hs.narrow()
		hs.press("enter")
		hs.wantStep(stepAmpSignIn)
		hs.narrow()
		hs.typeText("demo@amplication.local")
		hs.press("enter")
		hs.typeText("pw-not-shown-1234")
		hs.press("enter")
		hs.untilText("The sign-in did not work")
		hs.narrow()
		hs.press("ctrl+t")
		hs.narrow()
		hs.press("ctrl+t")
		fb.amp.mu.Lock()
		fb.amp.signErr = nil
		fb.amp.mu.Unlock()
		hs.press("enter")
		hs.untilText("several workspaces")
		hs.narrow()
		hs.press("enter")
		hs.wantStep(stepAmpAuthorize)
		hs.untilText("Amplication is connected to Bitbucket as demo")
		hs.narrow()
		hs.press("enter")
		hs.untilText("acme-labs")
		hs.press("enter", "enter")
		hs.untilText("30 repositories")
		hs.press("enter")
		hs.wantStep(stepAmpTarget)
		hs.untilText("› orders")
		hs.narrow()
		hs.press("up")
		hs.untilText("Services that inherit")
		hs.narrow()
		hs.press("down", "down", "down", "enter")
		hs.untilText("Replace its repository?")
		hs.narrow()
		hs.press("y")
		hs.wantStep(stepAmpConnect)
		hs.narrow()
		hs.press("enter")
		hs.untilText("Read back from the Amplication server")
		hs.narrow()
		hs.press("enter")
		hs.wantStep(stepSummary)
		hs.narrow()
	})
	t.Run("errors", func(t *testing.T) {
		fb := newFake()
		stale := AmpKey{Stale: true, Message: "It still has the placeholder key [bitbucket-client-id]."}
		fb.amp.keys = []AmpKey{stale, stale, {OK: true, Message: "KEY123"}}
		fb.amp.signed.Orgs = []AmpOrg{{ID: "org0", Name: "acme-bot", Own: true}}
		fb.amp.projErr = errors.New("cannot reach the Amplication server at http://localhost:3000 (connection refused)")
		fb.amp.connErr = errors.New("the Amplication server did not connect orders (project Shop) to acme/x: The resource is already connected to a Git Repository")
		hs := newHarness(t, fb, Options{NoBrowser: true}, 100, 40)
		hs.toAmpServer()
		hs.untilText("answers")
		hs.press("enter")
		hs.typeText("demo@amplication.local")
		hs.press("enter")
		hs.typeText("pw")
		hs.press("enter")
		hs.untilText("The server must be restarted")
		hs.narrow()
		hs.press("r")
		hs.untilText("✓ The server uses the new key")
		hs.press("enter")
		hs.wantStep(stepAmpAuthorize)
		hs.untilText("already connected to Bitbucket as acme-bot")
		hs.narrow()
		hs.press("enter")
		hs.untilText("keeps its Bitbucket connection")
		hs.press("enter")
		hs.untilText("acme-labs")
		hs.press("enter", "enter")
		hs.untilText("30 repositories")
		hs.press("enter")
		hs.untilText("The projects could not be read")
		hs.narrow()
		fb.amp.mu.Lock()
		fb.amp.projErr = nil
		fb.amp.mu.Unlock()
		hs.press("r")
		hs.untilText("› orders")
		hs.press("enter", "enter")
		hs.untilText("The connect did not work")
		hs.narrow()
	})
}
