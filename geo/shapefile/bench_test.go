package shapefile

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/geo/geojson"
)

// Issue 15 asks that reading a Shapefile be at least as fast per feature
// as reading the same layer as GeoJSON. The layer is the land-use layer of
// fixtures/czt (543 parcels, some with holes, some multi-part) repeated
// side by side to copies×543 features, written once as GeoJSON and once
// as a Shapefile (UTF-8 .dbf with its fields id, class, name):
//
//	go test ./geo/shapefile -run '^$' -bench Read -benchmem
//	go test ./geo/shapefile -run '^$' -bench Read -cpu 1   # per core
//
// geojson.ReadLayer also checks OGC validity and hashes the file, which the
// Shapefile reader leaves to its caller: "ns/feature" of the two is the
// cost of getting features in, not of the whole input check.
func BenchmarkRead(b *testing.B) {
	const copies = 20
	dir := b.TempDir()
	src := readSource(b, "../../fixtures/czt/layers/land-use.geojson")
	gj, shp := benchLayer(b, dir, src, copies)
	n := len(src) * copies
	b.Run("format=geojson", func(b *testing.B) {
		for b.Loop() {
			l, err := geojson.ReadLayer(context.Background(), gj, geo.ReadOptions{})
			if err != nil || len(l.Features) != n {
				b.Fatal(err, len(l.Features))
			}
		}
		perFeature(b, n)
	})
	b.Run("format=shapefile", func(b *testing.B) {
		for b.Loop() {
			l, err := Read(context.Background(), shp, Options{})
			if err != nil || len(l.Features) != n {
				b.Fatal(err, len(l.Features))
			}
		}
		perFeature(b, n)
	})
}

func perFeature(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed())/float64(time.Duration(b.N)*time.Duration(n)), "ns/feature")
}

// benchLayer writes the features copies times, each copy shifted one
// degree east of the last, as GeoJSON and as a Shapefile.
func benchLayer(b *testing.B, dir string, src []*srcFeature, copies int) (gjPath, shpPath string) {
	b.Helper()
	type feature struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   map[string]any `json:"geometry"`
	}
	var feats []feature
	var contents [][]byte
	var rows [][]string
	for k := 0; k < copies; k++ {
		for _, f := range src {
			g := shift(f.Geometry, float64(k))
			feats = append(feats, feature{"Feature", f.Properties, map[string]any{"type": g.GeoJSONType(), "coordinates": g}})
			var parts [][]orb.Point
			switch g := g.(type) {
			case orb.Polygon:
				parts = shapefileRings(g)
			case orb.MultiPolygon:
				for _, p := range g {
					parts = append(parts, shapefileRings(p)...)
				}
			default:
				b.Fatalf("a %T in land-use", g)
			}
			contents = append(contents, recordParts(Polygon, parts))
			row := make([]string, 3)
			for i, name := range []string{"id", "class", "name"} {
				if s, ok := f.Properties[name].(string); ok {
					row[i] = s
				}
			}
			rows = append(rows, row)
		}
	}
	gj, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": feats})
	if err != nil {
		b.Fatal(err)
	}
	gjPath = filepath.Join(dir, "land-use.geojson")
	shpBytes, shxBytes := buildShp(Polygon, contents)
	dbf := buildDBF([]testField{{"id", 'C', 40, 0}, {"class", 'C', 20, 0}, {"name", 'C', 80, 0}}, rows)
	base := filepath.Join(dir, "land-use")
	for path, data := range map[string][]byte{gjPath: gj, base + ".shp": shpBytes, base + ".shx": shxBytes, base + ".dbf": dbf, base + ".cpg": []byte("UTF-8")} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return gjPath, base + ".shp"
}

// shift returns a copy of g moved dx degrees east.
func shift(g orb.Geometry, dx float64) orb.Geometry {
	ring := func(r orb.Ring) orb.Ring {
		out := make(orb.Ring, len(r))
		for i, p := range r {
			out[i] = orb.Point{p[0] + dx, p[1]}
		}
		return out
	}
	poly := func(p orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, len(p))
		for i, r := range p {
			out[i] = ring(r)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Polygon:
		return poly(g)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = poly(p)
		}
		return out
	}
	panic(fmt.Sprintf("shift: %T", g))
}
