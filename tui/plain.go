package tui

// The wizard's words for another surface: the accessible line mode (package tui/line)
// asks the same questions as plain lines, and takes the texts and checks that the
// screens compute from here, so both say the same thing. Nothing here draws or changes
// state.

import (
	"io"

	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// AmpUndone is what stays undone when the operator skips Amplication (the server
// screen's s).
const AmpUndone = ampUndone

// PlainSummary is the Summary screen's text without colours or any escape sequence, one
// line per fact (no line is cut or wrapped: the terminal wraps it).
func PlainSummary(s Summary) string {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	c := &common{st: newStyles(r, true), width: 1 << 16}
	return renderSummary(c, s, false)
}

// NextSteps are the summary's next steps for the checkout and the Amplication part (nil:
// never reached), as the --json summary gives them.
func NextSteps(co Checkout, amp *AmpSummary) []string { return nextSteps(co, amp) }

// LayoutText names the checkout's layout as the Welcome screen does.
func LayoutText(co Checkout) string { return layoutText(co) }

// GroupPermissions folds permission labels "Row: Level" into one line per row.
func GroupPermissions(labels []string) []string { return groupPermissions(labels) }

// NormalizeWorkspace turns a typed workspace (a slug, or a pasted workspace URL) into its
// slug, as the Consumer screen does; base is the Bitbucket URL.
func NormalizeWorkspace(typed, base string) string { return normalizeWorkspace(typed, base) }

// ValidWorkspaceSlug says, in the operator's words, why s is not a workspace slug.
func ValidWorkspaceSlug(s string) error { return validWorkspaceSlug(s) }

// CheckCredentialFormat says why a pasted key or secret (what: "key" or "secret") cannot
// be right before asking Bitbucket (empty, or with a space or control character).
func CheckCredentialFormat(what, v string) error { return checkFormat(what, v) }

// SecretShaped reports that a value typed as the key looks like a secret.
func SecretShaped(v string) bool { return flow.LooksLikeSecret(v) }

// ExpandHome expands a leading ~ in a typed path, as the Welcome screen does.
func ExpandHome(p string) string { return expandHome(p) }

// Inheritors are the services of p that take the project's repository.
func Inheritors(p AmpProject) []string { return inheritors(p) }

// Movers are the services a connect of p's settings to repo would move (safe text, with
// the repository each leaves): they follow the project's settings and have another one.
func Movers(p AmpProject, repo string) []string { return movers(p, repo) }

// RepoText is a resource's repository as the Amplication target screen shows it
// ("not connected", "→ acme/shop (the project's)").
func RepoText(r AmpResource) string { return repoText(r) }

// CredentialsRejected reports whether err says Bitbucket rejected the key or secret.
func CredentialsRejected(err error) bool { return credentialsRejected(err) }

// CallbackPort is the port of a callback URL (for the ssh -L hint).
func CallbackPort(callback string) string { return callbackPort(callback) }

// ClientHost is the CLIENT_HOST part of a callback URL.
func ClientHost(callback string) string { return clientHost(callback) }
