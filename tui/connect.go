package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Step 11: connect an existing repository. The list shows the first batch at once and grows
// as batches stream in; typing filters what is loaded (a substring match over precomputed
// lowercase keys, narrowing the previous matches when the filter only grew); when typing
// pauses and loading is not complete, the server is searched for the rest. Only the visible
// window is rendered, so a keystroke costs the same with 10 or 10,000 repositories loaded.

type connectScreen struct {
	c   *common
	api RepoLister
	ctx context.Context // the step's: server searches
	ws  string
	// The main listing runs under the wizard's context, not the step's: it starts when the
	// workspace is chosen (prefetchMsg), so the first page is there by the time Connect is
	// (issue 6), and it goes on while the operator moves between Choice and Connect.
	listBase context.Context
	listing  request

	input textinput.Model

	repos []Repo
	lower []string       // lowercase "slug name full_name project" per repo
	seen  map[string]int // FullName -> index, to merge server search results

	loading   bool
	loadedAll bool
	loadErr   error
	loaded    int
	total     int

	filter  string // the lowercase filter the matches are for
	matches []int  // indexes into repos, in load order
	spare   []int  // the other buffer, for full rescans
	cursor  int    // index into matches
	offset  int    // first visible match

	pause       request // typing paused (a timer)
	search      request
	searching   string // the filter being searched server-side
	searchFound int    // results of the current search so far
	searched    map[string]bool
	searchErr   error
}

// streamItem is one message from a ListRepos goroutine.
type streamItem struct {
	batch         []Repo
	loaded, total int
	done          bool
	err           error
}

// repoBatchMsg carries a batch (or the end) of a ListRepos stream.
type repoBatchMsg struct {
	seq    uint64
	search string // "" for the main listing, else the server-side filter
	item   streamItem
	ch     <-chan streamItem
	ctx    context.Context
}

// target implements targeted: the listing may be running before (or after) the Connect
// screen shows.
func (repoBatchMsg) target() step { return stepConnect }

// debounceMsg fires when typing paused.
type debounceMsg struct {
	seq    uint64
	filter string
}

func newConnect(c *common) *connectScreen {
	s := &connectScreen{c: c, input: newInput(c, "type to filter"), listing: newRequest(c), pause: newRequest(c), search: newRequest(c)}
	s.input.Prompt = "Filter › "
	s.input.CharLimit = 100
	return s
}

// setWorkspace switches the screen to ws, dropping what was loaded for another workspace.
// base is the context listings run under (the wizard's).
func (s *connectScreen) setWorkspace(ws string, api RepoLister, base context.Context) {
	s.listBase, s.api = base, api
	if ws == s.ws {
		return
	}
	s.ws = ws
	s.reset()
}

// prefetch starts the main listing unless it is running or done.
func (s *connectScreen) prefetch() tea.Cmd {
	if s.loading || s.loadedAll {
		return nil
	}
	if s.seen == nil {
		s.reset()
	}
	return s.list()
}

// stopListing cancels a listing in flight and drops what it loaded (the Create path does
// not need it; Connect starts it again).
func (s *connectScreen) stopListing() {
	if s.loading {
		s.reset()
	}
}

func (s *connectScreen) reset() {
	s.listing.stop()
	s.repos, s.lower, s.seen = nil, nil, map[string]int{}
	s.loading, s.loadedAll, s.loadErr, s.loaded, s.total = false, false, nil, 0, 0
	s.filter, s.matches, s.spare, s.cursor, s.offset = "", nil, nil, 0, 0
	s.searched, s.searching, s.searchErr = map[string]bool{}, "", nil
	s.input.SetValue("")
}

// enter types e.filter into the filter (Create's "connect to it"), if set.
func (s *connectScreen) enter(e entry) tea.Cmd {
	s.ctx = e.ctx
	if s.seen == nil {
		s.reset()
	}
	cmds := []tea.Cmd{s.input.Focus()}
	if !s.loadedAll && !s.loading {
		// Not started, or stopped by an error: start over.
		s.reset()
		cmds = append(cmds, s.list())
	}
	if e.filter != "" {
		s.input.SetValue(e.filter)
		s.input.CursorEnd()
		s.refilter()
		cmds = append(cmds, s.debounce())
	}
	return tea.Batch(cmds...)
}

// list starts the main listing.
func (s *connectScreen) list() tea.Cmd {
	base := s.listBase
	if base == nil {
		base = context.Background()
	}
	s.loading = true
	s.loadErr = nil
	ctx, seq := s.listing.start(base)
	return s.stream(ctx, seq, "")
}

// stream runs ListRepos in a goroutine started by the command, and returns its first item.
func (s *connectScreen) stream(ctx context.Context, seq uint64, filter string) tea.Cmd {
	api, ws := s.api, s.ws
	return func() tea.Msg {
		ch := make(chan streamItem, 8)
		go func() {
			defer close(ch)
			err := api.ListRepos(ctx, ws, filter, func(batch []Repo, loaded, total int) {
				cp := append([]Repo(nil), batch...)
				select {
				case ch <- streamItem{batch: cp, loaded: loaded, total: total}:
				case <-ctx.Done():
				}
			})
			select {
			case ch <- streamItem{done: true, err: err}:
			case <-ctx.Done():
			}
		}()
		return nextItem(ctx, seq, filter, ch)()
	}
}

// nextItem reads the stream's next item.
func nextItem(ctx context.Context, seq uint64, filter string, ch <-chan streamItem) tea.Cmd {
	return func() tea.Msg {
		select {
		case it, ok := <-ch:
			if !ok {
				return repoBatchMsg{seq: seq, search: filter, item: streamItem{done: true, err: ctx.Err()}}
			}
			return repoBatchMsg{seq: seq, search: filter, item: it, ch: ch, ctx: ctx}
		case <-ctx.Done():
			return repoBatchMsg{seq: seq, search: filter, item: streamItem{done: true, err: ctx.Err()}}
		}
	}
}

// Server-side search limits: filters shorter than this match most of the workspace, which
// the main listing is fetching anyway; a search stops after this many results (the rest
// arrive with the main listing).
const (
	minSearchLen   = 2
	maxSearchFound = 500
)

func (s *connectScreen) debounce() tea.Cmd {
	if s.loadedAll || len(s.filter) < minSearchLen {
		return nil
	}
	seq, f := s.pause.next(), s.filter
	return tea.Tick(s.c.debounce, func(time.Time) tea.Msg { return debounceMsg{seq: seq, filter: f} })
}

func (s *connectScreen) typing() bool { return true }
func (s *connectScreen) busy() bool   { return s.loading || s.searching != "" }

func (s *connectScreen) keys() bindings {
	km := s.c.km
	back := with(km.Back, "esc", "back")
	if s.input.Value() != "" {
		back = with(km.Back, "esc", "clear filter")
	}
	short := []key.Binding{with(km.Up, "↑/↓", "move"), with(km.Enter, "enter", "connect"), back}
	if s.loadErr != nil {
		short = append(short, s.c.againKeys(s.loadErr)...)
		short = append(short, km.RetryList)
		if credentialsRejected(s.loadErr) {
			short = append(short, km.ChangeKeyTyping)
		}
	} else {
		short = append(short, with(km.RetryList, "ctrl+r", "reload"))
	}
	return bindings{
		short: short,
		full: [][]key.Binding{
			{with(km.Up, "↑", "up"), with(km.Down, "↓", "down"), with(km.PageUp, "pgup", "page up"), with(km.PageDown, "pgdn", "page down")},
			{with(km.Enter, "enter", "connect this repository"), with(km.Back, "esc", "clear filter / back"), with(km.Tab, "type", "filter")},
		},
	}
}

// add appends a batch, skipping repositories already present, and extends the matches.
func (s *connectScreen) add(batch []Repo) {
	for _, r := range batch {
		id := r.FullName
		if id == "" {
			id = s.ws + "/" + r.Slug
		}
		if _, dup := s.seen[id]; dup {
			continue
		}
		i := len(s.repos)
		s.seen[id] = i
		s.repos = append(s.repos, r)
		k := strings.ToLower(r.Slug + "\x00" + r.Name + "\x00" + r.FullName + "\x00" + r.Project)
		s.lower = append(s.lower, k)
		if s.filter == "" || strings.Contains(k, s.filter) {
			s.matches = append(s.matches, i)
		}
	}
}

// refilter recomputes the matches for the input's value: by narrowing the current matches
// when the filter only grew, by a scan of every loaded key otherwise.
func (s *connectScreen) refilter() {
	f := strings.ToLower(strings.TrimSpace(s.input.Value()))
	if f == s.filter {
		return
	}
	if s.filter != "" && strings.Contains(f, s.filter) {
		out := s.matches[:0]
		for _, i := range s.matches {
			if strings.Contains(s.lower[i], f) {
				out = append(out, i)
			}
		}
		s.matches = out
	} else {
		out := s.spare[:0]
		for i, k := range s.lower {
			if f == "" || strings.Contains(k, f) {
				out = append(out, i)
			}
		}
		s.spare, s.matches = s.matches, out
	}
	s.filter = f
	s.cursor, s.offset = 0, 0
	s.searchErr = nil
}

// listHeight is how many rows the list shows.
func (s *connectScreen) listHeight() int { return max(s.c.height-5, 1) }

func (s *connectScreen) move(d int) {
	if len(s.matches) == 0 {
		s.cursor = 0
		return
	}
	s.cursor = min(max(s.cursor+d, 0), len(s.matches)-1)
	h := s.listHeight()
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+h {
		s.offset = s.cursor - h + 1
	}
}

func (s *connectScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case prefetchMsg:
		s.setWorkspace(msg.ws, msg.api, msg.base)
		if msg.again {
			s.reset()
		}
		return s.prefetch()
	case stopListingMsg:
		if msg.drop {
			s.reset()
			return nil
		}
		s.stopListing()
		return nil
	case repoBatchMsg:
		return s.batch(msg)
	case debounceMsg:
		if !s.pause.current(msg.seq) || msg.filter != s.filter || s.loadedAll || s.searched[msg.filter] || s.searching == msg.filter {
			return nil
		}
		s.searching, s.searchFound = msg.filter, 0
		ctx, seq := s.search.start(s.ctx)
		return s.stream(ctx, seq, msg.filter)
	case tea.KeyMsg:
		switch {
		case msg.Type == tea.KeyUp:
			s.move(-1)
		case msg.Type == tea.KeyDown:
			s.move(1)
		case msg.Type == tea.KeyPgUp:
			s.move(-s.listHeight())
		case msg.Type == tea.KeyPgDown:
			s.move(s.listHeight())
		case msg.Type == tea.KeyHome:
			s.move(-len(s.matches))
		case msg.Type == tea.KeyEnd:
			s.move(len(s.matches))
		case key.Matches(msg, km.Enter) && !msg.Paste:
			if s.cursor < len(s.matches) {
				return s.c.report(repoMsg{repo: s.repos[s.matches[s.cursor]]})
			}
		case credentialLost(s.loadErr) && key.Matches(msg, km.Again):
			cmd, _ := s.c.againCmd(msg, s.loadErr)
			return cmd
		case key.Matches(msg, km.ChangeKeyTyping) && credentialsRejected(s.loadErr):
			return s.c.report(rejectedFix(s.loadErr))
		case key.Matches(msg, km.RetryList): // at any time: the workspace may have changed
			v := s.input.Value()
			s.reset()
			s.input.SetValue(v)
			s.refilter()
			return s.list()
		case key.Matches(msg, km.Back):
			if s.input.Value() != "" {
				s.input.SetValue("")
				s.refilter()
				return nil
			}
			return s.c.report(backMsg{})
		default:
			if msg.Paste || len(msg.Runes) > 1 {
				msg.Runes = []rune(strings.TrimSpace(string(msg.Runes)))
			}
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			before := s.filter
			s.refilter()
			if s.filter != before {
				return tea.Batch(cmd, s.debounce())
			}
			return cmd
		}
	}
	return nil
}

func (s *connectScreen) batch(msg repoBatchMsg) tea.Cmd {
	search := msg.search != ""
	if (!search && !s.listing.current(msg.seq)) || (search && !s.search.current(msg.seq)) {
		return nil
	}
	it := msg.item
	if len(it.batch) > 0 {
		s.add(it.batch)
	}
	if search && !it.done {
		s.searchFound += len(it.batch)
		if s.searchFound >= maxSearchFound {
			// Enough to choose from; the main listing brings the rest.
			s.search.stop()
			s.searching = ""
			s.searched[msg.search] = true
			return nil
		}
	}
	if !search {
		if it.loaded > 0 {
			s.loaded = it.loaded
		}
		if it.total > 0 {
			s.total = it.total
		}
	}
	if it.done {
		if search {
			if s.searching == msg.search {
				s.searching = ""
			}
			if it.err == nil {
				s.searched[msg.search] = true
			} else if msg.ctx == nil || msg.ctx.Err() == nil {
				s.searchErr = it.err
			}
			return nil
		}
		s.loading = false
		if it.err != nil {
			if !errors.Is(it.err, context.Canceled) {
				s.loadErr = it.err
			}
			return nil
		}
		s.loadedAll = true
		s.loaded = len(s.repos)
		if s.searching != "" {
			s.search.stop()
			s.searching = ""
		}
		return nil
	}
	return nextItem(msg.ctx, msg.seq, msg.search, msg.ch)
}

// layout sizes the filter input to the body width.
func (s *connectScreen) layout() {
	s.input.Width = max(s.c.width-ansi.StringWidth(s.input.Prompt)-1, 1)
}

func (s *connectScreen) view() string {
	st := s.c.st
	var b strings.Builder
	// The header is exactly four lines at any width, so the list below fits the screen.
	w := s.c.width
	b.WriteString(fit(st.heading.Render("Connect a repository in "+s.ws), w) + "\n")
	b.WriteString(fit(s.input.View(), w) + "\n")
	b.WriteString(fit(s.status(), w) + "\n")
	h := s.listHeight()
	if s.loadErr != nil && len(s.repos) > 0 {
		// Say why the listing stopped, in at most two lines taken from the list.
		why := "Listing stopped: " + errText(s.loadErr) + " (ctrl+r retries)"
		if credentialLost(s.loadErr) {
			why = "Listing stopped: bbsetup's authorization was refused (ctrl+l authorizes again)"
		}
		msg := strings.Split(wrap(why, w), "\n")
		if len(msg) > 2 {
			msg = append(msg[:1], fit(strings.Join(msg[1:], " "), w))
		}
		for _, l := range msg {
			b.WriteString(st.bad.Render(l) + "\n")
		}
		h = max(h-len(msg)+1, 1)
	} else {
		b.WriteString("\n")
	}
	if text, ok := s.noRows(); ok {
		b.WriteString(text)
		return b.String()
	}
	b.WriteString(s.rows(h))
	return b.String()
}

// noRows is what the list shows instead of rows: why it could not be listed, or that
// nothing is there or matches. ok is false when there are rows to show.
func (s *connectScreen) noRows() (text string, ok bool) {
	st := s.c.st
	switch {
	case credentialLost(s.loadErr) && len(s.repos) == 0:
		return s.c.lostBox("Could not list the repositories", s.loadErr), true
	case s.loadErr != nil && len(s.repos) == 0:
		next := "Press ctrl+r to try again."
		if credentialsRejected(s.loadErr) {
			next = "Press ctrl+k to change the key and secret (they are checked, then written again), or ctrl+r to try again."
		}
		return s.c.errorBox("Could not list the repositories", s.loadErr.Error(), next), true
	case len(s.matches) == 0 && len(s.repos) == 0 && s.loadedAll:
		return st.faint.Render("This workspace has no repositories yet (or none you can see). Press esc, then choose Create."), true
	case len(s.matches) == 0 && s.filter != "":
		switch {
		case s.searching != "":
			return st.faint.Render("Nothing loaded matches; searching Bitbucket…"), true
		case s.loadedAll || s.searched[s.filter]:
			return st.faint.Render("No repository matches \"" + s.filter + "\"."), true
		default:
			return st.faint.Render("Nothing loaded matches yet."), true
		}
	}
	return "", false
}

// rows is the h rows of the list from offset, the cursor's marked, in aligned columns.
func (s *connectScreen) rows(h int) string {
	st := s.c.st
	w := s.c.width
	var b strings.Builder
	end := min(s.offset+h, len(s.matches))
	// Aligned columns over the rows shown: slug (at most half the width), name (a third),
	// project.
	slugW, nameW := 0, 0
	for vi := s.offset; vi < end; vi++ {
		r := &s.repos[s.matches[vi]]
		slugW = max(slugW, ansi.StringWidth(r.Slug))
		if r.Name != r.Slug {
			nameW = max(nameW, ansi.StringWidth(r.Name))
		}
	}
	// The name column only when the slugs leave room for it: columns stay aligned.
	if slugW+2+8 > w-2 {
		nameW = 0
	}
	nameW = min(nameW, max(w-2-slugW-2, 0))
	for vi := s.offset; vi < end; vi++ {
		r := &s.repos[s.matches[vi]]
		var line strings.Builder
		if vi == s.cursor {
			line.WriteString(st.cursor.Render(focusMarker))
			line.WriteString(st.selected.Render(r.Slug))
		} else {
			line.WriteString("  ")
			line.WriteString(r.Slug)
		}
		line.WriteString(strings.Repeat(" ", max(slugW-ansi.StringWidth(r.Slug), 0)))
		name := ""
		if r.Name != r.Slug {
			name = r.Name
		}
		if nameW > 0 {
			line.WriteString("  ")
			line.WriteString(st.subtle.Render(name))
			line.WriteString(strings.Repeat(" ", max(nameW-ansi.StringWidth(name), 0)))
		}
		if r.Project != "" {
			line.WriteString(st.faint.Render("  " + r.Project))
		}
		if !r.Private {
			line.WriteString(st.warn.Render("  public"))
		}
		b.WriteString(fit(strings.TrimRight(line.String(), " "), w))
		if vi < end-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// status is "312 of 4,980 loaded", the match count and the server search state.
func (s *connectScreen) status() string {
	st := s.c.st
	var parts []string
	switch {
	case s.loading && s.total > 0:
		parts = append(parts, s.c.spinnerLine(thousands(len(s.repos))+" of "+thousands(s.total)+" loaded"))
	case s.loading:
		parts = append(parts, s.c.spinnerLine(thousands(len(s.repos))+" loaded"))
	case s.loadErr != nil:
		parts = append(parts, st.bad.Render(thousands(len(s.repos))+" loaded, listing stopped"))
	default:
		parts = append(parts, thousands(len(s.repos))+" repositories")
	}
	if n := len(s.matches); n > 0 && s.cursor < n {
		parts = append(parts, "row "+thousands(s.cursor+1)+" of "+thousands(n))
	}
	if s.filter != "" {
		parts = append(parts, plural(len(s.matches), "match", "matches"))
		switch {
		case s.searching == s.filter:
			parts = append(parts, "searching Bitbucket…")
		case s.searchErr != nil:
			parts = append(parts, st.warn.Render("search failed: "+errText(s.searchErr)))
		case s.searched[s.filter] && !s.loadedAll:
			parts = append(parts, "Bitbucket searched")
		}
	}
	return st.faint.Render(strings.Join(parts, " · "))
}
