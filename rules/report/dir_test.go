package report

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plancheck/plancheck/rules"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestWriteDirRemovesStale: a run on a set without boundaries removes the
// statistics.csv an earlier run on a set with boundaries wrote, and
// leaves files that are not ours alone.
func TestWriteDirRemovesStale(t *testing.T) {
	dir := t.TempDir()
	r := changsha()
	r.Districts = []rules.District{{Layer: "b", ID: "1", Name: "岳麓区", AreaM2: 1}}
	if err := WriteDir(context.Background(), dir, r, DirOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(dirNames(t, dir), "statistics.csv") {
		t.Fatal("no statistics.csv with districts")
	}
	if err := WriteDir(context.Background(), dir, changsha(), DirOptions{}); err != nil {
		t.Fatal(err)
	}
	got := dirNames(t, dir)
	want := append(DirFiles(changsha()), "notes.txt")
	slices.Sort(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("files %v, want %v", got, want)
	}
}

// TestWriteDirRefusesInputs: --out pointing at a directory that holds an
// input named like a report (directly or through a symbolic link) writes
// nothing.
func TestWriteDirRefusesInputs(t *testing.T) {
	layers := t.TempDir()
	input := filepath.Join(layers, "conflicts.geojson")
	if err := os.WriteFile(input, []byte(`{"type":"FeatureCollection","features":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(layers, link); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{layers, link} {
		err := WriteDir(context.Background(), out, changsha(), DirOptions{Inputs: []string{input}})
		var ie *InputOverwriteError
		if !errors.As(err, &ie) || ie.Input != input {
			t.Errorf("--out %s: error %v, want an InputOverwriteError naming %s", out, err, input)
		}
		if got := dirNames(t, layers); len(got) != 1 {
			t.Errorf("--out %s: the layers directory holds %v", out, got)
		}
	}
	// statistics.csv is not written here, but removing a stale one would
	// delete the input: refused too.
	stats := filepath.Join(layers, "statistics.csv")
	if err := os.WriteFile(stats, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(context.Background(), layers, changsha(), DirOptions{Inputs: []string{stats}}); err == nil {
		t.Error("a stale-report removal would delete an input")
	}
	if _, err := os.Stat(stats); err != nil {
		t.Error(err)
	}
}

// countdown is a context that ends after n calls of Err.
type countdown struct {
	context.Context
	n atomic.Int64
}

func (c *countdown) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// TestWriteDirCancelled: a run cancelled at any point while writing
// leaves the previous reports as they were, no temporary file, and no
// directory it created.
func TestWriteDirCancelled(t *testing.T) {
	dir := t.TempDir()
	if err := WriteDir(context.Background(), dir, changsha(), DirOptions{}); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for _, n := range dirNames(t, dir) {
		b, _ := os.ReadFile(filepath.Join(dir, n))
		before[n] = string(b)
	}
	r := changsha()
	r.PlanSet = "changed"
	for n := int64(0); n < 40; n++ {
		ctx := &countdown{Context: context.Background()}
		ctx.n.Store(n)
		err := WriteDir(ctx, dir, r, DirOptions{})
		if err == nil {
			break // n was enough to finish
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("after %d checks: %v", n, err)
		}
		for _, name := range dirNames(t, dir) {
			b, _ := os.ReadFile(filepath.Join(dir, name))
			if before[name] != string(b) {
				t.Fatalf("after %d checks: %s changed or appeared", n, name)
			}
		}
		fresh := filepath.Join(t.TempDir(), "a", "b")
		ctx.n.Store(n)
		if WriteDir(ctx, fresh, r, DirOptions{}) != nil {
			if _, err := os.Stat(filepath.Dir(fresh)); !os.IsNotExist(err) {
				t.Fatalf("after %d checks: the directories it created are left", n)
			}
		}
	}
}

// BenchmarkWriteDir writes every report of 132,096 findings (the 1M × 1M
// parcel set's count) over 2 × 200,000 parcels.
func BenchmarkWriteDir(b *testing.B) {
	r := scaleResult(132_096, 200_000)
	dir := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteDir(context.Background(), dir, r, DirOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for _, name := range DirFiles(r) {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			b.ReportMetric(float64(fi.Size())/1e6, strings.TrimSuffix(strings.ReplaceAll(name, ".", "_"), "")+"_MB")
		}
	}
}
