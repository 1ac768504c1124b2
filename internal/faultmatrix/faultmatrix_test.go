package faultmatrix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeT records the cleanups Record registers and lets a test decide the outcome.
type fakeT struct {
	testing.TB
	cleanups []func()
	failed   bool
}

func (f *fakeT) Helper()           {}
func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) Failed() bool      { return f.failed }
func (f *fakeT) Skipped() bool     { return false }
func (f *fakeT) finish() {
	for _, fn := range f.cleanups {
		fn()
	}
}

func record(m *Matrix, area, name, expect string, failed bool) {
	ft := &fakeT{failed: failed}
	m.Record(ft, area, name, expect)
	ft.finish()
}

func TestMatrixCheckAndUpdate(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "pkg")
	os.Mkdir(sub, 0o755)
	t.Chdir(sub)

	m := New("pkg", "Title")
	record(m, "Area B", "case | one", "asserts  this", false)
	record(m, "Area A", "case two", "asserts that", false)
	if err := m.Check(true); err == nil || !strings.Contains(err.Error(), UpdateEnv) {
		t.Fatalf("Check without a file = %v", err)
	}
	if err := m.Update(); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(filepath.Join(root, "docs", "fault-matrix", "pkg.md"))
	if !strings.Contains(string(doc), "| case / one | asserts this | pass |") || strings.Index(string(doc), "Area B") > strings.Index(string(doc), "Area A") {
		t.Errorf("rendered:\n%s", doc)
	}
	if err := m.Check(true); err != nil {
		t.Fatalf("Check after Update: %v", err)
	}

	// A new case without a doc update fails, in a full and in a partial run.
	m2 := New("pkg", "Title")
	record(m2, "Area B", "case | one", "asserts this", false)
	record(m2, "Area A", "case three", "new", false)
	for _, full := range []bool{true, false} {
		if err := m2.Check(full); err == nil || !strings.Contains(err.Error(), `case "case three" (Area A) is not in the report`) {
			t.Errorf("Check(full=%v) with a new case = %v", full, err)
		}
	}
	// A case the tests no longer run fails a full run only.
	m3 := New("pkg", "Title")
	record(m3, "Area B", "case | one", "asserts this", false)
	if err := m3.Check(false); err != nil {
		t.Errorf("partial run: %v", err)
	}
	if err := m3.Check(true); err == nil || !strings.Contains(err.Error(), "no longer run") {
		t.Errorf("full run with a dropped case = %v", err)
	}
	// A changed description fails.
	m4 := New("pkg", "Title")
	record(m4, "Area B", "case | one", "asserts something else", false)
	if err := m4.Check(false); err == nil || !strings.Contains(err.Error(), "asserts") {
		t.Errorf("changed description = %v", err)
	}
	// A failure is reported as FAIL.
	m5 := New("pkg", "Title")
	record(m5, "Area B", "case | one", "asserts this", true)
	if !strings.Contains(m5.Render(), "| FAIL |") {
		t.Errorf("failed case rendered:\n%s", m5.Render())
	}
}
