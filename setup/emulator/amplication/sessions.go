package amplication

import "crypto/rand"

// EndSessions ends every session signed so far: the server now refuses their tokens
// (Nest's "Unauthorized", code UNAUTHENTICATED), as the real server does after a restart
// with another JWT_SECRET or once a token has expired. Signing in again works. A test
// control: no command calls it.
func (e *Emulator) EndSessions() {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("emulator: crypto/rand failed: " + err.Error())
	}
	e.secretMu.Lock()
	e.secret = key
	e.secretMu.Unlock()
}
