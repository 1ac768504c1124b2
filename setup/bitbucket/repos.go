package bitbucket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxPageLen is the largest page Bitbucket serves.
const MaxPageLen = 100

// ListOptions narrow and order a repository listing.
type ListOptions struct {
	Filter  string // server-side name filter: q=name~"Filter" (case-insensitive contains)
	Sort    string // e.g. "-updated_on"; "" is Bitbucket's order
	PageLen int    // 1..100, default 100
}

// ListRepositories lists the repositories of workspace ws
// (GET /repositories/{ws}) and hands them to fn in batches as pages arrive, so a caller
// can show the first page at once. fn is called from the calling goroutine, one call at a
// time, in page order (Bitbucket's order); loaded is how many repositories have been delivered so far
// (this batch included) and total is the size Bitbucket reported (never less than
// loaded), or -1 when it reported none.
//
// After the first page, which gives the size, the remaining pages are fetched
// concurrently (at most Options.Concurrency in flight), so a listing of N repositories
// costs ⌈N/100⌉ requests. Without a size the next links are followed one by one. The
// listing ends at the last page, at an empty page, at a page that adds no repository
// not already delivered, at a next link already fetched, at a page whose "page" field
// is not the page asked for, when the pages size promised are done, or after maxPages
// pages. A repository is delivered once (by UUID, or full name without one). A 404 is
// the end of the list only after a short page; a 404 for a page in the middle of the
// list is an error. On the first error every request in flight is cancelled and the
// error returned (batches already delivered stay delivered).
func (c *Client) ListRepositories(ctx context.Context, ws string, o ListOptions, fn func(batch []Repository, loaded, total int)) (err error) {
	if err := checkWorkspace(ws); err != nil {
		return err
	}
	ctx, done := c.bound(ctx, "the repository list of workspace "+ws)
	defer func() { err = done(err) }()
	if fn == nil {
		fn = func([]Repository, int, int) {}
	}
	first := c.endpoint(listQuery(o), "repositories", ws)

	var p1 pageJSON[repoJSON]
	if err := c.getJSON(ctx, first, &p1); err != nil {
		return err
	}
	sink := &repoSink{
		fn:      fn,
		total:   c.reportedTotal(p1.Size),
		seen:    map[string]bool{},
		tooMany: &TooManyError{What: "repositories in workspace " + ws, Limit: MaxRepositories},
	}
	if len(p1.Values) == 0 {
		sink.deliver(nil) // an empty workspace still reports its (zero) total
		return nil
	}
	if p1.Next == "" {
		return sink.deliverOrOver(mapRepos(p1.Values))
	}
	if !c.sameOrigin(p1.Next) {
		if err := sink.deliverOrOver(mapRepos(p1.Values)); err != nil {
			return err
		}
		return errForeignNext(p1.Next)
	}

	// Concurrent path: size known and next is a numbered page after this one.
	current := max(p1.Page, 1)
	if pageTmpl, ok := numberedNext(p1.Next, current); ok && sink.total >= 0 {
		return c.listConcurrent(ctx, ws, pageTmpl, current, max(p1.PageLen, len(p1.Values)), mapRepos(p1.Values), sink)
	}

	// Sequential path: follow next links.
	if err := sink.deliverOrOver(mapRepos(p1.Values)); err != nil {
		return err
	}
	return c.listSequential(ctx, ws, first, p1.Next, sink)
}

// listQuery is the query of a repository listing's first page.
func listQuery(o ListOptions) url.Values {
	pagelen := o.PageLen
	if pagelen <= 0 || pagelen > MaxPageLen {
		pagelen = MaxPageLen
	}
	q := url.Values{"pagelen": {strconv.Itoa(pagelen)}}
	if f := strings.TrimSpace(o.Filter); f != "" {
		q.Set("q", "name ~ "+bbqlString(f))
	}
	if o.Sort != "" {
		q.Set("sort", o.Sort)
	}
	return q
}

// reportedTotal is the listing's size as the first page reported it, or -1 when it
// reported none or one above the cap.
func (c *Client) reportedTotal(size *int) int {
	switch {
	case size != nil && *size > MaxRepositories:
		// Implausible for a listing bbsetup completes: planning pages from it would let
		// a server make bbsetup fetch (and hold) without end. Follow next links instead.
		c.debugf("ignoring the reported size %d (above the cap of %d)", *size, MaxRepositories)
	case size != nil:
		return max(*size, 0)
	}
	return -1
}

// repoSink hands a listing's repositories to the caller's fn, each once and at most
// MaxRepositories of them.
type repoSink struct {
	fn      func(batch []Repository, loaded, total int)
	total   int // the size Bitbucket reported, or -1
	loaded  int // delivered so far
	seen    map[string]bool
	tooMany error // the listing's error past the cap
	// accepted counts the repositories fresh let through; past MaxRepositories, fresh
	// truncates and sets capped: the listing stops with tooMany.
	accepted int
	capped   bool
}

// fresh returns the repositories of batch not delivered before (a server that repeats
// a page, or a list that shifted while it was read, must not show one twice).
// It is fresh, then emit: the concurrent path finds a page with nothing new (the end)
// as soon as the page arrives, but emits pages in page order.
func (s *repoSink) fresh(batch []Repository) []Repository {
	out := batch[:0:0]
	for _, r := range batch {
		id, name := repoKeys(r)
		if (id != "" && s.seen[id]) || (id == "" && name != "" && s.seen[name]) {
			continue
		}
		for _, k := range []string{id, name} {
			if k != "" {
				s.seen[k] = true
			}
		}
		if s.accepted >= MaxRepositories {
			s.capped = true
			break
		}
		s.accepted++
		out = append(out, r)
	}
	return out
}

func (s *repoSink) emit(fresh []Repository) {
	s.loaded += len(fresh)
	t := s.total
	if t >= 0 && t < s.loaded {
		t = s.loaded
	}
	s.fn(fresh, s.loaded, t)
}

// deliver returns how many new repositories it emitted, or -1 once the cap is reached
// (what fitted under it was emitted).
func (s *repoSink) deliver(batch []Repository) int {
	fresh := s.fresh(batch)
	if len(fresh) == 0 && batch != nil && !s.capped {
		return 0
	}
	if len(fresh) > 0 || batch == nil {
		s.emit(fresh)
	}
	if s.capped {
		return -1
	}
	return len(fresh)
}

// deliverOrOver delivers batch and returns the cap's error once it is reached.
func (s *repoSink) deliverOrOver(batch []Repository) error {
	if s.deliver(batch) < 0 {
		return s.tooMany
	}
	return nil
}

// over returns the cap's error once fresh has reached MaxRepositories.
func (s *repoSink) over() error {
	if s.capped {
		return s.tooMany
	}
	return nil
}

// listConcurrent fetches the pages after current that the reported size promises,
// concurrently; first holds page current's repositories and per is the page length.
func (c *Client) listConcurrent(ctx context.Context, ws string, tmpl *url.URL, current, per int, first []Repository, sink *repoSink) error {
	pages := sink.total / per
	if sink.total%per != 0 {
		pages++
	}
	if pages <= current {
		// size promised no more pages: the listing is complete.
		return sink.deliverOrOver(first)
	}
	// The same bound as the sequential path: at most maxPages pages after this one,
	// however large a size the server claims.
	more := pages > current+maxPages
	pages = min(pages, current+maxPages)
	err := c.fetchPages(ctx, tmpl, current+1, pages, per, first, sink)
	if err == nil && more && sink.loaded < sink.total {
		return tooManyPages(ws, sink.loaded)
	}
	return err
}

// listSequential follows next links from the page after first, at most maxPages of them.
func (c *Client) listSequential(ctx context.Context, ws, first, next string, sink *repoSink) error {
	seen := map[string]bool{pageKey(first): true}
	maxItems := -1
	if sink.total >= 0 {
		maxItems = sink.total
	}
	for range maxPages {
		if next == "" || seen[pageKey(next)] || (maxItems >= 0 && sink.loaded >= maxItems) {
			return nil
		}
		if !c.sameOrigin(next) {
			return errForeignNext(next)
		}
		seen[pageKey(next)] = true
		var p pageJSON[repoJSON]
		if err := c.getJSON(ctx, next, &p); err != nil {
			return err
		}
		if len(p.Values) == 0 {
			return nil
		}
		switch sink.deliver(mapRepos(p.Values)) {
		case 0:
			return nil // nothing new: the server is repeating itself
		case -1:
			return sink.tooMany
		}
		next = p.Next
	}
	if next != "" && !seen[pageKey(next)] && (maxItems < 0 || sink.loaded < maxItems) {
		return tooManyPages(ws, sink.loaded)
	}
	return nil
}

func tooManyPages(ws string, loaded int) error {
	return &TooManyError{What: fmt.Sprintf("pages of repositories in workspace %s (%d repositories so far)", ws, loaded), Limit: maxPages}
}

// repoKeys identify a repository for dropping duplicates: one is a duplicate when its
// UUID was delivered before, or, without a UUID, its full name. Either is "" when absent.
func repoKeys(r Repository) (id, name string) {
	if r.UUID != "" {
		id = "uuid:" + r.UUID
	}
	if r.FullName != "" {
		name = "name:" + strings.ToLower(r.FullName)
	}
	return id, name
}

// numberedNext reports whether next is the same list with page=current+1, and returns
// it as a template whose page parameter can be replaced.
func numberedNext(next string, current int) (*url.URL, bool) {
	u, err := url.Parse(next)
	if err != nil {
		return nil, false
	}
	n, err := strconv.Atoi(u.Query().Get("page"))
	if err != nil || n != current+1 {
		return nil, false
	}
	return u, true
}

// pageKey identifies the page a URL names, so that a next link that repeats a page is
// recognised however it is spelled: query parameters in any order, and no page
// parameter meaning page 1.
func pageKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	if q.Get("page") == "" {
		q.Set("page", "1")
	}
	u.RawQuery = q.Encode()
	u.Fragment = ""
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return u.String()
}

func pageURL(tmpl *url.URL, page int) string {
	u := *tmpl
	q := u.Query()
	q.Set("page", strconv.Itoa(page))
	u.RawQuery = q.Encode()
	return u.String()
}

// fetchPages fetches pages from..to of tmpl concurrently, lowest first, and delivers
// first (page from-1's repositories) and then each page as it arrives, all on the
// calling goroutine. per is the page length the server uses.
//
// The listing ends early, as a normal end, at the first page that is empty, that adds no
// repository not already delivered, or whose "page" field is not the page asked for (a
// server that ignores the page parameter serves the same page again and again). A 404 is
// the end only after the real end of the list: when the page before it was short. A 404 after a full page, or followed by a page with
// repositories, means pages in the middle of the list are missing (size promised them):
// that is an error, since a listing that looks complete but is not would let the
// operator pick among the wrong repositories.
func (c *Client) fetchPages(ctx context.Context, tmpl *url.URL, from, to, per int, first []Repository, sink *repoSink) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var limit atomic.Int64 // the last page worth fetching; lowered by the end of the list
	limit.Store(int64(to))
	results := c.fetchPageWorkers(ctx, tmpl, from, min(c.opts.Concurrency, to-from+1), &limit)

	col := &pageCollector{
		c:     c,
		sink:  sink,
		limit: &limit,
		count: map[int]int{from - 1: len(first)},
		endAt: to + 1,
		ready: map[int][]Repository{},
		want:  from,
	}
	var firstErr error
	if sink.deliver(first) < 0 {
		firstErr = sink.over()
		cancel()
	}
	for r := range results {
		if firstErr != nil {
			continue // draining after cancel
		}
		if r.err != nil {
			firstErr = r.err
			cancel()
			continue
		}
		col.process(r)
		if err := sink.over(); err != nil {
			firstErr = err
			cancel()
		}
	}
	if firstErr == nil && len(col.ready) > 0 {
		// Pages after one that never arrived: only the caller's cancellation leaves a gap.
		for _, k := range slices.Sorted(maps.Keys(col.ready)) {
			if len(col.ready[k]) > 0 {
				sink.emit(col.ready[k])
			}
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err() // the caller's cancellation (ours only follows an error)
	}
	if firstErr == nil {
		firstErr = col.gapError(tmpl, per)
	}
	return firstErr
}

// pageResult is one page a worker of fetchPages fetched.
type pageResult struct {
	page     int
	repos    []Repository
	err      error
	notFound bool // 404
	wrong    int  // the page the server said it served, when not the one asked for
}

// fetchPageWorkers starts workers that fetch pages from, from+1, … of tmpl up to limit
// and send each result; the channel closes when they have all stopped.
func (c *Client) fetchPageWorkers(ctx context.Context, tmpl *url.URL, from, workers int, limit *atomic.Int64) <-chan pageResult {
	var (
		nextPage atomic.Int64 // the next page a worker takes
		wg       sync.WaitGroup
	)
	nextPage.Store(int64(from))
	results := make(chan pageResult)
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				k := nextPage.Add(1) - 1
				if k > limit.Load() {
					return
				}
				r := c.fetchPage(ctx, tmpl, int(k))
				// Past the end (an empty page, a 404, a server ignoring page): lower the
				// limit here, before this worker or another takes a page, not only when
				// the collector gets to the result (which let extra pages through).
				if r.err == nil && len(r.repos) == 0 {
					lowerTo(limit, k-1)
				}
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	return results
}

// fetchPage fetches page k of tmpl; a 404 is a result (notFound), not an error.
func (c *Client) fetchPage(ctx context.Context, tmpl *url.URL, k int) pageResult {
	var p pageJSON[repoJSON]
	err := c.getJSON(ctx, pageURL(tmpl, k), &p)
	r := pageResult{page: k, err: err}
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		r.err, r.notFound = nil, true
	case err != nil:
	case p.Page != 0 && p.Page != k:
		r.wrong = p.Page
	default:
		r.repos = mapRepos(p.Values)
	}
	return r
}

// pageCollector takes fetchPages' results as they arrive, in any order, and emits
// them in page order (a page that arrives early waits for the ones before it), so the
// list is in Bitbucket's order however the fetches interleave. It finds the end of the
// list as pages arrive.
type pageCollector struct {
	c         *Client
	sink      *repoSink
	limit     *atomic.Int64
	count     map[int]int // repositories each page held
	endAt     int         // the lowest page past the end
	endIs404  bool
	lastFound int                  // the highest page that held repositories
	ready     map[int][]Repository // a page's new repositories, until the pages before it are emitted
	want      int                  // the next page to emit
}

func (col *pageCollector) process(r pageResult) {
	if r.wrong != 0 {
		col.c.debugf("asked for page %d, Bitbucket answered page %d: it ignores the page parameter; the listing ends here", r.page, r.wrong)
	}
	col.count[r.page] = len(r.repos)
	end := len(r.repos) == 0
	var f []Repository
	if !end {
		if f = col.sink.fresh(r.repos); len(f) == 0 {
			end = true // nothing new: the server is repeating itself
		}
	}
	col.ready[r.page] = f
	for {
		f, ok := col.ready[col.want]
		if !ok {
			break
		}
		delete(col.ready, col.want)
		col.want++
		if len(f) > 0 {
			col.sink.emit(f)
		}
	}
	if !end {
		col.lastFound = max(col.lastFound, r.page)
		return
	}
	lowerTo(col.limit, int64(r.page-1))
	if r.page < col.endAt {
		col.endAt, col.endIs404 = r.page, r.notFound
	}
}

// gapError is the error for a 404 in the middle of the list: after a full page, or
// before a page with repositories. nil when the list ended where it should.
func (col *pageCollector) gapError(tmpl *url.URL, per int) error {
	if !col.endIs404 {
		return nil
	}
	prev, known := col.count[col.endAt-1]
	if gap := col.lastFound > col.endAt || (known && prev >= per); !gap {
		return nil
	}
	why := "the page before it was full"
	if col.lastFound > col.endAt {
		why = fmt.Sprintf("page %d after it has repositories", col.lastFound)
	}
	return fmt.Errorf("Bitbucket answered 404 Not Found for page %d of the repository list (%s) in the middle of the list (%s), so the list is incomplete; it may have changed while loading: run the command again",
		col.endAt, col.c.op(http.MethodGet, pageURL(tmpl, col.endAt)), why)
}

func lowerTo(v *atomic.Int64, n int64) {
	for {
		old := v.Load()
		if n >= old || v.CompareAndSwap(old, n) {
			return
		}
	}
}

// bbqlString quotes s as a BBQL string literal: double quotes, with \ and " escaped.
func bbqlString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ') // a filter is one line; BBQL strings have no escapes for these
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// CreateRepo describes a repository to create.
type CreateRepo struct {
	Name        string // display name; required unless Slug is set
	Slug        string // "" means Slugify(Name)
	Description string
	ProjectKey  string // "" means Bitbucket's default: the workspace's oldest project
	Public      bool   // private unless set
}

// CreateRepository creates a git repository in workspace ws
// (POST /repositories/{ws}/{slug}). The slug is validated first; a slug already taken is
// an *ExistsError. It is never sent twice once it may have reached Bitbucket: when the
// connection breaks or times out after sending, or Bitbucket answers 500, 502 or 504,
// the error is a *CreateUncertainError: it says the repository may have been created and to
// list the workspace's repositories to check (it still unwraps to the *APIError when there
// was one).
func (c *Client) CreateRepository(ctx context.Context, ws string, r CreateRepo) (_ *Repository, err error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, err
	}
	ctx, done := c.bound(ctx, "creating the repository in workspace "+ws)
	defer func() { err = done(err) }()
	slug := r.Slug
	if slug == "" {
		slug = Slugify(r.Name)
	}
	if err := ValidateSlug(slug); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(r.Name)
	if name == "" {
		name = slug
	}
	// The OpenAPI document's repository schema requires "type" (and so does the nested
	// project's); SPEC.md's example omits it, the document wins.
	body := map[string]any{
		"type":        "repository",
		"scm":         "git",
		"is_private":  !r.Public,
		"name":        name,
		"description": r.Description,
	}
	if r.ProjectKey != "" {
		body["project"] = map[string]string{"type": "project", "key": r.ProjectKey}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var out repoJSON
	err = c.do(ctx, http.MethodPost, c.endpoint(nil, "repositories", ws, slug), data, &out)
	if err != nil {
		var ae *APIError
		var ue *uncertainError
		list := "list the repositories of " + ws
		switch {
		case errors.As(err, &ae) && ae.Status == http.StatusBadRequest &&
			strings.Contains(strings.ToLower(ae.Message), "already exists"):
			return nil, &ExistsError{Workspace: ws, Slug: slug}
		case errors.As(err, &ue) && ue.status != 0:
			return nil, &CreateUncertainError{Workspace: ws, Slug: slug, Name: name, Created: true, err: ue.err,
				msg: fmt.Sprintf("%s, so the repository %s/%s was created: %s to see it", ue.msg, ws, slug, list)}
		case errors.As(err, &ue):
			return nil, &CreateUncertainError{Workspace: ws, Slug: slug, Name: name, err: ue.err,
				msg: fmt.Sprintf("%s, so Bitbucket may have created the repository %s/%s anyway: %s to check before you try again", ue.msg, ws, slug, list)}
		case errors.As(err, &ae) && (ae.Status == http.StatusInternalServerError || ae.Status == http.StatusBadGateway || ae.Status == http.StatusGatewayTimeout):
			// Not retried (see attempt): Bitbucket, or a proxy in front of it, may have
			// created it before failing.
			detail := ""
			if ae.Message != "" {
				detail = " (" + ae.Message + ")"
			}
			return nil, &CreateUncertainError{Workspace: ws, Slug: slug, Name: name, err: err,
				msg: fmt.Sprintf("Bitbucket answered %s with %d %s%s, so it may have created the repository %s/%s anyway: %s to check before you try again",
					ae.Op, ae.Status, http.StatusText(ae.Status), detail, ws, slug, list)}
		}
		return nil, err
	}
	repo := out.repository()
	return &repo, nil
}

// CreateUncertainError is a CreateRepository failure after which the repository may exist:
// the connection broke or timed out after the request was sent, or Bitbucket answered 500,
// 502 or 504 (Created: Bitbucket's answer said it was created, then the connection broke).
// Workspace, Slug and Name say what to look for; a caller may name its own way of listing
// the workspace's repositories. It unwraps to the *APIError when there was one.
type CreateUncertainError struct {
	Workspace, Slug, Name string
	Created               bool

	msg string
	err error
}

func (e *CreateUncertainError) Error() string { return e.msg }
func (e *CreateUncertainError) Unwrap() error { return e.err }

// NotFoundError is a 404 for a repository bbsetup looked up by slug.
type NotFoundError struct {
	Workspace, Slug string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("workspace %q has no repository %q that the consumer's owner can see", e.Workspace, e.Slug)
}

// Repository reads one repository (GET /repositories/{ws}/{slug}). A repository that does
// not exist, or that the consumer's owner cannot see, is a *NotFoundError.
func (c *Client) Repository(ctx context.Context, ws, slug string) (*Repository, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, err
	}
	if strings.TrimSpace(slug) == "" {
		return nil, errors.New("no repository slug given")
	}
	var out repoJSON
	if err := c.getJSON(ctx, c.endpoint(nil, "repositories", ws, slug), &out); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil, &NotFoundError{Workspace: ws, Slug: slug}
		}
		return nil, err
	}
	repo := out.repository()
	return &repo, nil
}
