package amplication

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

var schemaTags = []string{"v1.10.0", "v3.6.2", "v3.14.0-29"}

// realSchemas loads the three real server schemas from ../shared/amplication (skips loudly
// without them; fails under CI).
func realSchemas(t *testing.T) map[string]*ast.Schema {
	t.Helper()
	out := map[string]*ast.Schema{}
	for _, tag := range schemaTags {
		p := testkit.RequireShared(t, "amplication", "schema-"+tag+".graphql")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s, err := gqlparser.LoadSchema(&ast.Source{Name: tag, Input: string(data)})
		if err != nil {
			t.Fatalf("load %s: %v", tag, err)
		}
		out[tag] = s
	}
	return out
}

// servers says on which schemas a document of variant v must be valid.
func servers(v Variant) []string {
	switch v {
	case StateServer, ServicesServer:
		return []string{"v3.6.2", "v3.14.0-29"}
	case DisconnectOverrideServer:
		return []string{"v3.14.0-29"}
	case UpdateOverrideServer:
		return []string{"v1.10.0", "v3.6.2"}
	case LegacyServer:
		return []string{"v1.10.0"}
	}
	return schemaTags
}

// refusedBy says which schemas must refuse a document of variant v: the proof that the
// variant matters (detecting the server generation is needed).
func refusedBy(v Variant) []string {
	switch v {
	case StateServer, ServicesServer:
		return []string{"v1.10.0"}
	case LegacyServer:
		return []string{"v3.6.2", "v3.14.0-29"}
	}
	return nil
}

// TestDocumentsAgainstRealSchemas validates every document bbsetup can send against each
// real schema it is meant for, and proves the state variants would be refused by v1.10.0
// (so detecting the server generation matters).
func TestDocumentsAgainstRealSchemas(t *testing.T) {
	schemas := realSchemas(t)
	for _, d := range Documents() {
		for _, tag := range servers(d.Variant) {
			if _, errs := gqlparser.LoadQueryWithRules(schemas[tag], d.Text, nil); len(errs) > 0 {
				t.Errorf("%s is not valid on %s: %v", d.Name, tag, errs)
			}
		}
		for _, tag := range refusedBy(d.Variant) {
			if _, errs := gqlparser.LoadQueryWithRules(schemas[tag], d.Text, nil); len(errs) == 0 {
				t.Errorf("%s is of a variant for other servers but is valid on %s: the variant is pointless", d.Name, tag)
			}
		}
		// Each override document is refused by the servers of the other way: detecting the
		// method matters.
		for _, tag := range map[Variant][]string{DisconnectOverrideServer: {"v1.10.0", "v3.6.2"}, UpdateOverrideServer: {"v3.14.0-29"}}[d.Variant] {
			if _, errs := gqlparser.LoadQueryWithRules(schemas[tag], d.Text, nil); len(errs) == 0 {
				t.Errorf("%s is valid on %s too: the variant is pointless", d.Name, tag)
			}
		}
	}
}

// TestSchemaHasStateOnRealSchemas reads `state` support from each real schema file, as
// bbsetup does with a checkout's packages/amplication-server/src/schema.graphql.
func TestSchemaHasStateOnRealSchemas(t *testing.T) {
	want := map[string]bool{"v1.10.0": false, "v3.6.2": true, "v3.14.0-29": true}
	for _, tag := range schemaTags {
		data, err := os.ReadFile(testkit.RequireShared(t, "amplication", "schema-"+tag+".graphql"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := SchemaHasState(data)
		if err != nil || got != want[tag] {
			t.Errorf("%s: SchemaHasState = %v, %v; want %v", tag, got, err, want[tag])
		}
	}
}

// recorded is one request a recording server received.
type recorded struct {
	OperationName string         `json:"operationName"`
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
}

// recorder is a GraphQL endpoint that records requests and answers canned data.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
	data map[string]string // operation name → data JSON
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req recorded
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, req)
	rc.mu.Unlock()
	data, ok := rc.data[req.OperationName]
	if !ok {
		data = "{}"
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"data":`+data+`}`)
}

// TestSentRequestsAgainstRealSchemas drives every Client method against a recording
// server and checks each request as sent on the wire: the document is one of Documents(),
// valid on the schemas of its variant, and its variables coerce against the schema.
func TestSentRequestsAgainstRealSchemas(t *testing.T) {
	schemas := realSchemas(t)
	rc := &recorder{data: map[string]string{
		"Login":                           `{"login":{"token":"t1"}}`,
		"SetCurrentWorkspace":             `{"setCurrentWorkspace":{"token":"t2"}}`,
		"GitInstallationURL":              `{"getGitResourceInstallationUrl":{"url":"https://bitbucket.org/site/oauth2/authorize?client_id=k&response_type=code&state=w"}}`,
		"GitInstallationURLWithState":     `{"getGitResourceInstallationUrl":{"url":"https://bitbucket.org/site/oauth2/authorize?client_id=k&response_type=code&state=s"}}`,
		"GitInstallationInputFields":      `{"__type":{"inputFields":[{"name":"gitProvider"},{"name":"state"}]}}`,
		"CompleteGitOAuth2Flow":           `{"completeGitOAuth2Flow":{"id":"o","name":"n","provider":"Bitbucket","type":"Organization"}}`,
		"CompleteGitOAuth2FlowWithState":  `{"completeGitOAuth2Flow":{"id":"o","name":"n","provider":"Bitbucket","type":"Organization"}}`,
		"ConnectResourceGitRepository":    `{"connectResourceGitRepository":{"id":"r","name":"n","resourceType":"Service","gitRepositoryOverride":true,"gitRepository":null}}`,
		"DisconnectResourceGitRepository": `{"disconnectResourceGitRepository":{"id":"r","gitRepository":null}}`,
		"GitOrganizationAccounts":         `{"gitOrganizations":[{"id":"o","name":"n","provider":"Bitbucket","type":"Organization","installationId":"{u}","useGroupingForRepositories":true}]}`,
		"GitOverrideSupport":              `{"mutation":{"fields":[]},"update":null}`,
		"OverrideProjectGitSettings":      `{"disconnectResourceGitRepository":{"id":"r"}}`,
		"UpdateResourceGitOverride":       `{"updateResource":{"id":"r","gitRepositoryOverride":true}}`,
		"ProjectsDemoRepo":                `{"projects":[{"id":"p","name":"Shop","useDemoRepo":true}]}`,
		"BuildSupport":                    `{"commitInput":{"inputFields":[{"name":"message"},{"name":"resourceTypeGroup"}]},"build":{"fields":[{"name":"gitStatus"}]}}`,
		"CommitServices":                  `{"commit":{"id":"c1","message":"m","createdAt":"2026-01-01T00:00:00Z"}}`,
		"Commit":                          `{"commit":{"id":"c1","message":"m","createdAt":"2026-01-01T00:00:00Z"}}`,
		"Builds":                          `{"builds":[]}`,
		"BuildsOfResource":                `{"builds":[]}`,
		"Build":                           `{"build":{"id":"b1","resourceId":"r","status":"Running","gitStatus":"Waiting","createdAt":"2026-01-01T00:00:00Z","action":null}}`,
		"BuildLegacy":                     `{"build":{"id":"b1","resourceId":"r","status":"Running","createdAt":"2026-01-01T00:00:00Z","action":null}}`,
		"LatestBuild":                     `{"builds":[{"id":"b1","commitId":"c1","message":null,"createdAt":"2026-01-01T00:00:00Z"}]}`,
	}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	c, err := New(srv.URL, srv.Client(), Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Login(ctx, "Demo@Example.COM", "pw"))
	must(c.SetCurrentWorkspace(ctx, "ws1"))
	_, err = c.Overview(ctx)
	must(err)
	_, err = c.Projects(ctx)
	must(err)
	_, err = c.StateSupport(ctx)
	must(err)
	for _, withState := range []bool{false, true} {
		_, err = c.InstallationURL(ctx, "st", withState)
		must(err)
		_, err = c.CompleteOAuth(ctx, "code", "st", withState)
		must(err)
	}
	for _, override := range []bool{false, true} {
		_, err = c.Connect(ctx, ConnectInput{ResourceID: "r", GitOrganizationID: "o", Repository: "repo", Group: "acme", Override: override})
		must(err)
	}
	must(c.Disconnect(ctx, "r"))
	_, err = c.GitOrganizationAccounts(ctx)
	must(err)
	_, err = c.OverrideSupport(ctx)
	must(err)
	must(c.MarkOverride(ctx, "r", OverrideByDisconnect))
	must(c.MarkOverride(ctx, "r", OverrideByUpdate))
	_, err = c.DemoRepoProjects(ctx)
	must(err)
	_, err = c.BuildSupport(ctx)
	must(err)
	for _, api := range []BuildAPI{{Services: true}, {Services: false}} {
		_, err = c.Commit(ctx, api, "p1", "Connect to Bitbucket (bbsetup)")
		must(err)
		_, err = c.Builds(ctx, api, "c1", []string{"r1", "r2"})
		must(err)
		_, err = c.Build(ctx, api, "b1")
		must(err)
	}
	_, err = c.LatestBuild(ctx, "r1")
	must(err)

	sent := map[string]bool{}
	for _, r := range rc.reqs {
		d := DocumentNamed(r.OperationName)
		if d == nil || d.Text != r.Query {
			t.Errorf("sent a document that is not in Documents(): %s", r.OperationName)
			continue
		}
		sent[d.Name] = true
		for _, tag := range servers(d.Variant) {
			qd, perr := parser.ParseQuery(&ast.Source{Input: r.Query})
			if perr != nil {
				t.Fatal(perr)
			}
			if errs := validator.ValidateWithRules(schemas[tag], qd, nil); len(errs) > 0 {
				t.Errorf("%s on %s: %v", d.Name, tag, errs)
				continue
			}
			if _, err := validator.VariableValues(schemas[tag], qd.Operations[0], r.Variables); err != nil {
				t.Errorf("%s on %s: variables %v: %v", d.Name, tag, r.Variables, err)
			}
		}
		if d.Name == "Login" && r.Variables["email"] != "demo@example.com" {
			t.Errorf("login email sent as %v, want it lower-cased", r.Variables["email"])
		}
	}
	for _, d := range Documents() {
		if !sent[d.Name] {
			t.Errorf("no Client method sent %s: test it here", d.Name)
		}
	}
	if !strings.Contains(rc.reqs[len(rc.reqs)-1].Query, "take: 1") {
		t.Errorf("last request %q", rc.reqs[len(rc.reqs)-1].OperationName)
	}
}
