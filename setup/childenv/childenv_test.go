package childenv

import (
	"reflect"
	"testing"
)

func TestWithoutDropsSecrets(t *testing.T) {
	in := []string{"PATH=/usr/bin", "BBSETUP_CLIENT_SECRET=s3cret", "BBSETUP_AMPLICATION_PASSWORD=pw", "BBSETUP_AMPLICATION_TOKEN=tok",
		"BBSETUP_REPO=/src/amplication", "HOME=/home/me", "bbsetup_client_secret=lower"}
	got := Without(in, "LC_ALL=C")
	want := []string{"PATH=/usr/bin", "BBSETUP_REPO=/src/amplication", "HOME=/home/me", "LC_ALL=C"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Without = %v, want %v", got, want)
	}
}
