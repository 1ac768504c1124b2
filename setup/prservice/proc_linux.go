//go:build linux

package prservice

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat's starttime: 100 on every Linux
// architecture Go supports (the kernel's ABI; sysconf(_SC_CLK_TCK) says the same).
const clockTicks = 100

// linuxPrecision: start times are computed from /proc/uptime (centiseconds) and the
// process's start tick; the two reads are a few milliseconds apart.
const linuxPrecision = 100 * time.Millisecond

// systemProcesses lists the processes this user can inspect, through /proc: the command
// line, the working directory (readable only for one's own processes) and the start time
// (field 22 of /proc/PID/stat, in clock ticks since boot, plus the boot time).
func systemProcesses() ([]proc, time.Duration, error) {
	return procProcesses("/proc", time.Now)
}

func procProcesses(procDir string, now func() time.Time) ([]proc, time.Duration, error) {
	up, err := os.ReadFile(filepath.Join(procDir, "uptime"))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	t := now()
	f := strings.Fields(string(up))
	if len(f) == 0 {
		return nil, 0, fmt.Errorf("%w: %s/uptime is empty", ErrUnsupported, procDir)
	}
	secs, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s/uptime: %v", ErrUnsupported, procDir, err)
	}
	boot := t.Add(-time.Duration(secs * float64(time.Second)))
	ents, err := os.ReadDir(procDir)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	var out []proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		dir := filepath.Join(procDir, e.Name())
		cwd, err := os.Readlink(filepath.Join(dir, "cwd"))
		if err != nil || strings.HasSuffix(cwd, " (deleted)") {
			continue // another user's process, or gone
		}
		cmd, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil || len(cmd) == 0 {
			continue
		}
		ticks, err := startTicks(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		args := strings.Split(string(bytes.TrimRight(cmd, "\x00")), "\x00")
		out = append(out, proc{pid: pid, args: args, cwd: cwd,
			started: boot.Add(time.Duration(ticks) * time.Second / clockTicks)})
	}
	sortByPID(out)
	return out, linuxPrecision, nil
}

// startTicks reads field 22 (starttime) of a /proc/PID/stat line. The command name
// (field 2) is in parentheses and may hold spaces and parentheses: fields are counted
// after its last ')'.
func startTicks(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	// After ')' come field 3 (state) onwards: field 22 is f[19].
	if len(f) < 20 {
		return 0, errors.New("too few fields")
	}
	return strconv.ParseUint(f[19], 10, 64)
}
