package amplication_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bbsetup/bbsetup/setup/amplication"
)

// TestCheckAuthorizeURLShape: on Bitbucket's origin, only the URL Amplication's server
// makes passes (the authorize path; client_id, response_type=code and state, each once);
// a redirect_uri (which would send the code elsewhere), a scope, another path, a user
// name or a fragment is refused with a typed error that says what is wrong.
func TestCheckAuthorizeURLShape(t *testing.T) {
	const bb = "https://bitbucket.org"
	const good = bb + "/site/oauth2/authorize?client_id=K&response_type=code&state=S"
	for _, tc := range []struct {
		u, bb string
		want  string // "" passes; else a word of the problem
	}{
		{good, bb, ""},
		{bb + "/site/oauth2/authorize?client_id=[bitbucket-client-id]&response_type=code&state=S", bb, ""},
		{bb + "/site/oauth2/authorize?client_id=K&response_type=code", bb, ""}, // the state is PrepareAuthorize's check
		{"http://127.0.0.1:4100/site/oauth2/authorize?client_id=K&response_type=code&state=S", "http://127.0.0.1:4100", ""},
		{"http://127.0.0.1:4100/bb/site/oauth2/authorize?client_id=K&response_type=code&state=S", "http://127.0.0.1:4100/bb/", ""},
		{good + "&redirect_uri=https://evil.example/cb", bb, `"redirect_uri"`},
		{good + "&scope=repository:admin", bb, `"scope"`},
		{good + "&state=T", bb, "2 state"},
		{good + "&client_id=X", bb, "2 client_id"},
		{bb + "/site/oauth2/authorize?client_id=K&response_type=token&state=S", bb, `"token"`},
		{bb + "/site/oauth2/authorize?response_type=code&state=S", bb, "no client_id"},
		{bb + "/site/oauth2/authorize?client_id=K&state=S", bb, "no response_type"},
		{bb + "/account/signin/?next=/site/oauth2/authorize%3Fclient_id%3DK&client_id=K&response_type=code&state=S", bb, "path"},
		{bb + "/site/oauth2/authorize/?client_id=K&response_type=code&state=S", bb, "path"},
		{bb + "/?client_id=K&response_type=code&state=S", bb, "path"},
		{"https://user@bitbucket.org/site/oauth2/authorize?client_id=K&response_type=code&state=S", bb, "user"},
		{good + "#x", bb, "fragment"},
		{good + "&client_id=K%3Bx", bb, "2 client_id"},
	} {
		err := amplication.CheckAuthorizeURL(tc.u, tc.bb)
		var ue *amplication.UnexpectedAuthorizeURLError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckAuthorizeURL(%q) = %v, want it accepted", tc.u, err)
		case tc.want != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckAuthorizeURL(%q) = %v, want an *UnexpectedAuthorizeURLError naming %s", tc.u, err, tc.want)
		}
	}
}
