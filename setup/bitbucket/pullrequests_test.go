package bitbucket_test

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/internal/openapicheck"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// TestOpenPullRequestAgainstEmulator: the repository's open pull request from branch
// amplication is found (and none before it exists, and another branch's is not taken for
// it), with every request and answer held against the OpenAPI document.
func TestOpenPullRequestAgainstEmulator(t *testing.T) {
	sp := openapicheck.Load(t)
	e, cons := bbemu.NewDemo(bbemu.Options{}, 20)
	srv := openapicheck.Start(t, e)
	tok, scopes := openapicheck.ClientCredentials(t, srv, cons)
	c, _ := bbClient(t, sp, srv, tok, scopes)
	ctx, cancel := context.WithTimeout(context.Background(), openapicheck.Timeout)
	defer cancel()

	r, err := c.CreateRepository(ctx, "acme", bitbucket.CreateRepo{Name: "pr-target"})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := c.OpenPullRequest(ctx, "acme", r.Slug, bitbucket.AmplicationBranch)
	if err != nil || pr != nil {
		t.Fatalf("before any pull request: %+v, %v", pr, err)
	}
	raw := func(method, path, ctype string, body []byte) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, srv.APIURL+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	commit := func(branch string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("README.md", "x")
		_ = mw.WriteField("branch", branch)
		_ = mw.WriteField("message", "m")
		mw.Close()
		raw("POST", "/repositories/acme/"+r.Slug+"/src", mw.FormDataContentType(), buf.Bytes())
	}
	commit("main")
	for _, b := range []string{"feature", bitbucket.AmplicationBranch} {
		commit(b)
		raw("POST", "/repositories/acme/"+r.Slug+"/pullrequests", "application/json",
			[]byte(`{"title":"from `+b+`","source":{"branch":{"name":"`+b+`"}},"destination":{"branch":{"name":"main"}}}`))
	}
	pr, err = c.OpenPullRequest(ctx, "acme", r.Slug, bitbucket.AmplicationBranch)
	if err != nil || pr == nil {
		t.Fatalf("OpenPullRequest: %+v, %v", pr, err)
	}
	if pr.SourceBranch != "amplication" || pr.ID != 2 || !strings.HasSuffix(pr.HTMLURL, "/acme/"+r.Slug+"/pull-requests/2") || pr.State != "OPEN" {
		t.Errorf("pull request %+v", pr)
	}
	_, err = c.OpenPullRequest(ctx, "acme", "no-such-repo", bitbucket.AmplicationBranch)
	var nf *bitbucket.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("missing repository: %v, want *NotFoundError", err)
	}
}
