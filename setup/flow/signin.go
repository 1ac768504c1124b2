package flow

import (
	"context"
	"strings"

	"github.com/bbsetup/bbsetup/setup/amplication"
)

// Login is a sign-in to Amplication: an API (or session) token, or an email and password.
type Login struct{ Token, Email, Password string }

// SignIn signs the server's client in with l: the token when there is one, else the email
// and password. The error is the client's, for the advice table.
func (s *Server) SignIn(ctx context.Context, l Login, secret func(...string)) error {
	if tok := strings.TrimSpace(l.Token); tok != "" {
		secret(tok)
		s.Client.SetToken(tok)
		return nil
	}
	secret(l.Password)
	if err := s.Client.Login(ctx, strings.TrimSpace(l.Email), l.Password); err != nil {
		return err
	}
	secret(s.Client.Token())
	return nil
}

// UseWorkspace reads the signed-in account's overview and makes want (a workspace's id, or
// its name, case-insensitive) the current workspace; want "" keeps the current one, or
// takes the only one when there is none (several and none current: Current stays nil,
// for the operator to choose). It returns the overview as it is then; a want that names
// no workspace, or several, is a *NoSuchError or *AmbiguousError (What "workspace").
func (s *Server) UseWorkspace(ctx context.Context, want string, secret func(...string)) (*amplication.Overview, error) {
	ov, err := s.Client.Overview(ctx)
	if err != nil {
		return nil, err
	}
	ws := ov.Workspaces
	var target *amplication.Workspace
	switch want = strings.TrimSpace(want); {
	case want != "":
		i, err := pick("workspace", len(ws), want, "",
			func(i int) string { return ws[i].ID }, func(i int) string { return ws[i].Name }, func(int) bool { return true })
		if err != nil {
			return nil, err
		}
		target = &ws[i]
	case ov.Current == nil && len(ws) == 1:
		target = &ws[0]
	}
	if target == nil || (ov.Current != nil && ov.Current.ID == target.ID) {
		return ov, nil
	}
	if err := s.Client.SetCurrentWorkspace(ctx, target.ID); err != nil {
		return nil, err
	}
	secret(s.Client.Token())
	return s.Client.Overview(ctx)
}
