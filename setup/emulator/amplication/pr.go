package amplication

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"
)

// pr.go is the emulated PR service's push (git-sync-manager: pull-request.service.ts →
// libs/util/git/src/git-client.service.ts createPullRequest → providers/bitbucket/
// bitbucket.service.ts and requests.ts), making the same Bitbucket REST calls in the same
// order with the git organization's stored token and the PR service's OWN key and secret:
//
//	getCloneUrl (refresh if due) → getRepository (mainbranch.name, no null guard) → clone →
//	if the base branch has no commits: "Initial commit" of README.md pushed to it →
//	.amplicationignore (GET src/{base}/.amplicationignore?format=meta, any error: none) →
//	getBranch amplication → createBranch amplication at the base's head → commit and push
//	to amplication → getPullRequest (q=source.branch.name="amplication" AND state="OPEN") →
//	createPullRequest when none is open → createPullRequestComment.
//
// There is no git transport in the Bitbucket emulator: the clone reads the base branch
// (GET refs/branches/{base}) and a push is a POST /src commit, both with the same token.
//
// Every call first refreshes the token when under 5 minutes remain; as in the real
// service the refreshed token's expiry is not kept (Amplication issue #7035), so once due,
// every later call of the push refreshes again, each with the PR service's key and secret.

// Texts of libs/util/git/src/constants.ts.
const (
	accumulativePullRequestTitle = "chore(Amplication): Update Generated Code"
	accumulativePullRequestBody  = "This pull request includes multiple commits by Amplication with the latest generated code.\n" +
		"The pull request may also include commits from several resources and/or projects.\n" +
		"You can safely merge this pull request to your default branch."
	amplicationBranch = "amplication"
)

// prAuth is BitBucketService.auth for one push.
type prAuth struct {
	access, refresh string
	expiresAt       time.Time
}

type prCall struct {
	e    *Emulator
	ctx  context.Context
	env  prEnv
	auth prAuth
	req  prRequest
}

func (e *Emulator) createPullRequest(ctx context.Context, req prRequest, env prEnv) (string, map[string]any, error) {
	if req.provider != "Bitbucket" {
		return "", nil, fmt.Errorf("the emulated PR service pushes only to Bitbucket; a push to %s was not attempted", providerDisplayName(req.provider))
	}
	// BitBucketService's constructor.
	if env.id == "" || env.secret == "" {
		return "", nil, errors.New("Missing Bitbucket configuration")
	}
	c := &prCall{e: e, ctx: ctx, env: env, req: req,
		auth: prAuth{access: req.accessToken, refresh: req.refreshToken, expiresAt: req.expiresAt}}
	return c.run()
}

func (c *prCall) api(path string) string {
	return c.e.opts.BitbucketAPIURL + "/repositories/" + c.req.groupName + "/" + c.req.repoName + path
}

func (c *prCall) headers() http.Header {
	return http.Header{"Authorization": {"Bearer " + c.auth.access},
		"Content-Type": {"application/json"}, "Accept": {"application/json"}}
}

// refreshIfNeeded is refreshAccessTokenIfNeeded: only the access token is replaced.
func (c *prCall) refreshIfNeeded() error {
	if c.auth.expiresAt.Sub(c.e.now()) > RefreshMargin {
		return nil
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	hdr := http.Header{
		"Content-Type":  {"application/x-www-form-urlencoded"},
		"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(c.env.id+":"+c.env.secret))},
	}
	if err := c.e.bitbucket(c.ctx, http.MethodPost, c.e.opts.BitbucketURL+"/site/oauth2/access_token", hdr,
		"grant_type=refresh_token&refresh_token="+c.auth.refresh, &tok); err != nil {
		return err
	}
	c.auth.access = tok.AccessToken
	return nil
}

// get and post are requestWrapper calls after the refresh check.
func (c *prCall) call(method, path, body string, out any) error {
	if err := c.refreshIfNeeded(); err != nil {
		return err
	}
	return c.e.bitbucket(c.ctx, method, c.api(path), c.headers(), body, out)
}

// push stands for `git push` of a commit with the token in the clone URL: a POST /src.
func (c *prCall) push(branch, message string, files map[string]string) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for p, content := range files {
		if err := mw.WriteField(p, content); err != nil {
			return err
		}
	}
	_ = mw.WriteField("branch", branch)
	_ = mw.WriteField("message", message)
	if err := mw.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, c.api("/src"), &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.auth.access)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.e.hc.Do(req)
	if err != nil {
		return fmt.Errorf("git push failed: %v", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	if res.StatusCode/100 != 2 {
		return c.gitError(res.StatusCode, "push")
	}
	return nil
}

// gitError words a refused clone or push like git does.
func (c *prCall) gitError(status int, what string) error {
	remote := "https://bitbucket.org/" + c.req.groupName + "/" + c.req.repoName + ".git/"
	switch status {
	case http.StatusUnauthorized:
		return fmt.Errorf("fatal: Authentication failed for '%s'", remote)
	case http.StatusForbidden:
		return fmt.Errorf("remote: You do not have write access to this repository.\nfatal: unable to access '%s': The requested URL returned error: 403", remote)
	case http.StatusNotFound:
		return fmt.Errorf("remote: Repository not found.\nfatal: repository '%s' not found", remote)
	}
	return fmt.Errorf("fatal: unable to %s '%s': The requested URL returned error: %d", what, remote, status)
}

// baseHead stands for cloning and reading the base branch's first/last commit: "" when the
// branch has no commits.
func (c *prCall) baseHead(base string) (string, error) {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, c.api("/refs/branches/"+url.PathEscape(base)), nil)
	if err != nil {
		return "", err
	}
	req.Header = c.headers()
	res, err := c.e.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("git clone failed: %v", err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	switch {
	case res.StatusCode == http.StatusNotFound:
		return "", nil
	case res.StatusCode/100 != 2:
		return "", c.gitError(res.StatusCode, "clone")
	}
	var b struct {
		Target struct {
			Hash string `json:"hash"`
		} `json:"target"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return "", err
	}
	return b.Target.Hash, nil
}

// prRef is the part of a Bitbucket pull request the PR service reads: its id and web link.
type prRef struct {
	ID    int `json:"id"`
	Links struct {
		HTML struct {
			Href string `json:"href"`
		} `json:"html"`
	} `json:"links"`
}

func (c *prCall) run() (string, map[string]any, error) {
	// getCloneUrl
	if c.req.groupName == "" {
		return "", nil, errors.New("Missing repositoryGroupName")
	}
	if err := c.refreshIfNeeded(); err != nil {
		return "", nil, err
	}
	// getRepository: `defaultBranch: mainbranch.name`, no null guard.
	var repo map[string]any
	if err := c.call(http.MethodGet, "", "", &repo); err != nil {
		return "", nil, err
	}
	mb, present := repo["mainbranch"]
	if !present {
		return "", nil, errors.New("Cannot read properties of undefined (reading 'name')")
	}
	mbm, _ := mb.(map[string]any)
	if mbm == nil {
		return "", nil, errors.New("Cannot read properties of null (reading 'name')")
	}
	base, _ := mbm["name"].(string)

	head, err := c.baseHead(base)
	if err != nil {
		return "", nil, err
	}
	if head == "" { // createInitialCommit
		if err := c.push(base, "Initial commit", map[string]string{"README.md": "# " + c.req.repoName + "\n\nThis repository was created by Amplication.\n"}); err != nil {
			return "", nil, err
		}
		if head, err = c.baseHead(base); err != nil {
			return "", nil, err
		}
	}
	// manageAmplicationIgnoreFile: any error means "no .amplicationignore".
	var meta map[string]any
	_ = c.call(http.MethodGet, "/src/"+url.PathEscape(base)+"/.amplicationignore?format=meta", "", &meta)

	// restoreAmplicationBranchIfNotExists
	var branch map[string]any
	err = c.call(http.MethodGet, "/refs/branches/"+amplicationBranch, "", &branch)
	switch {
	case err != nil && err.Error() == "404 Not found":
		if head == "" {
			return "", nil, fmt.Errorf("No commit on branch %s", base)
		}
		body, _ := json.Marshal(map[string]any{"name": amplicationBranch, "target": map[string]string{"hash": head}})
		if err := c.call(http.MethodPost, "/refs/branches", string(body), &branch); err != nil {
			return "", nil, err
		}
	case err != nil:
		return "", nil, err
	}
	// The generated code, committed and pushed to the amplication branch.
	dir := "apps/" + c.req.resourceName
	files := map[string]string{
		dir + "/README.md":   "# " + c.req.resourceName + "\n\nGenerated by Amplication (build " + c.req.buildID + ").\n",
		dir + "/src/main.ts": "// Generated by Amplication, build " + c.req.buildID + "\n",
	}
	if err := c.push(amplicationBranch, c.req.title, files); err != nil {
		return "", nil, err
	}
	// getPullRequest
	var prs struct {
		Values []prRef `json:"values"`
	}
	q := url.Values{"q": {`source.branch.name="` + amplicationBranch + `" AND state="OPEN"`}}
	if err := c.call(http.MethodGet, "/pullrequests?"+q.Encode(), "", &prs); err != nil {
		return "", nil, err
	}
	var prURL string
	var prID int
	if len(prs.Values) > 0 {
		prURL, prID = prs.Values[0].Links.HTML.Href, prs.Values[0].ID
	} else {
		body, _ := json.Marshal(map[string]any{
			"title":       accumulativePullRequestTitle + " " + c.req.title,
			"description": accumulativePullRequestBody,
			"source":      map[string]any{"branch": map[string]string{"name": amplicationBranch}},
			"destination": map[string]any{"branch": map[string]string{"name": base}},
		})
		var pr prRef
		if err := c.call(http.MethodPost, "/pullrequests", string(body), &pr); err != nil {
			return "", nil, err
		}
		prURL, prID = pr.Links.HTML.Href, pr.ID
	}
	body, _ := json.Marshal(map[string]any{"content": map[string]string{"raw": c.req.body}})
	var comment map[string]any
	if err := c.call(http.MethodPost, fmt.Sprintf("/pullrequests/%d/comments", prID), string(body), &comment); err != nil {
		return "", nil, err
	}
	return prURL, map[string]any{"filesChanged": len(files), "insertions": 2 * len(files), "deletions": 0}, nil
}
