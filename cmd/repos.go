package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) newReposCmd() *cobra.Command {
	repos := &cobra.Command{
		Use:   "repos",
		Short: "List or create repositories in a Bitbucket workspace",
		Args:  cobra.NoArgs,
	}
	repos.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the repositories of a workspace",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return errors.New("repos list is not implemented yet") },
	}, &cobra.Command{
		Use:   "create",
		Short: "Create a repository in a workspace",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return errors.New("repos create is not implemented yet") },
	})
	return repos
}
