package line

// The workspace, the repository (create or connect), the Amplication target, the connect
// and the summary (tui/workspaces.go … tui/summary.go).

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bbsetup/bbsetup/setup/flow"
	"github.com/bbsetup/bbsetup/tui"
)

// pageSize is how many repositories a listing shows at once: a filter narrows them.
const pageSize = 20

func (r *runner) workspaces() (step, error) {
	t := r.t
	t.heading("Workspace")
	t.say("Choose the workspace")
	for {
		t.progress("Loading your workspaces…")
		ws, err := r.API.Workspaces(r.ctx)
		if err != nil {
			next, err := r.listFailed("your workspaces", stepWorkspaces, err)
			if err != nil || next != stepWorkspaces {
				return next, err
			}
			continue
		}
		if len(ws) == 0 {
			t.say("! Your account is not in any workspace: create one (%s/workspace/create) or ask to be invited to one.", r.opts.BitbucketURL)
			if _, err := t.ask("Press enter to look again: "); err != nil {
				return 0, err
			}
			continue
		}
		names := make([]string, len(ws))
		def := 0
		for i, w := range ws {
			names[i] = w.Slug
			if w.Name != "" && w.Name != w.Slug {
				names[i] += "  " + w.Name
			}
			if w.Admin {
				names[i] += "  [admin]"
			}
			if w.Slug == r.Hint {
				def = i
			}
		}
		i, err := t.choose(fmt.Sprintf("%d workspaces:", len(ws)), names, def)
		if err != nil {
			return 0, err
		}
		r.Workspace = ws[i]
		return stepChoice, nil
	}
}

func (r *runner) choice() (step, error) {
	t := r.t
	t.heading("Create or connect")
	t.say("Create a repository or connect an existing one")
	t.say("Workspace: %s", r.Workspace.Slug)
	i, err := t.choose("", []string{"Connect an existing repository", "Create a new repository in " + r.Workspace.Slug}, 0)
	if err != nil {
		return 0, err
	}
	r.filter = ""
	if i == 1 {
		return stepCreate, nil
	}
	return stepConnect, nil
}

func (r *runner) create() (step, error) {
	t := r.t
	ws := r.Workspace.Slug
	t.heading("Create repository")
	t.say("Create a repository in %s", ws)
	projects, projErr := r.API.Projects(r.ctx, ws)
	for {
		name, slug, next, err := r.askRepoName(ws)
		if err != nil || next != stepCreate {
			return next, err
		}
		req, ok, err := r.askNewRepo(ws, name, slug, projects, projErr)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		if next, err := r.createRepo(ws, req); err != nil || next != stepCreate {
			return next, err
		}
	}
}

// askRepoName asks for the new repository's name until its slug is valid and free.
// next is stepCreate to go on with them, or the step the operator chose instead when
// the slug is taken.
func (r *runner) askRepoName(ws string) (name, slug string, next step, err error) {
	t := r.t
	for {
		name, err := t.ask("Name: ")
		if err != nil {
			return "", "", 0, err
		}
		if name == "" {
			t.say("type a name for the repository")
			continue
		}
		slug := r.API.Slugify(name)
		if err := r.API.ValidateSlug(slug); err != nil {
			t.say("Slug %s: %s", slug, err.Error())
			continue
		}
		t.say("Slug: %s/%s", ws, slug)
		if taken, err := r.API.RepoExists(r.ctx, ws, slug); err == nil && taken {
			next, err := r.exists(ws, slug)
			if err != nil || next != stepCreate {
				return "", "", next, err
			}
			continue
		}
		return name, slug, stepCreate, nil
	}
}

// askNewRepo asks for the rest of the new repository (description, visibility,
// project) and for a yes to create it; ok is false when the operator said no.
func (r *runner) askNewRepo(ws, name, slug string, projects []tui.Project, projErr error) (req tui.NewRepo, ok bool, err error) {
	t := r.t
	desc, err := t.ask("Description (optional): ")
	if err != nil {
		return req, false, err
	}
	private, err := t.yesNo("Private (only people with access can see it)?", true)
	if err != nil {
		return req, false, err
	}
	if !private {
		t.say("! public: anyone on the internet can see and clone it")
	}
	req = tui.NewRepo{Name: name, Slug: slug, Private: private, Description: desc}
	projLabel := "Bitbucket's default project (the workspace's oldest)"
	switch {
	case projErr != nil:
		t.say("Project: %s (projects could not be listed: %s)", projLabel, projErr.Error())
	case len(projects) > 0:
		opts := []string{projLabel}
		for _, p := range projects {
			opts = append(opts, p.Name+" ("+p.Key+")")
		}
		i, err := t.choose("Project:", opts, 0)
		if err != nil {
			return req, false, err
		}
		if i > 0 {
			req.ProjectKey, projLabel = projects[i-1].Key, opts[i]
		}
	}
	if private {
		t.say("Create this repository? A private repository %s/%s in %s.", ws, slug, projLabel)
	} else {
		t.say("Create this repository? A PUBLIC repository %s/%s in %s. Anyone on the internet will be able to see and clone its code; Amplication pushes generated code there.", ws, slug, projLabel)
	}
	if desc != "" {
		t.say("Description: %s", desc)
	}
	ok, err = t.yesNo("Create it?", true)
	return req, ok, err
}

// createRepo creates the repository req asks for; stepCreate means ask again (the
// slug was taken meanwhile, or the create failed and said why).
func (r *runner) createRepo(ws string, req tui.NewRepo) (step, error) {
	t := r.t
	name, slug := req.Name, req.Slug
	r.Outside.Record("repo", tui.CreatingRepoFact(ws, slug, name))
	t.progress("Creating " + ws + "/" + slug + "…")
	// A create is not interrupted half-way: a stop waits for its answer.
	repo, err := r.API.CreateRepo(context.WithoutCancel(r.ctx), ws, req)
	var ee *tui.ExistsError
	if errors.As(err, &ee) {
		r.Outside.Record("repo", "") // nothing was created
		return r.exists(ee.Workspace, ee.Slug)
	}
	if err != nil {
		r.Outside.Record("repo", tui.FailedRepoFact(err, ws, slug, name))
		if cerr := r.ctx.Err(); cerr != nil {
			return 0, cerr
		}
		t.fail("The repository was not created", err, "Check the name and try again.")
		return stepCreate, nil
	}
	r.Outside.Record("repo", tui.CreatedRepoFact(repo))
	t.say("✓ Created %s", repo.FullName)
	r.repoLinks(repo)
	if repo.MainBranchNote != "" {
		t.say("%s", repo.MainBranchNote)
	}
	r.Repo, r.Created = &repo, true
	return r.afterRepo()
}

// exists says the slug is taken and offers to connect to it instead; stepCreate means
// "choose another name".
func (r *runner) exists(ws, slug string) (step, error) {
	t := r.t
	t.say("! %s/%s already exists: a repository with this slug is already in the workspace.", ws, slug)
	i, err := t.choose("", []string{"Connect to it instead", "Choose another name"}, 0)
	if err != nil {
		return 0, err
	}
	if i == 0 {
		r.filter = slug
		return stepConnect, nil
	}
	return stepCreate, nil
}

// repoLinks writes a repository's web and clone URLs.
func (r *runner) repoLinks(repo tui.Repo) {
	r.t.say("Web        %s", repo.HTMLURL)
	if repo.CloneHTTPS != "" {
		r.t.say("Clone      %s", repo.CloneHTTPS)
	}
	if repo.CloneSSH != "" {
		r.t.say("SSH clone  %s", repo.CloneSSH)
	}
}

// afterRepo is where the flow goes once the repository is chosen or created.
func (r *runner) afterRepo() (step, error) {
	if r.AmpPath() && r.Org != nil {
		return stepAmpTarget, nil
	}
	r.Finished = true
	return stepSummary, nil
}

func (r *runner) connect() (step, error) {
	t := r.t
	ws := r.Workspace.Slug
	t.heading("Connect repository")
	t.say("Connect a repository in %s", ws)
	var all []tui.Repo
	for all == nil {
		t.progress("Listing the repositories…")
		var err error
		all, err = r.listRepos(ws, "", 0)
		if err != nil {
			next, err := r.listFailed("the repositories", stepConnect, err)
			if err != nil || next != stepConnect {
				return next, err
			}
		}
	}
	filter := r.filter
	for {
		matches := matchRepos(all, filter)
		if len(matches) == 0 && filter != "" {
			t.progress("Nothing loaded matches; searching Bitbucket…")
			found, err := r.listRepos(ws, filter, pageSize)
			if err != nil {
				next, err := r.listFailed("the repositories", stepConnect, err)
				if err != nil || next != stepConnect {
					return next, err
				}
			}
			matches = found
		}
		shown := matches[:min(len(matches), pageSize)]
		switch {
		case len(all) == 0 && filter == "":
			t.say("This workspace has no repositories yet (or none you can see). Type b and enter to go back and choose Create.")
		case len(matches) == 0:
			t.say("No repository matches \"%s\".", filter)
		default:
			r.showRepos(filter, len(matches), shown)
		}
		def := ""
		if len(shown) == 1 {
			def = "1"
		}
		s, err := t.askDefault("Number of the repository to connect, part of a name to filter, or b to go back", def)
		if err != nil {
			return 0, err
		}
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(shown) {
			repo := shown[n-1]
			r.Repo, r.Created = &repo, false
			t.say("✓ %s", repo.FullName)
			return r.afterRepo()
		}
		if strings.EqualFold(s, "b") {
			return stepChoice, nil
		}
		filter = s
	}
}

// matchRepos is, as the wizard's filter, the loaded repositories whose slug, name,
// full name or project holds filter; when none does, connect searches Bitbucket by name.
func matchRepos(all []tui.Repo, filter string) []tui.Repo {
	var matches []tui.Repo
	low := strings.ToLower(filter)
	for _, rp := range all {
		k := strings.ToLower(rp.Slug + "\x00" + rp.Name + "\x00" + rp.FullName + "\x00" + rp.Project)
		if strings.Contains(k, low) {
			matches = append(matches, rp)
		}
	}
	return matches
}

// showRepos lists the repositories shown, numbered, under a line that says how many of
// the matches for filter they are.
func (r *runner) showRepos(filter string, matches int, shown []tui.Repo) {
	t := r.t
	what := fmt.Sprintf("%d repositories", matches)
	switch {
	case filter != "" && matches == 1:
		what = fmt.Sprintf("1 match for \"%s\"", filter)
	case filter != "":
		what = fmt.Sprintf("%d matches for \"%s\"", matches, filter)
	}
	if matches > len(shown) {
		what += fmt.Sprintf(", the first %d shown (type part of a name to narrow them)", len(shown))
	}
	t.say("%s:", what)
	for i, rp := range shown {
		line := rp.Slug
		if rp.Name != "" && rp.Name != rp.Slug {
			line += "  " + rp.Name
		}
		if rp.Project != "" {
			line += "  project " + rp.Project
		}
		if !rp.Private {
			line += "  (public)"
		}
		t.say("  %d. %s", i+1, line)
	}
}

// listFailed says why a list (what: "your workspaces", "the repositories") could not be
// had and asks what to do: try again (it returns again), or change a rejected key and
// secret.
func (r *runner) listFailed(what string, again step, err error) (step, error) {
	if cerr := r.ctx.Err(); cerr != nil {
		return 0, cerr
	}
	r.t.fail("Could not list "+what, err, "")
	change, aerr := r.againOrChangeKey(err)
	switch {
	case aerr != nil:
		return 0, aerr
	case change:
		return r.goFix(tui.Verdict{Kind: tui.VerdictBadCredentials, Message: flow.WithoutRemedy(err.Error())})
	}
	return again, nil
}

// againOrChangeKey asks what to do after err was said: change the key and secret (change
// is true; offered only when Bitbucket refused them) or try again.
func (r *runner) againOrChangeKey(err error) (change bool, _ error) {
	if tui.CredentialsRejected(err) {
		i, cerr := r.t.choose("", []string{"Change the key and secret (they are checked, then written again)", "Try again"}, 0)
		return cerr == nil && i == 0, cerr
	}
	_, aerr := r.t.ask("Press enter to try again: ")
	return false, aerr
}

// listRepos lists the workspace's repositories that match filter ("" all; otherwise the
// server searches by name), stopping once it has limit of them (0: no limit). It never
// returns nil without an error.
func (r *runner) listRepos(ws, filter string, limit int) ([]tui.Repo, error) {
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	got := []tui.Repo{}
	err := r.API.ListRepos(ctx, ws, filter, func(batch []tui.Repo, _, _ int) {
		if limit > 0 && len(got) >= limit {
			return
		}
		got = append(got, batch...)
		if limit > 0 && len(got) >= limit {
			cancel()
		}
	})
	if limit > 0 && len(got) >= limit {
		return got[:limit], nil // stopped on purpose
	}
	if err != nil {
		return nil, err
	}
	return got, nil
}

func (r *runner) ampTarget() (step, error) {
	t := r.t
	repo := r.Repo.FullName
	t.heading("Amplication target")
	t.say("Which Amplication project or service pushes to %s?", repo)
	for {
		t.progress("Reading the projects and their services…")
		ps, err := r.Amp.API.AmpProjects(r.ctx)
		if err != nil {
			if cerr := r.ctx.Err(); cerr != nil {
				return 0, cerr
			}
			t.fail("The projects could not be read", err, "")
			if _, err := t.ask("Press enter to try again: "); err != nil {
				return 0, err
			}
			continue
		}
		type row struct{ p, r int }
		var rows []row
		var labels []string
		def := -1
		for pi, p := range ps {
			for ri, res := range p.Resources {
				rows = append(rows, row{pi, ri})
				label := res.Name
				if res.Settings {
					label = "Project " + p.Name + " (its settings)"
				} else {
					label += " (project " + p.Name + ")"
				}
				labels = append(labels, label+"  "+tui.RepoText(res))
				if def < 0 && !res.Settings && res.Repo == "" {
					def = len(rows) - 1
				}
			}
		}
		if len(rows) == 0 {
			t.say("The Amplication workspace has no project yet: create one in Amplication, then press enter.")
			if _, err := t.ask(""); err != nil {
				return 0, err
			}
			continue
		}
		t.say("A project's settings connect every service that inherits them; a service connects only itself. Nothing is stored until the next step.")
		i, err := t.choose("", labels, max(def, 0))
		if err != nil {
			return 0, err
		}
		p, res := ps[rows[i].p], ps[rows[i].p].Resources[rows[i].r]
		if res.Settings {
			if names := tui.Inheritors(p); len(names) > 0 {
				t.say("Services that inherit the project's repository: %s.", strings.Join(names, ", "))
			} else {
				t.say("No service inherits it: every service of %s has a repository of its own.", p.Name)
			}
		}
		target := tui.AmpTarget{Project: p, Resource: res}
		if res.Repo != "" && !strings.EqualFold(res.Repo, repo) || res.Settings && len(tui.Movers(p, repo)) > 0 {
			t.say("! Replace its repository? %s", tui.ReplaceQuestion(p, res, repo))
			ok, err := t.yesNo("Replace it?", false)
			if err != nil {
				return 0, err
			}
			if !ok {
				continue
			}
			target.Replace = true
		}
		r.Target = &target
		return stepAmpConnect, nil
	}
}

func (r *runner) ampConnect() (step, error) {
	t := r.t
	req := tui.AmpConnectRequest{Target: *r.Target, Workspace: r.Workspace.Slug, Slug: r.Repo.Slug}
	if r.Org != nil {
		req.Org = *r.Org
	}
	tg := req.Target
	t.heading("Connect in Amplication")
	t.say("Amplication  %s", tg.Label())
	t.say("Repository   %s/%s", req.Workspace, req.Slug)
	if req.Org.Name != "" {
		t.say("As           Bitbucket account %s (Amplication's connection)", req.Org.Name)
	}
	if tg.Resource.Settings {
		if names := tui.Inheritors(tg.Project); len(names) > 0 {
			t.say("Inheriting   %s", strings.Join(names, ", "))
		}
	}
	if tg.Replace && tg.Resource.Repo != "" {
		t.say("Replaces     %s (put back if the connect fails)", tg.Resource.Repo)
	}
	t.say("Nothing is stored in Amplication until you confirm.")
	for {
		ok, err := t.yesNo("Connect?", true)
		if err != nil {
			return 0, err
		}
		if !ok {
			return stepAmpTarget, nil
		}
		t.progress("Connecting, then reading it back from the server…")
		// A connect is not interrupted half-way: a stop waits for its answer.
		d, err := r.Amp.API.ConnectAmp(context.WithoutCancel(r.ctx), req)
		var gone *tui.RepoGoneError
		switch {
		case err != nil && r.ctx.Err() != nil:
			return 0, r.ctx.Err()
		case errors.As(err, &gone):
			t.fail("The connect did not work", err, "Choose the repository again.")
			return stepConnect, nil
		case err != nil:
			t.fail("The connect did not work", err, "Try again, or answer n to choose another target.")
			continue
		}
		r.RecordConnected(d)
		t.say("✓ %s", d.Line())
		if d.Unchanged {
			t.say("It was already connected; nothing changed.")
		}
		if d.Replaced != "" {
			t.say("It was connected to %s before.", d.Replaced)
		}
		if d.Settings {
			if len(d.Inheriting) > 0 {
				t.say("Services that inherit it: %s.", strings.Join(d.Inheriting, ", "))
			} else {
				t.say("No service inherits it yet.")
			}
		}
		if d.PushesAs != "" {
			t.say("%s", d.PushesAs)
		}
		for _, n := range d.Notes {
			t.say("%s", n)
		}
		t.say("Read back from the Amplication server.")
		r.Finished = true
		return stepSummary, nil
	}
}

func (r *runner) summaryStep() (step, error) {
	r.Finished = true
	r.t.heading("Summary")
	r.t.say("%s", tui.PlainSummary(r.Summary()))
	return stepDone, nil
}
