package amplication

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDocumentsParse(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Documents() {
		if d.Operation() == nil || d.Operation().Name != d.Name {
			t.Errorf("%s: not parsed", d.Name)
		}
		if seen[d.Name] {
			t.Errorf("two documents named %s", d.Name)
		}
		seen[d.Name] = true
		if strings.Contains(d.Text, "state") != (d.Variant == StateServer) && d.Name != "GitInstallationInputFields" {
			t.Errorf("%s: variant %v does not match its text", d.Name, d.Variant)
		}
	}
	bad := &Document{Name: "X", Text: "query Y { me { id } }"}
	if bad.parse() == nil {
		t.Errorf("a misnamed document parsed")
	}
	if (&Document{Name: "X", Text: "query X { me { id }"}).parse() == nil {
		t.Errorf("a broken document parsed")
	}
}

func TestNewURL(t *testing.T) {
	for _, u := range []string{"http://localhost:3000", "http://localhost:3000/", "http://localhost:3000/graphql", " https://amp.example.com "} {
		c, err := New(u, nil, Options{})
		if err != nil || strings.HasSuffix(c.URL(), "/") || strings.HasSuffix(c.URL(), "/graphql") {
			t.Errorf("New(%q) = %v, %v", u, c, err)
		}
	}
	for _, u := range []string{"", "localhost:3000", "ftp://x", "http://user:pw@localhost:3000", "http://localhost:3000?x=1"} {
		if _, err := New(u, nil, Options{}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

// fake answers every request with handler and counts them.
type fake struct {
	n       atomic.Int32
	handler func(w http.ResponseWriter, r *http.Request, body string)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.n.Add(1)
	b, _ := io.ReadAll(r.Body)
	f.handler(w, r, string(b))
}

func fakeClient(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body string), opts Options) (*Client, *fake) {
	t.Helper()
	f := &fake{handler: h}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	if opts.BaseBackoff == 0 {
		opts.BaseBackoff, opts.MaxBackoff = time.Millisecond, 2*time.Millisecond
	}
	c, err := New(srv.URL, srv.Client(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func gql(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func TestLoginTokenAndErrors(t *testing.T) {
	var auth atomic.Value
	auth.Store("")
	c, _ := fakeClient(t, func(w http.ResponseWriter, r *http.Request, body string) {
		auth.Store(r.Header.Get("Authorization"))
		switch {
		case strings.Contains(body, `"password":"right"`):
			gql(w, 200, `{"data":{"login":{"token":"tok-123"}}}`)
		case strings.Contains(body, `"operationName":"Login"`):
			gql(w, 200, `{"errors":[{"message":"Invalid password","extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":null}`)
		default:
			gql(w, 200, `{"data":{"projects":[]}}`)
		}
	}, Options{})
	ctx := context.Background()
	err := c.Login(ctx, "a@b.c", "wrong")
	var ua *UnauthorizedError
	if !errors.As(err, &ua) || !ua.Login || !strings.Contains(err.Error(), "Invalid password") {
		t.Errorf("wrong password: %v", err)
	}
	if err := c.Login(ctx, "a@b.c", "right"); err != nil || c.Token() != "tok-123" {
		t.Fatalf("login: %v, token %q", err, c.Token())
	}
	if _, err := c.Projects(ctx); err != nil || auth.Load() != "Bearer tok-123" {
		t.Errorf("after login: %v, Authorization %q", err, auth.Load())
	}
}

func TestTypedErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("unauthorized", func(t *testing.T) {
		c, _ := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) {
			gql(w, 200, `{"errors":[{"message":"Unauthorized","extensions":{"code":"UNAUTHENTICATED"}}],"data":null}`)
		}, Options{})
		_, err := c.Overview(ctx)
		var ua *UnauthorizedError
		if !errors.As(err, &ua) || ua.Login {
			t.Errorf("%v", err)
		}
	})
	t.Run("graphql error sanitised", func(t *testing.T) {
		c, _ := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) {
			gql(w, 200, `{"errors":[{"message":"The resource is already connected\u001b[2J to a Git Repository"}],"data":null}`)
		}, Options{})
		_, err := c.Connect(ctx, ConnectInput{ResourceID: "r"})
		var ge *GraphQLError
		if !errors.As(err, &ge) || !ge.Has("already connected") || strings.ContainsRune(err.Error(), 0x1b) ||
			ge.Operation != "ConnectResourceGitRepository" {
			t.Errorf("%q", err)
		}
	})
	t.Run("validation error", func(t *testing.T) {
		c, _ := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) {
			gql(w, 400, `{"errors":[{"message":"Field \"state\" is not defined by type \"GitGetInstallationUrlInput\".","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`)
		}, Options{})
		_, err := c.InstallationURL(ctx, "s", true)
		var ge *GraphQLError
		if !errors.As(err, &ge) || !ge.Validation() {
			t.Errorf("%v", err)
		}
	})
	t.Run("not graphql", func(t *testing.T) {
		c, _ := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!doctype html><title>Amplication</title>")
		}, Options{})
		_, err := c.Overview(ctx)
		var ng *NotGraphQLError
		if !errors.As(err, &ng) {
			t.Errorf("%v", err)
		}
	})
	t.Run("404 page", func(t *testing.T) {
		c, f := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) { http.NotFound(w, r) }, Options{})
		_, err := c.Overview(ctx)
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != 404 || f.n.Load() != 1 {
			t.Errorf("%v after %d requests", err, f.n.Load())
		}
	})
	t.Run("too large", func(t *testing.T) {
		c, _ := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) {
			gql(w, 200, `{"data":{"projects":[`+strings.Repeat(`{"id":"x","name":"y"},`, MaxBodyBytes/20)+`]}}`)
		}, Options{})
		_, err := c.Projects(ctx)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		c, _ := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) { <-r.Context().Done() },
			Options{RequestTimeout: 20 * time.Millisecond, MaxRetries: -1})
		_, err := c.Overview(ctx)
		var ue *UnreachableError
		if !errors.As(err, &ue) || !ue.Timeout {
			t.Errorf("%v", err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		c, _ := New("http://"+addr, nil, Options{MaxRetries: 1, BaseBackoff: time.Millisecond})
		_, err = c.Overview(ctx)
		var ue *UnreachableError
		if !errors.As(err, &ue) || ue.Timeout || !strings.Contains(ue.Reason, "refused") {
			t.Errorf("%v", err)
		}
	})
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	// 503 then success: retried for every document.
	var calls atomic.Int32
	c, f := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		gql(w, 200, `{"data":{"connectResourceGitRepository":{"id":"r","name":"n","resourceType":"Service","gitRepositoryOverride":false,"gitRepository":null}}}`)
	}, Options{})
	if _, err := c.Connect(ctx, ConnectInput{ResourceID: "r"}); err != nil || f.n.Load() != 2 {
		t.Errorf("503 then 200: %v after %d requests", err, f.n.Load())
	}
	// 500: a query is retried (bounded), a mutation that may have been carried out is not.
	c, f = fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}, Options{MaxRetries: 2})
	if _, err := c.Projects(ctx); err == nil || f.n.Load() != 3 {
		t.Errorf("query on 500: %v after %d requests, want 3", err, f.n.Load())
	}
	f.n.Store(0)
	if _, err := c.CompleteOAuth(ctx, "code", "s", true); err == nil || f.n.Load() != 1 {
		t.Errorf("completeGitOAuth2Flow on 500: %v after %d requests, want 1 (a code works once)", err, f.n.Load())
	}
	// A dropped connection: same rule.
	c, f = fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
	}, Options{MaxRetries: 2})
	var ue *UnreachableError
	if _, err := c.Overview(ctx); !errors.As(err, &ue) || f.n.Load() != 3 {
		t.Errorf("query, dropped: %v after %d", err, f.n.Load())
	}
	f.n.Store(0)
	if err := c.Disconnect(ctx, "r"); !errors.As(err, &ue) || f.n.Load() != 1 {
		t.Errorf("mutation, dropped: %v after %d", err, f.n.Load())
	}
}

func TestDebugLogHasNoSecrets(t *testing.T) {
	var dbg bytes.Buffer
	c, _ := fakeClient(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		gql(w, 200, `{"data":{"login":{"token":"secret-token-abc"}}}`)
	}, Options{Debug: &dbg})
	if err := c.Login(context.Background(), "me@x.y", "hunter2-password"); err != nil {
		t.Fatal(err)
	}
	if s := dbg.String(); !strings.Contains(s, "amplication: Login: 200") || strings.Contains(s, "hunter2") || strings.Contains(s, "secret-token") {
		t.Errorf("debug log %q", s)
	}
}

func TestParseAuthorizeURL(t *testing.T) {
	info, err := ParseAuthorizeURL("https://bitbucket.org/site/oauth2/authorize?client_id=KEY&response_type=code&state=ABC")
	if err != nil || info.ClientID != "KEY" || info.State != "ABC" || info.Host != "bitbucket.org" {
		t.Errorf("%+v %v", info, err)
	}
	if _, err := ParseAuthorizeURL("not a url"); err == nil {
		t.Errorf("accepted a non-URL")
	}
}

func TestProjectHelpers(t *testing.T) {
	p := Project{Name: "Shop", Resources: []Resource{
		{ID: "c", Type: TypeProjectConfiguration},
		{ID: "o", Name: "orders", Type: TypeService},
		{ID: "k", Name: "catalog", Type: TypeService, Override: true},
	}}
	if s := p.Settings(); s == nil || s.ID != "c" {
		t.Errorf("Settings = %+v", s)
	}
	if in := p.Inheriting(); len(in) != 1 || in[0].ID != "o" {
		t.Errorf("Inheriting = %+v", in)
	}
	if (GitRepository{Name: "x", GroupName: "acme"}).FullName() != "acme/x" || (GitRepository{Name: "x"}).FullName() != "x" {
		t.Errorf("FullName")
	}
	if (Account{Email: "e"}).Name() != "e" || (Account{FirstName: "A", LastName: "B"}).Name() != "A B" {
		t.Errorf("Name")
	}
}
