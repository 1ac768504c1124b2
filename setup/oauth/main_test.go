package oauth

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/bbsetup/bbsetup/internal/faultmatrix"
)

// FaultMatrix is this package's section of docs/fault-matrix (used by the oauth_test suites).
var FaultMatrix = faultmatrix.New("oauth", "OAuth: callback, paste, code exchange and token endpoint (setup/oauth)")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(faultmatrix.Wrap(m, FaultMatrix))
}
