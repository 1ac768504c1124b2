package amplication

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Variant says which server generations a document is for.
type Variant int

// Document variants: most documents have the same shape on every server from v1.10.0 to
// v3.14.0-29; the two that carry `state` exist only from v3.5.0 on.
const (
	AnyServer   Variant = iota // valid on v1.10.0, v3.6.2 and v3.14.0-29
	StateServer                // needs `state` in GitGetInstallationUrlInput / GitOAuth2FlowInput (v3.5.0+)
)

// Document is one GraphQL operation bbsetup can send. Every request the Client makes is
// one of Documents(); there is no other way to send text to the server.
type Document struct {
	Name    string  // the operation name, sent as operationName
	Text    string  // the document
	Variant Variant // which servers it is valid on
	// Idempotent documents may be sent again after a dropped connection or a 5xx; the
	// others (completing the OAuth flow, connecting, disconnecting) only when the request
	// never left this machine, or on 429/503.
	Idempotent bool

	op *ast.OperationDefinition // parsed at init
}

// resourceFields is what bbsetup reads of a resource, everywhere it reads one.
const resourceFields = `id name resourceType gitRepositoryOverride
      gitRepository { id name groupName gitOrganization { id name provider } }`

// The documents. Input objects are written inline so that each document's shape (with or
// without `state`) is visible to validation against the real schemas; values that vary are
// variables, so a password is never part of a document.
var (
	docLogin = &Document{Name: "Login", Idempotent: true, Text: `mutation Login($email: String!, $password: String!) {
  login(data: {email: $email, password: $password}) { token }
}`}
	docSetCurrentWorkspace = &Document{Name: "SetCurrentWorkspace", Idempotent: true, Text: `mutation SetCurrentWorkspace($id: String!) {
  setCurrentWorkspace(data: {id: $id}) { token }
}`}
	docOverview = &Document{Name: "Overview", Idempotent: true, Text: `query Overview {
  me { id account { email firstName lastName } }
  currentWorkspace { id name }
  workspaces { id name }
  gitOrganizations { id name provider type useGroupingForRepositories }
  projects {
    id name
    resources { ` + resourceFields + ` }
  }
}`}
	docProjects = &Document{Name: "Projects", Idempotent: true, Text: `query Projects {
  projects {
    id name
    resources { ` + resourceFields + ` }
  }
}`}
	docInputFields = &Document{Name: "GitInstallationInputFields", Idempotent: true, Text: `query GitInstallationInputFields {
  __type(name: "GitGetInstallationUrlInput") { inputFields { name } }
}`}
	docInstallURL = &Document{Name: "GitInstallationURL", Idempotent: true, Text: `mutation GitInstallationURL {
  getGitResourceInstallationUrl(data: {gitProvider: Bitbucket}) { url }
}`}
	docInstallURLState = &Document{Name: "GitInstallationURLWithState", Variant: StateServer, Idempotent: true, Text: `mutation GitInstallationURLWithState($state: String!) {
  getGitResourceInstallationUrl(data: {gitProvider: Bitbucket, state: $state}) { url }
}`}
	docComplete = &Document{Name: "CompleteGitOAuth2Flow", Text: `mutation CompleteGitOAuth2Flow($code: String!) {
  completeGitOAuth2Flow(data: {code: $code, gitProvider: Bitbucket}) { id name provider type }
}`}
	docCompleteState = &Document{Name: "CompleteGitOAuth2FlowWithState", Variant: StateServer, Text: `mutation CompleteGitOAuth2FlowWithState($code: String!, $state: String!) {
  completeGitOAuth2Flow(data: {code: $code, gitProvider: Bitbucket, state: $state}) { id name provider type }
}`}
	docConnect = &Document{Name: "ConnectResourceGitRepository", Text: `mutation ConnectResourceGitRepository($resourceId: String!, $gitOrganizationId: String!, $name: String!, $groupName: String!, $isOverride: Boolean!) {
  connectResourceGitRepository(data: {resourceId: $resourceId, gitOrganizationId: $gitOrganizationId, name: $name, groupName: $groupName, isOverrideGitRepository: $isOverride}) {
    ` + resourceFields + `
  }
}`}
	docDisconnect = &Document{Name: "DisconnectResourceGitRepository", Text: `mutation DisconnectResourceGitRepository($resourceId: String!) {
  disconnectResourceGitRepository(resourceId: $resourceId) { id gitRepository { id } }
}`}
)

var documents = []*Document{docLogin, docSetCurrentWorkspace, docOverview, docProjects, docInputFields,
	docInstallURL, docInstallURLState, docComplete, docCompleteState, docConnect, docDisconnect}

func init() {
	for _, d := range documents {
		if err := d.parse(); err != nil {
			panic(err) // a programming error; TestDocumentsParse names it
		}
	}
}

// parse checks that the document is well-formed GraphQL with exactly one operation, named
// d.Name, and keeps it.
func (d *Document) parse() error {
	qd, err := parser.ParseQuery(&ast.Source{Name: d.Name, Input: d.Text})
	if err != nil {
		return fmt.Errorf("amplication: document %s does not parse: %w", d.Name, err)
	}
	if len(qd.Operations) != 1 || len(qd.Fragments) != 0 || qd.Operations[0].Name != d.Name {
		return fmt.Errorf("amplication: document %s must hold exactly one operation named %s", d.Name, d.Name)
	}
	d.op = qd.Operations[0]
	return nil
}

// Operation is the parsed operation (for validation in tests).
func (d *Document) Operation() *ast.OperationDefinition { return d.op }

// Documents lists every document the Client can send.
func Documents() []*Document { return append([]*Document(nil), documents...) }

// DocumentNamed returns the document with that operation name, or nil.
func DocumentNamed(name string) *Document {
	for _, d := range documents {
		if d.Name == name {
			return d
		}
	}
	return nil
}
