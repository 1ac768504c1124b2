package bitbucket

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/bbsetup/bbsetup/internal/faultmatrix"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(faultmatrix.Wrap(m, matrix))
}
