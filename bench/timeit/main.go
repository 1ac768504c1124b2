// Command timeit runs a command repeatedly as a whole process and prints the minimum and
// median wall-clock time from start to exit (after warm-up runs, whose times are dropped):
//
//	go run ./bench/timeit -n 21 -- /tmp/bbsetup --version
//
// Output: one line "min_ms=X median_ms=Y runs=N". The command's output is discarded; a
// run that exits non-zero is an error.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"
)

func main() {
	n := flag.Int("n", 21, "timed runs (at least 5)")
	warm := flag.Int("warmup", 3, "untimed runs first (page cache, CPU frequency)")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 || *n < 5 {
		fmt.Fprintln(os.Stderr, "usage: timeit [-n RUNS>=5] [-warmup N] -- COMMAND [ARG...]")
		os.Exit(2)
	}
	runOnce := func() (time.Duration, error) {
		c := exec.Command(args[0], args[1:]...)
		start := time.Now()
		err := c.Run()
		return time.Since(start), err
	}
	for range *warm {
		if _, err := runOnce(); err != nil {
			fmt.Fprintf(os.Stderr, "timeit: %s: %v\n", args[0], err)
			os.Exit(1)
		}
	}
	runs := make([]time.Duration, 0, *n)
	for range *n {
		d, err := runOnce()
		if err != nil {
			fmt.Fprintf(os.Stderr, "timeit: %s: %v\n", args[0], err)
			os.Exit(1)
		}
		runs = append(runs, d)
	}
	slices.Sort(runs)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("min_ms=%.2f median_ms=%.2f runs=%d\n", ms(runs[0]), ms(runs[len(runs)/2]), len(runs))
}
