package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// body is the whole body (also the part scrolled out of sight), plain, its lines joined.
func (hs *harness) body() string { return flat(strings.Join(hs.m.w.bodyLines(), "\n")) }

// markedFields are the body's lines that carry the focus marker, plain.
func (hs *harness) markedFields() []string {
	var out []string
	for _, l := range hs.m.w.bodyLines() {
		if p := strings.TrimSpace(ansi.Strip(l)); strings.HasPrefix(p, strings.TrimSpace(focusMarker)) {
			out = append(out, p)
		}
	}
	return out
}

// wantFocus checks that exactly one field is marked, and that it is label.
func (hs *harness) wantFocus(label string) {
	hs.t.Helper()
	m := hs.markedFields()
	if len(m) != 1 || !strings.HasPrefix(m[0], focusMarker+label) {
		hs.t.Fatalf("marked lines %q, want only %q; view:\n%s", m, focusMarker+label, hs.m.View())
	}
}

// The sign-in form follows the key and secret screen's conventions (issue 16 item 6): only
// the focused field is marked, under NO_COLOR too; tab and shift+tab move between the
// fields and shift+tab leaves only from the first; enter on the last field signs in; on
// re-entry the focus is on the first field to fix. The token form too.
func TestAmpSignInMarksOnlyTheFocusedField(t *testing.T) {
	fb := newFake()
	fb.amp.signErr = errors.New("the Amplication server refused the sign-in (Invalid password)")
	hs := newHarness(t, fb, Options{NoBrowser: true, NoColor: true}, 80, 30)
	hs.toAmpServer()
	hs.untilText("The Amplication server answers")
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.wantFocus("Email")
	hs.wantText("enter next field", "tab next field")
	hs.typeText("op")
	hs.press("tab")
	hs.wantFocus("Password")
	hs.wantText("enter sign in", "shift+tab previous field")
	hs.press("shift+tab")
	hs.wantFocus("Email")
	hs.wantStep(stepAmpSignIn)
	hs.press("enter") // on the first field: the next one
	hs.wantFocus("Password")
	hs.typeText("pw-not-shown-1234")
	hs.press("enter") // on the last field: signs in, but the email is not one
	hs.untilText("That is not an email address")
	hs.wantFocus("Email")
	if len(fb.amp.logins) != 0 {
		t.Fatalf("signed in with %+v", fb.amp.logins)
	}
	// Out and in again: still on the email, the wrong field.
	hs.press("esc")
	hs.wantStep(stepAmpServer)
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.wantFocus("Email")
	hs.typeText("@example.com")
	hs.press("down")
	hs.wantFocus("Password")
	hs.press("enter")
	hs.untilText("The sign-in did not work", "Invalid password")
	hs.wantFocus("Password")
	if l := fb.amp.logins[0]; l.Email != "op@example.com" || l.Password != "pw-not-shown-1234" {
		t.Fatalf("login %+v", l)
	}

	// Back to the server screen and in again: the focus is on the password (refused), and
	// what is typed goes there, not into the email.
	hs.press("shift+tab", "shift+tab") // to the email; the second stays there (issue 23 §4)
	hs.wantStep(stepAmpSignIn)
	hs.wantFocus("Email")
	hs.press("esc") // out of the form
	hs.wantStep(stepAmpServer)
	hs.press("enter")
	hs.wantStep(stepAmpSignIn)
	hs.wantFocus("Password")
	fb.amp.mu.Lock()
	fb.amp.signErr = nil
	fb.amp.mu.Unlock()
	hs.typeText("X")
	// The token form: one field, marked; ctrl+t back marks the password only.
	hs.press("ctrl+t")
	hs.wantFocus("API token")
	hs.wantText("enter sign in")
	hs.press("tab")
	hs.wantFocus("API token")
	hs.press("ctrl+t")
	hs.wantFocus("Password")
	hs.press("enter")
	hs.wantStep(stepAmpAuthorize)
	if l := fb.amp.logins[1]; l.Email != "op@example.com" || l.Password != "pw-not-shown-1234X" {
		t.Fatalf("login after re-entry %+v", l)
	}
}

// col is the column where sub starts on the first line of v (plain) that holds it.
func col(t *testing.T, v, sub string) int {
	t.Helper()
	for _, l := range strings.Split(ansi.Strip(v), "\n") {
		if i := strings.Index(l, sub); i >= 0 {
			return ansi.StringWidth(l[:i])
		}
	}
	t.Fatalf("no %q on screen:\n%s", sub, v)
	return 0
}

// The Amplication target list: the repository column aligned on every row, the services
// indented under their project, a position line when the list scrolls, and at 40 columns a
// repository that does not fit goes on under its column (a hanging indent), no word cut.
func TestAmpTargetColumnsAlignedAndPositioned(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true, NoColor: true}, 100, 32)
	hs.toAmpTarget()
	hs.untilText("› orders")
	v := hs.m.View()
	repoCol := col(t, v, "not connected")
	for _, name := range []string{"Project Shop", "orders", "payments", "catalog", "Project Internal", "admin"} {
		var line string
		for _, l := range strings.Split(ansi.Strip(v), "\n") {
			if strings.Contains(l, name+" ") {
				line = l
				break
			}
		}
		rest := line[strings.Index(line, name)+len(name):]
		at := ansi.StringWidth(line) - ansi.StringWidth(strings.TrimLeft(rest, " "))
		if at != repoCol {
			t.Fatalf("%s's repository at column %d, want %d:\n%s", name, at, repoCol, v)
		}
	}
	if p, s := col(t, v, "Project Shop"), col(t, v, "payments"); s != p+2 {
		t.Fatalf("services at column %d, projects at %d: want them indented under the project:\n%s", s, p, v)
	}
	if strings.Contains(flat(v), "row ") {
		t.Fatalf("a position line though the list fits:\n%s", v)
	}

	// 40x14: the list is windowed under its heading; the position line says where.
	hs.resize(40, 14)
	hs.wantVisible("row 2 of 6", "› orders", "Which Amplication project")
	for i, name := range []string{"payments", "catalog", "Project Internal", "admin"} {
		hs.press("down")
		hs.wantVisible(fmt.Sprintf("row %d of 6", i+3), "› "+name, "Which Amplication project")
	}
	hs.press("down") // wraps round to the top
	hs.wantVisible("row 1 of 6", "› Project Shop")

	// 40 columns: catalog's repository goes on under the repository column.
	hs.resize(40, 24)
	v = hs.m.View()
	lines := strings.Split(ansi.Strip(v), "\n")
	for i, l := range lines {
		if !strings.Contains(l, "catalog ") {
			continue
		}
		at := col(t, l, "→ ")
		if !strings.HasPrefix(strings.TrimSpace(lines[i+1]), "catalog-legacy") || col(t, lines[i+1], "catalog-legacy") != at+2 {
			t.Fatalf("catalog's repository does not go on under its column:\n%s", v)
		}
	}
}

// After the write, the env screen says to start the server now (the next screen checks
// it) and the other services after the wizard: the server is named once, under "Now".
func TestEnvWrittenSaysTheServerNowTheOthersLater(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 80, 40)
	hs.toEnv()
	hs.press("enter")
	hs.untilText("✓ written")
	v := hs.body()
	now := strings.Index(v, "Now: start (or restart) the Amplication server")
	later := strings.Index(v, "After this wizard")
	server := strings.Index(v, "npx nx serve amplication-server")
	if now < 0 || later < 0 || !(now < server && server < later) {
		t.Fatalf("want the server under Now, before After this wizard:\n%s", hs.m.View())
	}
	if n := strings.Count(v, "amplication-server now") + strings.Count(v, "npx nx serve amplication-server"); n != 1 {
		t.Fatalf("the server's command is named %d times:\n%s", n, hs.m.View())
	}
	for _, svc := range fb.checkout.Services {
		if svc != "npx nx serve amplication-server" && strings.Index(v, svc) < later {
			t.Fatalf("%s is not under After this wizard:\n%s", svc, hs.m.View())
		}
	}
	hs.wantText("Press enter to check the server.")
}

// The summary after a connect: the PR service is named once, with what it does; it says
// that the connection is stored and read back, that nothing is pushed yet and what is left
// (the services, then a commit in Amplication); --json's next steps say the same.
func TestAmpSummaryHonestAndThePRServiceOnce(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 100, 40)
	hs.toAmpSummary()
	const pr = "npx nx serve amplication-git-pull-request-service"
	check := func(what, v string) {
		t.Helper()
		if n := strings.Count(v, "amplication-git-pull-request-service ") + strings.Count(v, "amplication-git-pull-request-service."); n != 1 {
			t.Fatalf("%s names the PR service %d times:\n%s", what, n, v)
		}
		for _, want := range []string{"Stored in Amplication and read back from its server", "Nothing is pushed yet",
			"opens the pull requests in acme/api-gateway-00000", "commit a change to orders", "pull request with the code opens in acme/api-gateway-00000"} {
			if !strings.Contains(v, want) {
				t.Fatalf("%s lacks %q:\n%s", what, want, v)
			}
		}
		for _, claim := range []string{"pushes to", "pushed to", "was pushed", "can open pull requests"} {
			if strings.Contains(v, claim) {
				t.Fatalf("%s says %q:\n%s", what, claim, v)
			}
		}
	}
	check("the summary screen", hs.body())
	steps := strings.Join(hs.m.Summary().NextSteps, "\n")
	if strings.Count(steps, pr) != 1 || !strings.Contains(steps, "opens the pull requests in acme/api-gateway-00000") ||
		!strings.Contains(steps, "commit a change to orders") || strings.Contains(steps, "pushes to") {
		t.Fatalf("--json next steps:\n%s", steps)
	}
	hs.press("enter")
	check("the final summary", flat(hs.m.View()))
}

// After a create on the Amplication path, the next screen is the target, not the summary,
// and the result says so.
func TestCreateResultNamesTheNextScreen(t *testing.T) {
	fb := newFake()
	hs := newHarness(t, fb, Options{NoBrowser: true}, 100, 40)
	hs.toAmpSignedIn()
	hs.untilText("Amplication is connected to Bitbucket as demo")
	hs.press("enter")
	hs.untilText("acme-labs")
	hs.press("enter", "down", "enter")
	hs.wantStep(stepCreate)
	hs.typeText("shop-api")
	hs.press("enter", "enter")
	hs.untilText("Created acme/shop-api", "Press enter to choose what pushes to it in Amplication.")
	hs.wantNoText("for the summary")
	hs.press("enter")
	hs.wantStep(stepAmpTarget)
}
