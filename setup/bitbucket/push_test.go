package bitbucket_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bbsetup/bbsetup/internal/openapicheck"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
)

// Who pushes and whether the repository has a main branch: against a loopback server
// that answers as Bitbucket's document says (the emulator does not serve these yet).

func stubClient(t *testing.T, h http.Handler) *bitbucket.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	hc := srv.Client()
	t.Cleanup(hc.CloseIdleConnections)
	return bitbucket.New(srv.URL+"/2.0", hc, bitbucket.Options{MaxRetries: -1})
}

// TestPushOperationsInDocument: the operations these checks call exist in Bitbucket's
// OpenAPI document, undeprecated.
func TestPushOperationsInDocument(t *testing.T) {
	sp := openapicheck.Load(t)
	for _, op := range []string{"GET /workspaces/{workspace}/permissions/repositories/{repo_slug}",
		"POST /repositories/{workspace}/{repo_slug}/src", "GET /repositories/{workspace}/{repo_slug}"} {
		o := sp.Operation(op)
		if o == nil || o.Deprecated {
			t.Errorf("%s: not in the document, or deprecated", op)
		}
	}
}

func TestCompareAccounts(t *testing.T) {
	own := bitbucket.User{UUID: "{AAAA-1}", Nickname: "ops-bot", DisplayName: "Ops Bot"}
	if m, ok := bitbucket.CompareAccounts(own, "{aaaa-1}", "ops"); m != nil || !ok {
		t.Errorf("same account: %v %v", m, ok)
	}
	m, ok := bitbucket.CompareAccounts(own, "{bbbb-2}", "alice")
	if m == nil || !ok || !strings.Contains(m.Error(), "alice") || !strings.Contains(m.Error(), "ops-bot") {
		t.Fatalf("different: %v %v", m, ok)
	}
	if m, ok := bitbucket.CompareAccounts(bitbucket.User{}, "{bbbb-2}", "alice"); m != nil || ok {
		t.Errorf("own unknown: %v %v", m, ok)
	}
	evil, _ := bitbucket.CompareAccounts(own, "{c}", "mallory\x1b[2J\u202e")
	if strings.ContainsAny(evil.Error(), "\x1b\u202e") {
		t.Errorf("unsanitised: %q", evil.Error())
	}
	if n := (bitbucket.User{UUID: "{u}"}).AccountName(); n != "{u}" {
		t.Errorf("AccountName = %q", n)
	}
}

// permServer answers the permissions list in two pages, or with status.
func permServer(t *testing.T, status int, perms map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/2.0/workspaces/acme/permissions/repositories/shop" {
			http.Error(w, `{"type":"error","error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if status != 0 {
			w.WriteHeader(status)
			io.WriteString(w, `{"type":"error","error":{"message":"You must be an admin to see repository permissions"}}`)
			return
		}
		var vals []string
		for _, uuid := range slices.Sorted(maps.Keys(perms)) {
			p := perms[uuid]
			vals = append(vals, fmt.Sprintf(`{"type":"repository_permission","permission":%q,"user":{"type":"user","uuid":%q},"repository":{"type":"repository","full_name":"acme/shop"}}`, p, uuid))
		}
		half := len(vals) / 2
		if r.URL.Query().Get("page") == "2" {
			fmt.Fprintf(w, `{"values":[%s],"page":2,"pagelen":1}`, strings.Join(vals[half:], ","))
			return
		}
		next := "http://" + r.Host + r.URL.Path + "?page=2"
		fmt.Fprintf(w, `{"values":[%s],"page":1,"pagelen":1,"next":%q}`, strings.Join(vals[:half], ","), next)
	})
}

func TestCheckWrite(t *testing.T) {
	ctx := context.Background()
	perms := map[string]string{"{aaaa-1}": "admin", "{bbbb-2}": "read", "{cccc-3}": "write", "{dddd-4}": "none"}
	c := stubClient(t, permServer(t, 0, perms))
	for _, tc := range []struct {
		uuid   string
		access bitbucket.Access
	}{{"{AAAA-1}", bitbucket.AccessWrite}, {"{cccc-3}", bitbucket.AccessWrite}, {"bbbb-2", bitbucket.AccessReadOnly},
		{"{dddd-4}", bitbucket.AccessNone}, {"{eeee-5}", bitbucket.AccessNone}} {
		w, err := c.CheckWrite(ctx, "acme", "shop", tc.uuid)
		if err != nil || w.Access != tc.access || w.Why != nil {
			t.Errorf("%s: %+v, %v; want %v", tc.uuid, w, err, tc.access)
		}
		refusal := bitbucket.RequireWrite(w, "acme", "shop", "alice")
		var ce *bitbucket.CannotWriteError
		if (tc.access == bitbucket.AccessWrite) != (refusal == nil) || (refusal != nil && (!errors.As(refusal, &ce) || !strings.Contains(refusal.Error(), "alice"))) {
			t.Errorf("%s: RequireWrite = %v", tc.uuid, refusal)
		}
	}

	// Not an administrator: cannot be checked, and says so; RequireWrite does not refuse.
	w, err := stubClient(t, permServer(t, http.StatusForbidden, nil)).CheckWrite(ctx, "acme", "shop", "{aaaa-1}")
	var nc *bitbucket.NotCheckedError
	if err != nil || w.Access != bitbucket.AccessUnknown || !errors.As(w.Why, &nc) || !nc.NotAdmin || !strings.Contains(w.Why.Error(), "administrator") {
		t.Errorf("403: %+v, %v", w, err)
	}
	if bitbucket.RequireWrite(w, "acme", "shop", "alice") != nil {
		t.Error("an unchecked repository was refused")
	}
	w, _ = c.CheckWrite(ctx, "acme", "other", "{aaaa-1}")
	if !errors.As(w.Why, &nc) || !nc.NotFound {
		t.Errorf("404: %+v", w)
	}
	if w, _ := c.CheckWrite(ctx, "acme", "shop", ""); w.Access != bitbucket.AccessUnknown || w.Why == nil {
		t.Errorf("no pusher: %+v", w)
	}
	if w, _ := c.CheckWrite(ctx, "acme", "../user", "{a}"); w.Why == nil {
		t.Errorf("a slug with a slash was sent: %+v", w)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.CheckWrite(cctx, "acme", "shop", "{aaaa-1}"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// repoServer is one repository whose mainbranch is null until a commit creates it; it
// records the commits (multipart, as the document describes POST .../src).
type repoServer struct {
	mu         sync.Mutex
	mainbranch string
	commits    []map[string]string
	failCommit int  // status to answer the commit with (0: 201)
	noEffect   bool // the commit succeeds but the branch never appears
}

func (s *repoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/2.0/repositories/acme/shop":
		mb := "null"
		if s.mainbranch != "" {
			mb = fmt.Sprintf(`{"type":"branch","name":%q}`, s.mainbranch)
		}
		fmt.Fprintf(w, `{"type":"repository","slug":"shop","full_name":"acme/shop","mainbranch":%s}`, mb)
	case r.Method == http.MethodPost && r.URL.Path == "/2.0/repositories/acme/shop/src":
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			http.Error(w, `{"type":"error","error":{"message":"bad content type"}}`, 400)
			return
		}
		form := map[string]string{}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, `{"type":"error","error":{"message":"bad body"}}`, 400)
				return
			}
			b, _ := io.ReadAll(p)
			key := p.FormName()
			if p.FileName() != "" {
				key = "file:" + key
			}
			form[key] = string(b)
		}
		s.commits = append(s.commits, form)
		if s.failCommit != 0 {
			w.WriteHeader(s.failCommit)
			io.WriteString(w, `{"type":"error","error":{"message":"You do not have write access"}}`)
			return
		}
		if !s.noEffect {
			s.mainbranch = form["branch"]
		}
		w.WriteHeader(http.StatusCreated)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"type":"error","error":{"message":"no such thing"}}`)
	}
}

func TestEnsureMainBranch(t *testing.T) {
	ctx := context.Background()
	s := &repoServer{}
	c := stubClient(t, s)
	if b, err := c.MainBranch(ctx, "acme", "shop"); b != "" || err != nil {
		t.Fatalf("MainBranch of an empty repository = %q, %v", b, err)
	}
	res, err := c.EnsureMainBranch(ctx, "acme", "shop", "")
	if err != nil || !res.Committed || res.Branch != "main" {
		t.Fatalf("EnsureMainBranch = %+v, %v", res, err)
	}
	if len(s.commits) != 1 || s.commits[0]["branch"] != "main" || s.commits[0]["file:README.md"] != "# shop\n" || !strings.Contains(s.commits[0]["message"], "Initial commit") {
		t.Errorf("commit sent: %+v", s.commits)
	}
	// Now it has one: nothing more is committed.
	res, err = c.EnsureMainBranch(ctx, "acme", "shop", "")
	if err != nil || res.Committed || res.Branch != "main" || len(s.commits) != 1 {
		t.Errorf("second call: %+v, %v, %d commits", res, err, len(s.commits))
	}
	// A repository that already has a main branch of another name keeps it.
	s2 := &repoServer{mainbranch: "develop"}
	if res, err := stubClient(t, s2).EnsureMainBranch(ctx, "acme", "shop", ""); err != nil || res.Branch != "develop" || len(s2.commits) != 0 {
		t.Errorf("develop: %+v, %v", res, err)
	}
}

func TestEnsureMainBranchFailures(t *testing.T) {
	ctx := context.Background()
	var nm *bitbucket.NoMainBranchError
	s := &repoServer{failCommit: http.StatusForbidden}
	_, err := stubClient(t, s).EnsureMainBranch(ctx, "acme", "shop", "hello")
	if !errors.As(err, &nm) || nm.Err == nil || !strings.Contains(err.Error(), "no main branch") || !strings.Contains(err.Error(), "403") || len(s.commits) != 1 {
		t.Errorf("commit refused: %v (%d commits)", err, len(s.commits))
	}
	s = &repoServer{noEffect: true}
	_, err = stubClient(t, s).EnsureMainBranch(ctx, "acme", "shop", "")
	if !errors.As(err, &nm) || nm.Err != nil || !strings.Contains(err.Error(), "still reports none") {
		t.Errorf("no effect: %v", err)
	}
	var nf *bitbucket.NotFoundError
	if _, err := stubClient(t, &repoServer{}).EnsureMainBranch(ctx, "acme", "missing", ""); !errors.As(err, &nf) {
		t.Errorf("missing repository: %v", err)
	}
	if _, err := stubClient(t, &repoServer{}).MainBranch(ctx, "acme", "Not A Slug"); err == nil {
		t.Error("an invalid slug was sent")
	}
}
