package amplication

// The demo user: a throwaway local account that exists only in the emulator.
const (
	DemoEmail    = "demo@amplication.local"
	DemoPassword = "demo-password-not-secret"
)

// Ids of the demo data (cuid-like, fixed so that tests and docs can name them).
const (
	DemoWorkspaceID = "cldemows00000000000000001"
	DemoShopID      = "cldemoprj0000000000000001"
	DemoInternalID  = "cldemoprj0000000000000002"
	DemoShopConfig  = "cldemores0000000000000001" // the Shop project's settings (ProjectConfiguration)
	DemoOrdersID    = "cldemores0000000000000002"
	DemoPaymentsID  = "cldemores0000000000000003"
	DemoCatalogID   = "cldemores0000000000000004"
	DemoInternalCfg = "cldemores0000000000000005"
	DemoAdminID     = "cldemores0000000000000006"
	DemoGitHubOrgID = "cldemoorg0000000000000001"
)

// DemoSeed is the demo's Amplication: the user DemoEmail / DemoPassword in workspace
// "Demo"; project "Shop" with services "orders" and "payments" (both inheriting the
// project's repository, which is not connected yet) and "catalog" (its own repository,
// already connected to GitHub's acme-archive/catalog-legacy, to show the replace prompt);
// project "Internal" with service "admin". No Bitbucket git organization yet: authorizing
// Amplication creates it.
func DemoSeed() Seed {
	return Seed{
		Users: []User{{Email: DemoEmail, Password: DemoPassword, FirstName: "Demo", LastName: "Operator"}},
		Workspaces: []Workspace{{
			ID: DemoWorkspaceID, Name: "Demo", Members: []string{DemoEmail},
			GitOrganizations: []GitOrganization{{ID: DemoGitHubOrgID, Name: "acme-archive", Provider: "Github",
				Type: "Organization", InstallationID: "41234567"}},
			Projects: []Project{
				{ID: DemoShopID, Name: "Shop", Resources: []Resource{
					{ID: DemoShopConfig, Name: "Shop", Type: "ProjectConfiguration"},
					{ID: DemoOrdersID, Name: "orders", Type: "Service"},
					{ID: DemoPaymentsID, Name: "payments", Type: "Service"},
					{ID: DemoCatalogID, Name: "catalog", Type: "Service", GitRepositoryOverride: true,
						Repo: &GitRepository{Name: "catalog-legacy", GitOrganizationID: DemoGitHubOrgID}},
				}},
				{ID: DemoInternalID, Name: "Internal", Resources: []Resource{
					{ID: DemoInternalCfg, Name: "Internal", Type: "ProjectConfiguration"},
					{ID: DemoAdminID, Name: "admin", Type: "Service"},
				}},
			},
		}},
	}
}
