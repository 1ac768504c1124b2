//go:build darwin

package prservice

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/bbsetup/bbsetup/setup/childenv"
)

// darwinPrecision: ps prints start times to the second.
const darwinPrecision = time.Second

// systemProcesses asks ps for every process's start time and command line (lstart is
// the local time, to the second), then lsof for the working directory of those whose
// command line could serve a PR service. The command line as ps prints it is split at
// blanks (an argument with a blank in it is split too: good enough to find nx and dist/).
func systemProcesses() ([]proc, time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ps", "-axww", "-o", "pid=,lstart=,command=")
	cmd.Env = childenv.Environ("LC_ALL=C", "TZ=")
	out, err := cmd.Output()
	if err != nil {
		return nil, 0, fmt.Errorf("%w: ps: %v", ErrUnsupported, err)
	}
	var ps []proc
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// pid, then lstart's five fields ("Sun Dec  6 12:20:35 2026"), then the command.
		if len(f) < 7 {
			continue
		}
		pid, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		started, err := time.ParseInLocation("Mon Jan 2 15:04:05 2006", strings.Join(f[1:6], " "), time.UTC)
		if err != nil {
			continue
		}
		args := f[6:]
		if !candidate(args) {
			continue
		}
		ps = append(ps, proc{pid: pid, started: started, args: args, cwd: lsofCwd(ctx, pid)})
	}
	sortByPID(ps)
	return ps, darwinPrecision, nil
}

// candidate is a cheap filter before asking lsof: nx or node in the command line.
func candidate(args []string) bool {
	for _, a := range args {
		if b := base(a); b == "nx" || b == "nx.js" || strings.HasPrefix(b, "node") {
			return true
		}
	}
	return false
}

// lsofCwd is a process's working directory ("" when lsof cannot tell).
func lsofCwd(ctx context.Context, pid int) string {
	lsof := exec.CommandContext(ctx, "lsof", "-a", "-d", "cwd", "-p", strconv.Itoa(pid), "-Fn")
	lsof.Env = childenv.Environ()
	out, err := lsof.Output()
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "n/") {
			return l[1:]
		}
	}
	return ""
}
