package bitbucket

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestSettingsPageListsConsumersWithoutSecrets(t *testing.T) {
	e, c := NewDemo(Options{}, 10)
	s, err := Start(e)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/acme/workspace/settings/api")
	if code != http.StatusOK || !strings.Contains(body, c.Key) || !strings.Contains(body, c.CallbackURL) || !strings.Contains(body, "OAuth consumers") {
		t.Fatalf("settings page: %d\n%s", code, body)
	}
	if strings.Contains(body, c.Secret) {
		t.Fatal("the settings page shows the consumer's secret")
	}
	if code, _ := get("/no-such-ws/workspace/settings/api"); code != http.StatusNotFound {
		t.Fatalf("unknown workspace: %d, want 404", code)
	}
	if code, _ := get("/acme/other"); code != http.StatusNotFound {
		t.Fatalf("other page: %d, want 404", code)
	}
}
