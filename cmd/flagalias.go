package cmd

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// deprecatedAliasValue is the value of an old flag spelling: it sets the new flag's value
// and says, on stderr, which spelling to use.
type deprecatedAliasValue struct {
	pflag.Value
	note func()
}

func (v *deprecatedAliasValue) Set(s string) error {
	v.note()
	return v.Value.Set(s)
}

// addDeprecatedAlias adds the old spelling alias of the flag name to fs: hidden from the
// help, setting the same value, with a note on stderr when used. Not cobra's MarkDeprecated:
// cobra prints that note to the command's output, which is stdout here, the place --json
// keeps for data alone.
func addDeprecatedAlias(fs *pflag.FlagSet, stderr io.Writer, alias, name, why string) {
	target := fs.Lookup(name)
	if target == nil {
		panic("addDeprecatedAlias: no flag --" + name)
	}
	note := func() {
		if stderr == nil { // a Factory built by a flag test
			return
		}
		fmt.Fprintf(stderr, "bbsetup: --%s is deprecated here: use --%s (%s).\n", alias, name, why)
	}
	fs.Var(&deprecatedAliasValue{Value: target.Value, note: note}, alias, "deprecated: use --"+name)
	_ = fs.MarkHidden(alias)
}
