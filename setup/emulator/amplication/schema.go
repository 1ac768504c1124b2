package amplication

import "strings"

// sdl is the emulator's schema: a strict subset of the real server's generated
// packages/amplication-server/src/schema.graphql (same names, types and arguments; fewer
// fields, input fields and enum values), proved by TestSDLIsSubsetOfRealSchema. Lines
// marked "#v3" exist only from v3.5.0 on and are dropped for SchemaV1.
const sdl = `
schema {
  query: Query
  mutation: Mutation
}

type Query {
  currentWorkspace: Workspace
  gitOrganizations(skip: Float, take: Float, where: GitOrganizationWhereInput): [GitOrganization!]!
  me: User!
  projects(skip: Int, take: Int, where: ProjectWhereInput): [Project!]!
  workspaces: [Workspace!]!
}

type Mutation {
  completeGitOAuth2Flow(data: GitOAuth2FlowInput!): GitOrganization!
  connectResourceGitRepository(data: ConnectGitRepositoryInput!): Resource!
  disconnectResourceGitRepository(resourceId: String!): Resource! #v1
  disconnectResourceGitRepository(overrideProjectSettings: Boolean, resourceId: String!): Resource! #v3
  getGitResourceInstallationUrl(data: GitGetInstallationUrlInput!): AuthorizeResourceWithGitResult!
  login(data: LoginInput!): Auth!
  setCurrentWorkspace(data: WhereUniqueInput!): Auth!
}

type Account {
  email: String!
  firstName: String!
  id: String!
  lastName: String!
}

type Auth {
  token: String!
}

type AuthorizeResourceWithGitResult {
  url: String!
}

type GitOrganization {
  id: String!
  installationId: String!
  name: String!
  provider: EnumGitProvider!
  type: EnumGitOrganizationType!
  useGroupingForRepositories: Boolean!
}

type GitRepository {
  gitOrganization: GitOrganization!
  gitOrganizationId: String!
  groupName: String
  id: String!
  name: String!
}

type Project {
  description: String
  id: String!
  name: String!
  resources: [Resource!]
}

type Resource {
  description: String!
  gitRepository: GitRepository
  gitRepositoryId: String
  gitRepositoryOverride: Boolean!
  id: String!
  name: String!
  project: Project
  projectId: String
  resourceType: EnumResourceType!
}

type User {
  account: Account
  id: String!
  isOwner: Boolean!
  workspace: Workspace
}

type Workspace {
  gitOrganizations: [GitOrganization!]
  id: String!
  name: String!
  projects: [Project!]!
}

input ConnectGitRepositoryInput {
  gitOrganizationId: String!
  groupName: String
  isOverrideGitRepository: Boolean
  name: String!
  resourceId: String!
}

input GitGetInstallationUrlInput {
  gitProvider: EnumGitProvider!
  state: String #v3
}

input GitOAuth2FlowInput {
  code: String!
  gitProvider: EnumGitProvider!
  state: String #v3
}

input GitOrganizationWhereInput {
  id: String
}

input LoginInput {
  email: String!
  password: String!
}

input ProjectWhereInput {
  id: String
}

input WhereUniqueInput {
  id: String!
}

enum EnumGitOrganizationType {
  Organization
  User
}

enum EnumGitProvider {
  AwsCodeCommit
  Bitbucket
  Github
}

enum EnumResourceType {
  MessageBroker
  ProjectConfiguration
  Service
}

`

// SDL is the emulator's schema for a generation (SchemaV3 or SchemaV1; "" is SchemaV3).
func SDL(generation string) string {
	drop := "#v1"
	if generation == SchemaV1 {
		drop = "#v3"
	}
	var b strings.Builder
	for _, line := range strings.Split(sdl, "\n") {
		if strings.HasSuffix(line, drop) {
			continue
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, " #v1"), " #v3")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
