package tui

import (
	"io"
	"os"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// palette is the adaptive colour set; every colour on screen comes from here.
type palette struct {
	accent, subtle, faint, ok, warn, bad, text lipgloss.TerminalColor
}

func adaptivePalette() palette {
	return palette{
		accent: lipgloss.AdaptiveColor{Light: "#0052CC", Dark: "#4C9AFF"}, // Bitbucket blue
		subtle: lipgloss.AdaptiveColor{Light: "#5E6C84", Dark: "#A5ADBA"},
		faint:  lipgloss.AdaptiveColor{Light: "#97A0AF", Dark: "#6B778C"},
		ok:     lipgloss.AdaptiveColor{Light: "#006644", Dark: "#57D9A3"},
		warn:   lipgloss.AdaptiveColor{Light: "#974F0C", Dark: "#FFC400"},
		bad:    lipgloss.AdaptiveColor{Light: "#BF2600", Dark: "#FF7452"},
		text:   lipgloss.AdaptiveColor{Light: "#172B4D", Dark: "#EBECF0"},
	}
}

// styles are every lipgloss style the wizard uses.
type styles struct {
	noColor bool

	title     lipgloss.Style // "bbsetup"
	stepLabel lipgloss.Style // "3/11 Permissions"
	demo      lipgloss.Style // demo badge
	heading   lipgloss.Style // a screen's heading
	text      lipgloss.Style
	subtle    lipgloss.Style
	faint     lipgloss.Style
	strong    lipgloss.Style
	code      lipgloss.Style // paths, URLs, commands
	ok        lipgloss.Style
	warn      lipgloss.Style
	bad       lipgloss.Style
	selected  lipgloss.Style // the row under the cursor
	cursor    lipgloss.Style // the "›" marker
	match     lipgloss.Style

	errBox   lipgloss.Style
	errTitle lipgloss.Style
	warnBox  lipgloss.Style
	okBox    lipgloss.Style

	diffAdd  lipgloss.Style
	diffDel  lipgloss.Style
	diffHunk lipgloss.Style

	help help.Styles
	list list.Styles
}

// noColorRequested reports whether NO_COLOR is set (to anything non-empty), per no-color.org.
func noColorRequested(lookup func(string) (string, bool)) bool {
	v, ok := lookup("NO_COLOR")
	return ok && v != ""
}

// newRenderer returns a renderer for out; plain (no colours) when noColor.
func newRenderer(out io.Writer, noColor bool) *lipgloss.Renderer {
	if out == nil {
		out = os.Stdout
	}
	r := lipgloss.NewRenderer(out)
	if noColor {
		r.SetColorProfile(termenv.Ascii)
	}
	return r
}

// newStyles builds the style set on renderer r. With noColor every style is plain text:
// bold and borders stay, colours go.
func newStyles(r *lipgloss.Renderer, noColor bool) styles {
	p := adaptivePalette()
	fg := func(s lipgloss.Style, c lipgloss.TerminalColor) lipgloss.Style {
		if noColor {
			return s
		}
		return s.Foreground(c)
	}
	ns := r.NewStyle
	s := styles{noColor: noColor}
	s.title = fg(ns().Bold(true), p.accent)
	s.stepLabel = fg(ns(), p.subtle)
	s.demo = fg(ns().Bold(true), p.warn)
	s.heading = fg(ns().Bold(true), p.text)
	s.text = fg(ns(), p.text)
	s.subtle = fg(ns(), p.subtle)
	s.faint = fg(ns(), p.faint)
	s.strong = fg(ns().Bold(true), p.text)
	s.code = fg(ns(), p.accent)
	s.ok = fg(ns(), p.ok)
	s.warn = fg(ns(), p.warn)
	s.bad = fg(ns(), p.bad)
	s.selected = fg(ns().Bold(true), p.accent)
	s.cursor = fg(ns().Bold(true), p.accent)
	s.match = fg(ns().Underline(true), p.accent)
	box := ns().Border(lipgloss.RoundedBorder()).Padding(0, 1)
	if noColor {
		s.errBox, s.warnBox, s.okBox = box, box, box
	} else {
		s.errBox = box.BorderForeground(p.bad)
		s.warnBox = box.BorderForeground(p.warn)
		s.okBox = box.BorderForeground(p.ok)
	}
	s.errTitle = fg(ns().Bold(true), p.bad)
	s.diffAdd = fg(ns(), p.ok)
	s.diffDel = fg(ns(), p.bad)
	s.diffHunk = fg(ns(), p.faint)

	s.help = help.Styles{
		ShortKey:       fg(ns(), p.subtle),
		ShortDesc:      fg(ns(), p.faint),
		ShortSeparator: fg(ns(), p.faint),
		Ellipsis:       fg(ns(), p.faint),
		FullKey:        fg(ns(), p.subtle),
		FullDesc:       fg(ns(), p.faint),
		FullSeparator:  fg(ns(), p.faint),
	}
	s.list = list.Styles{
		TitleBar:                    ns(),
		Title:                       s.heading,
		Spinner:                     s.subtle,
		FilterPrompt:                s.code,
		FilterCursor:                s.code,
		DefaultFilterCharacterMatch: s.match,
		StatusBar:                   fg(ns(), p.faint).Padding(0, 0, 1, 0),
		StatusEmpty:                 s.faint,
		StatusBarActiveFilter:       s.text,
		StatusBarFilterCount:        s.faint,
		NoItems:                     s.faint,
		PaginationStyle:             ns(),
		HelpStyle:                   ns(),
		ActivePaginationDot:         fg(ns(), p.text).SetString("•"),
		InactivePaginationDot:       fg(ns(), p.faint).SetString("•"),
		ArabicPagination:            s.faint,
		DividerDot:                  fg(ns(), p.faint).SetString(" • "),
	}
	return s
}

// styleInput applies the palette to a text input.
func (s styles) styleInput(ti *textinput.Model) {
	ti.PromptStyle = s.code
	ti.TextStyle = s.text
	ti.PlaceholderStyle = s.faint
	ti.CompletionStyle = s.faint
	ti.Cursor.Style = s.code
	ti.Cursor.TextStyle = s.text
}
