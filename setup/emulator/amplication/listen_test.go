package amplication_test

import (
	"encoding/base64"
	"fmt"
	"net"
	"testing"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
