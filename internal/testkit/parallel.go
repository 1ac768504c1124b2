package testkit

import (
	"flag"
	"runtime"
	"strconv"
)

// WidenParallel lets more of a package's tests marked t.Parallel() run at once than go
// test's default (-parallel GOMAXPROCS: 2 on CI). Call it from TestMain after flag.Parse:
// end-to-end tests spend their time waiting (on the built binary, tmux, Chromium, the
// emulators' latency and polls), not on the CPU. An explicit -parallel wins; under -race,
// where every goroutine is several times slower, the widening is smaller.
func WidenParallel() {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if set || flag.Lookup("test.parallel") == nil {
		return
	}
	n := 8 * runtime.GOMAXPROCS(0)
	if Race {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	_ = flag.Set("test.parallel", strconv.Itoa(max(n, 4)))
}
