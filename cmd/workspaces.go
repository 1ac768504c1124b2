package cmd

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// workspaceJSON is one element of `bbsetup workspaces --json`.
type workspaceJSON struct {
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	UUID          string `json:"uuid"`
	Administrator bool   `json:"administrator"`
	HTMLURL       string `json:"html_url"`
}

// workspacesOptions are the flags of `bbsetup workspaces`.
type workspacesOptions struct{ json bool }

func newCmdWorkspaces(a *Factory, runF func(*workspacesOptions) error) *cobra.Command {
	var o workspacesOptions
	c := &cobra.Command{
		Use:   "workspaces",
		Short: "List the Bitbucket workspaces the consumer can see",
		Long: `List the Bitbucket workspaces the OAuth consumer's owner belongs to, with their names
and whether the owner administers them.

It signs in with the key and secret in the Amplication checkout's .env.local files
(client_credentials grant, so the consumer must be private) and needs the
"Account: Read" permission.`,
		Example: "  bbsetup workspaces\n  bbsetup workspaces --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(&o)
			}
			return a.runWorkspaces(cmd.Context(), o.json)
		},
	}
	c.Flags().BoolVar(&o.json, "json", false, "print a JSON array instead of a table")
	return c
}

func (a *Factory) runWorkspaces(ctx context.Context, asJSON bool) error {
	bb, done, err := a.bbapiClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	own := flow.LookupOwn(ctx, bb) // whose workspaces these are, beside the listing
	defer own.Stop()
	list, err := bb.Workspaces(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]workspaceJSON, 0, len(list))
		for _, w := range list {
			out = append(out, workspaceJSON{Slug: w.Slug, Name: w.Name, UUID: w.UUID,
				Administrator: w.Administrator, HTMLURL: w.HTMLURL})
		}
		return bbapiWriteJSON(a.env.Stdout, out)
	}
	if len(list) == 0 {
		a.noteNone("No workspaces: the consumer's owner is not a member of any Bitbucket workspace.")
		return nil
	}
	l := a.newListing("SLUG\tNAME\tADMIN")
	for _, w := range list {
		admin := "no"
		if w.Administrator {
			admin = "yes"
		}
		l.row("%s\t%s\t%s", bbapiClean(w.Slug), bbapiClean(w.Name), admin)
	}
	whose := ""
	if user, _ := own.Wait(); user != nil {
		// The consumer may be hosted by another account than the one Amplication pushes as.
		whose = " of " + bbapiClean(user.AccountName()) + " (the OAuth consumer's owner)"
	}
	return l.done(plural(len(list), "workspace", "workspaces") + whose + ".")
}

// bbapiClient builds a Bitbucket API client for the non-interactive commands: the
// checkout's key and secret, a client_credentials token, and the global URLs. done
// releases the client's idle connections.
func (a *Factory) bbapiClient(ctx context.Context) (*bitbucket.Client, func(), error) {
	return a.bbapiClientWith(ctx, bitbucket.Options{})
}

// bbapiClientWith is bbapiClient with client options (completion: no retries).
func (a *Factory) bbapiClientWith(ctx context.Context, opts bitbucket.Options) (*bitbucket.Client, func(), error) {
	_, cr, err := a.configuredCheckout()
	if err != nil {
		return nil, nil, err
	}
	tr := pagedTransport()
	// No Options.Debug: the debug transport already logs every request (the token's
	// too), once, with the one "debug: " prefix.
	bb := flow.OwnClient(ctx, flow.OwnAccess{BitbucketURL: a.g.BitbucketURL, APIURL: a.g.APIURL, Credentials: cr,
		HTTP: &http.Client{Transport: a.debugTransport(tr)}, Options: a.testBackoff(opts), Secret: a.secret})
	return bb, tr.CloseIdleConnections, nil
}

// bbapiWriteJSON writes v as indented JSON and a newline.
func bbapiWriteJSON(w io.Writer, v any) error {
	return writeJSON(w, v) // jsonout.go: controls escaped
}

// bbapiClean makes a server-provided string safe for one table cell: ESC sequences,
// C0/C1 controls and bidi controls removed, line breaks and tabs folded into a space
// (safetext.Line), and the Unicode line and paragraph separators too.
func bbapiClean(s string) string {
	return safetext.Line(strings.NewReplacer("\u2028", " ", "\u2029", " ").Replace(s))
}

// testBackoff shortens opts' retry wait to BBSETUP_TEST_BACKOFF, for tests only
// (docs/testing.md): a fault test does not sleep through the real backoff.
func (a *Factory) testBackoff(opts bitbucket.Options) bitbucket.Options {
	if d, err := time.ParseDuration(a.env.Getenv("BBSETUP_TEST_BACKOFF")); err == nil && d > 0 {
		opts.BaseBackoff, opts.MaxBackoff = d, d
	}
	return opts
}
