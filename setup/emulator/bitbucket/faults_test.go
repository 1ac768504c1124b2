package bitbucket

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFaultStatus(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	w.s.Controls().SetFaults(
		Fault{Method: "GET", PathPrefix: "/2.0/repositories/acme", Times: 2, Kind: FaultStatus, Status: 429, RetryAfter: "3"},
		Fault{PathPrefix: "/2.0/workspaces/acme", Kind: FaultStatus, Status: 503},
		Fault{PathPrefix: "/2.0/user/workspaces", Times: 1, Kind: FaultStatus, Status: 500, Body: `{"custom":true}`},
		Fault{PathPrefix: "/2.0/repositories/labs", Times: 1, Kind: FaultStatus, Status: 410},
		Fault{PathPrefix: "/2.0/repositories/secret", Times: 1, Kind: FaultStatus, Status: 403},
	)
	for i := 0; i < 2; i++ {
		r := w.get("/2.0/repositories/acme", tok)
		if r.status != 429 || r.header.Get("Retry-After") != "3" {
			t.Fatalf("hit %d: %d Retry-After %q", i+1, r.status, r.header.Get("Retry-After"))
		}
		jsonEq(t, r.body, `{"type":"error","error":{"message":"Rate limit for this resource has been exceeded"}}`)
	}
	if r := w.get("/2.0/repositories/acme", tok); r.status != 200 {
		t.Errorf("after Times hits: %d", r.status)
	}
	if r := w.postJSON("/2.0/repositories/acme/x-y", tok, `{"scm":"git"}`); r.status == 429 {
		t.Error("the GET-only rule hit a POST")
	}
	for i := 0; i < 3; i++ { // Times 0: every matching request
		r := w.get("/2.0/workspaces/acme/projects", tok)
		if r.status != 503 || r.header.Get("Retry-After") != "" || errMessage(t, r) == "" {
			t.Errorf("503 rule: %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
		}
	}
	if r := w.get("/2.0/user/workspaces", tok); r.status != 500 || string(r.body) != `{"custom":true}` {
		t.Errorf("body override: %d %s", r.status, r.body)
	}
	if r := w.get("/2.0/repositories/labs", tok); r.status != 410 || errMessage(t, r) != msgChange2770 {
		t.Errorf("410 default body: %d %s", r.status, r.body)
	}
	r := w.get("/2.0/repositories/secret", tok)
	if r.status != 403 || errMessage(t, r) != msgLackScopes {
		t.Errorf("403 default body: %d %s", r.status, r.body)
	}
	w.s.Controls().SetFaults()
	if r := w.get("/2.0/workspaces/acme/projects", tok); r.status != 200 {
		t.Errorf("healthy again: %d", r.status)
	}
	var statuses []int
	for _, l := range w.s.Controls().Log() {
		if l.Path == "/2.0/repositories/acme" {
			statuses = append(statuses, l.Status)
		}
	}
	if len(statuses) != 3 || statuses[0] != 429 || statuses[2] != 200 {
		t.Errorf("logged statuses %v", statuses)
	}
}

func TestFaultMalformedJSON(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	w.s.Controls().SetFaults(Fault{PathPrefix: "/2.0/repositories/", Times: 1, Kind: FaultMalformedJSON})
	r := w.get("/2.0/repositories/acme", tok)
	var v any
	if r.status != 200 || json.Unmarshal(r.body, &v) == nil {
		t.Errorf("want 200 with invalid JSON, got %d %s", r.status, r.body)
	}
	if r := w.get("/2.0/repositories/acme", tok); json.Unmarshal(r.body, &v) != nil {
		t.Error("second request still malformed")
	}
}

func TestFaultRepeatNextAndLieSize(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	w.s.Controls().SetFaults(Fault{PathPrefix: "/2.0/repositories/acme", Times: 1, Kind: FaultRepeatNext},
		Fault{PathPrefix: "/2.0/repositories/acme", Times: 1, Kind: FaultLieSize})
	m := w.get("/2.0/repositories/acme?pagelen=1&page=2&sort=name", tok).json(t)
	if m["next"] != w.s.APIURL+"/repositories/acme?page=2&pagelen=1&sort=name" {
		t.Errorf("repeat next: %v", m["next"])
	}
	m = w.get("/2.0/repositories/acme?pagelen=1", tok).json(t)
	if size := m["size"].(float64); size <= 3 {
		t.Errorf("lying size %v, want more than the 3 that exist", size)
	}
	if len(m["values"].([]any)) != 1 {
		t.Errorf("values %v", m["values"])
	}
	m = w.get("/2.0/repositories/acme?pagelen=1", tok).json(t)
	if m["size"] != float64(3) || m["next"] != w.s.APIURL+"/repositories/acme?page=2&pagelen=1" {
		t.Errorf("healthy page: size %v next %v", m["size"], m["next"])
	}
}

func TestFaultHangEndsWhenClientGivesUp(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	w.s.Controls().SetFaults(Fault{PathPrefix: "/2.0/user", Kind: FaultHang})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.s.APIURL+"/user", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	done := make(chan error, 1)
	go func() {
		res, err := w.hc.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the request to reach the emulator", func() bool { return len(logFor(w.s, "/2.0/user")) == 1 })
	select {
	case err := <-done:
		t.Fatalf("a hanging request answered: %v", err)
	default:
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("client error %v, want context.Canceled", err)
	}
	waitFor(t, "the handler to return", func() bool { return logFor(w.s, "/2.0/user")[0].Status == 499 })
}

func logFor(s *Server, path string) []Request {
	var out []Request
	for _, l := range s.Controls().Log() {
		if l.Path == path {
			out = append(out, l)
		}
	}
	return out
}

func TestCloseEndsHangingRequests(t *testing.T) {
	e := New(Options{})
	e.Controls().SetFaults(Fault{Kind: FaultHang})
	s, err := Start(e)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	done := make(chan error, 1)
	go func() {
		res, err := hc.Get(s.URL + "/2.0/user")
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the request to arrive", func() bool { return len(e.Controls().Log()) == 1 })
	s.Close() // must return: the hanging handler is cancelled
	s.Close() // idempotent
	<-done
}

func TestFaultReset(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	w.s.Controls().SetFaults(Fault{PathPrefix: "/2.0/repositories/acme", Times: 1, Kind: FaultReset})
	req, _ := http.NewRequest(http.MethodGet, w.s.APIURL+"/repositories/acme", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := w.hc.Do(req)
	if err == nil {
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	if err == nil {
		t.Fatal("a reset mid-body read without error")
	}
	if r := w.get("/2.0/repositories/acme", tok); r.status != 200 {
		t.Errorf("after the reset: %d", r.status)
	}
}

func TestFaultHugeBody(t *testing.T) {
	w := newWorld(t, Options{})
	tok := w.token(full)
	w.s.Controls().SetFaults(Fault{PathPrefix: "/2.0/repositories/acme", Times: 2, Kind: FaultHugeBody})
	r := w.get("/2.0/repositories/acme", tok)
	if r.status != 200 || len(r.body) != HugeBodySize {
		t.Errorf("status %d, %d bytes (want %d)", r.status, len(r.body), HugeBodySize)
	}
	// Valid JSON: a small head, 50 MB of padding inside one string, and the close.
	head, tail := r.body[:200], r.body[len(r.body)-200:]
	if !strings.HasPrefix(string(head), `{"pagelen": 10, "page": 1, "values": [], "padding": "xxx`) ||
		strings.Trim(string(r.body[100:len(r.body)-2]), "x") != "" || !strings.HasSuffix(string(tail), `xx"}`) {
		t.Errorf("huge body is not the padded JSON object: %q ... %q", head, tail)
	}
	// A client that stops reading early: the server side stops too.
	req, _ := http.NewRequest(http.MethodGet, w.s.APIURL+"/repositories/acme", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := w.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	if _, err := io.ReadFull(res.Body, buf); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	w.hc.CloseIdleConnections()
	waitFor(t, "the huge response to end", func() bool {
		l := logFor(w.s, "/2.0/repositories/acme")
		return len(l) == 2 && !l[1].End.IsZero()
	})
}

func TestLatencyAndInFlight(t *testing.T) {
	w := newWorld(t, Options{Latency: 30 * time.Millisecond})
	tok := w.token(full)
	for _, l := range w.s.Controls().Log() {
		if l.End.Sub(l.Start) < 30*time.Millisecond {
			t.Errorf("request took %v, less than the latency", l.End.Sub(l.Start))
		}
	}
	w.s.Controls().SetLatency(0)
	w.s.Controls().ResetLog()

	// Eight requests held open at once: the last to start saw eight in flight.
	w.s.Controls().SetFaults(Fault{PathPrefix: "/2.0/repositories/acme", Kind: FaultHang})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.s.APIURL+"/repositories/acme", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			if res, err := w.hc.Do(req); err == nil {
				res.Body.Close()
			}
		}()
	}
	waitFor(t, "eight requests in flight", func() bool { return len(w.s.Controls().Log()) == 8 })
	maxIn := 0
	for _, l := range w.s.Controls().Log() {
		maxIn = max(maxIn, l.InFlight)
	}
	if maxIn != 8 {
		t.Errorf("max InFlight %d, want 8", maxIn)
	}
	cancel()
	wg.Wait()
	w.s.Controls().SetFaults()

	// A long latency gives way when the client gives up.
	w.s.Controls().SetLatency(time.Hour)
	ctx2, cancel2 := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx2, http.MethodGet, w.s.APIURL+"/user", nil)
		res, err := w.hc.Do(req)
		if err == nil {
			res.Body.Close()
		}
		errc <- err
	}()
	waitFor(t, "the slow request to arrive", func() bool { return len(logFor(w.s, "/2.0/user")) == 1 })
	cancel2()
	<-errc
	waitFor(t, "the latency sleep to end", func() bool { return logFor(w.s, "/2.0/user")[0].Status == 499 })
	w.s.Controls().SetLatency(0)
}

func TestFaultKindString(t *testing.T) {
	if FaultHugeBody.String() != "FaultHugeBody" || !strings.HasPrefix(FaultKind(99).String(), "FaultKind(") {
		t.Error(FaultHugeBody.String(), FaultKind(99).String())
	}
}
