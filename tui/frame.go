package tui

// The frame around the active screen: the header, the body window with its scroll hint,
// the help line, and the quit message.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// frameUpdate handles the frame's own messages: the terminal's size, the keys every screen
// shares (quit, help, page up and down) and the spinner. It reports false for a message
// that is not the frame's (a key the screen takes, a result).
func (w *wizard) frameUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		w.resize(msg.Width, msg.Height)
		return nil, true
	case tea.KeyMsg:
		if w.quitHeld && w.cur == stepAmpConnect && key.Matches(msg, w.c.km.ForceQuit) {
			// A hanging server: the second ctrl+c quits now; the quit message says the
			// connect was under way (see ampConnectScreen.connect).
			w.quitting = true
			w.stop()
			return tea.Quit, true
		}
		if w.quitting || w.quitHeld {
			return nil, true
		}
		typing := w.active().typing()
		switch {
		case key.Matches(msg, w.c.km.ForceQuit), !typing && key.Matches(msg, w.c.km.Quit):
			return w.quit(), true
		case !typing && key.Matches(msg, w.c.km.Help):
			w.help.ShowAll = !w.help.ShowAll
			w.resize(w.winW, w.winH)
			return nil, true
		case key.Matches(msg, w.c.km.PageDown, w.c.km.PageUp) && w.overflow() > 0:
			if key.Matches(msg, w.c.km.PageDown) {
				w.scroll = min(w.scroll+max(w.c.height-2, 1), w.overflow())
			} else {
				w.scroll = max(w.scroll-max(w.c.height-2, 1), 0)
			}
			return nil, true
		}
	case spinner.TickMsg:
		if !w.active().busy() || w.c.noTicks {
			w.spinning = false
			return nil, true
		}
		var cmd tea.Cmd
		w.c.spin, cmd = w.c.spin.Update(msg)
		return cmd, true
	}
	return nil, false
}

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

// layout sizes the active screen to the body, renders the frame's body and help lines
// once (view only assembles them) and keeps the scroll position inside the body, after
// every update: view changes no state.
func (w *wizard) layout() {
	// The help line wraps, so the body's height follows the active screen's keys.
	w.frame.help = w.helpLines()
	w.c.height = max(w.winH-w.chromeHeightFor(len(w.frame.help)), 1)
	if l, ok := w.active().(sizer); ok {
		l.layout()
	}
	lines := w.bodyLines()
	w.frame.body = lines
	h := w.c.height
	if len(lines) > h {
		w.follow(lines)
	}
	if w.scroll > 0 {
		if len(lines) > h {
			w.scroll = min(w.scroll, len(lines)-max(h-1, 1))
		} else {
			w.scroll = 0
		}
	}
}

// follow scrolls the body so the focused line (the one with the focus marker: the focused
// field's label or input, the highlighted option) and the line after it are in view, when
// the focus moved or the terminal was resized; otherwise pgup/pgdn keep their position.
func (w *wizard) follow(lines []string) {
	at := -1
	for i, l := range lines {
		if strings.Contains(ansi.Strip(l), strings.TrimSpace(focusMarker)+" ") {
			at = i
			break
		}
	}
	key := [3]int{at, w.winW, w.winH}
	if at < 0 || key == w.followed {
		return
	}
	w.followed = key
	shown := max(w.c.height-1, 1) // the last line is the scroll hint
	last := min(at+1, len(lines)-1)
	switch {
	case at < w.scroll:
		w.scroll = at
	case last >= w.scroll+shown:
		w.scroll = max(last-shown+1, 0)
	}
}

// chromeHeight is the lines the header and help take, and the rows kept free for what the
// screen printed above the frame.
func (w *wizard) chromeHeight() int { return w.chromeHeightFor(len(w.helpLines())) }

// chromeHeightFor is chromeHeight with a help of helpRows lines.
func (w *wizard) chromeHeightFor(helpRows int) int {
	// [printed], header, blank, [body], blank, help
	return 3 + helpRows + w.aboveRows()
}

// aboveRows is how many terminal rows the active screen's printed text takes (see printer),
// at most half the terminal: on a tiny one the frame comes first.
func (w *wizard) aboveRows() int {
	p, ok := w.active().(printer)
	if !ok || p.printed() == "" {
		return 0
	}
	rows := 1 // the blank line after it
	for _, l := range strings.Split(p.printed(), "\n") {
		rows += max((ansi.StringWidth(l)+w.winW-1)/w.winW, 1)
	}
	return min(rows, w.winH/2)
}

// globalKeys are help and quit, shown on every screen.
func (w *wizard) globalKeys() []key.Binding {
	if w.active().typing() {
		return []key.Binding{w.c.km.ForceQuit}
	}
	return []key.Binding{w.c.km.Help, w.c.km.Quit}
}

// byPriority orders a screen's keys for the help line: enter first, then esc, then the
// others in the screen's order, so the primary keys are the ones a narrow line shows first.
func byPriority(keys []key.Binding) []key.Binding {
	out := append([]key.Binding{}, keys...)
	slices.SortStableFunc(out, func(a, b key.Binding) int { return keyRank(a) - keyRank(b) })
	return out
}

// keyRank is 0 for enter, 1 for esc, 2 for the ctrl keys advice names, 3 for the others:
// by the keys bound or the key the help names ("enter/r", "n/esc").
func keyRank(b key.Binding) int {
	keys := append([]string{}, b.Keys()...)
	keys = append(keys, strings.Split(b.Help().Key, "/")...)
	rank := 3
	for _, k := range keys {
		switch k {
		case "enter":
			return 0
		case "esc":
			rank = 1
		case "ctrl+t", "ctrl+l", "ctrl+k":
			// The keys a screen's advice names that work while typing (switch the
			// sign-in, sign in or authorize again, change the key): where "?" types into
			// a field, they are the last secondary keys a narrow help line drops.
			rank = min(rank, 2)
		}
	}
	return rank
}

// bindings are the active screen's keys plus help and quit.
func (w *wizard) bindings() bindings {
	b := w.active().keys()
	global := w.globalKeys()
	short := append(byPriority(b.short), global...)
	full := append(append([][]key.Binding{}, b.FullHelp()...), global)
	return bindings{short: short, full: full}
}

// helpLines is the help (or the full help) as lines. The short help is the screen's keys by
// priority, then help and quit, wrapped onto more lines rather than dropping keys. It takes
// at most a quarter of the terminal's height; beyond that the screen's last secondary keys
// are dropped (? shows them all), then help and quit: enter and esc stay.
func (w *wizard) helpLines() []string {
	if w.help.ShowAll {
		lines := strings.Split(w.help.View(w.bindings()), "\n")
		for i, l := range lines {
			lines[i] = fit(l, w.winW)
		}
		return lines
	}
	screen := byPriority(w.active().keys().short)
	global := w.globalKeys()
	measure := w.help
	measure.Width = 0 // no truncation while measuring
	wrapKeys := func(keys []key.Binding) []string {
		var lines []string
		var cur []key.Binding
		for _, k := range keys {
			if !k.Enabled() {
				continue
			}
			try := append(cur[:len(cur):len(cur)], k)
			if len(cur) > 0 && ansi.StringWidth(measure.ShortHelpView(try)) > w.winW {
				lines = append(lines, fit(measure.ShortHelpView(cur), w.winW))
				cur = []key.Binding{k}
				continue
			}
			cur = try
		}
		if len(cur) > 0 {
			lines = append(lines, fit(measure.ShortHelpView(cur), w.winW))
		}
		return lines
	}
	maxLines := max(w.winH/4, 1)
	all := append(append([]key.Binding{}, screen...), global...)
	if lines := wrapKeys(all); len(lines) <= maxLines {
		if len(lines) == 0 {
			return []string{""}
		}
		return lines
	}
	// Too many lines: drop the screen's secondary keys from the end until they fit; then
	// help, then quit (ctrl+c always quits): the primary keys (enter, esc) stay.
	primary := 0
	for _, k := range screen {
		if isPrimary(k) {
			primary++
		}
	}
	for n := len(screen) - 1; n >= primary; n-- {
		if lines := wrapKeys(append(append([]key.Binding{}, screen[:n]...), global...)); len(lines) <= maxLines {
			return lines
		}
	}
	for n := len(global) - 1; n >= 0; n-- {
		if lines := wrapKeys(append(append([]key.Binding{}, screen[:primary]...), global[:n]...)); len(lines) <= maxLines || n == 0 {
			if len(lines) == 0 {
				return []string{""}
			}
			return lines[:min(len(lines), maxLines)]
		}
	}
	return []string{""}
}

// isPrimary reports whether b is a primary key (enter or esc), which the help line keeps
// however narrow the terminal.
func isPrimary(b key.Binding) bool { return keyRank(b) < 2 }

// overflow is how many body lines do not fit, as last laid out.
func (w *wizard) overflow() int {
	return max(len(w.frame.body)-max(w.c.height-1, 1), 0)
}

// rendered is the frame's body and help lines as layout rendered them for the current
// state: view assembles them without rendering the screen again.
type rendered struct {
	body []string
	help []string
}

// bodyLines renders the active screen's body, wrapped to the body's width.
func (w *wizard) bodyLines() []string {
	body := w.active().view()
	return strings.Split(wrap(body, w.c.width), "\n")
}

func (w *wizard) view() string {
	st := w.c.st
	if w.quitting {
		return w.quitView()
	}
	n, total := position(w.cur, &w.s)
	header := st.title.Render("bbsetup") + " " +
		st.stepLabel.Render(fmt.Sprintf("%d/%d %s", n, total, w.cur))
	if w.c.opts.Demo {
		header += " " + st.demo.Render("[demo]")
	}
	header = ansi.Truncate(header, w.winW, "…")

	lines := w.frame.body
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
	// The footer sits at the bottom on every screen: short bodies are padded.
	for range h - len(lines) {
		b.WriteString("\n")
	}
	b.WriteString("\n")
	b.WriteString(strings.Join(w.frame.help, "\n"))
	return b.String()
}

func (w *wizard) quitView() string {
	st := w.c.st
	if w.s.Finished {
		return wrap(finalSummary(w.c, w.s.Summary()), w.winW) + "\n"
	}
	var b strings.Builder
	if len(w.s.Written) == 0 {
		b.WriteString(st.strong.Render("Quit.") + " Nothing was written; your .env.local files are unchanged.\n")
	} else {
		b.WriteString(st.strong.Render("Quit.") + " These files were already written:\n")
		for _, r := range w.s.Written {
			line := "  " + r.Path
			if !r.Changed {
				line += " (already up to date)"
			} else if r.Backup != "" {
				line += " (previous version in " + r.Backup + ")"
			}
			b.WriteString(line + "\n")
		}
	}
	if out := w.s.Outside.Texts(); len(out) > 0 {
		b.WriteString(st.strong.Render("Done outside this machine:") + "\n" + bullets(out) + "\n")
	}
	if len(w.s.Written) > 0 && w.s.Repo == nil {
		b.WriteString("Run bbsetup again and choose \"keep\" to authorize and pick a repository.\n")
	}
	b.WriteString(w.ampQuitNote())
	return wrap(b.String(), w.winW)
}

// wrap wraps s to width columns at spaces and after slashes (paths break between their
// parts, not inside a name), with hard breaks only for words longer than a line. Hyphens do
// not break (slugs such as amplication-server stay whole): they are swapped for a
// non-breaking hyphen of the same width while wrapping. A wrapped line keeps its hanging
// indent: continuation lines start under the text after the line's indent and its marker
// ("• ", "› ", "1. ", "✓ "), so lists and indented values stay readable.
func wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = wrapLine(l, width)
		}
	}
	return strings.Join(lines, "\n")
}

// ampQuitNote says, when signed in to Amplication and nothing was stored there, that
// nothing was (what was stored is among the outside facts).
func (w *wizard) ampQuitNote() string {
	if !w.s.Summary().NothingStoredInAmplication() {
		return ""
	}
	return "Nothing was stored in Amplication.\n"
}

// wrapLine wraps one line with its hanging indent (see wrap).
func wrapLine(l string, width int) string {
	hang := hangWidth(ansi.Strip(l))
	if hang == 0 || hang > width/2 {
		return wrapPlain(l, width)
	}
	first, _, _ := strings.Cut(wrapPlain(l, width), "\n")
	rest := ansi.Cut(l, ansi.StringWidth(first), ansi.StringWidth(l))
	if brokeInside(first, rest) {
		rest = wordCont + rest
	}
	rest = trimLeftSpaces(rest)
	if ansi.StringWidth(rest) == 0 {
		return first
	}
	pad := strings.Repeat(" ", hang)
	parts := strings.Split(wrapPlain(rest, width-hang), "\n")
	for i, p := range parts {
		parts[i] = pad + trimLeftSpaces(p)
	}
	return first + "\n" + strings.Join(parts, "\n")
}

// trimLeftSpaces drops the spaces a line's text starts with, also those behind a style's
// escape sequences (a line cut just after a styled word starts with its reset, then the
// space that followed it).
func trimLeftSpaces(s string) string {
	var styles strings.Builder
	for {
		switch {
		case strings.HasPrefix(s, " "):
			s = s[1:]
			continue
		case strings.HasPrefix(s, "\x1b["):
			end := strings.IndexFunc(s[2:], func(r rune) bool { return r >= 0x40 && r <= 0x7e })
			if end >= 0 {
				styles.WriteString(s[:end+3])
				s = s[end+3:]
				continue
			}
		}
		return styles.String() + s
	}
}

// brokeInside reports whether a line ends inside a word that rest goes on with, where
// breakWord marks the break (not after a hyphen or a slash).
func brokeInside(first, rest string) bool {
	f, r := ansi.Strip(first), ansi.Strip(rest)
	if f == "" || r == "" || strings.HasPrefix(r, " ") {
		return false
	}
	last := f[len(f)-1]
	return last != ' ' && last != '-' && last != '/'
}

// hangWidth is the width of a line's indent and list marker: where its wrapped lines start.
func hangWidth(plain string) int {
	n := len(plain) - len(strings.TrimLeft(plain, " "))
	rest := plain[n:]
	for _, m := range []string{"• ", "› ", "✓ ", "= ", "→ "} {
		if strings.HasPrefix(rest, m) {
			return n + ansi.StringWidth(m)
		}
	}
	if d := len(rest) - len(strings.TrimLeft(rest, "0123456789")); d > 0 && d <= 3 && strings.HasPrefix(rest[d:], ". ") {
		return n + d + 2
	}
	return n
}

// wrapPlain wraps at spaces, hyphens and URLs kept whole. A word too long for a line of
// its own is broken where it reads on: a path after a slash, a slug after a hyphen, and
// only where neither is possible (a URL, a long token) inside it, the line it goes on
// starting with the continuation marker (wordCont), so nothing is cut mid-word unmarked.
func wrapPlain(s string, width int) string {
	// Follow the wrap's columns, so a long word's first piece fills the line it starts on.
	words := strings.Split(keepCommands(s, width), " ")
	col := 0
	for i, w := range words {
		ww := ansi.StringWidth(w)
		if i > 0 {
			col++ // the space before it
		}
		switch {
		case ww > width:
			// The first piece fills the line, but a URL starts on a line of its own.
			first := width
			if room := width - col; col > 0 && room >= 4 && !strings.Contains(ansi.Strip(w), "://") {
				first = room
			}
			words[i] = breakWord(w, first, width)
			last := words[i][strings.LastIndex(words[i], " ")+1:]
			col = ansi.StringWidth(last)
		case col+ww > width:
			col = ww
		default:
			col += ww
		}
	}
	s = strings.ReplaceAll(strings.Join(words, " "), "-", nbHyphen)
	return strings.NewReplacer(nbHyphen, "-", nbSpace, " ").Replace(ansi.Wrap(s, width, ""))
}

// command is a command the operator may copy from running text: wrapping does not split
// it (issue 23 §4), unless it is wider than a line.
var command = regexp.MustCompile(`\b(?:bbsetup (?:amplication (?:authorize|connect|status)|repos (?:list|create)|projects|workspaces|check|configure|authorize|demo)|npx nx serve [a-z][a-z0-9-]*)\b`)

// keepCommands joins the words of each command in s that fits in width with nbSpace, so a
// wrap keeps it on one line; wrapPlain puts the spaces back. A longer one wraps as text.
func keepCommands(s string, width int) string {
	return command.ReplaceAllStringFunc(s, func(c string) string {
		if ansi.StringWidth(c) > width {
			return c
		}
		return strings.ReplaceAll(c, " ", nbSpace)
	})
}

// breakWord splits a word wider than width into pieces that each fill a line, the first
// one the first columns left on the line it starts on (joined by spaces, where the wrap
// then breaks): greedily, after the last slash (not in a URL) or
// hyphen that fits (a slash first), else at the width, the next piece starting with wordCont.
func breakWord(w string, first, width int) string {
	if width < 2 {
		return w
	}
	url := strings.Contains(ansi.Strip(w), "://")
	var pieces []string
	cont := false
	for ansi.StringWidth(w) > 0 {
		limit := width
		switch {
		case len(pieces) == 0:
			limit = first
		case cont:
			limit = width - ansi.StringWidth(wordCont)
		}
		if ansi.StringWidth(w) <= limit {
			pieces = append(pieces, contPrefix(cont)+w)
			break
		}
		// The piece's width: after the last slash that fits, else the last hyphen.
		plain := []rune(ansi.Strip(w))
		at := 0
		for _, sep := range []rune{'/', '-'} {
			for i := 1; i < len(plain); i++ {
				cw := ansi.StringWidth(string(plain[:i+1]))
				if cw > limit {
					break
				}
				if plain[i] == sep && (sep != '/' || !url) {
					at = cw
				}
			}
			if at > 0 {
				break
			}
		}
		hard := at == 0
		if hard {
			at = limit
		}
		pieces = append(pieces, contPrefix(cont)+ansi.Cut(w, 0, at))
		w = ansi.Cut(w, at, ansi.StringWidth(w))
		cont = hard
	}
	return strings.Join(pieces, " ")
}

func contPrefix(cont bool) string {
	if cont {
		return wordCont
	}
	return ""
}

// wordCont starts the line a word broken inside goes on.
const wordCont = "↪"

// nbHyphen stands in for a hyphen, at the same width, while wrapping: hyphens are no wrap
// points (a slug too long for a line is broken at one by breakWord).
const nbHyphen = "\u2011"

// nbSpace stands in for a space inside a command while wrapping (see keepCommands).
const nbSpace = "\u00a0"
