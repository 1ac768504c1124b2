// Package openapicheck is test support for the conformance suites of bbsetup's Bitbucket REST
// client (setup/bitbucket) and Bitbucket emulator (setup/emulator/bitbucket): it loads
// Atlassian's own description of the Bitbucket Cloud REST API 2.0, the OpenAPI 3.0 document in
// ../shared/spec/bitbucket-cloud-openapi.json beside the repository, and provides a validating
// http.RoundTripper that checks every request a client sends and every response the emulator
// answers (success and error) against the document's operation and schema. When the document
// is absent the tests that need it skip with a loud message (and fail under CI).
//
// Only tests import it; it imports testing and kin-openapi, which the product never links.
package openapicheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/bbsetup/bbsetup/internal/testkit"
)

// specFile is the document's path inside ../shared (shared/ sits beside the repository, in
// development and in CI alike).
var specFile = []string{"spec", "bitbucket-cloud-openapi.json"}

// DocServer is the only server the document declares; requests to the emulator are rebased
// onto it before routing.
const DocServer = "https://api.bitbucket.org/2.0"

// UsedOperations are the operations bbsetup uses (issue 8), as "METHOD /template" with the
// document's path templates. The client may call nothing else.
var UsedOperations = []string{
	"GET /user",
	"GET /user/workspaces",
	"GET /workspaces/{workspace}",
	"GET /workspaces/{workspace}/projects",
	"GET /repositories/{workspace}",
	"GET /repositories/{workspace}/{repo_slug}",
	"POST /repositories/{workspace}/{repo_slug}",
}

// RemovedOperations are the deprecated operations SPEC.md says now answer 410 CHANGE-2770.
var RemovedOperations = []string{
	"GET /workspaces",
	"GET /user/permissions/workspaces",
}

// paginationParams are the query parameters Bitbucket accepts on every paginated list
// (SPEC.md "Pagination", Bitbucket's "Pagination" intro); the document declares them on no
// operation, so they are the only undeclared query parameters the validator lets through.
var paginationParams = []string{"page", "pagelen"}

// undocumentedStatus is a status Bitbucket answers on any operation although the document
// lists it only on some. The validator adds it to an operation that lacks it, with the body
// schema given (the document's own "error" schema unless said otherwise); every other status
// an operation does not list is a failure (IncludeResponseStatus).
type undocumentedStatus struct {
	Status int
	Why    string
	Schema string // "" = #/components/schemas/error; "scope" = scopeErrorSchema
	Only   []string
}

var undocumentedStatuses = []undocumentedStatus{
	{Status: 401, Why: "SPEC.md: a bad or expired access token answers 401 on every endpoint; the document lists 401 on only some operations"},
	{Status: 403, Why: "SPEC.md Scopes: a call lacking a scope answers 403 with detail {required, granted}; the document lists 403 on none of these operations", Schema: "scope"},
	{Status: 410, Why: "SPEC.md: GET /workspaces and GET /user/permissions/workspaces were removed in 2026 and answer 410 CHANGE-2770", Only: RemovedOperations},
	{Status: 429, Why: "SPEC.md Rate limits: 429 \"Rate limit for this resource has been exceeded\" on any endpoint"},
	{Status: 500, Why: "server errors can answer any operation"},
	{Status: 502, Why: "server errors can answer any operation"},
	{Status: 503, Why: "server errors can answer any operation"},
	{Status: 504, Why: "server errors can answer any operation"},
}

// scopeErrorSchema is the document's "error" schema with one change forced by SPEC.md: a 403
// for missing scopes carries error.detail as an object {"required":[...],"granted":[...]},
// while the document types error.detail as a string. Either form is accepted on a 403; no
// other field is loosened.
const scopeErrorSchema = `{
  "type": "object",
  "required": ["type"],
  "additionalProperties": true,
  "properties": {
    "type": {"type": "string"},
    "error": {
      "type": "object",
      "required": ["message"],
      "additionalProperties": false,
      "properties": {
        "message": {"type": "string"},
        "detail": {"anyOf": [
          {"type": "string"},
          {"type": "object", "required": ["required", "granted"], "additionalProperties": false,
           "properties": {
             "required": {"type": "array", "items": {"type": "string"}},
             "granted": {"type": "array", "items": {"type": "string"}}}}
        ]},
        "data": {"type": "object", "additionalProperties": true}
      }
    }
  }
}`

// Spec is the loaded document with its router and the validation options.
type Spec struct {
	Path   string
	Doc    *openapi3.T
	Router routers.Router
	// Added lists "METHOD /template STATUS" for every undocumentedStatus added to the document.
	Added []string
}

var (
	specOnce sync.Once
	specVal  *Spec
	specErr  error
	specSkip string
)

// Load loads, checks and augments the document once per test binary. It skips the test
// (loudly) when the file is absent and fails it when the document does not load or validate.
func Load(t testing.TB) *Spec {
	t.Helper()
	specOnce.Do(func() { specVal, specSkip, specErr = readSpec() })
	if specSkip != "" {
		testkit.SkipUnlessCI(t, specSkip)
	}
	if specErr != nil {
		t.Fatal(specErr)
	}
	return specVal
}

// locateSpec returns the document's path in ../shared beside the module root.
func locateSpec() (string, error) { return testkit.SharedPath(specFile...) }

func readSpec() (*Spec, string, error) {
	path, err := locateSpec()
	if err != nil {
		return nil, "", err
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Sprintf("\n\n*** CONFORMANCE TESTS SKIPPED: Bitbucket's OpenAPI document is missing at %s.\n"+
			"*** Check out the shared/ directory beside the repository (see shared/spec/README.md) and rerun.\n", path), nil
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false // the document is self-contained
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("load %s: %w", path, err)
	}
	// Quirk: the document fails full validation only because of one response example
	// (GET /hook_events: property "links" is unsupported). Examples are not what we validate
	// against, so the document is validated without them; the examples of bbsetup's own
	// operations are checked separately (TestDocumentExamplesOfUsedOperations).
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, "", fmt.Errorf("the OpenAPI document does not validate: %w", err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != DocServer {
		return nil, "", fmt.Errorf("the document's servers changed: want only %s, got %v", DocServer, serverURLs(doc))
	}
	// The document declares "format": "uri" (every link href and next/previous); kin-openapi
	// checks no "uri" format by default, so define it for this document: an absolute URI
	// with a host, or (one exception) the scp-like "git@host:workspace/repo.git" that
	// Bitbucket really serves as the ssh clone link of a repository.
	doc.SetStringFormatValidator("uri", openapi3.NewCallbackValidator(validURI))
	sp := &Spec{Path: path, Doc: doc}
	if err := sp.addUndocumentedStatuses(); err != nil {
		return nil, "", err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, "", fmt.Errorf("route the document: %w", err)
	}
	sp.Router = router
	return sp, "", nil
}

// scpLike matches git's scp-like ssh address, user@host:path (path not starting with "/").
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/:][^:]*$`)

func validURI(s string) error {
	if scpLike.MatchString(s) {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if !u.IsAbs() || u.Host == "" {
		return errors.New("not an absolute URI")
	}
	return nil
}

func serverURLs(doc *openapi3.T) []string {
	var out []string
	for _, s := range doc.Servers {
		out = append(out, s.URL)
	}
	return out
}

// Operation returns the document's operation for "METHOD /template", or nil.
func (sp *Spec) Operation(op string) *openapi3.Operation {
	method, path, ok := strings.Cut(op, " ")
	if !ok {
		return nil
	}
	item := sp.Doc.Paths.Value(path)
	if item == nil {
		return nil
	}
	return item.GetOperation(method)
}

func (sp *Spec) addUndocumentedStatuses() error {
	errRef := &openapi3.SchemaRef{Ref: "#/components/schemas/error"}
	if s := sp.Doc.Components.Schemas["error"]; s == nil {
		return errors.New(`the document has no components.schemas "error"`)
	} else {
		errRef.Value = s.Value
	}
	var scope openapi3.Schema
	if err := json.Unmarshal([]byte(scopeErrorSchema), &scope); err != nil {
		return fmt.Errorf("scopeErrorSchema: %w", err)
	}
	ops := slices.Concat(UsedOperations, RemovedOperations)
	for _, name := range ops {
		op := sp.Operation(name)
		if op == nil {
			continue // reported by TestOperationsExistUndeprecated
		}
		for _, u := range undocumentedStatuses {
			if u.Only != nil && !slices.Contains(u.Only, name) {
				continue
			}
			key := strconv.Itoa(u.Status)
			if op.Responses.Value(key) != nil {
				continue
			}
			ref := errRef
			if u.Schema == "scope" {
				ref = &openapi3.SchemaRef{Value: &scope}
			}
			resp := openapi3.NewResponse().WithDescription("added by the conformance tests: " + u.Why).
				WithContent(openapi3.NewContentWithJSONSchemaRef(ref))
			op.Responses.Set(key, &openapi3.ResponseRef{Value: resp})
			sp.Added = append(sp.Added, name+" "+key)
		}
	}
	sort.Strings(sp.Added)
	return nil
}

// filterOptions are the openapi3filter options, each justified:
//   - MultiError: report every problem of a request or response, not only the first.
//   - IncludeResponseStatus: a status the operation does not list is a failure. (Statuses
//     Bitbucket answers everywhere but the document lists only somewhere are added to our
//     operations first, see undocumentedStatuses, so this stays strict for the rest.)
//   - AuthenticationFunc: required because the document declares security; bearerOnly
//     accepts exactly what bbsetup sends (an OAuth 2 Bearer token) and refuses basic and
//     api_key, which bbsetup never uses.
//   - RejectWhenRequestBodyNotSpecified: a body on an operation that takes none (the GETs)
//     is a failure.
//   - SkipSettingDefaults: validate the request exactly as sent, without injecting defaults.
//   - SchemaValidationOptions: the document-scoped "uri" format defined in readSpec.
//
// Nothing is excluded: request bodies, query parameters and response bodies are all validated,
// and read-only checks stay on.
func (sp *Spec) filterOptions() *openapi3filter.Options {
	o := &openapi3filter.Options{
		MultiError:                        true,
		IncludeResponseStatus:             true,
		AuthenticationFunc:                bearerOnly,
		RejectWhenRequestBodyNotSpecified: true,
		SkipSettingDefaults:               true,
		SchemaValidationOptions:           sp.Doc.GetSchemaValidationOptions(),
	}
	o.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return strings.Join(describeSchemaError(nil, err), "; ")
	})
	return o
}

// describeSchemaError renders a schema error by its innermost causes (an allOf failure says
// only "doesn't match all schemas"; the reason is in its Origin), each as
// "at /json/pointer: reason (value ...)".
func describeSchemaError(prefix []string, e *openapi3.SchemaError) []string {
	// An inner error's pointer is sometimes already absolute (it starts with the outer
	// one's), sometimes relative to it.
	at := e.JSONPointer()
	if len(at) < len(prefix) || !slices.Equal(at[:len(prefix)], prefix) {
		at = append(slices.Clone(prefix), at...)
	}
	var inner []string
	var se *openapi3.SchemaError
	var me openapi3.MultiError
	switch {
	case errors.As(e.Origin, &me):
		for _, err := range me {
			if errors.As(err, &se) {
				inner = append(inner, describeSchemaError(at, se)...)
			}
		}
	case errors.As(e.Origin, &se):
		inner = describeSchemaError(at, se)
	}
	if len(inner) > 0 {
		return inner
	}
	return []string{fmt.Sprintf("at /%s: %s (value %s)", strings.Join(at, "/"), e.Reason, short(e.Value))}
}

// bearerOnly is the AuthenticationFunc: the oauth2 scheme is satisfied by an
// "Authorization: Bearer <token>" header; basic and api_key are refused since bbsetup never
// uses them. Scopes are checked against the emulator's answers, not here (see validator).
func bearerOnly(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName != "oauth2" {
		return fmt.Errorf("bbsetup authenticates with OAuth 2 only, not %q", in.SecuritySchemeName)
	}
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return errors.New(`no "Authorization: Bearer <token>" header`)
	}
	return nil
}

// short renders a value for a failure message, cut to 120 bytes.
func short(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	if len(b) > 120 {
		return string(b[:117]) + "..."
	}
	return string(b)
}

// DocScopes returns the oauth2 scopes the document requires for op, and whether the operation
// admits oauth2 at all.
func (sp *Spec) DocScopes(op string) ([]string, bool) {
	o := sp.Operation(op)
	if o == nil {
		return nil, false
	}
	sec := o.Security
	if sec == nil {
		sec = &sp.Doc.Security
	}
	for _, req := range *sec {
		if scopes, ok := req["oauth2"]; ok {
			return scopes, true
		}
	}
	return nil, false
}

// implied are SPEC.md's scope implications (granting the key grants the values). The
// conformance suites keep their own table, independent of the product's (setup/oauth) and the
// emulator's on purpose: a check that read the table it checks could not catch a mistake in it.
var implied = map[string][]string{
	"repository:write":  {"repository"},
	"pullrequest":       {"repository"},
	"pullrequest:write": {"pullrequest", "repository:write"},
	"team:write":        {"team"},
	"project:admin":     {"project"},
}

// EffectiveScopes closes granted under SPEC.md's implications.
func EffectiveScopes(granted []string) map[string]bool {
	out := map[string]bool{}
	var add func(string)
	add = func(s string) {
		if out[s] {
			return
		}
		out[s] = true
		for _, i := range implied[s] {
			add(i)
		}
	}
	for _, s := range granted {
		add(s)
	}
	return out
}
