package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// A tiled check merges into exactly the reports of one check of the whole
// set, for any number of tiles: features straddling tile edges, patches
// spanning several tiles and corridors crossing many.
func TestTiledCheckMergesToTheWholeRun(t *testing.T) {
	set := filepath.Join(repoRoot, "fixtures/czt")
	whole := filepath.Join(t.TempDir(), "whole")
	wantSARIF, stderr, code := runCLI(t, "check", set, "--out", whole, "--quiet", "--format", "sarif", "--date", "2026-03-01", "--path-base", repoRoot)
	if code != exitFindings {
		t.Fatalf("whole run: exit %d, %s", code, stderr)
	}
	ns := []int{1, 2, 3, 7, 16}
	if testing.Short() {
		ns = []int{3}
	}
	for _, n := range ns {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			tmp := t.TempDir()
			tiled := filepath.Join(tmp, "tiled")
			if _, stderr, code := runCLI(t, "tile", set, "--tiles", strconv.Itoa(n), "--out", tiled); code != exitClean {
				t.Fatalf("tile: exit %d, %s", code, stderr)
			}
			var parts []string
			for k := 0; k < n; k++ {
				part := filepath.Join(tmp, "part-"+strconv.Itoa(k))
				// Half the shards find their index as a Kubernetes
				// Indexed Job gives it.
				args := []string{"check", tiled, "--shard", strconv.Itoa(k), "--out", part, "--quiet"}
				if k%2 == 1 {
					t.Setenv("JOB_COMPLETION_INDEX", strconv.Itoa(k))
					args[3] = "auto"
				}
				if _, stderr, code := runCLI(t, args...); code != exitClean {
					t.Fatalf("tile %d: exit %d, %s", k, code, stderr)
				}
				parts = append(parts, part)
			}
			merged := filepath.Join(tmp, "merged")
			gotSARIF, stderr, code := runCLI(t, append([]string{"merge", "--out", merged, "--quiet", "--format", "sarif", "--date", "2026-03-01", "--path-base", repoRoot}, parts...)...)
			if code != exitFindings {
				t.Fatalf("merge: exit %d, %s", code, stderr)
			}
			if gotSARIF != wantSARIF {
				t.Errorf("merged SARIF differs from the whole run's")
			}
			entries, err := os.ReadDir(whole)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				want, _ := os.ReadFile(filepath.Join(whole, e.Name()))
				got, err := os.ReadFile(filepath.Join(merged, e.Name()))
				if err != nil {
					t.Errorf("merge wrote no %s", e.Name())
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s of %d tiles differs from the whole run's", e.Name(), n)
				}
			}
		})
	}
}

func TestMergeRefusesIncompleteOrMixedParts(t *testing.T) {
	set := filepath.Join(repoRoot, "fixtures/czt")
	tmp := t.TempDir()
	for _, n := range []int{2, 3} {
		tiled := filepath.Join(tmp, "tiled"+strconv.Itoa(n))
		if _, stderr, code := runCLI(t, "tile", set, "--tiles", strconv.Itoa(n), "--out", tiled); code != exitClean {
			t.Fatalf("tile: %s", stderr)
		}
		for k := 0; k < n; k++ {
			if _, stderr, code := runCLI(t, "check", tiled, "--shard", strconv.Itoa(k), "--out", filepath.Join(tmp, "p"+strconv.Itoa(n)+"-"+strconv.Itoa(k)), "--quiet"); code != exitClean {
				t.Fatalf("%s", stderr)
			}
		}
	}
	p := func(n, k int) string { return filepath.Join(tmp, "p"+strconv.Itoa(n)+"-"+strconv.Itoa(k)) }
	for _, tc := range []struct {
		name  string
		parts []string
		want  string
	}{
		{"missing tile", []string{p(3, 0), p(3, 2)}, "tiles 1 of 3 are missing"},
		{"twice", []string{p(2, 0), p(2, 0), p(2, 1)}, "tile 0 given twice"},
		{"mixed tilings", []string{p(2, 0), p(3, 1)}, "comes from another tiling"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, append([]string{"merge", "--quiet"}, tc.parts...)...)
			if code != exitUsage || !bytes.Contains([]byte(stderr), []byte(tc.want)) {
				t.Errorf("exit %d, %q; want %q", code, stderr, tc.want)
			}
		})
	}
	t.Setenv("JOB_COMPLETION_INDEX", "")
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	t.Setenv("PLANCHECK_SHARD", "")
	if _, stderr, code := runCLI(t, "check", filepath.Join(tmp, "tiled2"), "--shard", "auto", "--out", filepath.Join(tmp, "x")); code != exitUsage {
		t.Errorf("--shard auto without an index: exit %d, %s", code, stderr)
	}
}
