package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Step 10: create a repository: a name with a live slug preview, private by default, a
// project (Bitbucket's default unless chosen), a confirm, then the URL. "Already exists"
// offers to connect to it instead.

type createScreen struct {
	c   *common
	api RepoCreator
	ctx context.Context
	ws  string
	// ampNext: the Amplication target comes next, not the summary.
	ampNext bool

	name, desc *field
	// privField and projField are the private toggle and the project choice.
	privField, projField *field
	form                 form
	private              bool

	// The slug is looked up while typing (debounced): taken is the slug found to exist.
	slugJob  request
	checking string // the slug being looked up
	taken    string
	free     string // the slug found not to exist

	projWS      string // the workspace the projects were loaded for
	projJob     request
	projLoading bool
	projErr     error
	projects    []Project
	projIdx     int // 0 = Bitbucket's default project

	confirming bool
	job        request
	creating   bool
	err        error
	exists     *ExistsError
	result     *Repo
}

// projectsMsg is the result of Projects.
type projectsMsg struct {
	seq uint64
	ps  []Project
	err error
}

// target implements targeted: a load cancelled by leaving Create still ends the load,
// whatever is active.
func (projectsMsg) target() step { return stepCreate }

// slugPauseMsg fires when typing the name paused: the slug is then looked up.
type slugPauseMsg struct {
	seq  uint64
	slug string
}

// slugTakenMsg is the result of RepoExists.
type slugTakenMsg struct {
	seq   uint64
	slug  string
	taken bool
	err   error
}

// createdMsg is the result of CreateRepo.
type createdMsg struct {
	seq  uint64
	repo Repo
	err  error
}

func newCreate(c *common) *createScreen {
	s := &createScreen{c: c, private: true,
		name:      newTextField(c, "Name", "my-service", 255).KeepSpaces(),
		desc:      newTextField(c, "Description", "optional", 1000).KeepSpaces(),
		privField: newChoiceField(c, "Private"),
		projField: newChoiceField(c, "Project"),
		slugJob:   newRequest(c), projJob: newRequest(c), job: newRequest(c)}
	// Enter anywhere reviews the create: the fields' own enter is not used.
	s.form = newForm(wrapNone, "review", s.name, s.desc, s.privField, s.projField)
	return s
}

func (s *createScreen) enter(e entry) tea.Cmd {
	ctx := e.ctx
	s.ctx, s.api, s.ws = ctx, e.s.API, e.s.Workspace.Slug
	s.ampNext = e.s.AmpPath()
	s.confirming, s.creating, s.err, s.exists = false, false, nil, nil
	if s.result != nil && s.result.FullName != "" && !strings.HasPrefix(s.result.FullName, s.ws+"/") {
		s.result = nil
	}
	s.result = nil
	s.taken, s.free = "", "" // looked up again: the workspace or the repositories may have changed
	cmds := []tea.Cmd{s.form.focusOn(0), s.lookUpSlug()}
	// Reload when the workspace changed, the last load failed, or it was still loading
	// when the operator left (leaving cancels it).
	if s.projWS != s.ws || s.projErr != nil || s.projLoading {
		s.projWS, s.projects, s.projIdx, s.projErr, s.projLoading = s.ws, nil, 0, nil, true
		api, ws := s.api, s.ws
		cmds = append(cmds, s.projJob.run(ctx, func(ctx context.Context, seq uint64) tea.Msg {
			ps, err := api.Projects(ctx, ws)
			return projectsMsg{seq: seq, ps: ps, err: err}
		}))
	}
	return tea.Batch(cmds...)
}

func (s *createScreen) typing() bool {
	return s.form.focused().input != nil && !s.confirming && !s.creating && s.result == nil && s.exists == nil
}
func (s *createScreen) busy() bool { return s.creating || s.projLoading }

func (s *createScreen) keys() bindings {
	km := s.c.km
	switch {
	case s.result != nil:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "next")}}
	case s.exists != nil:
		return bindings{short: []key.Binding{with(km.Enter, "enter", "connect to it"), with(km.Back, "esc", "choose another name")}}
	case s.creating:
		return bindings{}
	case s.confirming:
		return bindings{short: []key.Binding{with(km.Enter, "enter/y", "create"), with(km.Back, "esc/n", "edit")}}
	}
	b := []key.Binding{with(km.Enter, "enter", "review"), km.Back}
	b = append(b, s.c.againKeys(s.lost())...)
	switch s.form.focused() {
	case s.privField:
		b = append(b, with(km.Toggle, "space", "toggle private"))
	case s.projField:
		b = append(b, with(km.Left, "←/→", "project"))
	}
	return bindings{short: append(b, with(km.Tab, "tab/↓", "next field"), with(km.PrevField, "shift+tab/↑", "previous field"))}
}

// slug is the live slug of the typed name and why it is invalid, if it is.
func (s *createScreen) slug() (string, error) {
	name := strings.TrimSpace(s.name.Value())
	if name == "" {
		return "", fmt.Errorf("type a name for the repository")
	}
	slug := s.api.Slugify(name)
	return slug, s.api.ValidateSlug(slug)
}

func (s *createScreen) projectLabel() string {
	if s.projIdx == 0 || s.projIdx > len(s.projects) {
		return "Bitbucket's default project (the workspace's oldest)"
	}
	p := s.projects[s.projIdx-1]
	return p.Name + " (" + p.Key + ")"
}

func (s *createScreen) request() NewRepo {
	slug, _ := s.slug()
	r := NewRepo{Name: strings.TrimSpace(s.name.Value()), Slug: slug, Private: s.private,
		Description: strings.TrimSpace(s.desc.Value())}
	if s.projIdx > 0 && s.projIdx <= len(s.projects) {
		r.ProjectKey = s.projects[s.projIdx-1].Key
	}
	return r
}

// lookUpSlug waits for typing to pause, then asks whether the slug is taken.
func (s *createScreen) lookUpSlug() tea.Cmd {
	s.slugJob.stop()
	s.checking = ""
	slug, err := s.slug()
	if err != nil || slug == s.taken || slug == s.free {
		return nil
	}
	seq := s.slugJob.next()
	return tea.Tick(s.c.debounce, func(time.Time) tea.Msg { return slugPauseMsg{seq: seq, slug: slug} })
}

func (s *createScreen) update(msg tea.Msg) tea.Cmd {
	km := s.c.km
	switch msg := msg.(type) {
	case projectsMsg:
		if !s.projJob.answered(msg.seq, &s.projLoading) {
			return nil
		}
		s.projects, s.projErr = msg.ps, msg.err
	case slugPauseMsg:
		if !s.slugJob.current(msg.seq) {
			return nil
		}
		s.checking = msg.slug
		api, ws, slug := s.api, s.ws, msg.slug
		return s.slugJob.run(s.ctx, func(ctx context.Context, seq uint64) tea.Msg {
			taken, err := api.RepoExists(ctx, ws, slug)
			return slugTakenMsg{seq: seq, slug: slug, taken: taken, err: err}
		})
	case slugTakenMsg:
		if !s.slugJob.current(msg.seq) {
			return nil
		}
		s.checking = ""
		switch {
		case msg.err != nil: // the create still says so; no guess either way
		case msg.taken:
			s.taken = msg.slug
		default:
			s.free = msg.slug
		}
	case createdMsg:
		if !s.job.answered(msg.seq, &s.creating) {
			return nil
		}
		if ee, ok := isExists(msg.err); ok {
			s.exists, s.taken = ee, ee.Slug
			return s.c.report(outsideMsg{outsideFact{key: "repo"}}) // nothing was created
		}
		if msg.err != nil {
			s.err = msg.err
			req := s.request()
			return s.c.report(outsideMsg{outsideFact{key: "repo", text: FailedRepoFact(msg.err, s.ws, req.Slug, req.Name)}})
		}
		r := msg.repo
		s.result = &r
		return s.c.report(outsideMsg{outsideFact{key: "repo", text: CreatedRepoFact(r)}})
	case tea.KeyMsg:
		return s.key(msg, km)
	}
	return nil
}

func (s *createScreen) key(msg tea.KeyMsg, km keyMap) tea.Cmd {
	switch {
	case s.result != nil:
		if key.Matches(msg, km.Enter) {
			return s.c.report(repoMsg{repo: *s.result, created: true})
		}
		return nil
	case s.exists != nil:
		switch {
		case key.Matches(msg, km.Enter):
			return s.c.report(connectInsteadMsg{slug: s.exists.Slug})
		case key.Matches(msg, km.Back):
			s.exists = nil
			return s.form.focusOn(0)
		}
		return nil
	case s.creating:
		return nil
	case s.confirming:
		return s.confirmKey(msg, km)
	}
	if cmd, ok := s.c.againCmd(msg, s.lost()); ok {
		return cmd
	}
	// As in huh: shift+tab goes to the previous field and leaves only from the first.
	if cmd, ok := s.form.move(msg); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, km.Back):
		return s.c.report(backMsg{})
	case key.Matches(msg, km.Enter) && !msg.Paste:
		slug, err := s.slug()
		if err != nil {
			s.err = nil
			return s.form.focusOn(0)
		}
		s.err = nil
		if slug == s.taken {
			// Known to exist already: offer to connect to it, as a create would.
			s.exists = &ExistsError{Workspace: s.ws, Slug: slug}
			return nil
		}
		s.confirming = true
		return nil
	}
	return s.fieldKey(msg, km)
}

// confirmKey answers "Create this repository?": yes creates it, no goes back to the form.
func (s *createScreen) confirmKey(msg tea.KeyMsg, km keyMap) tea.Cmd {
	switch {
	case key.Matches(msg, km.Enter, km.Yes):
		s.confirming, s.creating, s.err = false, true, nil
		api, ws, req := s.api, s.ws, s.request()
		s.c.report(outsideMsg{outsideFact{key: "repo", text: CreatingRepoFact(ws, req.Slug, req.Name)}})
		// Creating is not cancelled by leaving the screen: a half-sent create would
		// leave the operator unsure whether the repository exists.
		return s.job.run(context.WithoutCancel(s.ctx), func(ctx context.Context, seq uint64) tea.Msg {
			r, err := api.CreateRepo(ctx, ws, req)
			return createdMsg{seq: seq, repo: r, err: err}
		})
	case key.Matches(msg, km.Back, km.No):
		s.confirming = false
	}
	return nil
}

// fieldKey hands a key to the focused field of the form.
func (s *createScreen) fieldKey(msg tea.KeyMsg, km keyMap) tea.Cmd {
	switch s.form.focused() {
	case s.privField:
		if key.Matches(msg, km.Toggle) {
			s.private = !s.private
		}
	case s.projField:
		n := len(s.projects) + 1
		switch msg.Type {
		case tea.KeyLeft:
			s.projIdx = (s.projIdx - 1 + n) % n
		case tea.KeyRight, tea.KeySpace:
			s.projIdx = (s.projIdx + 1) % n
		}
	case s.desc:
		return s.desc.Update(msg)
	default:
		before := s.name.Value()
		cmd := s.name.Update(msg)
		s.err = nil
		if s.name.Value() != before {
			return tea.Batch(cmd, s.lookUpSlug())
		}
		return cmd
	}
	return nil
}

func (s *createScreen) view() string {
	var b strings.Builder
	b.WriteString(s.c.st.heading.Render("Create a repository in "+s.ws) + "\n")
	if s.result != nil {
		b.WriteString(s.createdView())
		return b.String()
	}
	marked := !s.confirming
	b.WriteString(s.name.View(marked) + "\n")
	slug, err := s.slug()
	b.WriteString(s.slugLine(slug, err) + "\n")
	b.WriteString(s.desc.View(marked) + "\n")
	b.WriteString(s.privateLine(marked) + "\n")
	b.WriteString(s.projField.Label(marked) + "\n  " + s.projectLine())
	if state := s.stateView(slug); state != "" {
		b.WriteString("\n" + state)
	}
	return b.String()
}

// createdView is the box shown once the repository is created.
func (s *createScreen) createdView() string {
	r := s.result
	next := "Press enter for the summary."
	if s.ampNext {
		next = "Press enter to choose what pushes to it in Amplication."
	}
	body := repoLinks(s.c, *r, 11)
	if r.MainBranchNote != "" {
		body += "\n" + r.MainBranchNote // safe text from the backend
	}
	return s.c.box("ok", "✓ Created "+r.FullName, body, next)
}

// slugLine says the slug the name gives and whether it is free.
func (s *createScreen) slugLine(slug string, err error) string {
	st := s.c.st
	switch {
	case strings.TrimSpace(s.name.Value()) == "":
		return st.faint.Render("  Slug: (type a name)")
	case err != nil && slug == "":
		return st.bad.Render("  Slug: " + errText(err))
	case err != nil:
		return st.bad.Render("  Slug " + slug + ": " + errText(err))
	case slug == s.taken:
		return st.faint.Render("  Slug: ") + st.code.Render(s.ws+"/"+slug) + "\n" +
			st.warn.Render("  Already taken: choose another name, or press enter to connect to it instead.")
	}
	line := st.faint.Render("  Slug: ") + st.code.Render(s.ws+"/"+slug)
	switch slug {
	case s.checking:
		line += st.faint.Render(" (checking…)")
	case s.free:
		line += st.ok.Render(" ✓ free")
	}
	return line
}

// privateLine is the private/public toggle with what it means.
func (s *createScreen) privateLine(marked bool) string {
	st := s.c.st
	if s.private {
		return s.privField.Label(marked) + " [x]" + st.faint.Render(" only people with access can see it")
	}
	return s.privField.Label(marked) + " [ ]" + st.warn.Render(" public: anyone on the internet can see and clone it")
}

// projectLine is the chosen project, with the list's state.
func (s *createScreen) projectLine() string {
	st := s.c.st
	proj := s.projectLabel()
	switch {
	case s.projLoading:
		proj += st.faint.Render(" (loading projects…)")
	case s.projErr != nil:
		proj += st.warn.Render(" (projects could not be listed: " + errText(s.projErr) + ")")
	case len(s.projects) > 0:
		proj = "‹ " + proj + " ›" + st.faint.Render(fmt.Sprintf(" %d of %d", s.projIdx+1, len(s.projects)+1))
	}
	return proj
}

// stateView is what goes below the form: creating, the confirmation or an error; "" for none.
func (s *createScreen) stateView(slug string) string {
	st := s.c.st
	switch {
	case s.creating:
		return s.c.spinnerLine("Creating " + s.ws + "/" + slug + "…")
	case s.exists != nil:
		return s.c.box("warn", s.exists.Workspace+"/"+s.exists.Slug+" already exists",
			"A repository with this slug is already in the workspace.",
			"Press enter to connect to it instead, or esc to choose another name.")
	case s.confirming:
		body := fmt.Sprintf("A private repository %s in %s.", st.code.Render(s.ws+"/"+slug), s.projectLabel())
		if !s.private {
			body = fmt.Sprintf("A PUBLIC repository %s in %s. ", st.code.Render(s.ws+"/"+slug), s.projectLabel()) +
				st.warn.Render("Anyone on the internet will be able to see and clone its code; Amplication pushes generated code there.")
		}
		if d := strings.TrimSpace(s.desc.Value()); d != "" {
			body += "\nDescription: " + d
		}
		return s.c.box("warn", "Create this repository?", body, "enter: create   esc: edit")
	case credentialLost(s.err):
		return s.c.lostBox("The repository was not created", s.err)
	case s.err != nil:
		return s.c.errorBox("The repository was not created", s.err.Error(), "Check the name and press enter to try again.")
	case credentialLost(s.projErr):
		return s.c.lostBox("The projects could not be listed", s.projErr)
	}
	return ""
}

// lost is the error that says bbsetup's authorization stopped working, if one does.
func (s *createScreen) lost() error {
	for _, err := range []error{s.err, s.projErr} {
		if credentialLost(err) {
			return err
		}
	}
	return nil
}

// checkCommand is the command that shows whether the repository named name exists in ws.
func checkCommand(ws, name string) string {
	return "bbsetup repos list -w " + ws + " --filter " + shellWord(name)
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// repoLinks lists a repository's web and clone URLs.
func repoLinks(c *common, r Repo, labelW int) string {
	st := c.st
	lines := []string{c.kv("Web", labelW, st.code.Render(r.HTMLURL))}
	if r.CloneHTTPS != "" {
		lines = append(lines, c.kv("Clone", labelW, st.code.Render(r.CloneHTTPS)))
	}
	if r.CloneSSH != "" {
		lines = append(lines, c.kv("SSH clone", labelW, st.code.Render(r.CloneSSH)))
	}
	return strings.Join(lines, "\n")
}
