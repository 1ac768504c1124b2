package flow

// The Amplication status (`amplication status`): what the running server has, as checks
// a surface prints: whether it answers and its generation, the sign-in, its Bitbucket key,
// whether its process started after .env.local was last written (the secret), and who
// and where it pushes (pushstatus.go).

import (
	"context"
	"fmt"

	"github.com/bbsetup/bbsetup/setup/amplication"
	"github.com/bbsetup/bbsetup/setup/bitbucket"
	"github.com/bbsetup/bbsetup/setup/checkout"
	"github.com/bbsetup/bbsetup/setup/safetext"
)

// StatusSteps are the surface's parts of the status: its sign-in and its Bitbucket client.
type StatusSteps struct {
	// SignIn signs the server in (the surface's words on its error) and returns the
	// workspace's overview.
	SignIn func(context.Context) (*amplication.Overview, error)
	// Own is bbsetup's own Bitbucket identity; nil when it cannot be read.
	Own func(context.Context) *bitbucket.User
}

// StatusWords are the surface's words in the status's findings.
type StatusWords struct {
	// Amp words a server error with what to do on the surface.
	Amp func(error) error
	// Configure is the hint when the env files have no key yet: how to write it, then
	// restart the server.
	Configure string
}

// Status is what the status found. Its text is safe.
type Status struct {
	URL      string
	Findings []checkout.Finding
	// State: the server takes a state in its authorize URL; nil when not known.
	State *bool
	// Overview is the signed-in account's; nil when the status stopped before the sign-in.
	Overview *amplication.Overview
	Orgs     []OrgListing
	// OwnKnown: bbsetup's own identity was read, so each org's OwnAccount means something.
	OwnKnown bool
}

// OK is whether every check passed.
func (st Status) OK() bool {
	for _, f := range st.Findings {
		if !f.OK {
			return false
		}
	}
	return true
}

func (st *Status) add(f checkout.Finding) { st.Findings = append(st.Findings, f) }

// CheckStatus runs the status's checks in order and stops at the first that leaves
// nothing more to ask (the server does not answer, the sign-in fails). The error is only
// ctx's: what failed is a finding.
func CheckStatus(ctx context.Context, s *Server, steps StatusSteps, w StatusWords) (Status, error) {
	st := Status{URL: s.URL}
	pr := s.Probe(ctx)
	if ctx.Err() != nil {
		return st, ctx.Err()
	}
	f, answers := serverFinding(s.URL, pr, w)
	st.add(f)
	if !answers {
		return st, nil
	}
	st.State = pr.State
	st.add(GateFinding(s, probeGate(ctx, s, pr)))

	ov, err := steps.SignIn(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
		st.add(checkout.Finding{ID: "signin", Title: "the sign-in to Amplication failed", Detail: safetext.Line(err.Error())})
		st.add(s.Started())
		return st, nil
	}
	st.Overview = ov
	st.add(SignedInFinding(ov))
	st.add(KeyFinding(ctx, s, w))
	// The key cannot show the secret: whether the server process started after
	// .env.local was last written (a failing check when before).
	st.add(s.Started())
	if ctx.Err() != nil {
		return st, ctx.Err()
	}
	own := steps.Own(ctx)
	st.OwnKnown = own != nil
	push, err := CheckPush(ctx, s, own, ov.Projects)
	if err != nil {
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
		st.add(checkout.Finding{ID: "push", Title: "what Amplication pushes could not be read", Detail: safetext.Line(w.Amp(err).Error())})
	}
	st.Findings = append(st.Findings, push.Findings...)
	st.Orgs = push.Orgs
	return st, nil
}

// serverFinding is whether the server answers at url, with its generation; answers is
// false when it does not.
func serverFinding(url string, pr Probe, w StatusWords) (f checkout.Finding, answers bool) {
	switch {
	case pr.State != nil:
		gen := "older than v3.5.0: no state in the authorize URL; it connects Bitbucket only with a billing entitlement (a paid plan), which a local server does not have, so authorize is refused there: update the checkout to a current release"
		if *pr.State {
			gen = "v3.5.0 or later"
		}
		return checkout.Finding{ID: "server", OK: true, Title: "the Amplication server answers at " + url, Detail: gen}, true
	case pr.Answers:
		return checkout.Finding{ID: "server", OK: true, Title: "the Amplication server answers at " + url,
			Detail: "it does not answer introspection (PLAYGROUND_ENABLE off?), so its version is not known"}, true
	}
	return checkout.Finding{ID: "server", Title: "the Amplication server does not answer at " + url,
		Detail: safetext.Line(w.Amp(pr.Err).Error())}, false
}

// probeGate is whether the server accepts Bitbucket: from the probe's generation, else
// from the checkout's schema.
func probeGate(ctx context.Context, s *Server, pr Probe) amplication.ServerGate {
	switch {
	case pr.State != nil && *pr.State:
		return amplication.GateOpen
	case pr.State != nil:
		return amplication.GateRefuses
	}
	gate, _ := amplication.BitbucketGateFor(ctx, s.Client, s.Checkout.Root)
	return gate
}

// SignedInFinding is the sign-in's check: as whom, in which workspace.
func SignedInFinding(ov *amplication.Overview) checkout.Finding {
	wsName := "no workspace"
	if ov.Current != nil {
		wsName = "workspace " + safetext.Line(ov.Current.Name)
	}
	return checkout.Finding{ID: "signin", OK: true, Title: fmt.Sprintf("signed in to Amplication as %s <%s>, %s",
		safetext.Line(ov.Account.Name()), safetext.Line(ov.Account.Email), wsName)}
}

// KeyFinding compares the client_id in the server's authorize URL with the key in the
// env files. The server must be signed in.
func KeyFinding(ctx context.Context, s *Server, w StatusWords) checkout.Finding {
	cr, configured := s.Checkout.Current()
	written := ""
	if configured {
		written = cr.ClientID
	}
	return keyFinding(s.Key(ctx, written), s.Checkout.ServerEnvLocal, cr.ClientID, w)
}

// keyFinding words the key check k; envLocal is the server's .env.local, written its key.
func keyFinding(k amplication.KeyCheck, envLocal, written string, w StatusWords) checkout.Finding {
	f := checkout.Finding{ID: "server-key"}
	running := safetext.Line(k.Running)
	switch k.State {
	case amplication.KeyMissing:
		f.Title = "the running server has no Bitbucket key (\"Missing Bitbucket configuration\")"
		f.Detail = "the key is in " + envLocal + ", so the server was started before it was written"
		f.Hint = AmpRestart
	case amplication.KeyUnknown:
		f.Title = "the server's Bitbucket key could not be read"
		f.Detail = safetext.Line(w.Amp(k.Err).Error())
		if k.BadURL {
			f.Title = "the server's Bitbucket authorize URL is not a URL"
			f.Detail = safetext.Line(k.Err.Error())
		}
	case amplication.KeyNotWritten:
		f.Title = "the Bitbucket key is not written in the env files"
		f.Detail = fmt.Sprintf("the running server uses %q", running)
		if k.Running == "" {
			f.Title = "the running server has no Bitbucket key (\"Missing Bitbucket configuration\")"
			f.Detail = ""
		}
		f.Hint = w.Configure
	case amplication.KeyMatches:
		f.OK = true
		f.Title = "the running server uses the key in .env.local"
		f.Detail = "BITBUCKET_CLIENT_ID " + running
	case amplication.KeyPlaceholder:
		f.Title = "the running server still has the placeholder Bitbucket key"
		f.Detail = fmt.Sprintf("its authorize URL has client_id=%s; %s has %s: the server was started before the key was written", running, envLocal, safetext.Line(written))
		f.Hint = AmpRestart
	default:
		f.Title = "the running server uses another Bitbucket key than .env.local"
		f.Detail = fmt.Sprintf("its authorize URL has client_id=%s; %s has %s: the server was started before the key was written", running, envLocal, safetext.Line(written))
		f.Hint = AmpRestart
	}
	return f
}
