package rules_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/plancheck/plancheck/fixtures/bench"
	"github.com/plancheck/plancheck/planning"
	"github.com/plancheck/plancheck/rules"
)

// Benchmarks run only with -bench; the plan sets come from fixtures/gen
// (see fixtures/bench and BENCHMARKS.md):
//
//	go test ./rules -run '^$' -bench . -benchmem
//	PLANCHECK_BENCH_SCALES=1,64 go test ./rules -run '^$' -bench 'Run$' -benchtime 1x

// loadBenchSet generates (or takes from the cache) and loads the plan set
// at scale; it reports the features as a metric.
func loadBenchSet(b *testing.B, scale int) *planning.PlanSet {
	b.Helper()
	dir := bench.PlanSet(b, scale)
	manifest, err := planning.FindManifest(dir)
	if err != nil {
		b.Fatal(err)
	}
	set, err := planning.LoadPlanSet(context.Background(), manifest, planning.ManifestOptions{}, 2026)
	if err != nil {
		b.Fatal(err)
	}
	return set
}

func features(set *planning.PlanSet) int {
	n := 0
	for _, l := range set.Layers {
		n += len(l.Features)
	}
	return n
}

// BenchmarkLoadPlanSet reads the manifest and every layer (GeoJSON
// decoding, CRS transform, validity checks, class lookup).
func BenchmarkLoadPlanSet(b *testing.B) {
	for _, scale := range bench.Scales(b) {
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			manifest, err := planning.FindManifest(bench.PlanSet(b, scale))
			if err != nil {
				b.Fatal(err)
			}
			var n int
			for b.Loop() {
				set, err := planning.LoadPlanSet(context.Background(), manifest, planning.ManifestOptions{}, 2026)
				if err != nil {
					b.Fatal(err)
				}
				n = features(set)
			}
			b.ReportMetric(float64(n), "features")
		})
	}
}

// BenchmarkRule runs each rule of the default set alone on a loaded plan
// set: each iteration starts with an empty shape cache, so it includes
// preparing the shapes and corridors the rule needs.
func BenchmarkRule(b *testing.B) {
	for _, scale := range bench.Scales(b) {
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			set := loadBenchSet(b, scale)
			for _, r := range rules.All() {
				b.Run(r.Name, func(b *testing.B) {
					var found int
					for b.Loop() {
						fs, err := rules.Run(context.Background(), set, []*rules.Rule{r}, rules.Options{MinAreaM2: rules.DefaultMinAreaM2})
						if err != nil {
							b.Fatal(err)
						}
						found = len(fs)
					}
					b.ReportMetric(float64(found), "findings")
				})
			}
		})
	}
}

// BenchmarkRun runs the whole default rule set, as check does after
// loading.
func BenchmarkRun(b *testing.B) {
	for _, scale := range bench.Scales(b) {
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			set := loadBenchSet(b, scale)
			rs := rules.All()
			var found int
			for b.Loop() {
				fs, err := rules.Run(context.Background(), set, rs, rules.Options{MinAreaM2: rules.DefaultMinAreaM2})
				if err != nil {
					b.Fatal(err)
				}
				found = len(fs)
			}
			b.ReportMetric(float64(features(set)), "features")
			b.ReportMetric(float64(found), "findings")
		})
	}
}
