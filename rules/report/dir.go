package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

// tempPrefix marks the files WriteDir writes before renaming them into
// place; a run killed half-way leaves at most these, and the next run
// removes them.
const tempPrefix = ".plancheck-tmp-"

// DirFiles lists the files WriteDir writes for a result, in order.
func DirFiles(r *rules.Result) []string {
	files := []string{"conflicts.geojson", "report.json", "report.md", "report.html", "ledger.xlsx"}
	if len(r.Districts) > 0 {
		files = append(files, "statistics.csv")
	}
	return files
}

func writerFor(name string) func(io.Writer, *rules.Result) error {
	switch name {
	case "conflicts.geojson":
		return GeoJSON
	case "report.json":
		return JSON
	case "report.md":
		return Markdown
	case "report.html":
		return HTML
	case "ledger.xlsx":
		return Ledger
	case "statistics.csv":
		return StatisticsCSV
	}
	return nil
}

// WriteDir writes every report file of r into dir. All reports are
// rendered in memory first; each is then written to a temporary file in
// dir, synced, and renamed over its final name, so a reader (or a run
// killed at any point) sees either the previous complete file or the new
// complete one, never a partial one. Nothing outside dir is written.
func WriteDir(dir string, r *rules.Result) error {
	return WriteDirContext(context.Background(), dir, r)
}

// WriteDirContext is WriteDir that gives up when ctx ends (Ctrl-C,
// --timeout) while the reports render, before it has written anything.
// Once it writes files it finishes: that takes milliseconds.
func WriteDirContext(ctx context.Context, dir string, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	names := DirFiles(r)
	rendered := make([][]byte, len(names))
	for i, name := range names {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		var b bytes.Buffer
		if err := writerFor(name)(&b, r); err != nil {
			return fmt.Errorf("report: rendering %s: %w", name, err)
		}
		rendered[i] = b.Bytes()
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	removeStaleTemps(dir)
	temps := make([]string, 0, len(names))
	fail := func(err error) error {
		for _, t := range temps {
			os.Remove(t)
		}
		return fmt.Errorf("report: %w", err)
	}
	for i, name := range names {
		tmp, err := os.CreateTemp(dir, tempPrefix+name+"-*")
		if err != nil {
			return fail(err)
		}
		temps = append(temps, tmp.Name())
		// CreateTemp makes 0600 files; reports are for sharing.
		perr := tmp.Chmod(0o644)
		_, werr := tmp.Write(rendered[i])
		serr := tmp.Sync()
		cerr := tmp.Close()
		for _, err := range []error{perr, werr, serr, cerr} {
			if err != nil {
				return fail(err)
			}
		}
	}
	for i, name := range names {
		if err := os.Rename(temps[i], filepath.Join(dir, name)); err != nil {
			return fail(err)
		}
	}
	if d, err := os.Open(dir); err == nil {
		// Make the renames durable before reporting success.
		_ = d.Sync()
		d.Close()
	}
	return nil
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
