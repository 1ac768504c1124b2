package tui

// The frame around the active screen: the header, the body window with its scroll hint,
// the help line, and the quit message.

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

func (w *wizard) resize(width, height int) {
	w.winW, w.winH = max(width, 1), max(height, 1)
	bw := w.winW
	if bw >= 30 {
		bw -= 2 // a one-column margin each side
	}
	w.c.width = bw
	w.help.Width = w.winW
	w.c.height = max(w.winH-w.chromeHeight(), 1)
}

// layout sizes the active screen to the body and keeps the scroll position inside the
// body, after every update: view changes no state.
func (w *wizard) layout() {
	if l, ok := w.active().(sizer); ok {
		l.layout()
	}
	if w.scroll > 0 {
		if lines, h := len(w.bodyLines()), w.c.height; lines > h {
			w.scroll = min(w.scroll, lines-max(h-1, 1))
		}
	}
}

// chromeHeight is the lines the header and help take.
func (w *wizard) chromeHeight() int {
	helpLines := 1
	if w.help.ShowAll {
		helpLines = lipgloss.Height(w.help.View(w.bindings()))
	}
	// header, blank, [body], blank, help
	return 3 + helpLines
}

// globalKeys are help and quit, shown on every screen.
func (w *wizard) globalKeys() []key.Binding {
	if w.active().typing() {
		return []key.Binding{w.c.km.ForceQuit}
	}
	return []key.Binding{w.c.km.Help, w.c.km.Quit}
}

// bindings are the active screen's keys plus help and quit.
func (w *wizard) bindings() bindings {
	b := w.active().keys()
	global := w.globalKeys()
	short := append(append([]key.Binding{}, b.short...), global...)
	full := append(append([][]key.Binding{}, b.FullHelp()...), global)
	return bindings{short: short, full: full}
}

// helpView is the help line (or the full help). The short line keeps help and quit: when
// it is too wide, the screen's keys are dropped from the end (? shows them all).
func (w *wizard) helpView() string {
	if w.help.ShowAll {
		return w.help.View(w.bindings())
	}
	screen := w.active().keys().short
	global := w.globalKeys()
	measure := w.help
	measure.Width = 0 // no truncation while measuring
	for n := len(screen); ; n-- {
		keys := append(append([]key.Binding{}, screen[:n]...), global...)
		if n == 0 || ansi.StringWidth(measure.ShortHelpView(keys)) <= w.winW {
			return w.help.ShortHelpView(keys)
		}
	}
}

func (w *wizard) overflow() int {
	return max(len(w.bodyLines())-max(w.c.height-1, 1), 0)
}

func (w *wizard) bodyLines() []string {
	body := w.active().view()
	return strings.Split(wrap(body, w.c.width), "\n")
}

func (w *wizard) view() string {
	st := w.c.st
	if w.quitting {
		return w.quitView()
	}
	header := st.title.Render("bbsetup") + " " +
		st.stepLabel.Render(fmt.Sprintf("%d/%d %s", int(w.cur)+1, int(numSteps), w.cur))
	if w.c.opts.Demo {
		header += " " + st.demo.Render("[demo]")
	}
	header = ansi.Truncate(header, w.winW, "…")

	lines := w.bodyLines()
	h := w.c.height
	if len(lines) > h {
		// Too tall: show a window and a scroll hint on its last line.
		shown := max(h-1, 1)
		scroll := min(w.scroll, len(lines)-shown) // layout keeps it so; this only guards
		window := append([]string{}, lines[scroll:scroll+shown]...)
		if h >= 2 {
			if rest := len(lines) - scroll - shown; rest > 0 {
				window = append(window, st.faint.Render(fmt.Sprintf("↓ %d more lines (pgdn)", rest)))
			} else {
				window = append(window, st.faint.Render("↑ pgup for the top"))
			}
		}
		lines = window
	}
	margin := ""
	if w.winW >= 30 {
		margin = " "
	}
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("\n\n")
	for _, l := range lines {
		b.WriteString(margin)
		b.WriteString(ansi.Truncate(l, w.c.width, "…"))
		b.WriteString("\n")
	}
	b.WriteString("\n")
	// help truncates with an ellipsis only when the ellipsis fits; make sure of the rest.
	hl := strings.Split(w.helpView(), "\n")
	for i, l := range hl {
		hl[i] = fit(l, w.winW)
	}
	b.WriteString(strings.Join(hl, "\n"))
	return b.String()
}

func (w *wizard) quitView() string {
	st := w.c.st
	if w.s.finished {
		return wrap(finalSummary(w.c, w.s.summary()), w.winW) + "\n"
	}
	var b strings.Builder
	if len(w.s.written) == 0 {
		b.WriteString(st.strong.Render("Quit.") + " Nothing was written; your .env.local files are unchanged.\n")
	} else {
		b.WriteString(st.strong.Render("Quit.") + " These files were already written:\n")
		for _, r := range w.s.written {
			line := "  " + r.Path
			if !r.Changed {
				line += " (already up to date)"
			} else if r.Backup != "" {
				line += " (previous version in " + r.Backup + ")"
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("Run bbsetup again and choose \"keep\" to authorize and pick a repository.\n")
	}
	b.WriteString(w.ampQuitFacts())
	return wrap(b.String(), w.winW)
}

// wrap wraps s to width columns at spaces, with hard breaks only for words longer than a
// line. Hyphens do not break (paths and slugs such as amplication-server stay whole): they
// are swapped for a non-breaking hyphen of the same width while wrapping.
func wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	if !strings.Contains(s, "-") {
		return ansi.Wrap(s, width, "")
	}
	s = strings.ReplaceAll(s, "-", nbHyphen)
	return strings.ReplaceAll(ansi.Wrap(s, width, ""), nbHyphen, "-")
}

const nbHyphen = "\u2011"

// ampQuitFacts says what a quit leaves stored in Amplication ("" when nothing).
func (w *wizard) ampQuitFacts() string {
	var facts []string
	if o := w.s.orgStored; o != nil {
		facts = append(facts, "Amplication's Bitbucket connection as "+safetext.Line(o.Name)+" (its git organization)")
	}
	if c := w.s.connected; c != nil {
		facts = append(facts, safetext.Line(c.Line()))
	}
	if len(facts) == 0 {
		if w.s.amp != nil {
			return "Nothing was stored in Amplication.\n"
		}
		return ""
	}
	out := "Stored in Amplication:\n"
	for _, f := range facts {
		out += "  " + f + "\n"
	}
	return out + "See it with bbsetup amplication status.\n"
}
