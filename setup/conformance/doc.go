// Package conformance checks bbsetup's Bitbucket emulator (setup/emulator/bitbucket) and REST client
// (setup/bitbucket) against Atlassian's own description of the Bitbucket Cloud REST API 2.0,
// the OpenAPI 3.0 document in ../shared/spec/bitbucket-cloud-openapi.json beside the repository.
//
// The package holds tests only. They load the document with kin-openapi, wrap the client's HTTP
// transport in a validating http.RoundTripper that checks every request the client sends and
// every response the emulator answers (success and error) against the document's operation and
// schema, and pin the OAuth token endpoint's bodies (which the document does not describe) to
// ../shared/SPEC.md. When the document is absent the tests skip with a loud message.
package conformance
