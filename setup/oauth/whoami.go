package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Identity is who a token acts as (GET /user).
type Identity struct {
	UUID        string `json:"uuid"` // in braces
	AccountID   string `json:"account_id"`
	DisplayName string `json:"display_name"`
	Nickname    string `json:"nickname"`
	Username    string `json:"username"` // deprecated by Bitbucket; often empty
}

// WhoAmI asks apiURL (e.g. https://api.bitbucket.org/2.0) who hc's token acts as. It is
// bounded by ctx and DefaultRequestTimeout.
func WhoAmI(ctx context.Context, hc *http.Client, apiURL string) (*Identity, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultRequestTimeout)
	defer cancel()
	u := strings.TrimRight(apiURL, "/") + "/user"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("--api-url %q is not a usable URL: %v", apiURL, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) {
			return nil, te
		}
		if reason, ok := networkReason(err); ok {
			return nil, fmt.Errorf("could not reach the Bitbucket API at %s (%s); check your network connection, or --api-url if you set it", apiHost(u), reason)
		}
		return nil, fmt.Errorf("asking Bitbucket who is connected failed: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading Bitbucket's answer to GET /user failed: %v; try again", err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, fmt.Errorf("Bitbucket refused the access token for GET /user (HTTP 401: %s); authorize again", apiMessage(body))
	case resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("Bitbucket refused GET /user (HTTP 403: %s); tick \"Account: Read\" on the consumer and authorize again", apiMessage(body))
	default:
		return nil, fmt.Errorf("Bitbucket answered HTTP %d to GET /user (%s); check --api-url if you set it, and try again", resp.StatusCode, apiMessage(body))
	}
	var id Identity
	if err := json.Unmarshal(body, &id); err != nil || (id.AccountID == "" && id.UUID == "" && id.DisplayName == "") {
		return nil, fmt.Errorf("Bitbucket's answer to GET /user is not a user; check --api-url if you set it")
	}
	return &id, nil
}

// apiMessage extracts error.message from a Bitbucket error body.
func apiMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		return oneLine(e.Error.Message)
	}
	if s := oneLine(string(body)); s != "" && len(s) < 200 && !strings.Contains(s, "<") {
		return s
	}
	return "no details"
}

func apiHost(u string) string { return Endpoints{TokenURL: u}.host() }
