package bitbucket

import (
	"context"
	"fmt"
	"testing"
	"time"

	bbemu "github.com/bbsetup/bbsetup/setup/emulator/bitbucket"
)

// BenchmarkListRepos5000Latency100ms lists 5,000 repositories from the emulator with
// 100 ms added to every request, sequentially (concurrency 1, the 100-per-page
// baseline) and with the default concurrency 8. Figures per listing: s-to-all (every
// repository delivered), s-to-first (the first batch), requests; the concurrent run also
// reports speedup (sequential s-to-all / concurrent s-to-all). Issue 6 targets: s-to-all
// <= 1.3 s at concurrency 8, s-to-first <= 1 RTT + 50 ms, requests <= 51.
func BenchmarkListRepos5000Latency100ms(b *testing.B) {
	const n = 5000
	var sequential float64
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			env := startEmu(b, allScopes, Options{Concurrency: conc}, func(e *bbemu.Emulator) {
				e.GenerateRepos("acme", n)
			})
			ctx := context.Background()
			if _, err := env.c.CurrentUser(ctx); err != nil { // fetch the token outside the timing
				b.Fatal(err)
			}
			env.srv.Controls().SetLatency(100 * time.Millisecond)
			var toAll, toFirst time.Duration
			requests := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				env.srv.Controls().ResetLog()
				start := time.Now()
				var first time.Duration
				got := 0
				err := env.c.ListRepositories(ctx, "acme", ListOptions{}, func(batch []Repository, loaded, total int) {
					if first == 0 {
						first = time.Since(start)
					}
					got = loaded
				})
				toAll += time.Since(start)
				toFirst += first
				if err != nil || got != n {
					b.Fatalf("listed %d of %d: %v", got, n, err)
				}
				requests += len(env.apiLog("/2.0/repositories/acme"))
			}
			b.StopTimer()
			perAll := toAll.Seconds() / float64(b.N)
			b.ReportMetric(perAll, "s-to-all")
			b.ReportMetric(toFirst.Seconds()/float64(b.N), "s-to-first")
			b.ReportMetric(float64(requests)/float64(b.N), "requests")
			if conc == 1 {
				sequential = perAll
			} else if sequential > 0 {
				b.ReportMetric(sequential/perAll, "speedup")
			}
		})
	}
}

// BenchmarkWorkspaceNames50 lists 50 workspaces with their names at 100 ms per request:
// one GET /user/workspaces, then the name look-ups, with the default NameConcurrency
// (32) and with 8. Issue 6 target: <= 0.5 s.
func BenchmarkWorkspaceNames50(b *testing.B) {
	for _, nc := range []int{0, 8} {
		name := "names=default"
		if nc > 0 {
			name = fmt.Sprintf("names=%d", nc)
		}
		b.Run(name, func(b *testing.B) {
			env := startEmu(b, allScopes, Options{NameConcurrency: nc}, func(e *bbemu.Emulator) {
				for i := range 49 {
					e.AddWorkspace(bbemu.Workspace{Slug: fmt.Sprintf("team-%02d", i), Name: fmt.Sprintf("Team %d", i)},
						map[string]bool{testAccount: false})
				}
			})
			ctx := context.Background()
			if _, err := env.c.CurrentUser(ctx); err != nil {
				b.Fatal(err)
			}
			env.srv.Controls().SetLatency(100 * time.Millisecond)
			var total time.Duration
			requests := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				env.srv.Controls().ResetLog()
				start := time.Now()
				ws, err := env.c.Workspaces(ctx)
				total += time.Since(start)
				if err != nil || len(ws) != 50 || ws[0].Name == ws[0].Slug {
					b.Fatalf("%d workspaces, %v", len(ws), err)
				}
				requests += len(env.apiLog("/2.0/"))
			}
			b.StopTimer()
			b.ReportMetric(total.Seconds()/float64(b.N), "s-to-all")
			b.ReportMetric(float64(requests)/float64(b.N), "requests")
		})
	}
}
