package bitbucket

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Pages fetched concurrently arrive in any order, but the listing hands them on in page
// order: the list is in Bitbucket's order (what the wizard shows and `repos list` prints).
// Page 2 is answered only after page 5 has been, so it arrives last.
func TestListDeliversInPageOrder(t *testing.T) {
	page5 := make(chan struct{})
	f := &pagesFake{limit: 20, body: func(r *http.Request, page int) map[string]any {
		body := repoPage(r, page, page, page, 500)
		if page == 5 {
			delete(body, "next")
		}
		return body
	}}
	_, c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page") {
		case "2":
			select {
			case <-page5:
			case <-time.After(5 * time.Second): // bounded; the order is checked either way
			}
		case "5":
			defer close(page5)
		}
		f.handler(w, r)
	})
	c.opts.Concurrency = 4
	var order []string
	err := c.ListRepositories(context.Background(), "acme", ListOptions{}, func(b []Repository, _, _ int) {
		for _, r := range b {
			order = append(order, r.Slug)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 500 {
		t.Fatalf("%d repositories, want 500", len(order))
	}
	for i, s := range order {
		if want := fmt.Sprintf("repo-%d-%d", i/100+1, i%100); s != want {
			t.Fatalf("repository %d is %s, want %s: pages were not delivered in page order", i, s, want)
		}
	}
}
