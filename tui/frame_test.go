package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Issue 16 items 9 and 10: the frame.

var counterRE = regexp.MustCompile(`bbsetup (\d+)/(\d+) `)

// counters records the header's "n/total" of every step the harness sees.
func counters(hs *harness) *[]string {
	var seen []string
	hs.onView = func(v string) {
		m := counterRE.FindStringSubmatch(ansi.Strip(v))
		if m == nil {
			return
		}
		c := m[1] + "/" + m[2]
		if len(seen) == 0 || seen[len(seen)-1] != c {
			seen = append(seen, c)
		}
	}
	return &seen
}

// The step counter counts only the steps on the operator's path: no jumps.
func TestStepCounterHasNoJumps(t *testing.T) {
	t.Run("create", func(t *testing.T) {
		hs := newHarness(t, newFake(), Options{NoBrowser: true}, 80, 24)
		hs.untilText("1/15 Amplication checkout")
		seen := counters(hs)
		hs.toChoice()
		hs.press("down", "enter")
		hs.wantStep(stepCreate)
		// Skipping Amplication takes its sign-in, target and connect off the path.
		want := "2/15 3/15 4/15 5/15 6/15 7/15 8/12 9/12 10/12 11/12"
		if got := strings.Join(*seen, " "); got != want {
			t.Fatalf("counters %q, want %q", got, want)
		}
		hs.press("esc", "up", "enter")
		hs.wantStep(stepConnect)
		hs.wantText("11/12 Connect repository") // Connect takes Create's place
	})
	t.Run("kept", func(t *testing.T) {
		fb := newFake()
		fb.checkout.Configured, fb.checkout.ClientID = true, "KEY123"
		hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
		hs.untilText("already configured", "1/15 Amplication checkout")
		seen := counters(hs)
		hs.press("enter")
		hs.untilText("Bitbucket accepted")
		hs.press("enter")
		hs.skipAmp()
		hs.untilText("Connected as")
		hs.press("enter")
		hs.untilText("acme-labs")
		hs.press("enter", "enter")
		hs.untilText("row 1 of 30")
		hs.press("enter")
		hs.wantStep(stepSummary)
		// The total is 15 until the operator chooses to keep the key (then the consumer
		// steps leave the path), and 8 once Amplication is skipped.
		want := "2/11 3/11 4/8 5/8 6/8 7/8 8/8"
		if got := strings.Join(*seen, " "); got != want {
			t.Fatalf("counters %q, want %q", got, want)
		}
	})
}

// The footer is on the terminal's last line on every screen, however short the body.
func TestFooterAtTheBottom(t *testing.T) {
	hs := newHarness(t, newFake(), Options{NoBrowser: true}, 80, 30)
	check := func() {
		t.Helper()
		lines := strings.Split(hs.m.View(), "\n")
		if len(lines) != 30 {
			t.Fatalf("step %v: the frame is %d lines, want 30 (the footer at the bottom):\n%s", hs.m.w.cur, len(lines), hs.m.View())
		}
		if !strings.Contains(lines[len(lines)-1], "quit") {
			t.Fatalf("step %v: the last line is not the help: %q", hs.m.w.cur, lines[len(lines)-1])
		}
	}
	hs.untilText("Callback URL to register")
	check()
	hs.toChoice() // from the welcome screen on
	check()
	hs.press("enter")
	hs.untilText("row 1 of 30")
	check()
}

// At narrow widths the help keeps enter and esc first and wraps instead of dropping keys.
func TestHelpByPriorityAndWrapped(t *testing.T) {
	hs := newHarness(t, newFake(), Options{}, 30, 24)
	hs.toConsumer()
	hs.typeText("acme")
	hs.press("enter")
	lines := hs.m.w.helpLines()
	if len(lines) < 2 {
		t.Fatalf("help at 30 columns is %d line(s): %q", len(lines), lines)
	}
	if !strings.HasPrefix(ansi.Strip(lines[0]), "enter next • esc back") {
		t.Fatalf("first help line %q: want enter and esc first", ansi.Strip(lines[0]))
	}
	h := hs.helpLine()
	for _, want := range []string{"o open in browser", "c copy callback URL", "e edit slug", "? more keys", "q quit"} {
		if !strings.Contains(h, want) {
			t.Fatalf("help %q lacks %q (wrapped, nothing dropped)", h, want)
		}
	}
}

// Wrapped lines keep their hanging indent; paths break between their parts.
func TestWrapHangsAndBreaksPathsAtSlashes(t *testing.T) {
	got := wrap("  • Created the repository acme/shop-api on Bitbucket, with a description.", 30)
	for i, l := range strings.Split(got, "\n") {
		if i > 0 && !strings.HasPrefix(l, "    ") {
			t.Fatalf("line %d of a bullet lost its hanging indent:\n%s", i, got)
		}
	}
	got = wrap("  1. Start the services, each in its own terminal.", 20)
	for i, l := range strings.Split(got, "\n") {
		if i > 0 && !strings.HasPrefix(l, "     ") {
			t.Fatalf("line %d of a numbered item lost its hanging indent:\n%s", i, got)
		}
	}
	got = wrap("packages/amplication-git-pull-request-service/.env.local", 40)
	if got != "packages/\namplication-git-pull-request-service/\n.env.local" && got != "packages/amplication-git-pull-request-service/\n.env.local" {
		t.Fatalf("a path broke inside a name:\n%s", got)
	}
	if got := wrap("see https://bitbucket.org/acme/workspace/settings/api now", 30); !strings.Contains(got, "https://bitbucket.org/acme/w") {
		t.Fatalf("a URL broke at a slash:\n%s", got)
	}
}

func TestQuitMessageHangsAt40Columns(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 40, 24)
	createRepoNamed(hs, "Shop API")
	hs.untilText("Created acme/shop-api")
	hs.press("q")
	v := ansi.Strip(hs.m.View())
	_, part, _ := strings.Cut(v, "Done outside this machine:\n")
	part, _, _ = strings.Cut(part, "Run bbsetup again")
	lines := strings.Split(strings.TrimRight(part, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "  • ") {
		t.Fatalf("no wrapped bullet:\n%s", v)
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "    ") {
			t.Fatalf("a wrapped bullet line lost its indent: %q\n%s", l, v)
		}
	}
}

// The diff's wrapped lines carry a continuation marker.
func TestDiffContinuationMarker(t *testing.T) {
	fb := newFake()
	fb.plan.Files[0].Diff = "--- a\n+++ b\n@@ -1 +1 @@\n+# a comment line that is far too long for forty columns ENDMARK\n"
	hs := newHarness(t, fb, Options{NoBrowser: true}, 40, 24)
	hs.toEnv()
	v := ansi.Strip(hs.m.View())
	if !strings.Contains(v, "\n "+diffCont) {
		t.Fatalf("no continuation marker on the wrapped diff line:\n%s", v)
	}
}

// The workspace and repository lists are aligned in columns; the connect status says where
// the cursor is.
func TestListsAlignedAndPositioned(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true, NoColor: true}, 80, 24)
	hs.toWorkspaces()
	col := func(v, name string) int {
		for _, l := range strings.Split(ansi.Strip(v), "\n") {
			if i := strings.Index(l, name); i >= 0 {
				return ansi.StringWidth(l[:i])
			}
		}
		t.Fatalf("no %q on screen:\n%s", name, v)
		return 0
	}
	v := hs.m.View()
	if a, b, c := col(v, "Acme Inc"), col(v, "Acme Labs"), col(v, "Playground"); a != b || b != c {
		t.Fatalf("workspace names at columns %d, %d, %d:\n%s", a, b, c, v)
	}
	hs.press("enter", "enter")
	hs.wantStep(stepConnect)
	hs.untilText("30 repositories", "row 1 of 30")
	v = hs.m.View()
	if a, b := col(v, "api gateway 00000"), col(v, "service 00001"); a != b {
		t.Fatalf("repository names at columns %d and %d:\n%s", a, b, v)
	}
	hs.press("down", "down")
	hs.wantText("row 3 of 30")
	hs.typeText("service")
	hs.wantText("25 matches", "row 1 of 25")
	hs.typeText(" 00001")
	hs.wantText("1 match ")
}

// At 30x10 the body scrolls to the focused field.
func TestViewportFollowsTheFocusAt30x10(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoColor: true}, 30, 10)
	hs.toCredentials()
	hs.wantVisible("› Key")
	hs.typeText("KEY123")
	hs.press("tab")
	hs.wantVisible("› Secret")
	hs.press("shift+tab")
	hs.wantVisible("› Key")
}

// Issue 16 item 8: the authorize URL is printed above the frame, unindented and whole (the
// terminal wraps it), and the frame leaves its rows free so it stays on screen.
func TestAuthorizeURLPrintedAboveTheFrame(t *testing.T) {
	fb := newFake()
	fb.sess = AuthSession{URL: longAuthURL}
	fb.waitGate = make(chan struct{})
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 24)
	hs.toAuthorize()
	hs.untilText("Waiting for Bitbucket…", "printed above")
	a := hs.m.w.active().(printer)
	// Labelled (issue 23 §4: it stays in the scrollback), the URL whole on its own line.
	label, url, _ := strings.Cut(a.printed(), "\n")
	if url != longAuthURL || !strings.HasPrefix(label, "Authorize URL") {
		t.Fatalf("printed %q", a.printed())
	}
	rows := 1 + (len(longAuthURL)+79)/80 + 1
	if n := len(strings.Split(hs.m.View(), "\n")); n != 24-rows {
		t.Fatalf("the frame is %d lines with the URL's %d rows above it, want %d", n, rows, 24-rows)
	}
	if strings.Contains(hs.m.View(), "oauth2/authorize") {
		t.Fatal("the URL is cut into the frame as well")
	}
	hs.press("c")
	if !strings.Contains(hs.clip.String(), "\x1b]52;") {
		t.Fatal("c copies no URL")
	}
	// Leaving the step gives the frame its rows back.
	// Once authorized, the frame takes the URL's rows back.
	close(fb.waitGate)
	hs.untilText("Connected as")
	if n := len(strings.Split(hs.m.View(), "\n")); n != 24 {
		t.Fatalf("once authorized the frame is %d lines, want 24", n)
	}
}

// The summary's service commands keep their indent when they wrap (issue 16 item 10).
func TestSummaryServiceListHangsAt30Columns(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 30, 40)
	hs.toChoice()
	hs.press("enter")
	hs.untilText("30 repositories")
	hs.press("enter")
	hs.wantStep(stepSummary)
	lines := hs.m.w.bodyLines()
	in, seen := false, 0
	for _, l := range lines {
		p := ansi.Strip(l)
		switch {
		case strings.HasPrefix(p, "  1. Start the services"):
			in = true
		case strings.HasPrefix(p, "  2. "):
			in = false
		case in:
			seen++
			if !strings.HasPrefix(p, "     ") {
				t.Fatalf("a service line lost its indent: %q\n%s", p, strings.Join(lines, "\n"))
			}
		}
	}
	if seen < 10 {
		t.Fatalf("the service list did not wrap at 30 columns (%d lines):\n%s", seen, strings.Join(lines, "\n"))
	}
}

// A word too long for a line breaks after a slash, else a hyphen, else inside it with the
// continuation marker on the line it goes on (task: nothing cut mid-word unmarked).
func TestWrapBreaksLongWordsReadably(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"→ acme-archive/a-rather-long-repository-name-here", 32, "→ acme-archive/\n  a-rather-long-repository-name-\n  here"},
		{"local-data-service-generator-controller", 15, "local-data-\nservice-\ngenerator-\ncontroller"},
		{"token ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10, "token ABCD\n↪EFGHIJKLM\n↪NOPQRSTUV\n↪WXYZ"},
		{"see http://127.0.0.1:35307/acme/checkout-service", 20, "see\nhttp://127.0.0.1:353\n↪07/acme/checkout-\nservice"},
		{"     npx nx serve local-data-service-generator-controller", 20, "     npx nx serve\n     local-data-\n     service-\n     generator-\n     controller"},
		{"  • TOKENTOKENTOKENTOKENTOKEN end", 12, "  • TOKENTOK\n    ↪ENTOKEN\n    ↪TOKENTO\n    ↪KEN end"},
	} {
		if got := wrap(c.in, c.width); got != c.want {
			t.Errorf("wrap(%q, %d) =\n%s\nwant\n%s", c.in, c.width, got, c.want)
		}
	}
}
