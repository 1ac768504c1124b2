package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// Step 12: what was written where, who is connected, the workspace and repository, and the
// next steps. It stays on the terminal after the wizard exits.

type summaryScreen struct {
	c   *common
	sum Summary
	// The Build screen (tui/build.go), offered with b after a connect.
	ctx     context.Context
	offer   *buildOffer // nil: nothing to build, or the backend cannot
	build   *buildScreen
	inBuild bool
}

func newSummary(c *common) *summaryScreen { return &summaryScreen{c: c} }

func (s *summaryScreen) enter(e entry) tea.Cmd {
	s.sum = e.s.Summary()
	s.ctx, s.offer = e.ctx, offerBuild(e.s)
	if s.sum.Amplication != nil {
		s.sum.Amplication.buildable = s.offer != nil
	}
	return nil
}
func (s *summaryScreen) typing() bool { return false }
func (s *summaryScreen) busy() bool   { return s.inBuild && s.build.busy() }

func (s *summaryScreen) keys() bindings {
	if s.inBuild {
		return s.build.keys()
	}
	short := []key.Binding{with(s.c.km.Enter, "enter", "finish")}
	if s.offer != nil {
		short = append(short, s.c.km.Build)
	}
	return bindings{short: short}
}

func (s *summaryScreen) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := s.updateBuild(msg); ok { // tui/build.go
		return cmd
	}
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, s.c.km.Enter) {
		return s.c.report(finishMsg{})
	}
	return nil
}

func (s *summaryScreen) view() string {
	if s.inBuild {
		return s.build.view()
	}
	return renderSummary(s.c, s.sum, true)
}

// finalSummary is the summary printed when the wizard exits.
func finalSummary(c *common, sum Summary) string { return renderSummary(c, sum, false) + "\n" }

// renderSummary renders sum; live adds the key to press.
func renderSummary(c *common, sum Summary, live bool) string {
	var b strings.Builder
	summaryDone(&b, c, sum)
	summaryFiles(&b, c, sum)
	summaryTarget(&b, c, sum)
	b.WriteString(c.st.strong.Render("Next steps") + buildHint(c, sum, live) + "\n") // tui/build.go
	amp := sum.Amplication
	switch {
	case amp != nil && amp.Connected != nil:
		summaryNextConnected(&b, c, sum)
		b.WriteString(buildNext(c, sum, live)) // tui/build.go
	case amp != nil && amp.Skipped:
		summaryNextSkipped(&b, c, sum)
	default:
		summaryNextBitbucket(&b, c, sum)
	}
	if live {
		b.WriteString("\n" + c.st.faint.Render("Press enter to finish."))
	}
	return b.String()
}

// summaryDone writes the heading: what is connected now, and to which account.
func summaryDone(b *strings.Builder, c *common, sum Summary) {
	st := c.st
	amp := sum.Amplication
	if amp == nil || amp.Connected == nil {
		b.WriteString(st.ok.Render("✓ ") + st.heading.Render("Bitbucket is set up; Amplication itself is not connected yet") + "\n")
		return
	}
	b.WriteString(st.ok.Render("✓ ") + st.heading.Render(safetext.Line(amp.Connected.Line())) + "\n")
	if built := buildResults(c, amp); built != "" { // tui/build.go
		b.WriteString(built)
	} else {
		// What is true now: the connection, not a push.
		b.WriteString(st.subtle.Render("  Stored in Amplication and read back from its server. Nothing is pushed yet: see Next steps.") + "\n")
	}
	if len(amp.Connected.Inheriting) > 0 {
		names := make([]string, len(amp.Connected.Inheriting))
		for i, n := range amp.Connected.Inheriting {
			names[i] = safetext.Line(n)
		}
		b.WriteString(c.kv("Inheriting", 12, strings.Join(names, ", ")) + "\n")
	}
	if amp.Connected.Replaced != "" {
		b.WriteString(c.kv("Replaced", 12, safetext.Line(amp.Connected.Replaced)) + "\n")
	}
	acct := safetext.Line(amp.Account) + ", workspace " + safetext.Line(amp.Workspace)
	b.WriteString(c.kv("Amplication", 12, acct) + "\n")
	if amp.GitOrganization != nil {
		b.WriteString(c.kv("Bitbucket as", 12, safetext.Line(amp.GitOrganization.Name)+st.faint.Render(" (Amplication's connection)")) + "\n")
	}
}

// summaryFiles writes what happened to the env files.
func summaryFiles(b *strings.Builder, c *common, sum Summary) {
	st := c.st
	switch {
	case sum.KeptCredentials:
		b.WriteString(c.kv("Env files", 12, "kept the configured key "+st.code.Render(sum.ClientID)+"; nothing written") + "\n")
	case len(sum.Files) == 0:
		b.WriteString(c.kv("Env files", 12, "nothing written (they already held this key and secret)") + "\n")
	default:
		for i, f := range sum.Files {
			label := ""
			if i == 0 {
				label = "Written"
			}
			p := st.code.Render(rel(sum.Checkout, f.Path))
			if !f.Changed {
				p += st.faint.Render(" (up to date)")
			}
			b.WriteString(c.kv(label, 12, p) + "\n")
		}
	}
}

// summaryTarget writes who authorized (when Amplication is not connected) and the
// repository or workspace.
func summaryTarget(b *strings.Builder, c *common, sum Summary) {
	st := c.st
	amp := sum.Amplication
	if sum.ConnectedAs != nil && amp == nil || sum.ConnectedAs != nil && amp.Skipped {
		b.WriteString(c.kv("Authorized", 12, sum.ConnectedAs.DisplayName+" ("+sum.ConnectedAs.Nickname+")") + "\n")
	}
	if r := sum.Repository; r != nil {
		verb := "chosen"
		if sum.CreatedRepo {
			verb = "created"
		}
		b.WriteString(c.kv("Repository", 12, st.code.Render(r.FullName)+st.faint.Render(" ("+verb+")")) + "\n")
		b.WriteString(repoLinks(c, *r, 12) + "\n")
	} else {
		b.WriteString(c.kv("Workspace", 12, st.code.Render(sum.Workspace)) + "\n")
	}
}

// summaryNextConnected writes the next steps once Amplication is connected.
func summaryNextConnected(b *strings.Builder, c *common, sum Summary) {
	st := c.st
	amp := sum.Amplication
	// The server runs already (the wizard talked to it). The PR service's part is said
	// once, on its own line.
	repo := safetext.Line(amp.Connected.Repository)
	pr := prService(sum.Services)
	b.WriteString("  1. Start the other services, each in its own terminal, from " + st.code.Render(sum.Checkout) + ":\n")
	for _, svc := range sum.Services {
		switch svc {
		case "npx nx serve amplication-server":
		case pr:
			b.WriteString("     " + st.code.Render(svc) + st.faint.Render(" (opens the pull requests in "+repo+")") + "\n")
		default:
			b.WriteString("     " + st.code.Render(svc) + "\n") // wrapped lines hang under it
		}
	}
	conn := *amp.Connected
	conn.Resource, conn.Project, conn.Repository = safetext.Line(conn.Resource), safetext.Line(conn.Project), repo
	b.WriteString("  2. " + commitStep(clientHost(sum.CallbackURL), conn, pr != ""))
}

// summaryServices writes step 1 when Amplication is not connected: every service.
func summaryServices(b *strings.Builder, c *common, sum Summary) {
	b.WriteString("  1. Start the services, each in its own terminal, from " + c.st.code.Render(sum.Checkout) + ":\n")
	for _, svc := range sum.Services {
		b.WriteString("     " + c.st.code.Render(svc) + "\n") // wrapped lines hang under it
	}
}

// summaryNextSkipped writes the next steps when the operator skipped Amplication.
func summaryNextSkipped(b *strings.Builder, c *common, sum Summary) {
	st := c.st
	summaryServices(b, c, sum)
	b.WriteString("  2. Amplication was skipped: once its server runs with the new key, connect it with " +
		st.code.Render("bbsetup amplication authorize") + ", then " + st.code.Render("bbsetup amplication connect --workspace "+sum.Workspace))
	if sum.Repository != nil {
		b.WriteString(st.code.Render(" --repository " + sum.Repository.Slug))
	}
	b.WriteString(st.code.Render(" --project NAME") + ".")
}

// summaryNextBitbucket writes the next steps when only Bitbucket was set up.
func summaryNextBitbucket(b *strings.Builder, c *common, sum Summary) {
	summaryServices(b, c, sum)
	b.WriteString("  2. Open Amplication (" + clientHost(sum.CallbackURL) + "), pick a service and use " +
		c.st.strong.Render("Connect to Bitbucket") + ": workspace " + sum.Workspace)
	if sum.Repository != nil {
		b.WriteString(", repository " + sum.Repository.Slug)
	}
	b.WriteString(".")
}
