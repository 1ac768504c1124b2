package demo

import (
	"os"
	"testing"
)

func TestStateDirGoesWithTheWorld(t *testing.T) {
	tmp := t.TempDir()
	w, err := Start(Options{Repos: 3, TempDir: tmp, StateDir: true})
	if err != nil {
		t.Fatal(err)
	}
	if w.StateDir == "" {
		w.Close()
		t.Fatal("no state directory")
	}
	for _, d := range []string{w.CheckoutDir, w.StateDir} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
	if err := w.RemoveFiles(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{w.CheckoutDir, w.StateDir} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", d, err)
		}
	}
	w.Close()

	w, err = Start(Options{Repos: 3, TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.StateDir != "" {
		t.Errorf("a state directory nobody asked for: %s", w.StateDir)
	}
}
