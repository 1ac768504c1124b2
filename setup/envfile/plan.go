package envfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

// FileChange is the planned change of one file.
type FileChange struct {
	Path   string // the path as given (.env.local); Target is the symlink-resolved file written
	Target string
	Before []byte // current content (nil when the file does not exist)
	After  []byte
	Exists bool
	Mode   os.FileMode // kept on write; 0600 for a new file, and for one that gets a secret
	// Tightened is the old mode of an existing file that group or others could read and
	// that gets a secret: it is written with Mode (the group and other bits cleared)
	// instead, and the operator should be told. 0 when the mode is kept.
	Tightened os.FileMode
	// OtherLinks is how many other hard links the existing file has: writing replaces the
	// file, so those names keep the old content (the operator should be told).
	OtherLinks int
	// UID and GID are the owner the written file (and its temporary files) get when
	// bbsetup runs as root: the existing file's, or for a new file its directory's. -1
	// when unknown.
	UID, GID int
	// Secrets are values to mask in diffs: the new secret values and the ones they replace.
	Secrets []string
	// SecretKeys are the keys whose values are masked wherever they are assigned in a diff.
	SecretKeys []string
	// Aliases are the other paths given to PlanFiles that are the same file as Path (a
	// symlink to it, or a path through a symlinked directory): their edits were merged
	// into this change, which writes the file once.
	Aliases []string
}

// oldMode is the mode the existing file had (before Mode tightened it).
func (f FileChange) oldMode() os.FileMode {
	if f.Tightened != 0 {
		return f.Tightened
	}
	return f.Mode
}

// Changed reports whether writing the file would change it (or create it).
func (f FileChange) Changed() bool { return !f.Exists || !bytes.Equal(f.Before, f.After) }

// Plan is a set of file changes, computed and validated but not yet written.
type Plan struct {
	Files []FileChange
	// BackupDir, when set, is where Apply keeps the previous content of each file it
	// replaces, outside the work tree: each write gets a new directory in it (0700) named
	// after the time, holding each file under its path relative to BackupRoot (0600). A
	// backup is never overwritten. When BackupDir is "", the backup is the file's name
	// plus ".bak" beside it (only for callers whose directory git cannot see).
	BackupDir  string
	BackupRoot string
}

// Changed reports whether any file would change.
func (p *Plan) Changed() bool {
	for _, f := range p.Files {
		if f.Changed() {
			return true
		}
	}
	return false
}

// Result says what Apply did to one file.
type Result struct {
	Path    string
	Aliases []string // the other paths that are the same file as Path (FileChange.Aliases)
	Changed bool
	Backup  string // the backup of the previous content, "" when none was written
	// RemovedTemps are temporary files left next to the file by an earlier write that was
	// killed mid-way (they may hold a secret): Apply removed them.
	RemovedTemps []string
}

// SameFile describes a path with its aliases for the operator: "a" alone, or
// "a (the same file as b, c)". Path is the real file when it was among the paths given.
func (r Result) SameFile() string { return sameFile(r.Path, r.Aliases) }

// SameFile is Result.SameFile for a planned change.
func (f FileChange) SameFile() string { return sameFile(f.Path, f.Aliases) }

func sameFile(path string, aliases []string) string {
	if len(aliases) == 0 {
		return path
	}
	return path + " (the same file as " + strings.Join(aliases, ", ") + ")"
}

// PlanFiles reads every file named in edits (path -> assignments), follows a symlinked file
// to its target, validates that each can be edited, and computes the new contents. It writes
// nothing. Files are listed in path order.
//
// Paths that are the same file (one a symlink to the other, or reached through a
// symlinked directory) are planned as one change: their assignments are merged (the
// union of their keys) so that writing one does not undo the other, and the change names
// the other paths in Aliases. Its Path is the path that is the real file when it was
// given, else the first in order. The same key with different values for the same file
// is an error.
func PlanFiles(edits map[string][]KV) (*Plan, error) {
	paths := make([]string, 0, len(edits))
	for p := range edits {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	type group struct {
		paths []string
		real  string // the given path that names the file itself, "" when none
		plain string // the first given path that is not a symlink, "" when none
	}
	var keys []string
	groups := map[string]*group{}
	for _, path := range paths {
		target, err := resolve(path)
		if err != nil {
			return nil, err
		}
		key := canonical(target)
		g, ok := groups[key]
		if !ok {
			g = &group{}
			groups[key] = g
			keys = append(keys, key)
		}
		g.paths = append(g.paths, path)
		if abs, err := filepath.Abs(path); err == nil && g.real == "" && filepath.Clean(abs) == key {
			g.real = path
		}
		if g.plain == "" && !isSymlink(path) {
			g.plain = path
		}
	}
	p := &Plan{}
	for _, key := range keys {
		g := groups[key]
		primary := g.paths[0]
		if g.real != "" {
			primary = g.real
		} else if g.plain != "" {
			primary = g.plain
		}
		names := []string{primary}
		for _, q := range g.paths {
			if q != primary {
				names = append(names, q)
			}
		}
		merged, err := mergeEdits(names, edits)
		if err != nil {
			return nil, err
		}
		fc, err := planFile(primary, merged)
		if err != nil {
			return nil, err
		}
		fc.Aliases = names[1:]
		p.Files = append(p.Files, fc)
	}
	sort.SliceStable(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
	return p, nil
}

// mergeEdits merges the assignments of paths (the same file), the first path's first: the
// union of their keys. A key assigned twice must have the same value; a secret in any
// edit stays a secret.
func mergeEdits(paths []string, edits map[string][]KV) ([]KV, error) {
	var out []KV
	at := map[string]int{}   // key -> index in out
	from := map[string]int{} // key -> index in paths that first set it
	for pi, path := range paths {
		for _, kv := range edits[path] {
			i, ok := at[kv.Key]
			if !ok {
				at[kv.Key], from[kv.Key] = len(out), pi
				out = append(out, kv)
				continue
			}
			if out[i].Value != kv.Value {
				return nil, fmt.Errorf("%s and %s are the same file, but %s would get two different values there; make them separate files (remove the symlink and copy the file) or give both the same value, then run again",
					paths[from[kv.Key]], path, kv.Key)
			}
			out[i].Secret = out[i].Secret || kv.Secret
			if out[i].Comment == "" {
				out[i].Comment = kv.Comment
			}
		}
	}
	return out, nil
}

// canonical is the real path of target with every symlink resolved: of the file, or,
// when the file does not exist yet, of its directory. It identifies the file on disk.
func canonical(target string) string {
	if abs, err := filepath.Abs(target); err == nil {
		target = abs
	}
	if real, err := filepath.EvalSymlinks(target); err == nil {
		return real
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(target)); err == nil {
		return filepath.Join(dir, filepath.Base(target))
	}
	return filepath.Clean(target)
}

func isSymlink(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

func planFile(path string, kvs []KV) (FileChange, error) {
	fc := FileChange{Path: path, Mode: 0o600, UID: -1, GID: -1}
	target, err := resolve(path)
	if err != nil {
		return fc, err
	}
	fc.Target = target
	if err := checkDir(filepath.Dir(target)); err != nil {
		return fc, err
	}
	if di, err := os.Stat(filepath.Dir(target)); err == nil {
		fc.UID, fc.GID = owner(di)
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && fi.IsDir():
		return fc, fmt.Errorf("%s is a directory, not a file; move it out of the way and run again", target)
	case err == nil && !fi.Mode().IsRegular():
		return fc, fmt.Errorf("%s is not a regular file; replace it with a plain file and run again", target)
	case err == nil:
		data, err := ReadRegular(target)
		if err != nil {
			return fc, fmt.Errorf("cannot read %s (%v); check its permissions", target, err)
		}
		fc.Before, fc.Exists, fc.Mode = data, true, fi.Mode().Perm()
		fc.UID, fc.GID = owner(fi)
		if n := linkCount(target, fi); n > 1 {
			fc.OtherLinks = n - 1
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return fc, fmt.Errorf("cannot read %s: %v", target, err)
	}
	after, err := Apply(fc.Before, kvs)
	if err != nil {
		return fc, fmt.Errorf("%s: %w", path, err)
	}
	fc.After = after
	if fc.Changed() {
		if err := checkWritable(target, fc.Exists); err != nil {
			return fc, err
		}
	}
	old := Parse(fc.Before)
	for _, kv := range kvs {
		if kv.Secret && fc.Mode&0o077 != 0 && ModeBitsControlAccess {
			// Never leave a secret in a file group or others can read.
			fc.Tightened, fc.Mode = fc.Mode, fc.Mode&^0o077
		}
		if kv.Secret {
			fc.SecretKeys = append(fc.SecretKeys, kv.Key)
			fc.Secrets = append(fc.Secrets, kv.Value)
			if v := old[kv.Key]; v != "" && v != kv.Value {
				fc.Secrets = append(fc.Secrets, v)
			}
		}
	}
	return fc, nil
}

// resolve returns the file that opening path would open, resolved as the kernel does:
// every directory component with its symlinks resolved, and a symlinked file followed
// (also a dangling one, whose target is then created), a relative link from the real
// directory that holds it, with ".." applied after the links before it. The result is
// absolute.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("cannot resolve %s: %v", path, err)
	}
	dir, name := filepath.Dir(abs), filepath.Base(abs)
	for i := 0; i < 40; i++ {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			dir = real
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("cannot resolve %s: %v", dir, err)
		}
		cur := filepath.Join(dir, name)
		fi, err := os.Lstat(cur)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return cur, nil
		}
		dest, err := os.Readlink(cur)
		if err != nil {
			return "", fmt.Errorf("cannot follow the symlink %s: %v", cur, err)
		}
		if !filepath.IsAbs(dest) {
			// Not filepath.Join: it would apply ".." to the link's text, before the links
			// in it are resolved. EvalSymlinks of the directory part does it in order.
			dest = dir + string(filepath.Separator) + dest
		}
		i := strings.LastIndexByte(dest, filepath.Separator)
		dir, name = dest[:i], dest[i+1:]
		if dir == "" {
			dir = string(filepath.Separator)
		}
		if name == "" || name == "." || name == ".." {
			return "", fmt.Errorf("the symlink %s points at a directory (%s), not a file; point it at a file", cur, dest)
		}
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links; point it at a real file", path)
}

// ErrNoDir is matched (errors.Is) by the error for a file whose directory does not exist or
// is not a directory: the checkout is not a complete Amplication checkout, and a caller may
// say how its operator names another.
var ErrNoDir = errors.New("the directory of an env file is missing")

func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &advised{fmt.Errorf("the directory %s does not exist; check that the checkout is a complete Amplication checkout", dir), ErrNoDir}
	}
	if err != nil {
		return fmt.Errorf("cannot use the directory %s: %v", dir, err)
	}
	if !fi.IsDir() {
		return &advised{fmt.Errorf("%s is not a directory; check that the checkout is a complete Amplication checkout", dir), ErrNoDir}
	}
	return nil
}

// advised is an error with a sentinel for its advice; its message is the error's own.
type advised struct{ err, advice error }

func (a *advised) Error() string   { return a.err.Error() }
func (a *advised) Unwrap() []error { return []error{a.err, a.advice} }

// staged is one file's prepared write: temp files already written and synced.
type staged struct {
	fc         FileChange
	tmp        string // the new content
	bakTmp     string // the backup of the previous content
	undoTmp    string // the previous content again, to put back if another file fails
	backupPath string
	replaced   bool // tmp has been renamed onto the target
	backedUp   bool // bakTmp has been renamed to backupPath
}

// renameFile is os.Rename; tests replace it to make a rename fail.
var renameFile = os.Rename

// Apply writes every changed file, all or nothing. It first locks each target's directory
// against another bbsetup writing there, removes temporary files an earlier write left
// behind when it was killed, checks every file again and stages, as synced temporary files
// (0600 while they exist), each new content, the backup of the old one and a second copy
// of the old one to roll back with; if anything fails, it removes what it staged and no
// file has changed. Then it renames the files into place, and only when every file is new
// the backups, and syncs the directories. If one rename fails, the files already replaced
// are put back (by renaming their staged old content over them), so the operator sees
// either every file old or every file new, and no earlier backup is touched. Unchanged
// files are not touched at all.
func (p *Plan) Apply() ([]Result, error) {
	var dirs []string
	for _, fc := range p.Files {
		if fc.Changed() {
			dirs = append(dirs, filepath.Dir(fc.Target))
		}
	}
	unlock, err := lockDirs(dirs)
	if err != nil {
		return nil, err
	}
	defer unlock()
	results := make([]Result, len(p.Files))
	w := &applyRun{}
	if err := p.stageAll(w, results); err != nil {
		return nil, err
	}
	if err := w.replace(); err != nil {
		return nil, err
	}
	for _, s := range w.st {
		syncDir(filepath.Dir(s.fc.Target))
		if s.backupPath != "" {
			syncDir(filepath.Dir(s.backupPath))
		}
	}
	w.cleanup() // the undo copies
	for i, fc := range p.Files {
		if !fc.Changed() {
			continue
		}
		results[i].Changed = true
		for _, s := range w.st {
			if s.fc.Path == fc.Path {
				results[i].Backup = s.backupPath
			}
		}
	}
	return results, nil
}

// applyRun is one Apply's staged files and its directory under BackupDir.
type applyRun struct {
	st     []*staged
	runDir string // this write's directory under BackupDir, "" until made
}

// cleanup removes the temporary files still staged.
func (w *applyRun) cleanup() {
	for _, s := range w.st {
		for _, f := range []string{s.tmp, s.bakTmp, s.undoTmp} {
			if f != "" {
				os.Remove(f)
			}
		}
	}
}

// dropRun removes this write's backup directory, if it made one.
func (w *applyRun) dropRun() {
	if w.runDir != "" {
		os.RemoveAll(w.runDir)
	}
}

// stageAll stages every changed file into w and fills in each file's result so far; on
// an error it has removed what it staged.
func (p *Plan) stageAll(w *applyRun, results []Result) error {
	for i, fc := range p.Files {
		results[i] = Result{Path: fc.Path, Aliases: fc.Aliases}
		if !fc.Changed() {
			continue
		}
		results[i].RemovedTemps = removeStaleTemps(fc.Target)
		if fc.Exists && p.BackupDir != "" && w.runDir == "" {
			var err error
			if w.runDir, err = newRunDir(p.BackupDir); err != nil {
				w.cleanup()
				return err
			}
		}
		s, err := stage(fc, p.backupPath(w.runDir, fc.Target))
		if s != nil {
			w.st = append(w.st, s)
		}
		if err != nil {
			w.cleanup()
			w.dropRun()
			return err
		}
	}
	return nil
}

// replace renames the staged files into place, then the backups; if one rename fails,
// it puts back what it replaced.
func (w *applyRun) replace() error {
	for _, s := range w.st {
		if err := renameFile(s.tmp, s.fc.Target); err != nil {
			return rollback(w.st, fmt.Sprintf("cannot replace %s: %v", s.fc.Target, err), w.cleanup, w.dropRun)
		}
		s.tmp = ""
		s.replaced = true
		if s.fc.Mode != 0o600 {
			os.Chmod(s.fc.Target, s.fc.Mode) // the temp file was 0600 while it held the secret
		}
	}
	for _, s := range w.st {
		if s.bakTmp == "" {
			continue
		}
		if err := renameFile(s.bakTmp, s.backupPath); err != nil {
			return rollback(w.st, fmt.Sprintf("cannot write the backup %s: %v", s.backupPath, err), w.cleanup, w.dropRun)
		}
		s.bakTmp = ""
		s.backedUp = true
	}
	return nil
}

// backupPath is where the previous content of target goes: beside it (".bak") without a
// BackupDir, else under this write's directory runDir, at target's path relative to
// BackupRoot (a file outside BackupRoot by its name and a hash of its path).
func (p *Plan) backupPath(runDir, target string) string {
	if p.BackupDir == "" {
		return target + ".bak"
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		abs = target
	}
	rel, err := filepath.Rel(p.BackupRoot, abs)
	if p.BackupRoot == "" || err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		sum := sha256.Sum256([]byte(abs))
		rel = filepath.Join("outside-the-checkout", filepath.Base(abs)+"-"+hex.EncodeToString(sum[:6]))
	}
	return filepath.Join(runDir, rel)
}

// newRunDir makes dir (0700, tightened if it exists looser) and a new directory in it for
// one write, named after the time (UTC) so that the newest sorts last.
func newRunDir(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("cannot make the backup directory %s: %w", dir, err)
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("the backup directory %s can be read by others and cannot be made private (%w); chmod 700 it and run again", dir, err)
		}
	}
	run, err := os.MkdirTemp(dir, time.Now().UTC().Format("20060102T150405Z")+"-")
	if err != nil {
		return "", fmt.Errorf("cannot make a directory in the backup directory %s: %w", dir, err)
	}
	return run, nil
}

// rollback puts back every file already replaced and returns the error to report: msg
// and either "no file was changed" or which files could not be restored. This write's
// backups are removed when every file was put back (they would only repeat the files) and
// kept, named in the error, for a file left new.
func rollback(st []*staged, msg string, cleanup, dropRun func()) error {
	var stuck []string
	for _, s := range st {
		if !s.replaced {
			continue
		}
		var err error
		if s.fc.Exists {
			err = renameFile(s.undoTmp, s.fc.Target)
			if err == nil {
				s.undoTmp = ""
				os.Chmod(s.fc.Target, s.fc.oldMode()) // as it was, also when Mode tightened it
			}
		} else {
			err = os.Remove(s.fc.Target)
		}
		if err != nil {
			if s.bakTmp != "" && renameFile(s.bakTmp, s.backupPath) == nil {
				s.bakTmp, s.backedUp = "", true
			}
			where := ""
			if s.backedUp {
				where = " (previous content in " + s.backupPath + ")"
			}
			stuck = append(stuck, s.fc.Target+where)
			continue
		}
		syncDir(filepath.Dir(s.fc.Target))
	}
	cleanup()
	if len(stuck) == 0 {
		for _, s := range st {
			if s.backedUp {
				os.Remove(s.backupPath)
			}
		}
		dropRun()
		return errors.New(msg + "; no file was changed (the files already written were put back)")
	}
	return fmt.Errorf("%s; these files have the new values but could not be put back: %s; fix the problem and run bbsetup again so every file agrees",
		msg, strings.Join(stuck, ", "))
}

func stage(fc FileChange, backupPath string) (*staged, error) {
	dir := filepath.Dir(fc.Target)
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	fi, err := os.Stat(fc.Target)
	switch {
	case err == nil && fi.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a file; move it out of the way and run again", fc.Target)
	case err == nil:
		if !fc.Exists {
			return nil, fmt.Errorf("%s appeared while bbsetup was running; run it again", fc.Target)
		}
		cur, err := ReadRegular(fc.Target)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %v", fc.Target, err)
		}
		if !bytes.Equal(cur, fc.Before) {
			return nil, fmt.Errorf("%s changed while bbsetup was running; run it again", fc.Target)
		}
	case errors.Is(err, fs.ErrNotExist):
		if fc.Exists {
			return nil, fmt.Errorf("%s disappeared while bbsetup was running; run it again", fc.Target)
		}
	default:
		return nil, fmt.Errorf("cannot use %s: %v", fc.Target, err)
	}
	if err := checkWritable(fc.Target, fc.Exists); err != nil {
		return nil, err
	}
	s := &staged{fc: fc}
	s.tmp, err = writeTemp(dir, filepath.Base(fc.Target), fc.After, fc.UID, fc.GID)
	if err != nil {
		return s, err
	}
	if fc.Exists {
		s.backupPath = backupPath
		if fi, err := os.Lstat(s.backupPath); err == nil && fi.IsDir() {
			return s, fmt.Errorf("%s is a directory; move it out of the way so bbsetup can keep a backup there", s.backupPath)
		}
		bakDir := filepath.Dir(s.backupPath)
		if err := os.MkdirAll(bakDir, 0o700); err != nil {
			return s, fmt.Errorf("cannot make the backup directory %s: %w", bakDir, err)
		}
		s.bakTmp, err = writeTemp(bakDir, filepath.Base(s.backupPath), fc.Before, fc.UID, fc.GID)
		if err != nil {
			return s, err
		}
		s.undoTmp, err = writeTemp(dir, filepath.Base(fc.Target), fc.Before, fc.UID, fc.GID)
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

// writeTemp writes data to a new synced temporary file in dir, named after base. It is
// 0600 (os.CreateTemp's mode) whatever the file it will replace: it may hold a secret, and a
// kill can leave it behind (removeStaleTemps cleans it up on the next write). When bbsetup
// runs as root it gets uid:gid first (the owner of the file it replaces), so that a user's
// file keeps its owner.
func writeTemp(dir, base string, data []byte, uid, gid int) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".bbsetup-*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return "", fmt.Errorf("cannot write in %s: the directory is read-only; make it writable (%s) and run again", dir, makeWritable(runtime.GOOS, dir))
		}
		return "", fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	name := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(name)
		return "", fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	if os.Geteuid() == 0 && uid >= 0 && gid >= 0 {
		if err := f.Chown(uid, gid); err != nil {
			return fail(err)
		}
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	return name, nil
}

// syncDir makes a rename durable; file systems that cannot sync a directory are ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return
	}
}

// makeWritable is the command that makes path writable again on goos: chmod on Unix,
// clearing the read-only attribute (which is what Go reports as read-only there) on Windows.
func makeWritable(goos, path string) string {
	if goos == "windows" {
		return `attrib -r "` + path + `"`
	}
	return "chmod u+w " + path
}

// checkWritable refuses a read-only file or directory. The permission bits are checked as
// well as access, so that a file made read-only on purpose is respected even when bbsetup
// runs as root.
func checkWritable(target string, exists bool) error {
	dir := filepath.Dir(target)
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("cannot write in %s: the directory is read-only; make it writable (%s) and run again", dir, makeWritable(runtime.GOOS, dir))
	}
	if !exists {
		return nil
	}
	fi, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("cannot use %s: %v", target, err)
	}
	readOnly := fi.Mode().Perm()&0o200 == 0
	if !readOnly {
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			if !errors.Is(err, fs.ErrPermission) {
				return fmt.Errorf("cannot write %s: %v", target, err)
			}
			readOnly = true
		} else {
			f.Close()
		}
	}
	if readOnly {
		return fmt.Errorf("%s is read-only; make it writable (%s) and run again", target, makeWritable(runtime.GOOS, target))
	}
	return nil
}

// ReadRegular reads the file at path, following symlinks, and refuses anything but a
// regular file. It never blocks on a FIFO or a device put where an env file should be
// (os.ReadFile would wait forever for a writer).
func ReadRegular(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errNotRegular}
	}
	return io.ReadAll(f)
}

var errNotRegular = errors.New("not a regular file")
