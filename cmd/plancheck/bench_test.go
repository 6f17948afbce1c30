package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/plancheck/plancheck/fixtures/bench"
)

// Benchmarks of whole commands on the generated 长株潭 plan sets (see
// fixtures/bench and BENCHMARKS.md). They run only with -bench:
//
//	go test ./cmd/plancheck -run '^$' -bench . -benchmem

func benchCommand(b *testing.B, want int, args func(b *testing.B, dir string) []string) {
	for _, scale := range bench.Scales(b) {
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			dir := bench.PlanSet(b, scale)
			for b.Loop() {
				// A fresh argument list per run: --out gets a new directory.
				argv := append([]string{"plancheck"}, args(b, dir)...)
				if code := run(context.Background(), argv, io.Discard, io.Discard); code != want {
					b.Fatalf("%v: exit code %d, want %d", argv[1:], code, want)
				}
			}
		})
	}
}

// BenchmarkCheck is `plancheck check --format json DIR`: load, every rule,
// districts, the JSON report. The generated sets hold planted errors, so
// it exits 1.
func BenchmarkCheck(b *testing.B) {
	benchCommand(b, exitFindings, func(b *testing.B, dir string) []string {
		return []string{"check", "--quiet", "--format", "json", dir}
	})
}

// BenchmarkCheckOut adds `--out DIR`: conflicts.geojson, report.json,
// report.md and report.html with its map.
func BenchmarkCheckOut(b *testing.B) {
	benchCommand(b, exitFindings, func(b *testing.B, dir string) []string {
		return []string{"check", "--quiet", "--format", "json", "--out", filepath.Join(b.TempDir(), "report"), dir}
	})
}

// BenchmarkValidate is `plancheck validate --format json DIR`: load and
// the input rules only.
func BenchmarkValidate(b *testing.B) {
	benchCommand(b, exitFindings, func(b *testing.B, dir string) []string {
		return []string{"validate", "--quiet", "--format", "json", dir}
	})
}

// BenchmarkCheckParcels is `plancheck check --format json DIR` on the
// two-layer parcel sets (city master plan against land-use plan, n parcels
// each, nearly coincident boundaries): the city-scale job. It
// exits 1 (the sets hold conflicts).
func BenchmarkCheckParcels(b *testing.B) {
	for _, n := range bench.Parcels(b) {
		b.Run(fmt.Sprintf("parcels=%d", n), func(b *testing.B) {
			dir := bench.ParcelSet(b, n)
			for b.Loop() {
				argv := []string{"plancheck", "check", "--quiet", "--format", "json", dir}
				if code := run(context.Background(), argv, io.Discard, io.Discard); code != exitFindings {
					b.Fatalf("%v: exit code %d, want %d", argv[1:], code, exitFindings)
				}
			}
		})
	}
}
