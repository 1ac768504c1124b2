package bitbucket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// repoFake serves GET /2.0/repositories/acme with n repositories, and records requests.
type repoFake struct {
	n         int
	latency   time.Duration
	size      func(n int) (int, bool) // the size to report; nil = honest
	next      func(r *http.Request, page, pages int) string
	failPage  int // this page answers failStatus
	failCode  int
	perPage   int // server-side page length cap; 0 = 100
	cancelled chan struct{}
	// holdAfterFail: the pages after failPage answer only when their request is cancelled
	// (or after 10 s), so they are surely in flight when failPage fails, however loaded the
	// machine.
	holdAfterFail bool

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	requests    []string // RawQuery of each request
}

// laterInFlight reports whether a request for a page after page has arrived.
func (f *repoFake) laterInFlight(page int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, q := range f.requests {
		v, _ := url.ParseQuery(q)
		if p, _ := strconv.Atoi(v.Get("page")); p > page {
			return true
		}
	}
	return false
}

func (f *repoFake) handler(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	f.requests = append(f.requests, r.URL.RawQuery)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if r.URL.Path != "/2.0/repositories/acme" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	pagelen, _ := strconv.Atoi(q.Get("pagelen"))
	if pagelen <= 0 || pagelen > 100 {
		pagelen = 10
	}
	if f.perPage > 0 {
		pagelen = min(pagelen, f.perPage)
	}
	page := 1
	if p := q.Get("page"); p != "" {
		page, _ = strconv.Atoi(p)
	}
	// The failing page answers at once, so the other pages are surely still in flight
	// when it fails (with equal latency they could all finish together under load).
	wait := f.latency
	if f.holdAfterFail && page > f.failPage {
		wait = 10 * time.Second
	}
	if wait > 0 && page != f.failPage {
		select {
		case <-time.After(wait):
		case <-r.Context().Done():
			if f.cancelled != nil {
				select {
				case f.cancelled <- struct{}{}:
				default:
				}
			}
			return
		}
	}
	if page == f.failPage && f.holdAfterFail {
		// Fail only once a later page is in flight (bounded at 10 s): on a loaded machine
		// the failing page could otherwise answer before any other request was sent, and
		// then there would be nothing in flight to cancel.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !f.laterInFlight(page); {
			time.Sleep(2 * time.Millisecond)
		}
	}
	if page == f.failPage {
		w.WriteHeader(f.failCode)
		fmt.Fprint(w, `{"type":"error","error":{"message":"boom"}}`)
		return
	}
	pages := (f.n + pagelen - 1) / pagelen
	body := map[string]any{"page": page, "pagelen": pagelen}
	size, ok := f.n, true
	if f.size != nil {
		size, ok = f.size(f.n)
	}
	if ok {
		body["size"] = size
	}
	var values []map[string]any
	for i := (page - 1) * pagelen; i < min(page*pagelen, f.n); i++ {
		values = append(values, map[string]any{
			"slug": fmt.Sprintf("repo-%05d", i), "name": fmt.Sprintf("Repo %d", i),
			"full_name": fmt.Sprintf("acme/repo-%05d", i), "is_private": true,
		})
	}
	body["values"] = values
	next := ""
	if f.next != nil {
		next = f.next(r, page, pages)
	} else if page < pages {
		nq := r.URL.Query()
		nq.Set("page", strconv.Itoa(page+1))
		next = "http://" + r.Host + r.URL.Path + "?" + nq.Encode()
	}
	if next != "" {
		body["next"] = next
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func (f *repoFake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

type collected struct {
	repos   map[string]int
	batches int
	loaded  int
	total   int
}

func collect(t *testing.T) (*collected, func([]Repository, int, int)) {
	c := &collected{repos: map[string]int{}}
	return c, func(b []Repository, loaded, total int) {
		c.batches++
		for _, r := range b {
			c.repos[r.Slug]++
		}
		if loaded < c.loaded {
			t.Errorf("loaded went backwards: %d after %d", loaded, c.loaded)
		}
		if total >= 0 && total < loaded {
			t.Errorf("total %d < loaded %d", total, loaded)
		}
		c.loaded, c.total = loaded, total
	}
}

func (c *collected) checkExactlyOnce(t *testing.T, n int) {
	t.Helper()
	if len(c.repos) != n {
		t.Errorf("got %d distinct repositories, want %d", len(c.repos), n)
	}
	for s, k := range c.repos {
		if k != 1 {
			t.Errorf("%s delivered %d times", s, k)
		}
	}
	if c.loaded != n {
		t.Errorf("final loaded = %d, want %d", c.loaded, n)
	}
}

func TestListConcurrentPages(t *testing.T) {
	f := &repoFake{n: 1050, latency: 10 * time.Millisecond}
	_, c := fakeServer(t, f.handler)
	c.opts.Concurrency = 4
	got, fn := collect(t)
	if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
		t.Fatal(err)
	}
	got.checkExactlyOnce(t, 1050)
	if got.total != 1050 {
		t.Errorf("total = %d", got.total)
	}
	if n := f.count(); n != 11 {
		t.Errorf("%d requests, want 11 (one per page)", n)
	}
	if f.maxInFlight > 4 || f.maxInFlight < 2 {
		t.Errorf("max in flight %d, want 2..4", f.maxInFlight)
	}
	for _, q := range f.requests {
		if !strings.Contains(q, "pagelen=100") {
			t.Errorf("request without pagelen=100: %s", q)
		}
	}
}

func TestListServerPageLenSmallerThanAsked(t *testing.T) {
	f := &repoFake{n: 95, perPage: 10}
	_, c := fakeServer(t, f.handler)
	got, fn := collect(t)
	if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
		t.Fatal(err)
	}
	got.checkExactlyOnce(t, 95)
	if n := f.count(); n != 10 {
		t.Errorf("%d requests, want 10", n)
	}
}

func TestListWithoutSizeFollowsNext(t *testing.T) {
	f := &repoFake{n: 430, size: func(int) (int, bool) { return 0, false }, latency: 2 * time.Millisecond}
	_, c := fakeServer(t, f.handler)
	got, fn := collect(t)
	if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
		t.Fatal(err)
	}
	got.checkExactlyOnce(t, 430)
	if got.total != -1 {
		t.Errorf("total = %d, want -1 (unknown)", got.total)
	}
	if n := f.count(); n != 5 {
		t.Errorf("%d requests, want 5", n)
	}
	if f.maxInFlight != 1 {
		t.Errorf("max in flight %d, want 1 (sequential)", f.maxInFlight)
	}
}

func TestListRepeatingNext(t *testing.T) {
	// next always names the page just served: with or without size, one request.
	for _, withSize := range []bool{true, false} {
		f := &repoFake{n: 500,
			size: func(n int) (int, bool) { return n, withSize },
			next: func(r *http.Request, page, pages int) string { return "http://" + r.Host + r.URL.RequestURI() },
		}
		_, c := fakeServer(t, f.handler)
		got, fn := collect(t)
		if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
			t.Fatal(err)
		}
		if n := f.count(); n != 1 || got.loaded != 100 {
			t.Errorf("size=%v: %d requests, %d loaded; want 1 and 100", withSize, n, got.loaded)
		}
	}
	// A cycle 1 -> 2 -> 1 without size: two requests.
	f := &repoFake{n: 500,
		size: func(int) (int, bool) { return 0, false },
		next: func(r *http.Request, page, pages int) string {
			q := r.URL.Query()
			q.Set("page", strconv.Itoa(page%2+1))
			if page == 2 {
				q.Del("page") // back to the very first URL
			}
			return "http://" + r.Host + r.URL.Path + "?" + q.Encode()
		},
	}
	_, c := fakeServer(t, f.handler)
	got, fn := collect(t)
	if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
		t.Fatal(err)
	}
	if n := f.count(); n != 2 || got.loaded != 200 {
		t.Errorf("cycle: %d requests, %d loaded; want 2 and 200", n, got.loaded)
	}
}

func TestListSizeThatLies(t *testing.T) {
	t.Run("too small", func(t *testing.T) {
		f := &repoFake{n: 500, size: func(int) (int, bool) { return 150, true }}
		_, c := fakeServer(t, f.handler)
		got, fn := collect(t)
		if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
			t.Fatal(err)
		}
		if n := f.count(); n != 2 || got.loaded != 200 {
			t.Errorf("%d requests, %d loaded; want the 2 pages size promised", n, got.loaded)
		}
		if got.total != 200 {
			t.Errorf("total %d, want it raised to loaded (200)", got.total)
		}
	})
	t.Run("too large", func(t *testing.T) {
		f := &repoFake{n: 250, size: func(int) (int, bool) { return 100000, true }}
		_, c := fakeServer(t, f.handler)
		c.opts.Concurrency = 3
		got, fn := collect(t)
		if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
			t.Fatal(err)
		}
		got.checkExactlyOnce(t, 250)
		// Pages 1..3 hold data; page 4 is empty and stops the rest. Workers may already
		// have taken a few more pages, never more than the concurrency.
		if n := f.count(); n > 3+3 {
			t.Errorf("%d requests for 250 repositories and a lying size; want at most 6", n)
		}
	})
	t.Run("404 past the end", func(t *testing.T) {
		f := &repoFake{n: 250, size: func(int) (int, bool) { return 1000, true }}
		_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			if p, _ := strconv.Atoi(r.URL.Query().Get("page")); p > 3 {
				w.WriteHeader(404)
				fmt.Fprint(w, `{"type":"error","error":{"message":"Invalid page"}}`)
				return
			}
			f.handler(w, r)
		})
		got, fn := collect(t)
		if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
			t.Fatal(err)
		}
		got.checkExactlyOnce(t, 250)
	})
}

func TestListFirstErrorCancelsTheRest(t *testing.T) {
	f := &repoFake{n: 3000, failPage: 2, failCode: 400, holdAfterFail: true,
		cancelled: make(chan struct{}, 1)}
	_, c := fakeServer(t, f.handler)
	c.opts.Concurrency = 8
	got, fn := collect(t)
	err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("err = %v, want the page's 400", err)
	}
	if n := f.count(); n >= 30 {
		t.Errorf("%d requests: the listing did not stop at the first error", n)
	}
	if got.loaded < 100 {
		t.Errorf("page 1 was not delivered before the error")
	}
	select {
	case <-f.cancelled: // at least one in-flight page saw its request cancelled
	case <-time.After(15 * time.Second):
		t.Errorf("no in-flight request was cancelled")
	}
}

func TestListCallerCancels(t *testing.T) {
	f := &repoFake{n: 3000, latency: 5 * time.Millisecond}
	_, c := fakeServer(t, f.handler)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	batches := 0
	err := c.ListRepositories(ctx, "acme", ListOptions{}, func(b []Repository, loaded, total int) {
		batches++
		if batches == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestListFilterAndSortQuery(t *testing.T) {
	f := &repoFake{n: 3}
	_, c := fakeServer(t, f.handler)
	if err := c.ListRepositories(context.Background(), "acme", ListOptions{Filter: ` say "hi" \ `, Sort: "-updated_on"}, nil); err != nil {
		t.Fatal(err)
	}
	q := f.requests[0]
	if !strings.Contains(q, "sort=-updated_on") || strings.Contains(q, "role=") {
		t.Errorf("query %s", q)
	}
	vals, _ := parseQuery(q)
	if want := `name ~ "say \"hi\" \\"`; vals.Get("q") != want {
		t.Errorf("q = %s, want %s", vals.Get("q"), want)
	}
}

func TestListRetries(t *testing.T) {
	for _, retryAfter := range []string{"", "0", "1"} {
		var mu sync.Mutex
		calls := 0
		f := &repoFake{n: 30}
		_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls++
			k := calls
			mu.Unlock()
			if k <= 2 {
				if retryAfter != "" {
					w.Header().Set("Retry-After", retryAfter)
				}
				w.WriteHeader(429)
				fmt.Fprint(w, `{"type":"error","error":{"message":"Rate limit for this resource has been exceeded"}}`)
				return
			}
			f.handler(w, r)
		})
		// Retry-After 1s is capped by MaxBackoff (5ms in tests).
		got, fn := collect(t)
		if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
			t.Fatalf("Retry-After %q: %v", retryAfter, err)
		}
		got.checkExactlyOnce(t, 30)
		mu.Lock()
		if calls != 3 {
			t.Errorf("Retry-After %q: %d requests, want 3", retryAfter, calls)
		}
		mu.Unlock()
	}
}

func TestRetriesAreBounded(t *testing.T) {
	for _, status := range []int{429, 500, 502, 503} {
		var mu sync.Mutex
		calls := 0
		_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls++
			mu.Unlock()
			w.WriteHeader(status)
		})
		c.opts.MaxRetries = 3
		err := c.ListRepositories(context.Background(), "acme", ListOptions{}, nil)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != status {
			t.Fatalf("%d: err = %v", status, err)
		}
		mu.Lock()
		if calls != 4 {
			t.Errorf("%d: %d requests, want 1 + 3 retries", status, calls)
		}
		mu.Unlock()
	}
}

func TestForeignNextIsNotFollowed(t *testing.T) {
	f := &repoFake{n: 300, next: func(r *http.Request, page, pages int) string {
		return "http://evil.example/2.0/repositories/acme?page=2"
	}}
	_, c := fakeServer(t, f.handler)
	err := c.ListRepositories(context.Background(), "acme", ListOptions{}, nil)
	if err == nil || !strings.Contains(err.Error(), "another host (evil.example)") {
		t.Fatalf("err = %v", err)
	}
}

func TestWorkspacesFake(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.RequestURI())
		mu.Unlock()
		switch r.URL.Path {
		case "/2.0/user/workspaces":
			if r.URL.Query().Get("page") == "2" {
				fmt.Fprint(w, `{"values":[{"type":"workspace_access","administrator":false,"workspace":{"type":"workspace_base","slug":"beta","uuid":"{b}"}}],"page":2,"pagelen":1,"size":3}`)
				return
			}
			fmt.Fprintf(w, `{"values":[{"type":"workspace_access","administrator":true,"workspace":{"type":"workspace_base","slug":"zeta","uuid":"{z}"}},
				{"type":"workspace_access","administrator":false,"workspace":{"slug":"alpha","uuid":"{a}"}}],"page":1,"pagelen":2,"size":3,
				"next":"http://%s/2.0/user/workspaces?page=2"}`, r.Host)
		case "/2.0/workspaces/zeta":
			w.WriteHeader(500)
		default:
			slug := strings.TrimPrefix(r.URL.Path, "/2.0/workspaces/")
			fmt.Fprintf(w, `{"slug":%q,"name":"Name of %s","uuid":"{x}","links":{"html":{"href":"https://bitbucket.org/%s/"}}}`, slug, slug, slug)
		}
	})
	ws, err := c.Workspaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Workspace{
		{Slug: "alpha", UUID: "{a}", Name: "Name of alpha", HTMLURL: "https://bitbucket.org/alpha/"},
		{Slug: "beta", UUID: "{b}", Name: "Name of beta", HTMLURL: "https://bitbucket.org/beta/"},
		{Slug: "zeta", UUID: "{z}", Name: "zeta", Administrator: true},
	}
	if fmt.Sprint(ws) != fmt.Sprint(want) {
		t.Errorf("workspaces\n got %+v\nwant %+v", ws, want)
	}
	mu.Lock()
	defer mu.Unlock()
	zeta := 0
	for _, p := range paths {
		if p == "/2.0/workspaces" || strings.HasPrefix(p, "/2.0/user/permissions") {
			t.Errorf("called a removed API: %s", p)
		}
		if p == "/2.0/workspaces/zeta" {
			zeta++
		}
	}
	if zeta != 2 {
		t.Errorf("the failing name look-up was tried %d times, want 2 (one retry)", zeta)
	}
}

func parseQuery(raw string) (url.Values, error) { return url.ParseQuery(raw) }

// pagesFake serves GET /2.0/repositories/acme pages of 100 built by body(page), counts
// requests, and refuses (400) after limit requests so that a client that does not stop
// fails fast instead of running for minutes.
type pagesFake struct {
	body  func(r *http.Request, page int) map[string]any
	limit int64
	n     atomic.Int64
}

func (f *pagesFake) handler(w http.ResponseWriter, r *http.Request) {
	if f.n.Add(1) > f.limit {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"type":"error","error":{"message":"too many requests in this test"}}`)
		return
	}
	page := 1
	if p := r.URL.Query().Get("page"); p != "" {
		page, _ = strconv.Atoi(p)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(f.body(r, page))
}

// repoPage answers the request for page asked with 100 distinct repositories (full
// names acme/repo-P-I, UUIDs {P-I}), reporting page as its page field (0: no page field),
// with a next link to page asked+1.
func repoPage(r *http.Request, p, asked, page, size int) map[string]any {
	var values []map[string]any
	for i := range 100 {
		values = append(values, map[string]any{"slug": fmt.Sprintf("repo-%d-%d", p, i),
			"full_name": fmt.Sprintf("acme/repo-%d-%d", p, i), "uuid": fmt.Sprintf("{%d-%d}", p, i)})
	}
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(asked+1))
	body := map[string]any{"pagelen": 100, "values": values, "next": "http://" + r.Host + r.URL.Path + "?" + q.Encode()}
	if page > 0 {
		body["page"] = page
	}
	if size >= 0 {
		body["size"] = size
	}
	return body
}

// A server that ignores the page parameter and claims a huge size: the listing stops
// at the first page whose page field is not the one asked for (or, without a page
// field, at the first page with nothing new), every repository once.
func TestListServerIgnoringPage(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pageSent func(asked int) int
		size     int
		maxReqs  int64
	}{
		{"page field 1 on every page", func(int) int { return 1 }, 100000000, 1 + 4},
		{"no page field", func(int) int { return 0 }, 100000000, 1 + 2*4},
		{"no page field, no size", func(int) int { return 0 }, -1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &pagesFake{limit: 200, body: func(r *http.Request, page int) map[string]any {
				return repoPage(r, 1, page, tc.pageSent(page), tc.size) // always page 1's repositories
			}}
			_, c := fakeServer(t, f.handler)
			c.opts.Concurrency = 4
			got, fn := collect(t)
			if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
				t.Fatal(err)
			}
			got.checkExactlyOnce(t, 100)
			if n := f.n.Load(); n > tc.maxReqs {
				t.Errorf("%d requests, want at most %d", n, tc.maxReqs)
			}
		})
	}
}

// A server that honours page but claims a size far beyond any real list: the concurrent
// listing stops at maxPages pages after the first, like the sequential one.
func TestListPageCap(t *testing.T) {
	old := maxPages
	maxPages = 20
	t.Cleanup(func() { maxPages = old })
	f := &pagesFake{limit: 200, body: func(r *http.Request, page int) map[string]any {
		return repoPage(r, page, page, page, 100000000)
	}}
	_, c := fakeServer(t, f.handler)
	c.opts.Concurrency = 4
	got, fn := collect(t)
	var tm *TooManyError
	if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); !errors.As(err, &tm) {
		t.Fatalf("err = %v, want a *TooManyError: the listing was cut short", err)
	}
	if n := f.n.Load(); n != 1+20 {
		t.Errorf("%d requests, want 1+maxPages (21)", n)
	}
	got.checkExactlyOnce(t, 21*100)
}

// Pages that overlap (a list that shifted while it was read): each repository is
// delivered once, and loaded counts distinct repositories.
func TestListDropsDuplicates(t *testing.T) {
	f := &pagesFake{limit: 50, body: func(r *http.Request, page int) map[string]any {
		b := repoPage(r, page, page, page, 300)
		if page == 3 {
			delete(b, "next")
		}
		if page == 2 { // ten of page 1's repositories again; five without a UUID
			vals := b["values"].([]map[string]any)
			for i := range 10 {
				vals[i] = map[string]any{"slug": fmt.Sprintf("repo-1-%d", i), "full_name": fmt.Sprintf("acme/repo-1-%d", i), "uuid": fmt.Sprintf("{1-%d}", i)}
				if i%2 == 0 {
					delete(vals[i], "uuid")
				}
			}
		}
		return b
	}}
	// Matched by UUID, or by full name where one copy has no UUID; then with no UUIDs at all.
	for _, noUUID := range []bool{false, true} {
		f.n.Store(0)
		body := f.body
		if noUUID {
			f.body = func(r *http.Request, page int) map[string]any {
				b := body(r, page)
				for _, v := range b["values"].([]map[string]any) {
					delete(v, "uuid")
				}
				return b
			}
		}
		_, c := fakeServer(t, f.handler)
		got, fn := collect(t)
		if err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn); err != nil {
			t.Fatal(err)
		}
		got.checkExactlyOnce(t, 290)
		if n := f.n.Load(); n != 3 {
			t.Errorf("noUUID=%v: %d requests, want 3", noUUID, n)
		}
		f.body = body
	}
}

// A 404 for a page inside the list (the page before it full) is not the end of the
// list: the listing fails instead of reporting success with pages missing.
func TestList404InTheMiddle(t *testing.T) {
	f := &repoFake{n: 1000, failPage: 5, failCode: 404}
	_, c := fakeServer(t, f.handler)
	c.opts.Concurrency = 4
	got, fn := collect(t)
	err := c.ListRepositories(context.Background(), "acme", ListOptions{}, fn)
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "page 5") ||
		!strings.Contains(err.Error(), "incomplete") || !strings.Contains(err.Error(), "run the command again") {
		t.Fatalf("err = %v after %d repositories, want the missing page 5 reported", err, got.loaded)
	}
	if n := f.count(); n > 11 {
		t.Errorf("%d requests, want at most one per page (11)", n)
	}
}
