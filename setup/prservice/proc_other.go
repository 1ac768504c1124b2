//go:build !linux && !darwin

package prservice

import "time"

// systemProcesses: not available here; the check says it was not made.
func systemProcesses() ([]proc, time.Duration, error) {
	return nil, 0, ErrUnsupported
}
