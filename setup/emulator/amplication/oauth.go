package amplication

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

type installURLArgs struct {
	Data struct {
		GitProvider string
		State       *string // v3 only
	}
}

// keys is the Bitbucket configuration the running server loaded; like BitBucketService's
// constructor it is missing unless both values are non-empty (a placeholder counts as set).
func (e *Emulator) keys() (id, secret string, err error) {
	e.mu.Lock()
	id, secret = e.clientID, e.secretKey
	e.mu.Unlock()
	if id == "" || secret == "" {
		return "", "", fail("Missing Bitbucket configuration")
	}
	return id, secret, nil
}

// GetGitResourceInstallationURL builds Bitbucket's authorize URL like the real
// authorizeRequest: the loaded client_id, response_type=code and the state (or the
// workspace id) inserted as they are, without URL-encoding; no redirect_uri, scope or PKCE.
func (r *root) GetGitResourceInstallationURL(ctx context.Context, args installURLArgs) (*urlR, error) {
	e := r.e
	me, err := e.gitUser(ctx, args.Data.GitProvider)
	if err != nil {
		return nil, err
	}
	id, _, err := e.keys()
	if err != nil {
		return nil, err
	}
	state := me.workspaceID
	if args.Data.State != nil && *args.Data.State != "" {
		state = *args.Data.State
	}
	return &urlR{url: e.opts.BitbucketURL + "/site/oauth2/authorize?client_id=" + id + "&response_type=code&state=" + state}, nil
}

// gitUser is the signed-in member asking about git provider p, which must be Bitbucket.
func (e *Emulator) gitUser(ctx context.Context, p string) (member, error) {
	me, err := e.authUser(ctx)
	if err != nil {
		return member{}, err
	}
	return me, providerSupported(p)
}

func providerSupported(p string) error {
	if p != "Bitbucket" {
		return fail("The Amplication emulator only connects Bitbucket, not " + p + ".")
	}
	return nil
}

type oauthFlowArgs struct {
	Data struct {
		Code        string
		GitProvider string
		State       *string // v3 only; the real server does not check it
	}
}

// CompleteGitOAuth2Flow exchanges the code with Bitbucket as the real server does (HTTP
// Basic key:secret, body grant_type=authorization_code&code=CODE, no redirect_uri), reads
// GET /user and upserts the workspace's git organization keyed by (provider, user uuid,
// workspace), named from `username`. Every failure is "Failed to complete OAuth2 flow - …".
func (r *root) CompleteGitOAuth2Flow(ctx context.Context, args oauthFlowArgs) (*orgR, error) {
	e := r.e
	me, err := e.gitUser(ctx, args.Data.GitProvider)
	if err != nil {
		return nil, err
	}
	if e.gen == SchemaV1 {
		// v1.10.0 gates the completion on a billing entitlement, which is false whenever
		// billing is disabled (BILLING_ENABLED not "true", or Stigg unreachable): a local
		// v1.10.0 server cannot connect Bitbucket. With BILLING_ENABLED=true the emulator
		// stands for an entitled deployment. Its errors are not prefixed.
		e.mu.Lock()
		billing := e.billing
		e.mu.Unlock()
		if !billing {
			return nil, fail("In order to connect Bitbucket service should upgrade its plan")
		}
		org, err := e.completeOAuth2(ctx, me.workspaceID, args.Data.Code)
		if err != nil {
			return nil, fail(err.Error())
		}
		return &orgR{o: org}, nil
	}
	org, err := e.completeOAuth2(ctx, me.workspaceID, args.Data.Code)
	if err != nil {
		return nil, fail("Failed to complete OAuth2 flow - " + err.Error())
	}
	return &orgR{o: org}, nil
}

// bbUser is what the real server reads from GET /user.
type bbUser struct {
	Links *struct {
		Avatar any `json:"avatar"`
	} `json:"links"`
	DisplayName string `json:"display_name"`
	Username    string `json:"username"`
	UUID        string `json:"uuid"`
}

func (e *Emulator) completeOAuth2(ctx context.Context, workspaceID, code string) (gitOrg, error) {
	id, secret, err := e.keys()
	if err != nil {
		return gitOrg{}, err
	}
	var tok struct {
		AccessToken  string  `json:"access_token"`
		RefreshToken string  `json:"refresh_token"`
		Scopes       *string `json:"scopes"`
		TokenType    string  `json:"token_type"`
		ExpiresIn    float64 `json:"expires_in"`
	}
	// The body is built by concatenation, as the real server does: the code is not encoded.
	hdr := http.Header{
		"Content-Type":  {"application/x-www-form-urlencoded"},
		"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))},
	}
	if err := e.bitbucket(ctx, http.MethodPost, e.opts.BitbucketURL+"/site/oauth2/access_token", hdr,
		"grant_type=authorization_code&code="+code, &tok); err != nil {
		return gitOrg{}, err
	}
	if tok.Scopes == nil {
		return gitOrg{}, fmt.Errorf("Cannot read properties of undefined (reading 'split')")
	}
	var u bbUser
	hdr = http.Header{"Authorization": {"Bearer " + tok.AccessToken},
		"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	if err := e.bitbucket(ctx, http.MethodGet, e.opts.BitbucketAPIURL+"/user", hdr, "", &u); err != nil {
		return gitOrg{}, err
	}
	if u.Links == nil {
		return gitOrg{}, fmt.Errorf("Cannot read properties of undefined (reading 'avatar')")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	// disableDemoRepoForAllWorkspaceProjects, before the upsert.
	for _, p := range e.projects {
		if p.workspaceID == workspaceID {
			p.useDemoRepo = false
		}
	}
	expires := e.now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	if e.opts.StaleGitTokens {
		expires = e.now().Add(RefreshMargin / 2)
	}
	for _, g := range e.orgs {
		// The upsert's key: (provider, installationId, workspace); v1.10.0 leaves the
		// workspace out, so there the same Bitbucket user updates the first workspace's.
		if g.provider == "Bitbucket" && g.installationID == u.UUID && (g.workspaceID == workspaceID || e.gen == SchemaV1) {
			if u.Username != "" { // Prisma leaves a field alone when its value is undefined
				g.name = u.Username
			}
			g.accessToken, g.refreshToken, g.expiresAt = tok.AccessToken, tok.RefreshToken, expires
			return *g, nil
		}
	}
	if u.UUID == "" || u.Username == "" {
		missing := "installationId"
		if u.Username == "" {
			missing = "name"
		}
		return gitOrg{}, fmt.Errorf("\nInvalid `this.prisma.gitOrganization.upsert()` invocation:\n\nArgument `%s` is missing.", missing)
	}
	g := &gitOrg{id: newID(), name: u.Username, provider: "Bitbucket", typ: "Organization",
		installationID: u.UUID, workspaceID: workspaceID, grouping: true,
		accessToken: tok.AccessToken, refreshToken: tok.RefreshToken, expiresAt: expires}
	e.orgs = append(e.orgs, g)
	return *g, nil
}

// bitbucket is the real requestWrapper: an answer that is not 2xx fails with
// "404 Not found" or "Bitbucket request failed."; a body that is not JSON fails like
// node-fetch's response.json().
func (e *Emulator) bitbucket(ctx context.Context, method, url string, hdr http.Header, body string, out any) error {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header = hdr
	res, err := e.hc.Do(req)
	if err != nil {
		return fmt.Errorf("request to %s failed, reason: %v", url, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("request to %s failed, reason: %v", url, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		if res.StatusCode == http.StatusNotFound {
			return fmt.Errorf("404 Not found")
		}
		return fmt.Errorf("Bitbucket request failed.")
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("invalid json response body at %s reason: %v", url, err)
	}
	return nil
}
