package termin

import "context"

// UntilDone runs read, a blocking read of standard input, and returns its result, or
// ctx's error as soon as ctx is done: a signal then ends a wait on a pipe that never
// delivers a line (the read goes on in the background and ends with the process).
func UntilDone[T any](ctx context.Context, read func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := read()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
