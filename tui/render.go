package tui

import (
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Helpers the screens share for rendering and for the few commands several screens issue.

// box renders a bordered box with a bold title, a body and the next action, at most the
// body width wide. Below 12 columns it drops the border.
func (c *common) box(kind string, title, body, next string) string {
	st := c.st
	bs := st.errBox
	ts := st.errTitle
	switch kind {
	case "warn":
		bs, ts = st.warnBox, st.warn.Bold(true)
	case "ok":
		bs, ts = st.okBox, st.ok.Bold(true)
	}
	inner := ts.Render(title)
	if body != "" {
		inner += "\n" + body
	}
	if next != "" {
		inner += "\n" + st.strong.Render("→ ") + next
	}
	if c.width < 12 {
		return wrap(inner, c.width)
	}
	// Width counts the padding but not the border.
	return bs.Width(c.width - 2).Render(wrap(inner, c.width-4))
}

// errorBox is a styled error with the next action.
// errorBox's body is usually an error's text, which can carry a server's or a file's
// words: it is made safe for the terminal here, once for every screen.
func (c *common) errorBox(title, body, next string) string {
	return c.box("err", title, safetext.Block(body), next)
}

// errText is an error's text made safe for one line of the terminal.
func errText(err error) string { return safetext.Line(err.Error()) }

// spinnerLine is the spinner followed by text.
func (c *common) spinnerLine(text string) string {
	if c.noTicks {
		return c.st.code.Render("…") + " " + text
	}
	return c.spin.View() + " " + text
}

// RelPath shows path relative to root when it is inside it (the wizard and the line
// mode show the checkout's files so).
func RelPath(root, path string) string {
	if root == "" {
		return path
	}
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// rel is RelPath, short for the screens.
var rel = RelPath

// thousands formats n with comma separators: 4980 -> "4,980".
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// plural is "1 match", "48 matches", "1,200 matches".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// callbackPort is the port of the callback URL (3001 by default).
func callbackPort(callback string) string {
	u, err := url.Parse(callback)
	if err != nil || u.Port() == "" {
		return "3001"
	}
	return u.Port()
}

// bullets renders items as a "•" list.
func bullets(items []string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("  • " + it)
	}
	return b.String()
}

// fit truncates s to width columns.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// printAbove prints text above the frame, unindented and not cut: the terminal wraps it, so
// it is selected and copied whole (an authorize URL). The screen then reports it with
// printer.printed, so the frame keeps it on screen.
//
// It starts by erasing the screen below the cursor: Bubble Tea writes printed lines over the
// last frame and, for a line wider than the terminal, does not erase what the frame left on
// its last row (it repaints the whole frame after them anyway).
func printAbove(text string) tea.Cmd { return tea.Println(ansi.EraseScreenBelow + text + "\n") }

// openedMsg is the result of openCmd.
type openedMsg struct {
	url string
	err error
}

// openCmd opens url in the browser via the backend.
func (c *common) openCmd(u string) tea.Cmd {
	b := c.browser
	return func() tea.Msg { return openedMsg{url: u, err: b.OpenBrowser(u)} }
}

// copiedMsg is the result of copyCmd.
type copiedMsg struct{ err error }

// copyCmd puts text on the clipboard with an OSC 52 sequence written to the terminal in one
// write (tmux and screen need it wrapped).
func (c *common) copyCmd(text string) tea.Cmd {
	out := c.clip
	seq := osc52.New(text)
	switch {
	case os.Getenv("TMUX") != "":
		seq = seq.Tmux()
	case strings.HasPrefix(os.Getenv("TERM"), "screen"):
		seq = seq.Screen()
	}
	return func() tea.Msg {
		if out == nil {
			return copiedMsg{}
		}
		_, err := out.Write([]byte(seq.String()))
		return copiedMsg{err: err}
	}
}

// bitbucketURL is the Bitbucket base URL without a trailing slash.
func (c *common) bitbucketURL() string {
	if c.opts.BitbucketURL == "" {
		return "https://bitbucket.org"
	}
	return strings.TrimRight(c.opts.BitbucketURL, "/")
}

// fieldLabel is a form field's label: with the focus marker when the field has focus
// (text, so it survives NO_COLOR), indented under it otherwise. The fields' inputs have a
// blank prompt, so only the focused field is marked.
func fieldLabel(c *common, focused bool, text string) string {
	if focused {
		return c.st.cursor.Render(focusMarker) + c.st.selected.Render(text)
	}
	return "  " + c.st.strong.Render(text)
}

// kv renders "label  value" with the label padded to labelW columns, or, when that does not
// fit the width, the label and the value on lines of their own (no indent wasted).
func (c *common) kv(label string, labelW int, value string) string {
	pad := max(labelW-ansi.StringWidth(label), 1)
	if labelW+ansi.StringWidth(value) <= c.width {
		return c.st.strong.Render(label) + strings.Repeat(" ", pad) + value
	}
	return c.st.strong.Render(label) + "\n" + value
}

// indented prefixes s with indent when the line then still fits; long lines (URLs, paths)
// go unindented rather than wrapping after the indent.
func (c *common) indented(indent, s string) string {
	if ansi.StringWidth(indent+s) <= c.width {
		return indent + s
	}
	return s
}

// groupPermissions folds permission labels "Row: Level" into one line per row, in the
// order the rows first appear: "Repositories: Read, Write, Admin". Labels without a
// colon stay as they are.
func groupPermissions(labels []string) []string {
	var rows []string
	levels := map[string][]string{}
	for _, l := range labels {
		row, level, ok := strings.Cut(l, ": ")
		if !ok {
			row, level = l, ""
		}
		if _, seen := levels[row]; !seen {
			rows = append(rows, row)
			levels[row] = nil
		}
		if level != "" {
			levels[row] = append(levels[row], level)
		}
	}
	out := make([]string, 0, len(rows))
	for _, row := range rows {
		if len(levels[row]) == 0 {
			out = append(out, row)
			continue
		}
		out = append(out, row+": "+strings.Join(levels[row], ", "))
	}
	return out
}
