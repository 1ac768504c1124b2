package testkit

import (
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"testing"
)

// UnusedPort returns a TCP port on 127.0.0.1 that nothing listens on, for a server the
// code under test starts later on a port fixed in advance (a callback, a server named in
// an env file). It is picked below the systems' ephemeral ranges (Linux 32768-60999,
// Windows and macOS 49152-65535): a port the kernel handed out for ":0" and then closed
// can be handed out again to any outgoing connection or ":0" listener of the tests running
// side by side before the code binds it; one in 20000-32767 is never handed out so. A port
// is given once per process.
func UnusedPort(t testing.TB) int {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 200 {
		p := 20000 + rand.IntN(32768-20000)
		if portsGiven[p] {
			continue
		}
		ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue // taken
		}
		ln.Close()
		portsGiven[p] = true
		return p
	}
	t.Fatal("no unused port in 20000-32767 after 200 tries")
	return 0
}

var (
	portsMu    sync.Mutex
	portsGiven = map[int]bool{}
)
