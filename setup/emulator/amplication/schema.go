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
  build(where: WhereUniqueInput!): Build!
  builds(orderBy: BuildOrderByInput, skip: Int, take: Int, where: BuildWhereInput): [Build!]!
  currentWorkspace: Workspace
  gitOrganizations(skip: Float, take: Float, where: GitOrganizationWhereInput): [GitOrganization!]!
  me: User!
  projects(skip: Int, take: Int, where: ProjectWhereInput): [Project!]!
  workspaces: [Workspace!]!
}

type Mutation {
  commit(data: CommitCreateInput!): Commit
  completeGitOAuth2Flow(data: GitOAuth2FlowInput!): GitOrganization!
  connectResourceGitRepository(data: ConnectGitRepositoryInput!): Resource!
  disconnectResourceGitRepository(resourceId: String!): Resource! #v1,v36
  disconnectResourceGitRepository(overrideProjectSettings: Boolean, resourceId: String!): Resource! #v314
  getGitResourceInstallationUrl(data: GitGetInstallationUrlInput!): AuthorizeResourceWithGitResult!
  login(data: LoginInput!): Auth!
  setCurrentWorkspace(data: WhereUniqueInput!): Auth!
  updateResource(data: ResourceUpdateInput!, where: WhereUniqueInput!): Resource
}

scalar DateTime

scalar JSONObject

type Action {
  createdAt: DateTime!
  id: String!
  steps: [ActionStep!]
}

type ActionLog {
  createdAt: DateTime!
  id: String!
  level: EnumActionLogLevel!
  message: String!
  meta: JSONObject!
}

type ActionStep {
  completedAt: DateTime
  createdAt: DateTime!
  id: String!
  logs: [ActionLog!]
  message: String!
  name: String!
  status: EnumActionStepStatus!
}

type Build {
  action: Action
  actionId: String!
  commit: Commit! #v1
  commit: Commit #v3
  commitId: String!
  createdAt: DateTime!
  gitStatus: EnumBuildGitStatus! #v3
  id: String!
  message: String! #v1
  message: String #v3
  resource: Resource
  resourceId: String!
  status: EnumBuildStatus #v1
  status: EnumBuildStatus! #v3
  userId: String!
  version: String!
}

type Commit {
  createdAt: DateTime!
  id: String!
  message: String!
  userId: String!
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
  useDemoRepo: Boolean!
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

input BuildOrderByInput {
  createdAt: SortOrder
  id: SortOrder
}

input BuildWhereInput {
  commit: WhereUniqueInput
  resource: WhereUniqueInput! #v1
  resource: WhereUniqueInput #v3
}

input CommitCreateInput {
  message: String!
  project: WhereParentIdInput!
  resourceTypeGroup: EnumResourceTypeGroup! #v3
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

input ResourceUpdateInput {
  description: String
  gitRepositoryOverride: Boolean #v1,v36
  name: String
}

input WhereParentIdInput {
  connect: WhereUniqueInput!
}

input WhereUniqueInput {
  id: String!
}

enum EnumActionLogLevel {
  Debug
  Error
  Info
  Warning
}

enum EnumActionStepStatus {
  Failed
  Running
  Success
  Waiting
}

enum EnumBuildGitStatus { #v3
  Canceled
  Completed
  Failed
  NotConnected
  Unknown
  Waiting
}

enum EnumBuildStatus {
  Canceled #v3
  Completed
  Failed
  Invalid
  Running
  Unknown #v3
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

enum EnumResourceTypeGroup { #v3
  Platform
  Services
}

enum SortOrder {
  Asc
  Desc
}

`

// SDL is the emulator's schema for a generation (SchemaV3, SchemaV36 or SchemaV1; "" is
// SchemaV3).
func SDL(generation string) string {
	if generation == "" {
		generation = SchemaV3
	}
	var b strings.Builder
	skipping := false
	for _, line := range strings.Split(sdl, "\n") {
		if skipping {
			if strings.TrimSpace(line) == "}" {
				skipping = false
			}
			continue
		}
		body, tags, tagged := strings.Cut(line, " #")
		if tagged {
			if !hasGeneration(tags, generation) {
				skipping = strings.HasSuffix(strings.TrimSpace(body), "{")
				continue
			}
			line = body
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// hasGeneration reports whether a tag list ("v3", "v1,v36", ...) includes the generation.
func hasGeneration(tags, generation string) bool {
	for _, t := range strings.Split(tags, ",") {
		switch strings.TrimSpace(t) {
		case "v3":
			if generation == SchemaV3 || generation == SchemaV36 {
				return true
			}
		case "v1":
			if generation == SchemaV1 {
				return true
			}
		case "v36":
			if generation == SchemaV36 {
				return true
			}
		case "v314":
			if generation == SchemaV3 {
				return true
			}
		}
	}
	return false
}
