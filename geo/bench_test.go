package geo_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/fixtures/bench"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/geo/geojson"
	"github.com/plancheck/plancheck/planning"
)

// Benchmarks of the geometry layer on the generated 长株潭 plan sets (see
// fixtures/bench and BENCHMARKS.md). They run only with -bench:
//
//	go test ./geo -run '^$' -bench . -benchmem

// forScales runs fn as a sub-benchmark per scale.
func forScales(b *testing.B, fn func(b *testing.B, scale int)) {
	for _, scale := range bench.Scales(b) {
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) { fn(b, scale) })
	}
}

func manifest(b *testing.B, scale int) *planning.Manifest {
	b.Helper()
	path, err := planning.FindManifest(bench.PlanSet(b, scale))
	if err != nil {
		b.Fatal(err)
	}
	m, err := planning.ReadManifest(path, planning.ManifestOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func loadSet(b *testing.B, scale int) *planning.PlanSet {
	b.Helper()
	m := manifest(b, scale)
	set, err := planning.LoadPlanSet(context.Background(), m.Path, planning.ManifestOptions{}, 2026)
	if err != nil {
		b.Fatal(err)
	}
	return set
}

// usable returns the valid features of the layers at a level (every level
// when level is "").
func usable(set *planning.PlanSet, level planning.Level, keep func(*planning.Feature) bool) []*planning.Feature {
	var out []*planning.Feature
	for _, l := range set.Layers {
		if level != "" && l.Level != level {
			continue
		}
		for i := range l.Features {
			f := &l.Features[i]
			if !f.Invalid && f.Geometry != nil && keep(f) {
				out = append(out, f)
			}
		}
	}
	return out
}

func isPolygon(f *planning.Feature) bool { return f.IsPolygon() }

func shapes(b *testing.B, fs []*planning.Feature) []*geo.Shape {
	b.Helper()
	out := make([]*geo.Shape, len(fs))
	for i, f := range fs {
		s, err := geo.NewShape(f.Geometry)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = s
	}
	return out
}

func bounds(ss []*geo.Shape) []orb.Bound {
	out := make([]orb.Bound, len(ss))
	for i, s := range ss {
		out[i] = s.Bound
	}
	return out
}

// typedProperties stands for the attributes LoadPlanSet types from every
// feature (id, class, name, years): the reader's typed path, no map.
func typedProperties(p geo.Properties) any {
	var a struct {
		id, class, name string
		start, end      any
	}
	a.id, _ = p.String("id")
	a.class, _ = p.String("class")
	a.name, _ = p.String("name")
	a.start, _ = p.Get("start_year")
	a.end, _ = p.Get("end_year")
	return &a
}

// BenchmarkReadLayer reads every layer file of the set as LoadPlanSet does
// (streaming decode, CRS transform, structure and OGC validity checks,
// typed properties), without the class lookup. MB/s is of GeoJSON read;
// run with -cpu 1 for the rate per core.
func BenchmarkReadLayer(b *testing.B) {
	forScales(b, func(b *testing.B, scale int) {
		m := manifest(b, scale)
		var size int64
		for _, spec := range m.Layers {
			st, err := os.Stat(spec.Path)
			if err != nil {
				b.Fatal(err)
			}
			size += st.Size()
		}
		b.SetBytes(size)
		n := 0
		for b.Loop() {
			n = 0
			for _, spec := range m.Layers {
				opts := geo.ReadOptions{GeometryTypes: planning.GeometryTypes(spec.Level), LayerKind: string(spec.Level), Attributes: typedProperties}
				if spec.CRSDeclared {
					c := spec.CRS
					opts.CRS = &c
				}
				l, err := geojson.ReadLayer(context.Background(), spec.Path, opts)
				if err != nil {
					b.Fatal(err)
				}
				n += len(l.Features)
			}
		}
		b.ReportMetric(float64(n), "features")
	})
}

// BenchmarkReadLayerParcels reads the city-master layer of the two-layer
// parcel set (about n parcels, 490 bytes each, 3 % with holes) as
// LoadPlanSet does, typing its properties. Run it with
// -cpu 1 for the per-core ingest rate (BENCHMARKS.md):
//
//	go test ./geo -run '^$' -bench ReadLayerParcels -cpu 1 -benchtime 5x
func BenchmarkReadLayerParcels(b *testing.B) {
	for _, n := range bench.Parcels(b) {
		b.Run(fmt.Sprintf("parcels=%d", n), func(b *testing.B) {
			path := filepath.Join(bench.ParcelSet(b, n), "layers", "city-master.geojson")
			st, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(st.Size())
			opts := geo.ReadOptions{GeometryTypes: []string{"Polygon", "MultiPolygon"}, LayerKind: "city-master",
				Attributes: typedProperties}
			features := 0
			for b.Loop() {
				l, err := geojson.ReadLayer(context.Background(), path, opts)
				if err != nil {
					b.Fatal(err)
				}
				features = len(l.Features)
			}
			b.ReportMetric(float64(features), "features")
		})
	}
}

// BenchmarkValidity is the OGC validity check ReadLayer makes of every
// polygon.
func BenchmarkValidity(b *testing.B) {
	forScales(b, func(b *testing.B, scale int) {
		fs := usable(loadSet(b, scale), "", isPolygon)
		for b.Loop() {
			for _, f := range fs {
				if msg, _ := geo.Validity(f.Geometry); msg != "" {
					b.Fatalf("%s: %s", f.ID, msg)
				}
			}
		}
		b.ReportMetric(float64(len(fs)), "polygons")
	})
}

// BenchmarkNewShape prepares every valid polygon for overlay (orb to the
// overlay engine's model).
func BenchmarkNewShape(b *testing.B) {
	forScales(b, func(b *testing.B, scale int) {
		fs := usable(loadSet(b, scale), "", isPolygon)
		for b.Loop() {
			shapes(b, fs)
		}
		b.ReportMetric(float64(len(fs)), "polygons")
	})
}

// BenchmarkNewIndex bulk-loads the R-tree over every valid polygon's
// bounds.
func BenchmarkNewIndex(b *testing.B) {
	forScales(b, func(b *testing.B, scale int) {
		bs := bounds(shapes(b, usable(loadSet(b, scale), "", isPolygon)))
		for b.Loop() {
			geo.NewIndex(bs)
		}
		b.ReportMetric(float64(len(bs)), "polygons")
	})
}

// BenchmarkIndexSearch finds the land-use candidates of every city-master
// polygon, the prefilter of construction-outside-landuse-zone.
func BenchmarkIndexSearch(b *testing.B) {
	forScales(b, func(b *testing.B, scale int) {
		set := loadSet(b, scale)
		ix := geo.NewIndex(bounds(shapes(b, usable(set, planning.LandUse, isPolygon))))
		queries := bounds(shapes(b, usable(set, planning.CityMaster, isPolygon)))
		hits := 0
		for b.Loop() {
			hits = 0
			for _, q := range queries {
				ix.Search(q, func(int) { hits++ })
			}
		}
		b.ReportMetric(float64(len(queries)), "queries")
		b.ReportMetric(float64(hits), "candidates")
	})
}

type pair struct{ a, b *geo.Shape }

// candidates returns the pairs of as × bs whose bounds intersect; with
// same set, each unordered pair of distinct shapes once.
func candidates(as, bs []*geo.Shape, same bool) []pair {
	ix := geo.NewIndex(bounds(bs))
	var out []pair
	for i, a := range as {
		ix.Search(a.Bound, func(j int) {
			if !same || j > i {
				out = append(out, pair{a, bs[j]})
			}
		})
	}
	return out
}

// overlayPairs is the per-pair work of an overlaps rule: geo.Overlap, the
// intersection (exact shortcuts first, else the overlay) and its geodesic
// area.
func overlayPairs(b *testing.B, ps []pair) {
	b.Helper()
	start := time.Now()
	found := 0
	for b.Loop() {
		found = 0
		for _, p := range ps {
			g, area, err := geo.Overlap(p.a, p.b)
			if err != nil {
				b.Fatal(err)
			}
			if g != nil && area >= 1 {
				found++
			}
		}
	}
	b.ReportMetric(float64(len(ps)), "pairs")
	b.ReportMetric(float64(found), "overlaps")
	if b.N > 0 && len(ps) > 0 {
		b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N)/float64(len(ps)), "ns/pair")
	}
}

// BenchmarkIntersection overlaps every bbox candidate pair of city-master
// × land-use polygons: two independently drawn tilings, so most pairs
// overlap in part and go to the overlay engine.
func BenchmarkIntersection(b *testing.B) {
	forScales(b, func(b *testing.B, scale int) {
		set := loadSet(b, scale)
		ps := candidates(shapes(b, usable(set, planning.CityMaster, isPolygon)), shapes(b, usable(set, planning.LandUse, isPolygon)), false)
		overlayPairs(b, ps)
	})
}

// BenchmarkIntersectionNeighbours overlaps every bbox candidate pair
// within the land-use layer, the work of layer-overlap: in a clean tiling
// neighbours share edges and vertices, the intersection has no area, and
// the exact shortcut decides without the overlay.
func BenchmarkIntersectionNeighbours(b *testing.B) {
	forScales(b, func(b *testing.B, scale int) {
		ss := shapes(b, usable(loadSet(b, scale), planning.LandUse, isPolygon))
		overlayPairs(b, candidates(ss, ss, true))
	})
}

// BenchmarkCorridor buffers every infrastructure line by width_m/2.
func BenchmarkCorridor(b *testing.B) {
	forScales(b, func(b *testing.B, scale int) {
		lines := usable(loadSet(b, scale), planning.Infrastructure, func(f *planning.Feature) bool { return f.IsLine() && f.WidthM > 0 })
		for b.Loop() {
			for _, f := range lines {
				if _, err := geo.Corridor(f.Geometry, f.WidthM); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(lines)), "lines")
	})
}

// BenchmarkAreaM2Polygons is the geodesic area (Karney) of every valid
// polygon of the set.
func BenchmarkAreaM2Polygons(b *testing.B) {
	forScales(b, func(b *testing.B, scale int) {
		fs := usable(loadSet(b, scale), "", isPolygon)
		for b.Loop() {
			for _, f := range fs {
				geo.AreaM2(f.Geometry)
			}
		}
		b.ReportMetric(float64(len(fs)), "polygons")
	})
}

// Benchmarks on detailed shapes (fixtures/gen -detailed): zones of about
// 2,000 vertices and corridors of lines of 50–700 vertices, each paired
// with the hundreds of parcels they cross. Shapes are prepared once, as a
// run caches them, so the loop measures what every further pair costs.
//
//	PLANCHECK_BENCH_DETAILED=1,10 go test ./geo -run '^$' -bench Detailed -benchmem

func forDetailed(b *testing.B, fn func(b *testing.B, set *planning.PlanSet)) {
	for _, scale := range bench.DetailedScales(b) {
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			path, err := planning.FindManifest(bench.DetailedSet(b, scale))
			if err != nil {
				b.Fatal(err)
			}
			set, err := planning.LoadPlanSet(context.Background(), path, planning.ManifestOptions{}, 2026)
			if err != nil {
				b.Fatal(err)
			}
			fn(b, set)
		})
	}
}

// BenchmarkDetailedZones overlaps the green-heart and regional zones with
// the city parcels: most parcels lie inside one zone or outside, which
// quickRelate decides by locating parcel points in the zone.
func BenchmarkDetailedZones(b *testing.B) {
	forDetailed(b, func(b *testing.B, set *planning.PlanSet) {
		zones := shapes(b, append(usable(set, planning.GreenHeart, isPolygon), usable(set, planning.Regional, isPolygon)...))
		parcels := shapes(b, usable(set, planning.CityMaster, isPolygon))
		overlayPairs(b, candidates(zones, parcels, false))
	})
}

// BenchmarkDetailedCorridors overlaps the corridors of the infrastructure
// lines with the land-use parcels.
func BenchmarkDetailedCorridors(b *testing.B) {
	forDetailed(b, func(b *testing.B, set *planning.PlanSet) {
		var corridors []*geo.Shape
		for _, f := range usable(set, planning.Infrastructure, func(f *planning.Feature) bool { return f.IsLine() && f.WidthM > 0 }) {
			g, err := geo.Corridor(f.Geometry, f.WidthM)
			if err != nil {
				b.Fatal(err)
			}
			s, err := geo.NewShape(g)
			if err != nil {
				b.Fatal(err)
			}
			corridors = append(corridors, s)
		}
		parcels := shapes(b, usable(set, planning.LandUse, isPolygon))
		overlayPairs(b, candidates(corridors, parcels, false))
	})
}
