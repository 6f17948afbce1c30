package report

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

// tempPrefix marks the files WriteDir writes before renaming them into
// place; a run killed half-way leaves at most these, and the next run
// removes them.
const tempPrefix = ".plancheck-tmp-"

// dirFileNames are every file WriteDir may write, in order. A run that does
// not write one of them (statistics.csv without boundaries) removes an old
// one left by an earlier run, so a directory never mixes two runs.
var dirFileNames = func() []string {
	var names []string
	for _, o := range Outputs {
		if o.File != "" {
			names = append(names, o.File)
		}
	}
	return names
}()

// DirFiles lists the files WriteDir writes for a result, in order.
func DirFiles(r *rules.Result) []string {
	var files []string
	for _, o := range Outputs {
		if o.File != "" && (o.Needs == nil || o.Needs(r)) {
			files = append(files, o.File)
		}
	}
	return files
}

func writerFor(name string) func(io.Writer, *rules.Result) error {
	for _, o := range Outputs {
		if o.File == name && name != "" {
			return o.Write
		}
	}
	return nil
}

// DirOptions are the options of WriteDir.
type DirOptions struct {
	// Inputs are the files of the plan set (manifest, layers, rules and
	// decisions files), absolute or relative to the working directory.
	// WriteDir refuses to replace or remove any of them.
	Inputs []string
}

// InputOverwriteError is returned by WriteDir when a report file would
// replace (or a stale report's removal would delete) an input of the plan
// set, e.g. --out pointing at the layers directory, which holds a layer
// named conflicts.geojson. Nothing has been written when it is returned.
type InputOverwriteError struct {
	Path  string // the report file's path
	Input string // the input it is, as given in DirOptions.Inputs
}

func (e *InputOverwriteError) Error() string {
	return fmt.Sprintf("report: %s is an input of the plan set (%s); choose another --out directory", e.Path, e.Input)
}

// WriteDir writes every report file of r (DirFiles) into dir. Each
// report is streamed to a temporary file in dir (never held whole in
// memory) and synced; only when all of them are written are they renamed
// over their final names, so a reader, a failing writer or a run killed at
// any point leaves either the previous complete reports or the new
// complete ones, never a partial one. Files of ours the run does not write
// (statistics.csv of an earlier run on a set with boundaries) are then
// removed. Nothing outside dir is written.
//
// It refuses, before writing anything, when a report file would be one of
// opts.Inputs (*InputOverwriteError). It gives up when ctx ends (Ctrl-C,
// --timeout) while the reports are written, removing its temporary files
// and dir itself when it created it.
func WriteDir(ctx context.Context, dir string, r *rules.Result, opts DirOptions) error {
	if r == nil {
		return ErrNilResult
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, name := range dirFileNames {
		if in := isInput(filepath.Join(dir, name), opts.Inputs); in != "" {
			return &InputOverwriteError{Path: filepath.Join(dir, name), Input: in}
		}
	}
	created, err := mkdirAll(dir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	removeStaleTemps(dir)
	names := DirFiles(r)
	temps := make([]string, 0, len(names))
	fail := func(err error) error {
		for _, t := range temps {
			os.Remove(t)
		}
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i]) // only when empty
		}
		return fmt.Errorf("report: %w", err)
	}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		tmp, err := os.CreateTemp(dir, tempPrefix+name+"-*")
		if err != nil {
			return fail(err)
		}
		temps = append(temps, tmp.Name())
		// CreateTemp makes 0600 files; reports are for sharing.
		perr := tmp.Chmod(0o644)
		b := bufio.NewWriterSize(ctxWriter{ctx, tmp}, 1<<16)
		var werr error
		if name == "conflicts.gpkg" {
			// SQLite needs a file of its own: build it in dir, as a
			// temporary the next run removes, not in TMPDIR.
			werr = geoPackageIn(b, r, dir)
		} else {
			werr = writerFor(name)(b, r)
		}
		if werr == nil {
			werr = b.Flush()
		}
		if werr != nil && ctx.Err() == nil {
			werr = fmt.Errorf("rendering %s: %w", name, werr)
		} else if werr != nil {
			werr = ctx.Err()
		}
		serr := tmp.Sync()
		cerr := tmp.Close()
		if err := errors.Join(perr, werr, serr, cerr); err != nil {
			return fail(err)
		}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	for i, name := range names {
		if err := os.Rename(temps[i], filepath.Join(dir, name)); err != nil {
			return fail(err)
		}
	}
	for _, name := range dirFileNames {
		if !slices.Contains(names, name) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("report: removing the old %s: %w", name, err)
			}
		}
	}
	if d, err := os.Open(dir); err == nil {
		// Make the renames durable before reporting success.
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// ctxWriter fails writes once ctx has ended, so a long report stops early.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// isInput returns the input path is, or "".
func isInput(path string, inputs []string) string {
	if len(inputs) == 0 {
		return ""
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	st, statErr := os.Stat(abs)
	for _, in := range inputs {
		a, err := filepath.Abs(in)
		if err != nil {
			continue
		}
		if a == abs {
			return in
		}
		if statErr == nil {
			// The same file by another name: a symbolic link, a
			// case-insensitive file system, a hard link.
			if ist, err := os.Stat(a); err == nil && os.SameFile(st, ist) {
				return in
			}
		}
	}
	return ""
}

// mkdirAll is os.MkdirAll that returns the directories it created,
// outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	slices.Reverse(missing)
	return missing, nil
}

// removeStaleTemps deletes temporary files a killed run left behind.
func removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
