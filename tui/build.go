package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/bbsetup/bbsetup/setup/safetext"
)

// The Build screen: after Connect, the summary offers to build now (b). It commits the
// connected project in Amplication and follows every service's build live, through code
// generation and the push, to the pull request's URL (o opens it, c copies it). A stage
// that does not move names the service to start and its command. It is reached from the
// summary and returns there (esc, or enter once it ended); the summary then carries the
// URLs, and so does the quit message.

// ampBuildMsg carries one update of the follow (seq: the run it belongs to).
type ampBuildMsg struct {
	seq uint64
	p   AmpBuildProgress
}

// ampBuildEndMsg is the follow's end.
type ampBuildEndMsg struct {
	seq uint64
	p   AmpBuildProgress
	err error
}

// ampBuiltMsg tells the root what the build did so far (the summary and the quit message
// carry it).
type ampBuiltMsg struct{ p AmpBuildProgress }

// buildScreen follows one build. It is driven by the summary screen.
type buildScreen struct {
	c       *common
	builder AmpBuilder
	req     AmpBuildRequest

	seq     uint64
	updates chan AmpBuildProgress
	cancel  context.CancelFunc
	running bool
	p       AmpBuildProgress
	err     string
	status  string
	sel     int                   // the service whose URL o and c act on
	demo    AmpDemoServiceStarter // the demo's, nil otherwise
}

// demoStartedMsg is the result of the demo's start of the stalled stage's services.
type demoStartedMsg struct {
	names []string
	err   error
}

// stalledStarts are the services a stall names that the demo can start (not Kafka).
func (s *buildScreen) stalledStarts() []string {
	var out []string
	for _, sv := range s.p.Services {
		if sv.Stall == nil || sv.Final {
			continue
		}
		for _, n := range sv.Stall.Start {
			if n.Name != "Kafka" && !slices.Contains(out, n.Name) {
				out = append(out, n.Name)
			}
		}
	}
	return out
}

func newBuildScreen(c *common, b AmpBuilder, req AmpBuildRequest) *buildScreen {
	s := &buildScreen{c: c, builder: b, req: req}
	if d, ok := b.(AmpDemoServiceStarter); ok && c.opts.Demo {
		s.demo = d
	}
	return s
}

// start runs the follow under ctx (the summary step's context).
func (s *buildScreen) start(ctx context.Context) tea.Cmd {
	s.seq = s.c.nextSeq()
	ctx, s.cancel = context.WithCancel(ctx)
	s.updates = make(chan AmpBuildProgress, 16)
	s.running, s.err, s.status = true, "", ""
	s.p = AmpBuildProgress{Project: s.req.Project, Waiting: s.req.Watch}
	b, req, seq, ch := s.builder, s.req, s.seq, s.updates
	run := func() tea.Msg {
		p, err := b.BuildAmp(ctx, req, ch)
		close(ch)
		return ampBuildEndMsg{seq: seq, p: p, err: err}
	}
	return tea.Batch(run, s.wait())
}

// wait reads the next update; it returns nil once the channel closes (the end message
// comes from the run itself).
func (s *buildScreen) wait() tea.Cmd {
	ch, seq := s.updates, s.seq
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return ampBuildMsg{seq: seq, p: p}
	}
}

// stop cancels a follow in flight (leaving the screen).
func (s *buildScreen) stop() {
	if s.cancel != nil {
		s.cancel()
	}
}

func (s *buildScreen) busy() bool { return s.running }

// urlService is the service whose URL o and c act on: the selected one with a URL, else
// the first with one; -1 when none has one.
func (s *buildScreen) urlService() int {
	if s.sel < len(s.p.Services) && s.p.Services[s.sel].URL != "" {
		return s.sel
	}
	for i, sv := range s.p.Services {
		if sv.URL != "" {
			return i
		}
	}
	return -1
}

func (s *buildScreen) keys() bindings {
	km := s.c.km
	var short []key.Binding
	if !s.running {
		short = append(short, with(km.Enter, "enter", "back to the summary"))
	} else {
		short = append(short, with(km.Back, "esc", "stop following"))
	}
	if s.urlService() >= 0 {
		short = append(short, with(km.Open, "o", "open pull request"), with(km.Copy, "c", "copy its URL"))
	}
	if s.demo != nil && s.running && len(s.stalledStarts()) > 0 {
		short = append(short, with(km.Skip, "s", "demo: start it"))
	}
	if len(s.p.Services) > 1 {
		short = append(short, with(km.Down, "↑/↓", "choose service"))
	}
	if !s.running && (s.err != "" || !s.p.OK) {
		short = append(short, with(km.Retry, "r", "build again"))
	}
	return bindings{short: short}
}

// update handles the follow's messages and keys. leave reports that the operator goes
// back to the summary.
func (s *buildScreen) update(ctx context.Context, msg tea.Msg) (cmd tea.Cmd, leave bool) {
	km := s.c.km
	switch msg := msg.(type) {
	case ampBuildMsg:
		if msg.seq != s.seq || !s.running {
			return nil, false // an older run's, or read after the end (which is newer)
		}
		s.p = msg.p
		return tea.Batch(s.wait(), s.c.report(ampBuiltMsg{p: msg.p})), false
	case ampBuildEndMsg:
		if msg.seq != s.seq {
			return nil, false
		}
		s.running = false
		if msg.err != nil {
			s.err = errText(msg.err)
		}
		if len(msg.p.Services) > 0 || msg.p.Commit != "" {
			s.p = msg.p
			s.p.Ended = s.p.Ended || msg.err == nil
		}
		return s.c.report(ampBuiltMsg{p: s.p}), false
	case openedMsg:
		if msg.err != nil {
			s.status = s.c.st.warn.Render("Could not open a browser: select the URL above instead.")
		} else {
			s.status = s.c.st.ok.Render("✓") + " Opened the pull request in your browser."
		}
	case demoStartedMsg:
		if msg.err != nil {
			s.status = s.c.st.warn.Render("demo: " + errText(msg.err))
		} else {
			s.status = s.c.st.ok.Render("✓") + " demo: started " + strings.Join(msg.names, " and ") + " for you, as its npx nx serve command would in another terminal."
		}
	case copiedMsg:
		if msg.err != nil {
			s.status = s.c.st.warn.Render("Could not copy: select the URL above instead.")
		} else {
			s.status = s.c.st.ok.Render("✓") + " The pull request's URL went to the clipboard (if your terminal allows it; otherwise select it above)."
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, km.Open):
			if i := s.urlService(); i >= 0 {
				return s.c.openCmd(s.p.Services[i].URL), false
			}
		case key.Matches(msg, km.Copy):
			if i := s.urlService(); i >= 0 {
				return s.c.copyCmd(s.p.Services[i].URL), false
			}
		case key.Matches(msg, km.Skip) && s.demo != nil && s.running:
			names := s.stalledStarts()
			if len(names) == 0 {
				return nil, false
			}
			d := s.demo
			return func() tea.Msg {
				for _, n := range names {
					if err := d.StartAmpDemoService(ctx, n); err != nil {
						return demoStartedMsg{names: names, err: err}
					}
				}
				return demoStartedMsg{names: names}
			}, false
		case key.Matches(msg, km.Up):
			s.sel = max(s.sel-1, 0)
		case key.Matches(msg, km.Down):
			s.sel = min(s.sel+1, max(len(s.p.Services)-1, 0))
		case key.Matches(msg, km.Retry) && !s.running && (s.err != "" || !s.p.OK):
			return s.start(ctx), false
		case key.Matches(msg, km.Back) && s.running:
			s.stop()
			return nil, true
		case key.Matches(msg, km.Enter) && !s.running, key.Matches(msg, km.Back):
			return nil, true
		}
	}
	return nil, false
}

// view renders the follow.
func (s *buildScreen) view() string {
	st := s.c.st
	var b strings.Builder
	p := s.p
	title := "Building project " + p.Project
	b.WriteString(st.heading.Render(title) + "\n")
	switch {
	case p.Waiting && p.Commit == "":
		b.WriteString(st.subtle.Render("Waiting for the next commit (Amplication's UI: Commit changes & build)…") + "\n")
	case p.Commit == "" && s.running:
		b.WriteString(s.c.spin.View() + " Committing in Amplication…\n")
	case p.Commit != "":
		b.WriteString(st.subtle.Render(fmt.Sprintf("Commit %s %q: each service is built, then pushed to its repository as a pull request.", p.Commit, p.Message)) + "\n")
	}
	if p.ServerError != "" {
		b.WriteString(st.warn.Render("The Amplication server does not answer ("+p.ServerError+"); still asking. Is it running? ") + st.code.Render("npx nx serve amplication-server") + "\n")
	}
	b.WriteString("\n")
	for i, sv := range p.Services {
		s.writeService(&b, i, sv)
	}
	if s.err != "" {
		b.WriteString("\n" + st.bad.Render(s.err) + "\n")
	}
	if !s.running && s.err == "" {
		switch {
		case p.OK:
			b.WriteString("\n" + st.ok.Render("✓ ") + "Every connected service reached its pull request.\n")
		case p.TimedOut:
			b.WriteString("\n" + st.warn.Render("The time ran out; the builds go on in Amplication.") + " Press r to follow again, or later run " + st.code.Render(buildCommand(p.Project)) + ".\n")
		case p.Ended:
			b.WriteString("\n" + st.warn.Render("Not every connected service reached its pull request: see above.") + "\n")
		}
	}
	if s.status != "" {
		b.WriteString(s.status + "\n")
	}
	return b.String()
}

// writeService writes service i's line: its state, its pull request, its failure
// with Amplication's log, or what it waits for.
func (s *buildScreen) writeService(b *strings.Builder, i int, sv AmpBuildService) {
	st := s.c.st
	p := s.p
	mark := "  "
	if i == s.sel && len(p.Services) > 1 {
		mark = st.cursor.Render(focusMarker)
	}
	icon := s.c.spin.View() + " "
	switch {
	case sv.Done:
		icon = st.ok.Render("✓ ")
	case sv.Final && sv.Failure != "":
		icon = st.bad.Render("✗ ")
	case sv.Final:
		icon = st.faint.Render("– ")
	case sv.Stall != nil:
		icon = st.warn.Render("! ")
	case !s.running:
		icon = st.faint.Render("· ")
	}
	line := mark + icon + st.strong.Render(sv.Name) + "  " + sv.Stage
	if sv.Repository != "" && !sv.Done {
		line += st.faint.Render(" → " + sv.Repository)
	}
	b.WriteString(line + "\n")
	if sv.URL != "" {
		pr := "pull request"
		if sv.PRID != 0 {
			pr = fmt.Sprintf("pull request #%d", sv.PRID)
		}
		b.WriteString("      " + pr + " " + st.code.Render(sv.URL) + "\n")
	}
	if sv.Failure != "" {
		b.WriteString("      " + st.bad.Render(sv.Failure) + "\n")
		for _, l := range sv.Log {
			b.WriteString("        " + st.faint.Render(l) + "\n")
		}
	}
	if st2 := sv.Stall; st2 != nil && !sv.Final {
		b.WriteString("      " + st.warn.Render(st2.What+".") + "\n")
		if len(st2.Start) > 0 {
			b.WriteString("      Start, in another terminal, from the checkout:\n")
			for _, n := range st2.Start {
				b.WriteString("        " + st.code.Render(n.Command) + st.faint.Render("  ("+n.Name+")") + "\n")
			}
			b.WriteString("      " + st.faint.Render("bbsetup keeps following: the build goes on once it runs.") + "\n")
			if s.demo != nil {
				b.WriteString("      " + st.faint.Render("demo: press s and the demo starts it for you.") + "\n")
			}
		}
		for _, n := range st2.Notes {
			b.WriteString("      " + st.warn.Render("Note: "+n) + "\n")
		}
	}
}

// buildOffer is what the summary can build: the connected project, with the backend that
// builds it.
type buildOffer struct {
	builder AmpBuilder
	req     AmpBuildRequest
}

// offerBuild offers the Build screen after a connect, when the signed-in session can build.
func offerBuild(ses session) *buildOffer {
	if !ses.AmpPath() || ses.Connected == nil {
		return nil
	}
	b, ok := ses.Amp.API.(AmpBuilder)
	if !ok {
		return nil
	}
	req := AmpBuildRequest{Project: ses.Connected.Project}
	if ses.Target != nil {
		req.ProjectID = ses.Target.Project.ID
	}
	return &buildOffer{builder: b, req: req}
}

// buildCommand is the CLI command that builds the project later.
func buildCommand(project string) string {
	return "bbsetup amplication build --project " + quoteArg(project)
}

// quoteArg quotes a shell argument that needs it.
func quoteArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t'\"$`\\!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// updateBuild is the summary's part for the Build screen: b starts it, its messages and
// (while it shows) the keys go to it. ok reports that the message was the Build screen's.
func (s *summaryScreen) updateBuild(msg tea.Msg) (tea.Cmd, bool) {
	switch msg.(type) {
	case ampBuildMsg, ampBuildEndMsg:
		if s.build == nil {
			return nil, true
		}
		cmd, _ := s.build.update(s.ctx, msg)
		s.noteBuild()
		return cmd, true
	}
	if s.inBuild {
		cmd, leave := s.build.update(s.ctx, msg)
		if leave {
			s.inBuild = false
			s.noteBuild()
		}
		return cmd, true
	}
	if k, ok := msg.(tea.KeyMsg); ok && s.offer != nil && key.Matches(k, s.c.km.Build) {
		s.build = newBuildScreen(s.c, s.offer.builder, s.offer.req)
		s.inBuild = true
		return s.build.start(s.ctx), true
	}
	return nil, false
}

// noteBuild keeps the follow's last state in the summary the screen shows.
func (s *summaryScreen) noteBuild() {
	if s.build == nil || s.sum.Amplication == nil {
		return
	}
	p := s.build.p
	s.sum.Amplication.Build = &p
}

// buildNext is the summary's build part: the offer (what a commit does, the key, the
// command for later), or what the build did.
func buildNext(c *common, sum Summary, live bool) string {
	st := c.st
	amp := sum.Amplication
	if amp == nil || amp.Connected == nil {
		return ""
	}
	project := safetext.Line(amp.Connected.Project)
	var b strings.Builder
	if p := amp.Build; p != nil && p.Commit != "" {
		if urls := p.URLs(); !live && len(urls) > 0 {
			// The quit message keeps its last lines when it is taller than the terminal:
			// the URLs go there too.
			b.WriteString("\n" + st.strong.Render("Pull request") + " " + st.code.Render(strings.Join(urls, " ")) + "\n")
		}
		if !p.OK {
			b.WriteString("\n  Follow the next build with " + st.code.Render(buildCommand(project)+" --watch") + ", or build again with " + st.code.Render(buildCommand(project)) + ".\n")
		}
		return b.String()
	}
	if !live {
		return "" // the quit message has it beside "Next steps" (buildHint)
	}
	b.WriteString("\n  ")
	if live && amp.buildable {
		b.WriteString("Or press " + st.strong.Render("b") + " to build now: ")
	} else {
		b.WriteString("Or later, with " + st.code.Render(buildCommand(project)) + ": ")
	}
	b.WriteString("bbsetup commits project " + project + " in Amplication (a commit records the pending changes and starts a build of every service; Amplication then opens a pull request from branch amplication in each service's repository) and follows it to the pull request's URL. Nothing is committed until then.")
	if live && amp.buildable {
		b.WriteString(" Later: " + st.code.Render(buildCommand(project)) + ".")
	}
	b.WriteString("\n")
	return b.String()
}

// buildResults is the build at the top of the summary, under the connection: the commit
// and each service's pull request or stage ("" before a build).
func buildResults(c *common, amp *AmpSummary) string {
	p := amp.Build
	if p == nil || p.Commit == "" {
		return ""
	}
	st := c.st
	var b strings.Builder
	b.WriteString(st.subtle.Render("  Stored in Amplication; built from commit "+p.Commit+" of project "+safetext.Line(amp.Connected.Project)+":") + "\n")
	for _, sv := range p.Services {
		switch {
		case sv.URL != "" && sv.Done:
			pr := "pull request"
			if sv.PRID != 0 {
				pr = fmt.Sprintf("pull request #%d", sv.PRID)
			}
			b.WriteString("  " + st.ok.Render("✓ ") + sv.Name + ": " + pr + " " + st.code.Render(sv.URL) + "\n")
		case sv.URL != "":
			b.WriteString("  " + sv.Name + ": " + st.code.Render(sv.URL) + " (" + sv.Stage + ")\n")
		default:
			b.WriteString("  " + sv.Name + ": " + sv.Stage + "\n")
		}
	}
	return b.String()
}

// buildHint goes beside "Next steps" in the quit message after a connect without a build:
// the command that does step 2 and follows it, on a line that is there anyway (the quit
// message keeps only its last lines when it is taller than the terminal).
func buildHint(c *common, sum Summary, live bool) string {
	amp := sum.Amplication
	if live || amp == nil || amp.Connected == nil || (amp.Build != nil && amp.Build.Commit != "") {
		return ""
	}
	return c.st.faint.Render(" (2 and its follow-up: ") + c.st.code.Render(buildCommand(safetext.Line(amp.Connected.Project))) + c.st.faint.Render(")")
}

// buildOutsideText is the build as a fact done outside this machine (the quit message).
func buildOutsideText(p AmpBuildProgress) string {
	if p.Commit == "" {
		return ""
	}
	var parts []string
	for _, sv := range p.Services {
		switch {
		case sv.URL != "":
			parts = append(parts, sv.Name+": pull request "+sv.URL)
		default:
			parts = append(parts, sv.Name+": "+sv.Stage)
		}
	}
	return "Committed project " + p.Project + " in Amplication (commit " + p.Commit + "); builds: " + strings.Join(parts, "; ") + "."
}
