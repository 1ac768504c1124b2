package bitbucket

import (
	"html/template"
	"net/http"
	"sort"
)

// settingsTmpl is the workspace settings page that lists OAuth consumers, the page bbsetup
// sends the operator to (<bitbucket-url>/<workspace>/workspace/settings/api). The emulator
// has no login, so it lists every consumer; secrets are not shown (bbsetup emulator prints
// the demo consumer's).
var settingsTmpl = template.Must(template.New("settings").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>OAuth consumers - {{.Workspace}} - Bitbucket (emulator)</title>
<style>body{font-family:sans-serif;max-width:48em;margin:3em auto;padding:0 1em}
td,th{text-align:left;padding:.2em .8em .2em 0;vertical-align:top}</style></head><body>
{{if .Known}}<h1>{{.Workspace}}: OAuth consumers</h1>
<table><tr><th>Name</th><th>Key</th><th>Callback URL</th><th>Private</th><th>Permissions</th></tr>
{{range .Consumers}}<tr><td>{{.Name}}</td><td><code>{{.Key}}</code></td><td>{{if .CallbackURL}}{{.CallbackURL}}{{else}}<em>none</em>{{end}}</td>
<td>{{if .Private}}yes{{else}}no{{end}}</td><td>{{range .Scopes}}{{.}} {{end}}</td></tr>
{{end}}</table>
<p>The emulator's consumers are set up by its owner (bbsetup emulator, bbsetup demo, or a test); there is no Add consumer form.</p>
{{else}}<h1>Workspace not found</h1><p>There is no workspace {{.Workspace}} in this emulator.</p>{{end}}
<p><small>bbsetup's Bitbucket Cloud emulator</small></p></body></html>
`))

// settingsPage serves the OAuth consumers settings page of a workspace.
func (e *Emulator) settingsPage(w http.ResponseWriter, workspace string) {
	e.mu.RLock()
	known := e.lookupWorkspace(workspace) != nil
	consumers := make([]Consumer, 0, len(e.consumers))
	for _, c := range e.consumers {
		consumers = append(consumers, *c)
	}
	e.mu.RUnlock()
	sort.Slice(consumers, func(i, j int) bool { return consumers[i].Key < consumers[j].Key })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !known {
		w.WriteHeader(http.StatusNotFound)
	}
	_ = settingsTmpl.Execute(w, map[string]any{"Workspace": workspace, "Known": known, "Consumers": consumers})
}
